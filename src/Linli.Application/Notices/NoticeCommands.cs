using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Domain.Notices;
using Linli.Domain.Registry;
using Linli.Application.Common;
using Linli.Application.Identity;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Notices;

/// <summary>Publishing, changing and withdrawing notices, and recording that someone read one.</summary>
public sealed class NoticeCommands(ILinliDb db, CurrentUser user, NoticeQueries queries, TimeProvider time)
{
    /// <summary>Publishes (or schedules) a notice at the caller's node, or at a node below it.</summary>
    public async Task<int> CreateAsync(NoticeRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var nodeId = request.NodeId ?? user.NodeId;
        var node = await db.Nodes.FirstOrDefaultAsync(n => n.Id == nodeId, ct);
        // A grid worker sees their community's node too, but publishes only in their grid.
        if (node is null || !queries.InMyArea(node)) throw new DomainException("You can publish only at your own place in the hierarchy or below it.", "nodeId");
        var notice = new Notice(node, user.Id, user.DisplayName, Draft(request), time.GetUtcNow());
        await CheckBuildingsAsync(notice, ct);
        db.Notices.Add(notice);
        await db.SaveChangesAsync(ct);
        return notice.Id;
    }

    /// <summary>
    /// A notice the higher platform sent down for a district, street or community of this installation, published there in
    /// the name of that platform (<paramref name="from"/>; no account of ours wrote it). Takes part in the caller's
    /// transaction, so the notice and the record of the message that brought it are written together.
    /// <paramref name="authorId"/> is the account that stands for the link (a notice's author is an account).
    /// </summary>
    public async Task<int> FromHigherPlatformAsync(int nodeId, int authorId, string from, NoticeDraft draft, CancellationToken ct)
    {
        var node = await db.Nodes.FirstOrDefaultAsync(n => n.Id == nodeId && n.Kind != NodeKind.Grid, ct)
            ?? throw new DomainException("No district, street or community with this code here.", "placeCode");
        var notice = new Notice(node, authorId, from, draft, time.GetUtcNow());
        db.Notices.Add(notice);
        await db.SaveChangesAsync(ct);
        return notice.Id;
    }

    /// <summary>Changes a notice nobody has been shown yet.</summary>
    public async Task UpdateAsync(int id, NoticeRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var notice = await ManagedAsync(id, "You can change only notices published in your area.", ct);
        if (request.NodeId is { } nodeId && nodeId != notice.NodeId) throw new DomainException("A notice stays where it was published; publish a new one elsewhere.", "nodeId");
        notice.Edit(Draft(request), time.GetUtcNow());
        await CheckBuildingsAsync(notice, ct);
        await db.SaveChangesAsync(ct);
    }

    public async Task PublishNowAsync(int id, CancellationToken ct)
    {
        var notice = await ManagedAsync(id, "You can publish only notices of your area.", ct);
        notice.PublishNow(time.GetUtcNow());
        await db.SaveChangesAsync(ct);
    }

    public async Task WithdrawAsync(int id, CancellationToken ct)
    {
        var notice = await ManagedAsync(id, "You can withdraw only notices published in your area.", ct);
        notice.Withdraw(user.Id, time.GetUtcNow());
        await db.SaveChangesAsync(ct);
    }

    public async Task SetPinnedAsync(int id, bool pinned, CancellationToken ct)
    {
        var notice = await ManagedAsync(id, "You can pin only notices published in your area.", ct);
        notice.SetPinned(pinned, time.GetUtcNow());
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Records the caller's first reading of a notice sent to them; later readings change nothing.</summary>
    public async Task RecordReadAsync(Notice notice, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var me = user.Id;
        if (await db.NoticeReads.AnyAsync(r => r.NoticeId == notice.Id && r.UserId == me, ct)) return;
        if (await queries.ReaderAsync(ct) is not { } reader) return;
        var now = time.GetUtcNow();
        var read = reader.Place is Room room && user.ResidentId is { } residentId
            ? NoticeRead.ByResident(notice, me, residentId, room, now)
            : NoticeRead.ByStaff(notice, me, (HierarchyNode)reader.Place, now);
        db.NoticeReads.Add(read);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The same person opened it twice at once (two tabs, a double tap): the other request recorded it.
            db.Entry(read).State = EntityState.Detached;
            if (!await db.NoticeReads.AnyAsync(r => r.NoticeId == notice.Id && r.UserId == me, ct)) throw;
        }
    }

    async Task<Notice> ManagedAsync(int id, string refusal, CancellationToken ct)
    {
        var notice = await db.Notices.FirstOrDefaultAsync(n => n.Id == id, ct) ?? throw new NotFoundException("Notice");
        if (!queries.InMyArea(notice))
        {
            // Those it merely reaches see it once it is out; before that it does not exist for them.
            if (notice.StatusAt(time.GetUtcNow()) == NoticeStatus.Scheduled) throw new NotFoundException("Notice");
            throw new ForbiddenException(refusal);
        }
        return notice;
    }

    static NoticeDraft Draft(NoticeRequest r) => new(r.Title, r.Body, r.PublishAt, r.ExpiresAt, r.Pinned ?? false, r.Urgent ?? false,
        new NoticeAudience(r.BuildingIds, ResidentGroupsOf.Combine(r.Groups), r.Roles));

    /// <summary>Every chosen building must be one the caller sees and lie where the notice is published.</summary>
    async Task CheckBuildingsAsync(Notice notice, CancellationToken ct)
    {
        var ids = notice.Buildings.Select(b => b.BuildingId).ToList();
        if (ids.Count == 0) return;
        var found = await db.Buildings.AsNoTracking().Where(b => ids.Contains(b.Id)).ToListAsync(ct);
        foreach (var id in ids)
        {
            if (found.Find(b => b.Id == id) is not { } building || !notice.Reaches(building))
                throw new DomainException("A chosen building is not in the area of this notice.", "buildingIds");
        }
    }
}

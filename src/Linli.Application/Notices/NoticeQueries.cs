using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Domain.Notices;
using Linli.Domain.Registry;
using Linli.Application.Common;
using Linli.Application.Identity;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Notices;

/// <summary>A node a notice can be published at, with its depth under the caller's own node.</summary>
public sealed record PublishingPlace(int Id, NodeKind Kind, string Name, int Depth);

/// <summary>What a reader's list can be narrowed to.</summary>
public sealed record NoticeListFilter(bool UrgentOnly = false, bool UnreadOnly = false);

/// <summary>
/// Reading notices. The DbContext filter lets a caller see the notices of their area and those that reach them; this class
/// narrows that to the notices sent to the caller (role, building, groups) and live now.
/// </summary>
public sealed class NoticeQueries(ILinliDb db, CurrentUser user, TimeProvider time)
{
    (NoticeReader Reader, ScopedEntity Place)? _reader;
    bool _readerLoaded;

    /// <summary>The caller as a reader: their room (resident) or node (staff), role, building and groups; null if they have neither.</summary>
    public async Task<(NoticeReader Reader, ScopedEntity Place)?> ReaderAsync(CancellationToken ct)
    {
        if (_readerLoaded) return _reader;
        _readerLoaded = true;
        if (!user.IsAuthenticated) return null;
        if (user.Role == Role.Resident)
        {
            if (user.Scope.Level != ScopeLevel.Household || user.ResidentId is not { } residentId) return null;
            var room = await db.Rooms.AsNoTracking().FirstOrDefaultAsync(r => r.Id == user.Scope.Id, ct);
            var me = await db.Residents.AsNoTracking().Where(r => r.Id == residentId).Select(r => new { r.Labels, r.BirthDate }).FirstOrDefaultAsync(ct);
            if (room is null || me is null) return null;
            var groups = ResidentGroupsOf.Person(me.Labels, Ages.On(me.BirthDate, time.Today()));
            return _reader = (NoticeReader.Resident(room, groups), room);
        }
        var node = await db.Nodes.AsNoTracking().FirstOrDefaultAsync(n => n.Id == user.NodeId, ct);
        return node is null ? null : _reader = (NoticeReader.Staff(user.Role, node), node);
    }

    /// <summary>The live notices sent to the caller: pinned first, then urgent, then newest; each marked read or not.</summary>
    public async Task<Page<NoticeSummaryDto>> ForMeAsync(NoticeListFilter filter, PageRequest page, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (await ReaderAsync(ct) is not { } reader) return new Page<NoticeSummaryDto>([], page.Page, page.PageSize, 0);
        var me = user.Id;
        var q = db.Notices.AsNoTracking().Where(NoticeRules.LiveAt(time.GetUtcNow())).Where(NoticeRules.For(reader.Reader));
        if (filter.UrgentOnly) q = q.Where(n => n.Urgent);
        if (filter.UnreadOnly) q = q.Where(n => !db.NoticeReads.Any(r => r.NoticeId == n.Id && r.UserId == me));
        var total = await q.CountAsync(ct);
        var rows = await q.OrderByDescending(n => n.Pinned).ThenByDescending(n => n.Urgent).ThenByDescending(n => n.PublishAt).ThenByDescending(n => n.Id)
            .Skip(page.Offset).Take(page.PageSize)
            .Select(n => new { n.Id, n.Title, n.Body, n.FromName, n.PublishAt, n.ExpiresAt, n.Pinned, n.Urgent, Read = db.NoticeReads.Any(r => r.NoticeId == n.Id && r.UserId == me) })
            .ToListAsync(ct);
        var items = rows.Select(n => new NoticeSummaryDto(n.Id, n.Title, NoticeMarkdown.Excerpt(n.Body), n.FromName, n.PublishAt, n.ExpiresAt, n.Pinned, n.Urgent, n.Read)).ToList();
        return new Page<NoticeSummaryDto>(items, page.Page, page.PageSize, total);
    }

    /// <summary>Every notice published in the caller's area, in any state, newest first.</summary>
    public async Task<Page<ManagedNoticeDto>> InMyAreaAsync(NoticeStatus? status, PageRequest page, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var q = InMyArea(db.Notices.AsNoTracking());
        q = status switch
        {
            NoticeStatus.Scheduled => q.Where(n => n.WithdrawnAt == null && n.PublishAt > now),
            NoticeStatus.Published => q.Where(NoticeRules.LiveAt(now)),
            NoticeStatus.Expired => q.Where(n => n.WithdrawnAt == null && n.ExpiresAt <= now),
            NoticeStatus.Withdrawn => q.Where(n => n.WithdrawnAt != null),
            _ => q,
        };
        var total = await q.CountAsync(ct);
        var rows = await q.OrderByDescending(n => n.PublishAt).ThenByDescending(n => n.Id).Skip(page.Offset).Take(page.PageSize)
            .Select(n => new { n.Id, n.Title, n.FromName, n.AuthorName, n.PublishAt, n.ExpiresAt, n.Pinned, n.Urgent, n.WithdrawnAt })
            .ToListAsync(ct);
        var items = rows.Select(n => new ManagedNoticeDto(n.Id, n.Title, n.FromName, n.AuthorName, n.PublishAt, n.ExpiresAt, n.Pinned, n.Urgent,
            n.WithdrawnAt is not null ? NoticeStatus.Withdrawn : n.PublishAt > now ? NoticeStatus.Scheduled : n.ExpiresAt <= now ? NoticeStatus.Expired : NoticeStatus.Published)).ToList();
        return new Page<ManagedNoticeDto>(items, page.Page, page.PageSize, total);
    }

    /// <summary>
    /// A notice as the caller may see it: its readers while it is live; staff who publish in the area it was published in, always;
    /// staff who publish below it (a grid under a community's notice), once it is out, to follow it up. Anything else is not found.
    /// </summary>
    public async Task<(Notice Notice, bool ForMe, bool CanManage, bool CanFollowUp)> AccessAsync(int id, CancellationToken ct)
    {
        var notice = await db.Notices.AsNoTracking().FirstOrDefaultAsync(n => n.Id == id, ct) ?? throw new NotFoundException("Notice");
        var now = time.GetUtcNow();
        var status = notice.StatusAt(now);
        var forMe = status == NoticeStatus.Published && await ReaderAsync(ct) is { } reader
            && await db.Notices.Where(n => n.Id == id).Where(NoticeRules.For(reader.Reader)).AnyAsync(ct);
        var canManage = user.Can(Permission.PublishNotices) && InMyArea(notice);
        var canFollowUp = canManage || (user.Can(Permission.PublishNotices) && status != NoticeStatus.Scheduled);
        if (!forMe && !canFollowUp) throw new NotFoundException("Notice");
        return (notice, forMe, canManage, canFollowUp);
    }

    public async Task<NoticeDto> NoticeAsync(Notice notice, bool canManage, bool canFollowUp, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var me = user.Id;
        var read = await db.NoticeReads.AnyAsync(r => r.NoticeId == notice.Id && r.UserId == me, ct);
        var audience = notice.Audience;
        var buildingIds = audience.BuildingIds;
        // A resident sees only their own building: the others of the audience are named by staff pages only.
        var names = canFollowUp && buildingIds.Count > 0
            ? await db.Buildings.AsNoTracking().Where(b => buildingIds.Contains(b.Id)).OrderBy(b => b.Id).Select(b => b.Name).ToListAsync(ct)
            : [];
        return new NoticeDto(notice.Id, notice.Title, notice.Body, NoticeMarkdown.ToHtml(notice.Body), notice.FromName, notice.NodeId,
            canFollowUp ? notice.AuthorName : "", notice.PublishAt, notice.ExpiresAt, notice.Pinned, notice.Urgent, notice.StatusAt(time.GetUtcNow()),
            notice.WithdrawnAt, new NoticeAudienceDto(canFollowUp ? buildingIds : [], names, audience.Groups.Split(), audience.Roles),
            read, canManage, canFollowUp);
    }

    /// <summary>The nodes the caller may publish at: their own and those below it, in tree order.</summary>
    public async Task<IReadOnlyList<PublishingPlace>> PublishingPlacesAsync(CancellationToken ct)
    {
        var nodes = await InMyArea(db.Nodes.AsNoTracking()).Select(n => new { n.Id, n.ParentId, n.Kind, n.Name }).ToListAsync(ct);
        var children = nodes.ToLookup(n => n.ParentId);
        var places = new List<PublishingPlace>();
        void Walk(int? parent, int depth)
        {
            foreach (var n in children[parent].OrderBy(n => n.Id))
            {
                places.Add(new PublishingPlace(n.Id, n.Kind, n.Name, depth));
                Walk(n.Id, depth + 1);
            }
        }
        var ids = nodes.Select(n => n.Id).ToHashSet();
        foreach (var root in nodes.Where(n => n.ParentId is null || !ids.Contains(n.ParentId.Value)).OrderBy(n => n.Id))
        {
            places.Add(new PublishingPlace(root.Id, root.Kind, root.Name, 0));
            Walk(root.Id, 1);
        }
        return places;
    }

    /// <summary>
    /// The buildings a notice at the node can be sent to, for a community or a grid; null above that, where the list would run
    /// into the hundreds: there a notice goes to a whole area.
    /// </summary>
    public async Task<IReadOnlyList<(int Id, string Name)>?> BuildingsAtAsync(int nodeId, CancellationToken ct)
    {
        var node = await InMyArea(db.Nodes.AsNoTracking()).FirstOrDefaultAsync(n => n.Id == nodeId, ct);
        if (node is null || node.Kind is NodeKind.District or NodeKind.Street) return null;
        var buildings = node.Kind == NodeKind.Grid ? db.Buildings.Where(b => b.GridId == node.Id) : db.Buildings.Where(b => b.CommunityId == node.Id);
        var rows = await buildings.AsNoTracking().OrderBy(b => b.Id).Select(b => new { b.Id, b.Name }).ToListAsync(ct);
        return rows.Select(b => (b.Id, b.Name)).ToList();
    }

    /// <summary>Whether a row lies in the caller's own subtree (not merely reaches them).</summary>
    public bool InMyArea(ScopedEntity e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return user.Scope.Covers(e.Keys);
    }

    /// <summary>The rows in the caller's own subtree; also an equality the database can take an index for.</summary>
    public IQueryable<T> InMyArea<T>(IQueryable<T> q) where T : ScopedEntity
    {
        var s = user.Scope;
        return s.Level == ScopeLevel.System ? q : q.Where(s.CoversExpression<T>());
    }

    /// <summary>The rows at or below the notice's node: one equality on its deepest scope key.</summary>
    public static IQueryable<T> Within<T>(IQueryable<T> q, Notice notice) where T : ScopedEntity
    {
        ArgumentNullException.ThrowIfNull(notice);
        var (district, street, community, grid) = (notice.DistrictId, notice.StreetId, notice.CommunityId, notice.GridId);
        if (grid != 0) return q.Where(e => e.GridId == grid);
        if (community != 0) return q.Where(e => e.CommunityId == community);
        if (street != 0) return q.Where(e => e.StreetId == street);
        return q.Where(e => e.DistrictId == district);
    }
}

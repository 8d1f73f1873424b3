using Linli.Application.Common;
using Linli.Application.Identity;
using Linli.Domain.Access;
using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Domain.Registry;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Access;

/// <summary>
/// An invitation: the visitor's name and phone, the window, how many entries, and which gates (default: the community's
/// gates and the host's unit). A resident invites as themself; staff registering a walk-in name the host (residentId).
/// </summary>
public sealed record InviteRequest(int? ResidentId, string? VisitorName, string? VisitorPhone, DateTimeOffset? ValidFrom, DateTimeOffset? ValidUntil,
    int? Entries, IReadOnlyList<GrantRequest>? Gates);

public sealed record VisitorPassDto(long Id, int HostResidentId, string VisitorName, string? VisitorPhone, DateTimeOffset ValidFrom, DateTimeOffset ValidUntil,
    int AllowedEntries, int UsedEntries, bool Cancelled, string? Code);

/// <summary>Residents' invitations and walk-in registrations; each pass is a signed code a controller checks offline too.</summary>
public sealed class VisitorCommands(ILinliDb db, IPersonalDataProtector protector, VisitorPassCodes codes, CurrentUser user, AuditLog audit, TimeProvider time)
{
    public async Task<VisitorPassDto> InviteAsync(InviteRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var hostId = user.Role == Role.Resident
            ? user.ResidentId ?? throw new DomainException("Your account is not a resident's.", "residentId")
            : request.ResidentId ?? throw new DomainException("Name the resident the visitor comes to.", "residentId");
        var host = await db.Residents.AsNoTracking().FirstOrDefaultAsync(r => r.Id == hostId, ct) ?? throw new NotFoundException("Resident");
        if (host.RoomId is not { } roomId) throw new DomainException("This person has moved out.", "residentId");
        var room = await db.Rooms.AsNoTracking().FirstAsync(r => r.Id == roomId, ct);
        var phone = string.IsNullOrWhiteSpace(request.VisitorPhone) ? null : PhoneNumber.Parse(request.VisitorPhone, "visitorPhone");
        var now = time.GetUtcNow();
        var from = request.ValidFrom ?? now;
        var until = request.ValidUntil ?? throw new DomainException("Say until when the pass holds.", "validUntil");
        var gates = request.Gates is { Count: > 0 } given
            ? given.Select(g => new GateSelector(g.Scope ?? throw new DomainException("Give each gate's scope.", "gates"), g.Id ?? 0, g.Unit, g.Kinds)).ToList()
            : [GateSelector.Community(room.CommunityId, GateKind.CommunityGate), GateSelector.UnitOf(room.BuildingId, room.UnitNo)];
        var pass = new VisitorPass(host.Id, host.Keys, request.VisitorName ?? "", phone, protector, from, until, request.Entries ?? 1, gates, now);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.VisitorPasses.Add(pass);
        await db.SaveChangesAsync(ct);
        audit.Record("InviteVisitor", host, nameof(Resident), host.Id, $"pass #{pass.Id}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return ToDto(pass, codes.Issue(pass));
    }

    public async Task<Page<VisitorPassDto>> ListAsync(int? communityId, bool currentOnly, PageRequest paging, CancellationToken ct)
    {
        var q = db.VisitorPasses.AsNoTracking();
        if (communityId is { } c) q = q.Where(p => p.CommunityId == c);
        if (currentOnly)
        {
            var now = time.GetUtcNow();
            q = q.Where(p => p.ValidUntil > now && p.CancelledAt == null);
        }
        var total = await q.CountAsync(ct);
        var items = await q.OrderByDescending(p => p.Id).Skip(paging.Offset).Take(paging.PageSize).ToListAsync(ct);
        // The host sees the code again (to share it once more); staff see the list only.
        return new Page<VisitorPassDto>(items.Select(p => ToDto(p, user.Role == Role.Resident ? codes.Issue(p) : null)).ToList(), paging.Page, paging.PageSize, total);
    }

    public async Task<VisitorPassDto> CancelAsync(long id, CancellationToken ct)
    {
        var pass = await db.VisitorPasses.FirstOrDefaultAsync(p => p.Id == id, ct) ?? throw new NotFoundException("Visitor pass");
        pass.Cancel(time.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return ToDto(pass, null);
    }

    static VisitorPassDto ToDto(VisitorPass p, string? code) => new(p.Id, p.HostResidentId, p.VisitorName, p.VisitorPhoneMasked, p.ValidFrom, p.ValidUntil,
        p.AllowedEntries, p.UsedEntries, p.CancelledAt is not null, code);
}

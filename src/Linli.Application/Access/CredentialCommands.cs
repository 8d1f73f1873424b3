using Linli.Application.Common;
using Linli.Application.Identity;
using Linli.Domain.Access;
using Linli.Domain.Common;
using Linli.Domain.Registry;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Access;

/// <summary>One right in a request: which gates (a scope and its id, optionally only some kinds of gate) and when.</summary>
public sealed record GrantRequest(GateScope? Scope, int? Id, int? Unit, IReadOnlyList<GateKind>? Kinds, IReadOnlyList<DayOfWeek>? Days,
    TimeOnly? From, TimeOnly? Until, DateOnly? FirstDate, DateOnly? LastDate);

public sealed record GrantDto(GateScope Scope, int Id, int? Unit, IReadOnlyList<GateKind> Kinds, IReadOnlyList<DayOfWeek> Days,
    TimeOnly? From, TimeOnly? Until, DateOnly? FirstDate, DateOnly? LastDate);

/// <summary>
/// A credential to issue. A resident's (residentId) gets the rights of where they live unless rights are given: the
/// community's gates, their unit's door and the building's shared doors, and for a plate the car park's barriers. Anyone
/// else (staff, volunteer, contractor, visitor) is named with the community and explicit rights.
/// </summary>
public sealed record IssueCredentialRequest(CredentialKind? Kind, HolderKind? Holder, int? ResidentId, string? HolderName, int? CommunityId,
    string? CardUid, string? Plate, DateTimeOffset? ValidFrom, DateTimeOffset? ValidUntil, IReadOnlyList<GrantRequest>? Grants);

public sealed record CredentialDto(long Id, CredentialKind Kind, HolderKind Holder, string HolderName, int? ResidentId, int CommunityId,
    string? Plate, CredentialStatus Status, DateTimeOffset IssuedAt, DateTimeOffset? ValidFrom, DateTimeOffset? ValidUntil,
    DateTimeOffset? StatusChangedAt, string? StatusReason, long? ReplacedById, IReadOnlyList<GrantDto> Grants);

public sealed record CredentialFilter(int? CommunityId = null, int? ResidentId = null, HolderKind? Holder = null, CredentialKind? Kind = null,
    CredentialStatus? Status = null, string? Search = null);

/// <summary>A reason, for suspending or revoking.</summary>
public sealed record ReasonRequest(string? Reason);

/// <summary>A new card for a lost one: the old one is revoked and the new one gets its rights and validity.</summary>
public sealed record ReplaceCardRequest(string? CardUid, string? Reason);

public sealed record ValidityRequest(DateTimeOffset? ValidUntil);

public sealed record GrantsRequest(IReadOnlyList<GrantRequest>? Grants);

/// <summary>The code a phone shows now, and until when (the page asks again then).</summary>
public sealed record PhoneCodeDto(long CredentialId, string Code, DateTimeOffset Until);

/// <summary>
/// Issuing and managing credentials (API and pages share it). Each change is audited against the holder, and this node's
/// snapshot reads it at once (the other nodes within their next read, <see cref="AccessSync"/>).
/// </summary>
public sealed class CredentialCommands(ILinliDb db, IPersonalDataProtector protector, AccessSnapshot snapshot, AuditLog audit, TimeProvider time)
{
    public async Task<Page<CredentialDto>> ListAsync(CredentialFilter filter, PageRequest paging, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var q = db.Credentials.AsNoTracking();
        if (filter.CommunityId is { } c) q = q.Where(x => x.CommunityId == c);
        if (filter.ResidentId is { } r) q = q.Where(x => x.ResidentId == r);
        if (filter.Holder is { } h) q = q.Where(x => x.Holder == h);
        if (filter.Kind is { } k) q = q.Where(x => x.Kind == k);
        if (filter.Status is { } s) q = q.Where(x => x.Status == s);
        if (!string.IsNullOrWhiteSpace(filter.Search)) q = q.Where(x => x.HolderName.Contains(filter.Search.Trim()));
        var total = await q.CountAsync(ct);
        var items = await q.OrderByDescending(x => x.Id).Skip(paging.Offset).Take(paging.PageSize).ToListAsync(ct);
        return new Page<CredentialDto>(items.Select(ToDto).ToList(), paging.Page, paging.PageSize, total);
    }

    public async Task<CredentialDto> GetAsync(long id, CancellationToken ct) => ToDto(await FindAsync(id, ct));

    public async Task<CredentialDto> IssueAsync(IssueCredentialRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var kind = request.Kind ?? throw new DomainException("Choose card, phone code or plate.", "kind");
        var holder = request.Holder ?? (request.ResidentId is null ? throw new DomainException("Say who the credential is for.", "holder") : HolderKind.Resident);
        var now = time.GetUtcNow();
        var validUntil = request.ValidUntil;
        string name;
        PlaceKeys keys;
        Resident? resident = null;
        List<AccessGrant> grants;
        if (holder == HolderKind.Resident)
        {
            var residentId = request.ResidentId ?? throw new DomainException("Name the resident.", "residentId");
            resident = await db.Residents.FirstOrDefaultAsync(r => r.Id == residentId, ct) ?? throw new NotFoundException("Resident");
            if (resident.RoomId is not { } roomId) throw new DomainException("This person has moved out: a credential goes with a home.", "residentId");
            var room = await db.Rooms.AsNoTracking().Include(r => r.Occupancies).FirstAsync(r => r.Id == roomId, ct);
            // A tenant's credential ends with the lease as the registry records it: by default at the end of its last day.
            if (room.CurrentOccupancies().FirstOrDefault(o => o.ResidentId == resident.Id)?.LeaseEnd is { } leaseEnd)
            {
                var leaseOver = ChinaTime.StartOf(leaseEnd.AddDays(1));
                if (request.ValidUntil > leaseOver)
                    throw new DomainException($"The lease ends on {leaseEnd:yyyy-MM-dd}: the credential cannot outlast it.", "validUntil");
                validUntil = request.ValidUntil ?? leaseOver;
            }
            name = resident.Name;
            keys = resident.Keys;
            grants = request.Grants is { Count: > 0 } given ? ToGrants(given) : HomeRights(kind, room);
        }
        else
        {
            name = request.HolderName ?? throw new DomainException("Give the holder's name.", "holderName");
            var communityId = request.CommunityId ?? throw new DomainException("Choose the community.", "communityId");
            var community = await db.Nodes.AsNoTracking().FirstOrDefaultAsync(n => n.Id == communityId && n.Kind == NodeKind.Community, ct)
                ?? throw new DomainException("No such community in your area.", "communityId");
            keys = community.Keys with { CommunityId = community.Id };
            grants = ToGrants(request.Grants is { Count: > 0 } given ? given : throw new DomainException("Give the gates this holder may pass.", "grants"));
        }
        await CheckGrantsAsync(grants, keys.CommunityId, ct);
        var (identifier, secret) = await IdentifyAsync(kind, request.CardUid, request.Plate, resident?.Id, ct);
        var credential = new Credential(kind, holder, name, keys, identifier, secret, grants, now, resident?.Id, request.ValidFrom, validUntil);
        // Two saves (the audit names the new id), one transaction.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Credentials.Add(credential);
        await db.SaveChangesAsync(ct);
        Audit("IssueCredential", credential, $"{kind} #{credential.Id}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        await snapshot.CatchUpAsync(ct);
        return ToDto(credential);
    }

    public Task<CredentialDto> SuspendAsync(long id, string? reason, CancellationToken ct) =>
        ChangeAsync(id, "SuspendCredential", c => c.Suspend(reason ?? "", time.GetUtcNow()), ct);

    public Task<CredentialDto> ReinstateAsync(long id, CancellationToken ct) =>
        ChangeAsync(id, "ReinstateCredential", c => c.Reinstate(time.GetUtcNow()), ct);

    public Task<CredentialDto> RevokeAsync(long id, string? reason, CancellationToken ct) =>
        ChangeAsync(id, "RevokeCredential", c => c.Revoke(reason ?? "", time.GetUtcNow()), ct);

    public Task<CredentialDto> EndAtAsync(long id, DateTimeOffset? until, CancellationToken ct) =>
        ChangeAsync(id, "CredentialValidity", c => c.EndAt(until, time.GetUtcNow()), ct);

    public async Task<CredentialDto> SetGrantsAsync(long id, IReadOnlyList<GrantRequest>? grants, CancellationToken ct)
    {
        var credential = await FindAsync(id, ct);
        var list = ToGrants(grants is { Count: > 0 } ? grants : throw new DomainException("Give at least one right.", "grants"));
        await CheckGrantsAsync(list, credential.CommunityId, ct);
        return await ChangeAsync(id, "CredentialRights", c => c.SetGrants(list, time.GetUtcNow()), ct);
    }

    /// <summary>A lost card replaced: the new card is issued with the old one's holder, rights and validity, and the old one revoked.</summary>
    public async Task<CredentialDto> ReplaceCardAsync(long id, ReplaceCardRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var old = await FindAsync(id, ct);
        if (old.Kind != CredentialKind.Card) throw new DomainException("Only a card is replaced by a new card.", "id");
        if (old.Status == CredentialStatus.Revoked) throw new ConflictException("The card is already revoked.");
        var (identifier, secret) = await IdentifyAsync(CredentialKind.Card, request.CardUid, null, old.ResidentId, ct);
        var now = time.GetUtcNow();
        var replacement = new Credential(CredentialKind.Card, old.Holder, old.HolderName, old.Keys, identifier, secret, old.Grants, now,
            old.ResidentId, old.ValidFrom, old.ValidUntil);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Credentials.Add(replacement);
        await db.SaveChangesAsync(ct);
        old.Revoke(string.IsNullOrWhiteSpace(request.Reason) ? "replaced" : request.Reason, now, replacement.Id);
        Audit("ReplaceCard", old, $"card #{old.Id} → #{replacement.Id}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        await snapshot.CatchUpAsync(ct);
        return ToDto(replacement);
    }

    /// <summary>
    /// The rotating code for a resident's own phone credential (a household sees only its members' credentials), or the
    /// one a staff member shows on a resident's behalf.
    /// </summary>
    public async Task<PhoneCodeDto> PhoneCodeAsync(long id, CancellationToken ct)
    {
        var credential = await db.Credentials.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw new NotFoundException("Credential");
        if (credential.Kind != CredentialKind.PhoneQr) throw new DomainException("This credential is not a phone code.", "id");
        if (credential.Status != CredentialStatus.Active) throw new ConflictException(credential.Status == CredentialStatus.Suspended
            ? "This phone code is suspended." : "This phone code is revoked.");
        var (text, until) = PhoneCodes.Show(credential.Id, protector.Unprotect(credential.SecretProtected!), time.GetUtcNow());
        return new PhoneCodeDto(credential.Id, text, until);
    }

    /// <summary>Revokes every credential of a resident who moved out (the registry's event; idempotent).</summary>
    public async Task<int> RevokeForMoveOutAsync(int residentId, CancellationToken ct)
    {
        var live = await db.Credentials.Where(c => c.ResidentId == residentId && c.Status != CredentialStatus.Revoked).ToListAsync(ct);
        var now = time.GetUtcNow();
        foreach (var c in live)
        {
            c.Revoke("moved out", now);
            Audit("RevokeCredential", c, $"{c.Kind} #{c.Id}: moved out");
        }
        if (live.Count > 0)
        {
            await db.SaveChangesAsync(ct);
            await snapshot.CatchUpAsync(ct);
        }
        return live.Count;
    }

    async Task<CredentialDto> ChangeAsync(long id, string action, Action<Credential> change, CancellationToken ct)
    {
        var credential = await FindAsync(id, ct);
        change(credential);
        Audit(action, credential, $"{credential.Kind} #{credential.Id}{(credential.StatusReason is { } r ? ": " + r : "")}");
        await db.SaveChangesAsync(ct);
        await snapshot.CatchUpAsync(ct);
        return ToDto(credential);
    }

    async Task<Credential> FindAsync(long id, CancellationToken ct) =>
        await db.Credentials.FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw new NotFoundException("Credential");

    void Audit(string action, Credential credential, string detail) =>
        audit.Record(action, credential, nameof(Credential), checked((int)credential.Id), detail);

    /// <summary>The keyed identifier (and, for a card, its UID encrypted for offline controllers); refuses one already in use.</summary>
    async Task<(string Identifier, string? Secret)> IdentifyAsync(CredentialKind kind, string? cardUid, string? plate, int? residentId, CancellationToken ct)
    {
        string identifier;
        string? secret;
        switch (kind)
        {
            case CredentialKind.Card:
                var uid = CardUids.Normalize(cardUid) ?? throw new DomainException(
                    "Give the card's number as its reader shows it: 8, 14 or 20 hex digits, or the 10-digit number on the card.", "cardUid");
                identifier = CardUids.Hash(uid, protector);
                secret = protector.Protect(uid);
                break;
            case CredentialKind.Plate:
                identifier = LicensePlate.Parse(plate, "plate").Value;
                secret = null;
                break;
            default:
                // One phone code per resident: a second phone would only be a second thing to lose.
                if (residentId is { } rid && await db.Credentials.AnyAsync(c => c.ResidentId == rid && c.Kind == CredentialKind.PhoneQr
                    && c.Status != CredentialStatus.Revoked, ct))
                    throw new ConflictException("This resident already has a phone code.", "kind");
                return ("", protector.Protect(PhoneCodes.NewSecret()));
        }
        // A card or plate is one object in the world: in use once across the installation, whoever's area it is in.
        if (await db.UnscopedCredentialsForChecks().AnyAsync(c => c.Kind == kind && c.Identifier == identifier && c.Status != CredentialStatus.Revoked, ct))
            throw new ConflictException(kind == CredentialKind.Card ? "This card is already in use." : "This plate already has a credential.",
                kind == CredentialKind.Card ? "cardUid" : "plate");
        return (identifier, secret);
    }

    /// <summary>Where a resident lives opens: the community's gates, their unit (with the building's shared doors), and for a plate the car park.</summary>
    static List<AccessGrant> HomeRights(CredentialKind kind, Room room) => kind == CredentialKind.Plate
        ? [AccessGrant.AlwaysAt(GateSelector.Community(room.CommunityId, GateKind.CarParkBarrier))]
        : [AccessGrant.AlwaysAt(GateSelector.Community(room.CommunityId, GateKind.CommunityGate)), AccessGrant.AlwaysAt(GateSelector.UnitOf(room.BuildingId, room.UnitNo))];

    /// <summary>Rights name places of the credential's own community only.</summary>
    async Task CheckGrantsAsync(List<AccessGrant> grants, int communityId, CancellationToken ct)
    {
        foreach (var g in grants)
        {
            var (scope, id) = (g.Gates.Scope, g.Gates.Id);
            var inCommunity = scope switch
            {
                GateScope.Community => id == communityId,
                GateScope.Building or GateScope.Unit => await db.UnscopedBuildings().AnyAsync(b => b.Id == id && b.CommunityId == communityId, ct),
                GateScope.Facility => await db.UnscopedFacilities().AnyAsync(f => f.Id == id && f.CommunityId == communityId, ct),
                _ => await db.UnscopedGatesForChecks().AnyAsync(x => x.Id == id && x.CommunityId == communityId, ct),
            };
            // Unscoped: the check is only that the place is in the credential's community, which the caller's scope already covers.
            if (!inCommunity) throw new DomainException("A right names a place outside the credential's community.", "grants");
        }
    }

    static List<AccessGrant> ToGrants(IReadOnlyList<GrantRequest> requests)
    {
        if (requests.Count > 20) throw new DomainException("At most 20 rights per credential.", "grants");
        return requests.Select(r => new AccessGrant(
            new GateSelector(r.Scope ?? throw new DomainException("Give each right's scope.", "grants"), r.Id ?? 0, r.Unit, r.Kinds),
            new AccessSchedule(r.Days, r.From, r.Until, r.FirstDate, r.LastDate))).ToList();
    }

    public static GrantDto ToDto(AccessGrant g) => new(g.Gates.Scope, g.Gates.Id, g.Gates.Unit, g.Gates.Kinds.Order().ToList(), g.When.Days.Order().ToList(),
        g.When.From, g.When.Until, g.When.FirstDate, g.When.LastDate);

    public static CredentialDto ToDto(Credential c) => new(c.Id, c.Kind, c.Holder, c.HolderName, c.ResidentId, c.CommunityId,
        c.Kind == CredentialKind.Plate ? c.Identifier : null, c.Status, c.IssuedAt, c.ValidFrom, c.ValidUntil, c.StatusChangedAt, c.StatusReason,
        c.ReplacedById, c.Grants.Select(ToDto).ToList());
}

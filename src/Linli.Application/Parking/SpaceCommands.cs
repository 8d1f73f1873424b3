using Linli.Application.Common;
using Linli.Application.Identity;
using Linli.Domain.Common;
using Linli.Domain.Parking;
using Linli.Domain.Registry;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Parking;

/// <summary>A numbered space to add: a visitor space, or (with the resident and the plates) a resident's owned or rented one.</summary>
public sealed record SpaceRequest(string? Number, SpaceKind? Kind, int? ResidentId, IReadOnlyList<string>? Plates);

/// <summary>A space bought or rented by a resident, for these plates (replacing any before).</summary>
public sealed record AssignSpaceRequest(SpaceKind? Kind, int? ResidentId, IReadOnlyList<string>? Plates);

public sealed record SpaceDto(int Id, int LotId, string Number, SpaceKind Kind, int? ResidentId, string? ResidentName, IReadOnlyList<string> Plates);

/// <summary>
/// The numbered spaces of a lot and who they belong to. A plate on a resident's space is a resident's vehicle at the barrier
/// (in and out free, even when the visitor spaces are full).
/// </summary>
public sealed class SpaceCommands(ILinliDb db, AuditLog audit)
{
    public async Task<Page<SpaceDto>> ListAsync(int lotId, SpaceKind? kind, string? plate, int? residentId, PageRequest paging, CancellationToken ct)
    {
        await LotCommands.FindAsync(db, lotId, ct);
        var q = db.ParkingSpaces.AsNoTracking().Where(s => s.LotId == lotId);
        if (kind is { } k) q = q.Where(s => s.Kind == k);
        if (!string.IsNullOrWhiteSpace(plate))
        {
            var value = LicensePlate.Parse(plate).Value;
            q = q.Where(s => s.Plates.Contains(value));
        }
        if (residentId is { } r) q = q.Where(s => s.ResidentId == r);
        var total = await q.CountAsync(ct);
        var spaces = await q.OrderBy(s => s.Number).Skip(paging.Offset).Take(paging.PageSize).ToListAsync(ct);
        return new Page<SpaceDto>(await ToDtosAsync(spaces, ct), paging.Page, paging.PageSize, total);
    }

    public async Task<SpaceDto> CreateAsync(int lotId, SpaceRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var lot = await LotCommands.FindAsync(db, lotId, ct);
        var kind = request.Kind ?? (request.ResidentId is null ? SpaceKind.Visitor : throw new DomainException("Say whether the space is owned or rented.", "kind"));
        if (kind != SpaceKind.Visitor) await ResidentAsync(request.ResidentId, lot, ct);
        var space = new ParkingSpace(lot, request.Number ?? "", kind, request.ResidentId, request.Plates is null ? null : Plates(request.Plates));
        if (await db.ParkingSpaces.AnyAsync(s => s.LotId == lot.Id && s.Number == space.Number, ct))
            throw new ConflictException("The car park has a space with this number.", "number");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.ParkingSpaces.Add(space);
        await db.SaveChangesAsync(ct);
        Audit("AddParkingSpace", space);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (await ToDtosAsync([space], ct))[0];
    }

    public async Task<SpaceDto> AssignAsync(int id, AssignSpaceRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var space = await FindAsync(id, ct);
        var lot = await LotCommands.FindAsync(db, space.LotId, ct);
        var kind = request.Kind ?? throw new DomainException("Say whether the space is owned or rented.", "kind");
        if (kind == SpaceKind.Visitor) throw new DomainException("A resident's space is owned or rented; release it to make it a visitor space.", "kind");
        var resident = await ResidentAsync(request.ResidentId, lot, ct);
        space.AssignTo(kind, resident.Id, Plates(request.Plates ?? throw new DomainException("Name at least one plate for the space.", "plates")));
        Audit("AssignParkingSpace", space);
        await db.SaveChangesAsync(ct);
        return (await ToDtosAsync([space], ct))[0];
    }

    /// <summary>The resident's right ended (sold, lease over, moved out): a visitor space again.</summary>
    public async Task<SpaceDto> ReleaseAsync(int id, CancellationToken ct)
    {
        var space = await FindAsync(id, ct);
        space.Release();
        Audit("ReleaseParkingSpace", space);
        await db.SaveChangesAsync(ct);
        return (await ToDtosAsync([space], ct))[0];
    }

    async Task<ParkingSpace> FindAsync(int id, CancellationToken ct) =>
        await db.ParkingSpaces.FirstOrDefaultAsync(s => s.Id == id, ct) ?? throw new NotFoundException("Space");

    /// <summary>A resident of the caller's area living in the lot's community.</summary>
    async Task<Resident> ResidentAsync(int? residentId, ParkingLot lot, CancellationToken ct)
    {
        var id = residentId ?? throw new DomainException("Name the resident the space is for.", "residentId");
        var resident = await db.Residents.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct)
            ?? throw new DomainException("No such resident in your area.", "residentId");
        if (resident.RoomId is null) throw new DomainException("This person has moved out.", "residentId");
        if (resident.CommunityId != lot.CommunityId) throw new DomainException("The resident lives in another community.", "residentId");
        return resident;
    }

    /// <summary>Plates as the camera reads them, each refused naming its place in the list.</summary>
    internal static List<LicensePlate> Plates(IReadOnlyList<string> plates)
    {
        if (plates.Count > ParkingSpace.MaxPlates) throw new DomainException($"A space allows at most {ParkingSpace.MaxPlates} plates.", "plates");
        return plates.Select((p, i) => LicensePlate.Parse(p, $"plates[{i}]")).ToList();
    }

    void Audit(string action, ParkingSpace space) =>
        audit.Record(action, space, nameof(ParkingSpace), space.Id, $"{space.Number}: {space.Kind} {string.Join(",", space.Plates)}");

    async Task<List<SpaceDto>> ToDtosAsync(List<ParkingSpace> spaces, CancellationToken ct)
    {
        var ids = spaces.Where(s => s.ResidentId is not null).Select(s => s.ResidentId!.Value).Distinct().ToList();
        var names = ids.Count == 0 ? [] : await db.Residents.AsNoTracking().Where(r => ids.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => r.Name, ct);
        return spaces.ConvertAll(s => new SpaceDto(s.Id, s.LotId, s.Number, s.Kind, s.ResidentId,
            s.ResidentId is { } r ? names.GetValueOrDefault(r) : null, s.Plates.ToList()));
    }
}

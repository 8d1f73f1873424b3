using Linli.Application.Common;
using Linli.Domain.Common;
using Linli.Domain.Parking;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Parking;

public sealed record SessionFilter(int? LotId = null, string? Plate = null, SessionState? State = null, VehicleKind? Kind = null, DateTimeOffset? From = null,
    DateTimeOffset? Until = null);

/// <summary>One stay: who (the plate and what it was at entry), where, when, and its money: paid, charged in all, still due.</summary>
public sealed record SessionDto(long Id, int LotId, string Lot, string Plate, VehicleKind Kind, SessionState State, DateTimeOffset EntryAt, DateTimeOffset? ExitAt,
    DateTimeOffset? LeaveBy, decimal Paid, decimal Charged, decimal Due);

/// <summary>One stretch of a fee, for a line of the pay station's receipt: the tariff version it was priced by, day or night, which 24 hours.</summary>
public sealed record FeePieceDto(DateTimeOffset From, DateTimeOffset Until, DateTimeOffset TariffFrom, FeePeriod Period, int Window, int Hours,
    decimal ListAmount, decimal Amount);

/// <summary>What a vehicle inside owes if it leaves now, with the stretches that make it up.</summary>
public sealed record QuoteDto(long SessionId, int LotId, string Plate, VehicleKind Kind, SessionState State, DateTimeOffset EntryAt, DateTimeOffset At,
    decimal Owed, decimal Paid, DateTimeOffset? LeaveBy, bool WithinFreeMinutes, IReadOnlyList<FeePieceDto> Pieces);

/// <summary>
/// A lot's occupancy now: the vehicles inside by kind against its spaces. Temporary and announced vehicles share the
/// visitor spaces; residents park on the owned and rented ones; pass holders and whitelisted vehicles have their own place.
/// </summary>
public sealed record LotOccupancyDto(int LotId, string Code, string Name, int CommunityId, int? FacilityId, int OwnedSpaces, int RentedSpaces,
    int VisitorSpaces, int Residents, int MonthlyPasses, int Temporary, int Visitors, int Whitelisted, int VisitorSpacesFree, bool Full, DateTimeOffset At);

/// <summary>A household's vehicle: a plate on one of its spaces, or on one of its current passes, and whether it is inside now.</summary>
public sealed record MyVehicleDto(string Plate, int LotId, string Lot, string? Space, SpaceKind? SpaceKind, long? PassId, DateOnly? PassValidUntil, bool Inside);

/// <summary>One amount a household's vehicle owes: what leaving now would cost, or a fee left due at the exit.</summary>
public sealed record OwedItemDto(long SessionId, int LotId, string Lot, string Plate, SessionState State, DateTimeOffset EntryAt, DateTimeOffset? ExitAt, decimal Amount);

public sealed record OwedDto(decimal Total, IReadOnlyList<OwedItemDto> Items, DateTimeOffset At);

/// <summary>
/// Stays, quotes and occupancy, through the caller's scope: staff read their area's lots; a household reads the stays of its
/// own vehicles (the plates on its spaces and passes) and what they owe.
/// </summary>
public sealed class ParkingQueries(ILinliDb db, TimeProvider time)
{
    /// <summary>The most lots one occupancy answer covers (a district's worth).</summary>
    public const int MaxLots = 500;

    /// <summary>The most stays of a household's vehicles "what I owe" looks at.</summary>
    const int MaxOwed = 200;

    public async Task<Page<SessionDto>> SessionsAsync(SessionFilter filter, PageRequest paging, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var q = db.ParkingSessions.AsNoTracking();
        if (filter.LotId is { } lot) q = q.Where(s => s.LotId == lot);
        if (!string.IsNullOrWhiteSpace(filter.Plate))
        {
            var plate = LicensePlate.Parse(filter.Plate).Value;
            q = q.Where(s => s.Plate == plate);
        }
        if (filter.State is { } state) q = q.Where(s => s.State == state);
        if (filter.Kind is { } kind) q = q.Where(s => s.Kind == kind);
        if (filter.From is { } from)
        {
            var f = DateWindow.Check(from, "from").ToUniversalTime();
            q = q.Where(s => s.EntryAt >= f);
        }
        if (filter.Until is { } until)
        {
            var u = DateWindow.Check(until, "until").ToUniversalTime();
            q = q.Where(s => s.EntryAt < u);
        }
        var total = await q.CountAsync(ct);
        var sessions = await q.OrderByDescending(s => s.EntryAt).ThenByDescending(s => s.Id).Skip(paging.Offset).Take(paging.PageSize).ToListAsync(ct);
        var lots = await LotNamesAsync(sessions.Select(s => s.LotId), ct);
        return new Page<SessionDto>(sessions.ConvertAll(s => ToDto(s, lots)), paging.Page, paging.PageSize, total);
    }

    /// <summary>What the plate's stay inside the lot owes if it leaves now: the pay station's and the resident's "what do I owe".</summary>
    public async Task<QuoteDto> QuoteAsync(int lotId, string? plate, CancellationToken ct)
    {
        var lot = await db.ParkingLots.AsNoTracking().FirstOrDefaultAsync(l => l.Id == lotId, ct) ?? throw new NotFoundException("Car park");
        var value = LicensePlate.Parse(plate).Value;
        var session = await db.ParkingSessions.AsNoTracking().FirstOrDefaultAsync(s => s.LotId == lot.Id && s.Plate == value && s.State != SessionState.Closed, ct)
            ?? throw new NotFoundException("A stay of this plate in the car park");
        return Quote(session, lot, time.GetUtcNow());
    }

    public static QuoteDto Quote(ParkingSession session, ParkingLot lot, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(lot);
        var fee = session.Owed(at, lot.Schedule);
        return new QuoteDto(session.Id, session.LotId, session.Plate, session.Kind, session.State, session.EntryAt, at, fee.Total, session.Paid, session.LeaveBy,
            fee.WithinFreeMinutes, fee.Pieces.Select(p => new FeePieceDto(p.From, p.Until, p.Version.EffectiveFrom, p.Period, p.Window, p.Hours, p.ListAmount, p.Amount)).ToList());
    }

    /// <summary>The occupancy of the caller's lots (one community's, when given), for the staff's view, the API and the site plan.</summary>
    public async Task<IReadOnlyList<LotOccupancyDto>> AreaOccupancyAsync(int? communityId, CancellationToken ct)
    {
        var q = db.ParkingLots.AsNoTracking();
        if (communityId is { } c) q = q.Where(l => l.CommunityId == c);
        var lots = await q.OrderBy(l => l.CommunityId).ThenBy(l => l.Code).Take(MaxLots).ToListAsync(ct);
        return await OccupancyOfAsync(lots, ct);
    }

    public async Task<LotOccupancyDto> LotOccupancyAsync(int lotId, CancellationToken ct)
    {
        var lot = await db.ParkingLots.AsNoTracking().FirstOrDefaultAsync(l => l.Id == lotId, ct) ?? throw new NotFoundException("Car park");
        return (await OccupancyOfAsync([lot], ct))[0];
    }

    async Task<IReadOnlyList<LotOccupancyDto>> OccupancyOfAsync(List<ParkingLot> lots, CancellationToken ct)
    {
        var ids = lots.ConvertAll(l => l.Id);
        // Counted from the stays inside (each opened and closed once by its barrier events), by the index on lot, state and kind.
        var counts = await db.ParkingSessions.AsNoTracking().Where(s => ids.Contains(s.LotId) && s.State != SessionState.Closed)
            .GroupBy(s => new { s.LotId, s.Kind }).Select(g => new { g.Key.LotId, g.Key.Kind, Count = g.Count() }).ToListAsync(ct);
        var inside = counts.ToDictionary(x => (x.LotId, x.Kind), x => x.Count);
        var now = time.GetUtcNow();
        return lots.ConvertAll(l =>
        {
            int Of(VehicleKind kind) => inside.GetValueOrDefault((l.Id, kind));
            var paying = Enum.GetValues<VehicleKind>().Where(k => k.TakesVisitorSpace()).Sum(Of);
            var occupancy = l.Occupancy(paying);
            return new LotOccupancyDto(l.Id, l.Code, l.Name, l.CommunityId, l.FacilityId, l.OwnedSpaces, l.RentedSpaces, l.VisitorSpaces,
                Of(VehicleKind.Resident), Of(VehicleKind.MonthlyPass), Of(VehicleKind.Temporary), Of(VehicleKind.Visitor), Of(VehicleKind.Whitelisted),
                Math.Max(0, occupancy.TemporaryCapacity - occupancy.TemporaryInside), occupancy.Full, now);
        });
    }

    /// <summary>The household's vehicles: the plates on its members' spaces and on their passes not yet over.</summary>
    public async Task<IReadOnlyList<MyVehicleDto>> MyVehiclesAsync(CancellationToken ct)
    {
        var spaces = await db.ParkingSpaces.AsNoTracking().Where(s => s.Kind != SpaceKind.Visitor).Take(MaxOwed).ToListAsync(ct);
        var today = time.Today();
        var passes = await db.MonthlyPasses.AsNoTracking().Where(p => p.ValidUntil >= today && p.CancelledAt == null).Take(MaxOwed).ToListAsync(ct);
        var plates = spaces.SelectMany(s => s.Plates).Concat(passes.Select(p => p.Plate)).Distinct().ToList();
        var inside = (await db.ParkingSessions.AsNoTracking().Where(s => plates.Contains(s.Plate) && s.State != SessionState.Closed)
            .Select(s => new { s.LotId, s.Plate }).ToListAsync(ct)).Select(s => (s.LotId, s.Plate)).ToHashSet();
        var lots = await LotNamesAsync(spaces.Select(s => s.LotId).Concat(passes.Select(p => p.LotId)), ct);
        return spaces.SelectMany(s => s.Plates.Select(p => new MyVehicleDto(p, s.LotId, lots.GetValueOrDefault(s.LotId, ""), s.Number, s.Kind, null, null,
                inside.Contains((s.LotId, p)))))
            .Concat(passes.Select(p => new MyVehicleDto(p.Plate, p.LotId, lots.GetValueOrDefault(p.LotId, ""),
                null, null, p.Id, p.ValidUntil, inside.Contains((p.LotId, p.Plate)))))
            .OrderBy(v => v.Plate, StringComparer.Ordinal).ThenBy(v => v.LotId).ToList();
    }

    /// <summary>
    /// What the household's vehicles owe now: leaving now, for a stay that pays (a pass run out, say), and every fee left due
    /// at an exit. Residents' own cars and valid passes owe nothing.
    /// </summary>
    public async Task<OwedDto> MyOwedAsync(CancellationToken ct)
    {
        var sessions = await db.ParkingSessions.AsNoTracking()
            .Where(s => (s.State != SessionState.Closed && (s.Kind == VehicleKind.Temporary || s.Kind == VehicleKind.Visitor)) || s.Due > 0m)
            .OrderByDescending(s => s.EntryAt).Take(MaxOwed).ToListAsync(ct);
        var lotIds = sessions.Select(s => s.LotId).Distinct().ToList();
        var lots = await db.ParkingLots.AsNoTracking().Where(l => lotIds.Contains(l.Id)).ToDictionaryAsync(l => l.Id, ct);
        var now = time.GetUtcNow();
        var items = new List<OwedItemDto>();
        foreach (var s in sessions)
        {
            var amount = s.State == SessionState.Closed ? s.Due : lots.TryGetValue(s.LotId, out var lot) ? s.Owed(now, lot.Schedule).Total : 0m;
            if (amount > 0)
                items.Add(new OwedItemDto(s.Id, s.LotId, lots.TryGetValue(s.LotId, out var l) ? l.Name : "", s.Plate, s.State, s.EntryAt, s.ExitAt, amount));
        }
        return new OwedDto(items.Sum(i => i.Amount), items, now);
    }

    async Task<Dictionary<int, string>> LotNamesAsync(IEnumerable<int> lotIds, CancellationToken ct)
    {
        var ids = lotIds.Distinct().ToList();
        return ids.Count == 0 ? [] : await db.ParkingLots.AsNoTracking().Where(l => ids.Contains(l.Id)).ToDictionaryAsync(l => l.Id, l => l.Name, ct);
    }

    public static SessionDto ToDto(ParkingSession s, IReadOnlyDictionary<int, string> lots)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(lots);
        return new SessionDto(s.Id, s.LotId, lots.GetValueOrDefault(s.LotId, ""), s.Plate, s.Kind, s.State, s.EntryAt, s.ExitAt, s.LeaveBy, s.Paid, s.Charged, s.Due);
    }
}

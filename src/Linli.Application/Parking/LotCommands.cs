using Linli.Application.Common;
using Linli.Application.Identity;
using Linli.Domain.Common;
using Linli.Domain.Parking;
using Linli.Domain.Registry;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Parking;

/// <summary>
/// A tariff as a request gives it: free minutes, the price per started hour by day, optionally a night (a window in Beijing
/// time, 20:00–07:00, at a price per started hour or one flat price for the night), a cap per 24 hours from entry, and the
/// minutes to leave after paying.
/// </summary>
public sealed record TariffRequest(int? FreeMinutes, decimal? DayPricePerHour, TimeOnly? NightFrom, TimeOnly? NightUntil, decimal? NightPricePerHour,
    decimal? NightFlatPrice, decimal? DailyCap, int? GraceMinutes);

public sealed record NightDto(TimeOnly From, TimeOnly Until, decimal Price, bool Flat);

public sealed record TariffDto(int FreeMinutes, decimal DayPricePerHour, NightDto? Night, decimal? DailyCap, int GraceMinutes);

public sealed record TariffVersionDto(DateTimeOffset EffectiveFrom, TariffDto Tariff);

/// <summary>A new car park: its code (as its barriers name it), name, community, optionally its facility on the site plan, its spaces by kind and its tariff.</summary>
public sealed record LotRequest(string? Code, string? Name, int? CommunityId, int? FacilityId, int? OwnedSpaces, int? RentedSpaces, int? VisitorSpaces,
    UnpaidExit? UnpaidExit, TariffRequest? Tariff);

/// <summary>What changes of a lot besides its tariff: its spaces by kind, and what the exit does with an unpaid fee. Left out: unchanged.</summary>
public sealed record LotSettingsRequest(int? OwnedSpaces, int? RentedSpaces, int? VisitorSpaces, UnpaidExit? UnpaidExit);

/// <summary>A price change: the new tariff and when it takes effect (now when left out; never in the past).</summary>
public sealed record TariffChangeRequest(TariffRequest? Tariff, DateTimeOffset? EffectiveFrom);

/// <summary>A lot with the tariff in force now and every version it keeps (a change not yet in effect included).</summary>
public sealed record LotDto(int Id, string Code, string Name, int CommunityId, int? FacilityId, int OwnedSpaces, int RentedSpaces, int VisitorSpaces,
    UnpaidExit UnpaidExit, TariffDto Tariff, IReadOnlyList<TariffVersionDto> Tariffs);

/// <summary>The car parks of an area: creating them, their spaces by kind, and their prices over time. Staff's changes are audited.</summary>
public sealed class LotCommands(ILinliDb db, AuditLog audit, TimeProvider time)
{
    public async Task<Page<LotDto>> ListAsync(int? communityId, PageRequest paging, CancellationToken ct)
    {
        var q = db.ParkingLots.AsNoTracking();
        if (communityId is { } c) q = q.Where(l => l.CommunityId == c);
        var total = await q.CountAsync(ct);
        var lots = await q.OrderBy(l => l.CommunityId).ThenBy(l => l.Code).Skip(paging.Offset).Take(paging.PageSize).ToListAsync(ct);
        var now = time.GetUtcNow();
        return new Page<LotDto>(lots.Select(l => ToDto(l, now)).ToList(), paging.Page, paging.PageSize, total);
    }

    public async Task<LotDto> GetAsync(int id, CancellationToken ct) => ToDto(await FindAsync(db, id, ct), time.GetUtcNow());

    public async Task<LotDto> CreateAsync(LotRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var communityId = request.CommunityId ?? throw new DomainException("Choose the community.", "communityId");
        var community = await db.Nodes.AsNoTracking().FirstOrDefaultAsync(n => n.Id == communityId && n.Kind == NodeKind.Community, ct)
            ?? throw new DomainException("No such community in your area.", "communityId");
        if (request.FacilityId is { } facilityId && !await db.Facilities.AnyAsync(f => f.Id == facilityId && f.CommunityId == communityId, ct))
            throw new DomainException("No such facility in this community.", "facilityId");
        var now = time.GetUtcNow();
        var lot = new ParkingLot(request.Code ?? "", request.Name ?? "", community.Keys with { CommunityId = community.Id }, Tariffs.From(request.Tariff),
            now, request.OwnedSpaces ?? 0, request.RentedSpaces ?? 0, request.VisitorSpaces ?? 0, request.FacilityId,
            request.UnpaidExit ?? UnpaidExit.RecordDue);
        if (await db.ParkingLots.AnyAsync(l => l.CommunityId == lot.CommunityId && l.Code == lot.Code, ct))
            throw new ConflictException("The community has a car park with this code.", "code");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.ParkingLots.Add(lot);
        await db.SaveChangesAsync(ct);
        audit.Record("CreateParkingLot", lot, nameof(ParkingLot), lot.Id, lot.Code);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return ToDto(lot, now);
    }

    public async Task<LotDto> UpdateAsync(int id, LotSettingsRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var lot = await FindAsync(db, id, ct);
        lot.SetCapacity(request.OwnedSpaces ?? lot.OwnedSpaces, request.RentedSpaces ?? lot.RentedSpaces, request.VisitorSpaces ?? lot.VisitorSpaces);
        if (request.UnpaidExit is { } unpaidExit) lot.WhenUnpaidAtExit(unpaidExit);
        audit.Record("ChangeParkingLot", lot, nameof(ParkingLot), lot.Id,
            $"{lot.Code}: {lot.OwnedSpaces} owned, {lot.RentedSpaces} rented, {lot.VisitorSpaces} visitor spaces; unpaid exit {lot.UnpaidExit}");
        await db.SaveChangesAsync(ct);
        return ToDto(lot, time.GetUtcNow());
    }

    /// <summary>New prices from a moment on (now by default); stays already inside pay them only for the hours that start after it.</summary>
    public async Task<LotDto> ChangeTariffAsync(int id, TariffChangeRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var lot = await FindAsync(db, id, ct);
        var tariff = Tariffs.From(request.Tariff);
        var now = time.GetUtcNow();
        var from = request.EffectiveFrom is { } given ? DateWindow.Check(given, "effectiveFrom").ToUniversalTime() : now;
        lot.ChangeTariff(tariff, from, now);
        audit.Record("ChangeParkingTariff", lot, nameof(ParkingLot), lot.Id, $"{lot.Code} from {from:O}");
        await db.SaveChangesAsync(ct);
        return ToDto(lot, now);
    }

    /// <summary>A lot of the caller's area by id, tracked; not found outside it.</summary>
    internal static async Task<ParkingLot> FindAsync(ILinliDb db, int id, CancellationToken ct) =>
        await db.ParkingLots.FirstOrDefaultAsync(l => l.Id == id, ct) ?? throw new NotFoundException("Car park");

    public static LotDto ToDto(ParkingLot lot, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(lot);
        var schedule = lot.Schedule;
        // Before its first version (a clock set back) a lot shows the first one.
        var current = schedule.Versions[0].EffectiveFrom > now ? schedule.Versions[0] : schedule.At(now);
        return new LotDto(lot.Id, lot.Code, lot.Name, lot.CommunityId, lot.FacilityId, lot.OwnedSpaces, lot.RentedSpaces, lot.VisitorSpaces, lot.UnpaidExit,
            Tariffs.ToDto(current.Tariff), schedule.Versions.Select(v => new TariffVersionDto(v.EffectiveFrom, Tariffs.ToDto(v.Tariff))).ToList());
    }
}

/// <summary>Tariffs between requests, the domain and answers.</summary>
static class Tariffs
{
    public static ParkingTariff From(TariffRequest? request)
    {
        var r = request ?? throw new DomainException("Give the tariff.", "tariff");
        // The domain names the tariff's own fields; in a request they sit inside "tariff".
        try
        {
            var day = r.DayPricePerHour ?? throw new DomainException("Give the price per started hour.", "dayPricePerHour");
            NightRate? night = null;
            if (r.NightFrom is not null || r.NightUntil is not null || r.NightPricePerHour is not null || r.NightFlatPrice is not null)
            {
                var from = r.NightFrom ?? throw new DomainException("Say when the night starts.", "nightFrom");
                var until = r.NightUntil ?? throw new DomainException("Say when the night ends.", "nightUntil");
                night = (r.NightPricePerHour, r.NightFlatPrice) switch
                {
                    ({ } perHour, null) => NightRate.PerHour(from, until, perHour),
                    (null, { } flat) => NightRate.Flat(from, until, flat),
                    (null, null) => throw new DomainException("Give the night's price per started hour, or its flat price.", "nightPricePerHour"),
                    _ => throw new DomainException("A night is charged per started hour or at a flat price, not both.", "nightFlatPrice"),
                };
            }
            return new ParkingTariff(r.FreeMinutes ?? 0, day, night, r.DailyCap, r.GraceMinutes ?? 15);
        }
        catch (DomainException e) when (e.GetType() == typeof(DomainException))
        {
            throw new DomainException(e.Message, "tariff." + (e.Field ?? "request"));
        }
    }

    public static TariffDto ToDto(ParkingTariff t) => new(t.FreeMinutes, t.DayPricePerHour,
        t.Night is { } n ? new NightDto(n.From, n.Until, n.Price, n.IsFlat) : null, t.DailyCap, t.GraceMinutes);
}

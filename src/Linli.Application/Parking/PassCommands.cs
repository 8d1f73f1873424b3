using Linli.Application.Common;
using Linli.Application.Identity;
using Linli.Domain.Common;
using Linli.Domain.Parking;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Parking;

/// <summary>A monthly pass sold: the plate, its first and last Beijing day, the price, and the resident who bought it when a resident did.</summary>
public sealed record PassRequest(string? Plate, DateOnly? ValidFrom, DateOnly? ValidUntil, decimal? Price, int? ResidentId);

public sealed record PassDto(long Id, int LotId, string Plate, int? ResidentId, DateOnly ValidFrom, DateOnly ValidUntil, decimal Price,
    DateTimeOffset? CancelledAt, bool ValidNow);

/// <summary>A plate put on a lot's black- or whitelist, with the reason staff give and optionally until when.</summary>
public sealed record PlateListRequest(string? Plate, PlateListKind? List, string? Reason, DateTimeOffset? Until);

public sealed record PlateListDto(long Id, int LotId, string Plate, PlateListKind List, string Reason, DateTimeOffset AddedAt, DateTimeOffset? Until,
    bool AppliesNow);

/// <summary>
/// Monthly passes (月卡) and the black- and whitelists of a lot, as the entry barrier reads them. The price of a pass is
/// recorded with it; collecting it is the fees and payments module's, once it exists.
/// </summary>
public sealed class PassCommands(ILinliDb db, AuditLog audit, TimeProvider time)
{
    public async Task<Page<PassDto>> ListPassesAsync(int lotId, string? plate, bool currentOnly, PageRequest paging, CancellationToken ct)
    {
        await LotCommands.FindAsync(db, lotId, ct);
        var q = db.MonthlyPasses.AsNoTracking().Where(p => p.LotId == lotId);
        if (!string.IsNullOrWhiteSpace(plate))
        {
            var value = LicensePlate.Parse(plate).Value;
            q = q.Where(p => p.Plate == value);
        }
        var now = time.GetUtcNow();
        if (currentOnly)
        {
            var today = time.Today();
            q = q.Where(p => p.ValidUntil >= today && p.CancelledAt == null);
        }
        var total = await q.CountAsync(ct);
        var passes = await q.OrderBy(p => p.Plate).ThenByDescending(p => p.ValidUntil).Skip(paging.Offset).Take(paging.PageSize).ToListAsync(ct);
        return new Page<PassDto>(passes.ConvertAll(p => ToDto(p, now)), paging.Page, paging.PageSize, total);
    }

    public async Task<PassDto> SellAsync(int lotId, PassRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var lot = await LotCommands.FindAsync(db, lotId, ct);
        var plate = LicensePlate.Parse(request.Plate);
        var from = request.ValidFrom ?? throw new DomainException("Give the pass's first day.", "validFrom");
        var until = request.ValidUntil ?? throw new DomainException("Give the pass's last day.", "validUntil");
        var price = request.Price ?? throw new DomainException("Give the price the pass was sold at.", "price");
        if (request.ResidentId is { } residentId)
        {
            var resident = await db.Residents.AsNoTracking().FirstOrDefaultAsync(r => r.Id == residentId, ct)
                ?? throw new DomainException("No such resident in your area.", "residentId");
            if (resident.CommunityId != lot.CommunityId) throw new DomainException("The resident lives in another community.", "residentId");
        }
        var pass = new MonthlyPass(lot, plate, from, until, price, request.ResidentId);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.MonthlyPasses.Add(pass);
        await db.SaveChangesAsync(ct);
        audit.Record("SellMonthlyPass", pass, nameof(MonthlyPass), checked((int)pass.Id), $"{pass.Plate} {pass.ValidFrom:yyyy-MM-dd}–{pass.ValidUntil:yyyy-MM-dd} {pass.Price:0.00}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return ToDto(pass, time.GetUtcNow());
    }

    /// <summary>Refunded or withdrawn: the pass admits no more from now.</summary>
    public async Task<PassDto> CancelPassAsync(long id, CancellationToken ct)
    {
        var pass = await db.MonthlyPasses.FirstOrDefaultAsync(p => p.Id == id, ct) ?? throw new NotFoundException("Pass");
        var now = time.GetUtcNow();
        pass.Cancel(now);
        audit.Record("CancelMonthlyPass", pass, nameof(MonthlyPass), checked((int)pass.Id), pass.Plate);
        await db.SaveChangesAsync(ct);
        return ToDto(pass, now);
    }

    public async Task<Page<PlateListDto>> ListPlatesAsync(int lotId, PlateListKind? list, bool currentOnly, PageRequest paging, CancellationToken ct)
    {
        await LotCommands.FindAsync(db, lotId, ct);
        var q = db.PlateLists.AsNoTracking().Where(e => e.LotId == lotId);
        if (list is { } l) q = q.Where(e => e.List == l);
        var now = time.GetUtcNow();
        if (currentOnly) q = q.Where(e => e.Until == null || e.Until > now);
        var total = await q.CountAsync(ct);
        var entries = await q.OrderByDescending(e => e.AddedAt).ThenByDescending(e => e.Id).Skip(paging.Offset).Take(paging.PageSize).ToListAsync(ct);
        return new Page<PlateListDto>(entries.ConvertAll(e => ToDto(e, now)), paging.Page, paging.PageSize, total);
    }

    public async Task<PlateListDto> ListPlateAsync(int lotId, PlateListRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var lot = await LotCommands.FindAsync(db, lotId, ct);
        var plate = LicensePlate.Parse(request.Plate);
        var list = request.List ?? throw new DomainException("Choose Blacklist or Whitelist.", "list");
        var now = time.GetUtcNow();
        var until = request.Until is { } u ? DateWindow.Check(u, "until").ToUniversalTime() : (DateTimeOffset?)null;
        var entry = new PlateListEntry(lot, plate, list, request.Reason ?? "", now, until);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.PlateLists.Add(entry);
        await db.SaveChangesAsync(ct);
        audit.Record(list == PlateListKind.Blacklist ? "BlacklistPlate" : "WhitelistPlate", entry, nameof(PlateListEntry), checked((int)entry.Id),
            $"{entry.Plate}: {entry.Reason}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return ToDto(entry, now);
    }

    /// <summary>Taken off its list from now.</summary>
    public async Task<PlateListDto> LiftAsync(long id, CancellationToken ct)
    {
        var entry = await db.PlateLists.FirstOrDefaultAsync(e => e.Id == id, ct) ?? throw new NotFoundException("List entry");
        var now = time.GetUtcNow();
        entry.Lift(now);
        audit.Record("LiftPlateListing", entry, nameof(PlateListEntry), checked((int)entry.Id), $"{entry.List} {entry.Plate}");
        await db.SaveChangesAsync(ct);
        return ToDto(entry, now);
    }

    public static PassDto ToDto(MonthlyPass p, DateTimeOffset now) =>
        new(p.Id, p.LotId, p.Plate, p.ResidentId, p.ValidFrom, p.ValidUntil, p.Price, p.CancelledAt, p.Covers(now));

    static PlateListDto ToDto(PlateListEntry e, DateTimeOffset now) => new(e.Id, e.LotId, e.Plate, e.List, e.Reason, e.AddedAt, e.Until, e.Applies(now));
}

using Linli.Application.Common;
using Linli.Domain.Common;
using Linli.Domain.Parking;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Parking;

/// <summary>Which barrier of a lot read the plate: the entry's or the exit's.</summary>
public enum BarrierDirection { In, Out }

/// <summary>
/// The barrier's answer: open or not, why not (for its display and voice), the fee (owed when it stays down, charged when
/// it opens at the exit), the plate as read, and what the vehicle counts as (the kind its stay opened with; none when refused entry).
/// </summary>
public sealed record BarrierAnswer(bool Open, BarrierRefusal? Reason, decimal Fee, string Plate, VehicleKind? Kind);

/// <summary>
/// A plate read at a car park's barrier: at the entry <see cref="BarrierPolicy"/> decides and a stay opens, or
/// the barrier stays down with the reason; at the exit the stay closes with its fee — nothing for residents, pass holders
/// and whitelisted vehicles. A fee owed and not paid keeps the barrier down, unless the lot lets the vehicle out with the fee
/// recorded as due (<see cref="UnpaidExit.RecordDue"/>, the default: Chinese car parks take the fee at the exit barrier
/// by a scanned code, and until the payment gateway exists the barrier records it as due and opens instead). Runs under
/// the barrier's community, declared by the caller.
/// </summary>
public sealed class BarrierEvents(ILinliDb db, TimeProvider time)
{
    /// <summary>
    /// A second read of the same plate at the exit within this time of its exit is the same car (the camera read it twice, or
    /// the controller asked again after a lost answer): the barrier opens again instead of refusing a car it just let out.
    /// </summary>
    public static readonly TimeSpan RepeatWindow = TimeSpan.FromMinutes(2);

    /// <summary>The answer for <paramref name="plate"/> at the lot named <paramref name="lotCode"/>; null when there is no such lot here.</summary>
    public async Task<BarrierAnswer?> PassAsync(string lotCode, LicensePlate plate, BarrierDirection direction, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(plate);
        var lotId = await db.ParkingLots.AsNoTracking().Where(l => l.Code == lotCode).Select(l => (int?)l.Id).FirstOrDefaultAsync(ct);
        if (lotId is not { } id) return null;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await LotTurns.TakeAsync(db, id, ct);
        var lot = await db.ParkingLots.FirstAsync(l => l.Id == id, ct);
        var now = time.GetUtcNow();
        var inside = await db.ParkingSessions.FirstOrDefaultAsync(s => s.LotId == id && s.Plate == plate.Value && s.State != SessionState.Closed, ct);
        var answer = direction == BarrierDirection.In ? await EnterAsync(lot, plate, inside, now, ct) : await LeaveAsync(lot, plate, inside, now, ct);
        await tx.CommitAsync(ct);
        return answer;
    }

    async Task<BarrierAnswer> EnterAsync(ParkingLot lot, LicensePlate plate, ParkingSession? inside, DateTimeOffset now, CancellationToken ct)
    {
        // Inside already by the records: the camera read it twice, or its last exit was missed. Still the same stay.
        if (inside is not null) return new BarrierAnswer(true, null, 0m, plate.Value, inside.Kind);
        var roster = new PlateRoster(
            await db.PlateLists.Where(e => e.LotId == lot.Id && e.Plate == plate.Value).ToListAsync(ct),
            await db.MonthlyPasses.Where(p => p.LotId == lot.Id && p.Plate == plate.Value).ToListAsync(ct),
            await db.ParkingSpaces.Where(s => s.LotId == lot.Id && s.Plates.Contains(plate.Value)).ToListAsync(ct));
        // Residents' announced visitors are not known here yet: the access module's visitor passes name no plates.
        var paying = await db.ParkingSessions.CountAsync(s => s.LotId == lot.Id && s.State != SessionState.Closed
            && (s.Kind == VehicleKind.Temporary || s.Kind == VehicleKind.Visitor), ct);
        var decision = BarrierPolicy.Decide(plate, lot.Occupancy(paying), roster, now);
        if (!decision.Open) return new BarrierAnswer(false, decision.Reason, 0m, plate.Value, null);
        var kind = decision.Kind!.Value;
        db.ParkingSessions.Add(new ParkingSession(lot, plate, kind, now));
        await db.SaveChangesAsync(ct);
        return new BarrierAnswer(true, null, 0m, plate.Value, kind);
    }

    async Task<BarrierAnswer> LeaveAsync(ParkingLot lot, LicensePlate plate, ParkingSession? inside, DateTimeOffset now, CancellationToken ct)
    {
        if (inside is null)
        {
            var since = now - RepeatWindow;
            var left = await db.ParkingSessions.AsNoTracking()
                .Where(s => s.LotId == lot.Id && s.Plate == plate.Value && s.State == SessionState.Closed && s.ExitAt >= since)
                .OrderByDescending(s => s.ExitAt).FirstOrDefaultAsync(ct);
            // The same answer again: the fee charged at that exit (what was paid on the way had been paid before it).
            if (left is not null)
                return new BarrierAnswer(true, null, left.Charged - left.Payments.Where(p => p.At < left.ExitAt).Sum(p => p.Amount), plate.Value, left.Kind);
        }
        var decision = BarrierPolicy.Decide(lot, inside, now);
        if (!decision.Open) return new BarrierAnswer(false, decision.Reason, decision.Owed, plate.Value, inside?.Kind);
        // Open: what is still owed is charged now and, not having been paid, kept as the stay's due.
        var charged = inside!.Exit(now, lot.Schedule);
        await db.SaveChangesAsync(ct);
        return new BarrierAnswer(true, null, charged.Total, plate.Value, inside.Kind);
    }
}

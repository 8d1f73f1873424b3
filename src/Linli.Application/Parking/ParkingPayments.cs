using Linli.Application.Common;
using Linli.Application.Identity;
using Linli.Domain.Common;
using Linli.Domain.Parking;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Parking;

/// <summary>
/// Where a parking fee is paid. The only implementation for now, <see cref="RecordedParkingPayments"/>, records the amount
/// in the stay itself: paid at the pay station, or a fee left due at the exit settled. The fees and payments issue plugs a
/// gateway in here (a WeChat Pay / Alipay order per payment, its verified notification crediting the stay once, a balanced
/// journal entry, the scan-to-pay code on the exit's display), without the pay station or the barrier changing.
/// </summary>
public interface IParkingPayments
{
    /// <summary>The driver pays all that the stay owes at <paramref name="at"/>; returns what was paid.</summary>
    Task<ParkingFee> PayAsync(ParkingSession session, TariffSchedule schedule, DateTimeOffset at, CancellationToken ct);

    /// <summary>The fee the vehicle left without paying is paid; returns the amount.</summary>
    Task<decimal> SettleDueAsync(ParkingSession session, DateTimeOffset at, CancellationToken ct);
}

/// <summary>
/// Payments recorded in the stay and nowhere else: no money moves through the platform yet, the staff at the pay station
/// take it. To be replaced by the payment gateway's adapter (see <see cref="IParkingPayments"/>).
/// </summary>
public sealed class RecordedParkingPayments : IParkingPayments
{
    public Task<ParkingFee> PayAsync(ParkingSession session, TariffSchedule schedule, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(session);
        return Task.FromResult(session.Pay(at, schedule));
    }

    public Task<decimal> SettleDueAsync(ParkingSession session, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(session);
        var due = session.Due;
        session.SettleDue(at);
        return Task.FromResult(due);
    }
}

/// <summary>A plate paying at a lot's pay station.</summary>
public sealed record PayRequest(string? Plate);

/// <summary>A payment taken: the stay, what was paid, and until when the vehicle can leave without owing more.</summary>
public sealed record PaymentDto(long SessionId, string Plate, decimal Amount, SessionState State, DateTimeOffset? LeaveBy, decimal Due);

/// <summary>
/// The pay station (收费亭) as staff work it: a plate inside pays what it owes now and has the tariff's grace to reach the
/// barrier; a fee left due at the exit is settled later. Each payment is audited (who took the money) and goes through
/// <see cref="IParkingPayments"/>.
/// </summary>
public sealed class PayStation(ILinliDb db, IParkingPayments payments, AuditLog audit, TimeProvider time)
{
    public async Task<PaymentDto> PayAsync(int lotId, PayRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var plate = LicensePlate.Parse(request.Plate);
        // In the caller's area before its turn is taken (the turn is raw SQL, past the scope filters).
        await LotCommands.FindAsync(db, lotId, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The exit barrier and the pay station take the same lot's turn: a stay is never paid and closed at once.
        await LotTurns.TakeAsync(db, lotId, ct);
        var lot = await LotCommands.FindAsync(db, lotId, ct);
        var session = await db.ParkingSessions.FirstOrDefaultAsync(s => s.LotId == lot.Id && s.Plate == plate.Value && s.State != SessionState.Closed, ct)
            ?? throw new NotFoundException("A stay of this plate in the car park");
        var now = time.GetUtcNow();
        var paid = await payments.PayAsync(session, lot.Schedule, now, ct);
        audit.Record("ParkingPayment", session, nameof(ParkingSession), checked((int)session.Id), $"{session.Plate} paid {paid.Total:0.00}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new PaymentDto(session.Id, session.Plate, paid.Total, session.State, session.LeaveBy, session.Due);
    }

    /// <summary>A fee the vehicle left without paying (recorded as due at the exit) is paid now.</summary>
    public async Task<PaymentDto> SettleAsync(long sessionId, CancellationToken ct)
    {
        var session = await db.ParkingSessions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == sessionId, ct) ?? throw new NotFoundException("Stay");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await LotTurns.TakeAsync(db, session.LotId, ct);
        session = await db.ParkingSessions.FirstAsync(s => s.Id == sessionId, ct);
        var amount = await payments.SettleDueAsync(session, time.GetUtcNow(), ct);
        audit.Record("ParkingDueSettled", session, nameof(ParkingSession), checked((int)session.Id), $"{session.Plate} paid {amount:0.00}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new PaymentDto(session.Id, session.Plate, amount, session.State, session.LeaveBy, session.Due);
    }
}

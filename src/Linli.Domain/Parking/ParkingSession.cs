using Linli.Domain.Common;

namespace Linli.Domain.Parking;

/// <summary>A vehicle entered a lot: occupancy counts it (a visitor space taken, for a paying vehicle).</summary>
public sealed record ParkingSessionOpened(long SessionId, int LotId, int CommunityId, string Plate, VehicleKind Kind, DateTimeOffset At) : IDomainEvent;

/// <summary>A vehicle left a lot: occupancy lets its space go; <paramref name="Due"/> is what it left without paying.</summary>
public sealed record ParkingSessionClosed(long SessionId, int LotId, int CommunityId, string Plate, VehicleKind Kind, decimal Charged, decimal Due,
    DateTimeOffset At) : IDomainEvent;

/// <summary>One payment towards a stay: at a pay station, at the exit, or of a fee left due.</summary>
public sealed record ParkingPayment(DateTimeOffset At, decimal Amount);

/// <summary>
/// One stay of one vehicle in one lot, from the entry barrier to the exit barrier. Open while inside; Paid once paid at a
/// pay station (the driver then has the tariff's grace to leave, and paying again is possible once it has run out);
/// Closed at the exit, where what is still owed is charged, and recorded as due when the vehicle leaves without paying it.
/// Residents, pass holders and whitelisted vehicles pay nothing; the kind is the one decided at entry.
/// </summary>
public sealed class ParkingSession : ScopedEntity, IHasDomainEvents
{
    /// <summary>The longest plate (a new-energy plate, 8 characters); every parking table stores plates this long.</summary>
    public const int PlateMaxLength = 8;

    public long Id { get; private set; }
    public int LotId { get; private set; }
    /// <summary>As <see cref="LicensePlate.Value"/>.</summary>
    public string Plate { get; private set; } = "";
    public VehicleKind Kind { get; private set; }
    public SessionState State { get; private set; }
    public DateTimeOffset EntryAt { get; private set; }
    public DateTimeOffset? ExitAt { get; private set; }
    /// <summary>After a payment: until when the vehicle can leave without owing more.</summary>
    public DateTimeOffset? LeaveBy { get; private set; }
    /// <summary>The whole fee of the stay, known at exit: what was paid and what is due.</summary>
    public decimal Charged { get; private set; }
    /// <summary>What the vehicle left without paying, until it is settled.</summary>
    public decimal Due { get; private set; }

    List<ParkingPayment> _payments = [];
    public IReadOnlyList<ParkingPayment> Payments => _payments;

    bool _openedPending;
    bool _closedPending;

    ParkingSession() { }

    public ParkingSession(ParkingLot lot, LicensePlate plate, VehicleKind kind, DateTimeOffset entryAt)
    {
        ArgumentNullException.ThrowIfNull(lot);
        ArgumentNullException.ThrowIfNull(plate);
        LotId = lot.Id;
        PlaceIn(lot);
        Plate = plate.Value;
        Kind = kind;
        EntryAt = DateWindow.Check(entryAt, "entryAt");
        State = SessionState.Open;
        _openedPending = true;
    }

    public decimal Paid => _payments.Sum(p => p.Amount);

    /// <summary>What leaving at <paramref name="at"/> would still cost, for the pay station and the exit barrier's display.</summary>
    public ParkingFee Owed(DateTimeOffset at, TariffSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (State == SessionState.Closed) throw new ConflictException("The vehicle has left.");
        return Kind.Pays() ? schedule.Owed(EntryAt, PaidAt(), at) : ParkingFee.None;
    }

    /// <summary>Paid at a pay station (or the exit) all that is owed at <paramref name="at"/>; returns what was paid.</summary>
    public ParkingFee Pay(DateTimeOffset at, TariffSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (State == SessionState.Closed) throw new ConflictException("The vehicle has left; a fee left due is settled instead.");
        if (!Kind.Pays()) throw new ConflictException("Residents, pass holders and whitelisted vehicles park without paying.");
        CheckInOrder(at, "paidAt");
        var owed = Owed(at, schedule);
        if (owed.Total == 0)
            throw new ConflictException(State == SessionState.Paid ? "Already paid: the vehicle can leave until the grace ends." : "Nothing to pay yet: the stay is still free.");
        _payments.Add(new ParkingPayment(at, owed.Total));
        // Kept as UTC like every stored instant (the schedule answers in Beijing time, for a receipt).
        LeaveBy = schedule.LeaveBy(EntryAt, PaidAt())?.ToUniversalTime();
        State = SessionState.Paid;
        return owed;
    }

    /// <summary>
    /// The vehicle left at <paramref name="at"/>: the stay closes, what was still owed (the fee, or the time after the
    /// grace) is charged, and recorded as due when it was not paid. Returns what was charged at the exit.
    /// </summary>
    public ParkingFee Exit(DateTimeOffset at, TariffSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (State == SessionState.Closed) throw new ConflictException("The vehicle has left already.");
        CheckInOrder(at, "exitAt");
        var owed = Owed(at, schedule);
        ExitAt = at;
        Due = owed.Total;
        Charged = Paid + Due;
        State = SessionState.Closed;
        _closedPending = true;
        return owed;
    }

    /// <summary>A fee left due at the exit was paid afterwards (the payment adapter reports it).</summary>
    public void SettleDue(DateTimeOffset at)
    {
        if (State != SessionState.Closed) throw new ConflictException("The vehicle is still inside; it pays at a pay station or the exit.");
        if (Due == 0) throw new ConflictException("Nothing is due for this stay.");
        _payments.Add(new ParkingPayment(at, Due));
        Due = 0;
    }

    void CheckInOrder(DateTimeOffset at, string field)
    {
        DateWindow.Check(at, field);
        if (at < EntryAt || (_payments.Count > 0 && at < _payments[^1].At))
            throw new DomainException("That is before the vehicle entered, or before its last payment.", field);
    }

    List<DateTimeOffset> PaidAt() => _payments.ConvertAll(p => p.At);

    public bool HasPendingEvents => _openedPending || _closedPending;

    public IReadOnlyList<IDomainEvent> TakeEvents()
    {
        var events = new List<IDomainEvent>();
        if (_openedPending) events.Add(new ParkingSessionOpened(Id, LotId, CommunityId, Plate, Kind, EntryAt));
        if (_closedPending && ExitAt is { } exit) events.Add(new ParkingSessionClosed(Id, LotId, CommunityId, Plate, Kind, Charged, Due, exit));
        _openedPending = _closedPending = false;
        return events;
    }
}

using Linli.Domain.Common;

namespace Linli.Domain.Parking;

/// <summary>
/// A monthly pass (月卡) for one plate in one lot: from its first date to its last, both whole Beijing days, at a price. A
/// renewal is a new pass for the next dates, so each period keeps the price it was sold at.
/// </summary>
public sealed class MonthlyPass : ScopedEntity
{
    /// <summary>The longest period one pass is sold for (three years).</summary>
    public const int MaxDays = 3 * 366;
    public const decimal MaxPrice = 100_000m;

    public long Id { get; private set; }
    public int LotId { get; private set; }
    /// <summary>As <see cref="LicensePlate.Value"/>.</summary>
    public string Plate { get; private set; } = "";
    /// <summary>The resident who bought it, when a resident did (a pass is also sold to people working nearby).</summary>
    public int? ResidentId { get; private set; }
    /// <summary>The first day it admits (inclusive).</summary>
    public DateOnly ValidFrom { get; private set; }
    /// <summary>The last day it admits (inclusive): a pass "until 31 December" admits until 23:59 that day, Beijing time.</summary>
    public DateOnly ValidUntil { get; private set; }
    public decimal Price { get; private set; }
    public DateTimeOffset? CancelledAt { get; private set; }

    MonthlyPass() { }

    public MonthlyPass(ParkingLot lot, LicensePlate plate, DateOnly validFrom, DateOnly validUntil, decimal price, int? residentId = null)
    {
        ArgumentNullException.ThrowIfNull(lot);
        ArgumentNullException.ThrowIfNull(plate);
        DateWindow.Check(validFrom, "validFrom");
        DateWindow.Check(validUntil, "validUntil");
        if (validUntil < validFrom) throw new DomainException("The pass must end on or after the day it starts.", "validUntil");
        if (validUntil.DayNumber - validFrom.DayNumber >= MaxDays) throw new DomainException($"A pass is sold for at most {MaxDays} days.", "validUntil");
        LotId = lot.Id;
        PlaceIn(lot);
        Plate = plate.Value;
        ValidFrom = validFrom;
        ValidUntil = validUntil;
        Price = Yuan.Check(price, "price", MaxPrice);
        ResidentId = residentId;
    }

    /// <summary>Whether the pass admits its plate at <paramref name="at"/>: its dates are Beijing days, whatever the server's clock.</summary>
    public bool Covers(DateTimeOffset at)
    {
        if (CancelledAt is { } cancelled && at >= cancelled) return false;
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, ChinaTime.Zone).DateTime);
        return day >= ValidFrom && day <= ValidUntil;
    }

    /// <summary>Refunded or withdrawn: it admits no more from <paramref name="now"/>.</summary>
    public void Cancel(DateTimeOffset now)
    {
        if (CancelledAt is not null) throw new ConflictException("The pass is cancelled already.");
        CancelledAt = now;
    }
}

using Linli.Domain.Common;

namespace Linli.Domain.Parking;

/// <summary>
/// The night's prices of a tariff, in Beijing wall-clock time: a window (one whose end is before its start runs across
/// midnight, 20:00–07:00) charged per started hour, or at one flat price for the whole night.
/// </summary>
public sealed record NightRate
{
    /// <summary>The night starts at this time of day (inclusive).</summary>
    public TimeOnly From { get; }
    /// <summary>The night ends at this time of day (exclusive).</summary>
    public TimeOnly Until { get; }
    /// <summary>Per started hour, or for the whole night when <see cref="IsFlat"/>.</summary>
    public decimal Price { get; }
    public bool IsFlat { get; }

    NightRate(TimeOnly from, TimeOnly until, decimal price, bool flat)
    {
        if (from == until) throw new DomainException("The night must not start and end at the same time.", "nightUntil");
        From = from;
        Until = until;
        Price = Yuan.Check(price, flat ? "nightFlatPrice" : "nightPricePerHour", ParkingTariff.MaxPrice);
        IsFlat = flat;
    }

    public static NightRate PerHour(TimeOnly from, TimeOnly until, decimal pricePerHour) => new(from, until, pricePerHour, flat: false);

    public static NightRate Flat(TimeOnly from, TimeOnly until, decimal price) => new(from, until, price, flat: true);

    public bool Covers(TimeOnly time) => From < Until ? time >= From && time < Until : time >= From || time < Until;

    /// <summary>
    /// The date the night around <paramref name="local"/> began on: 02:00 on the 8th is the night of the 7th. A flat price
    /// buys one such night, whichever hour of it the stay reaches first.
    /// </summary>
    public DateOnly NightOf(DateTime local)
    {
        var date = DateOnly.FromDateTime(local);
        return From > Until && TimeOnly.FromDateTime(local) < Until ? date.AddDays(-1) : date;
    }
}

/// <summary>
/// What a car park charges a paying vehicle (temporary or visitor): free minutes, a price per started hour by day and
/// by night, a cap per 24 hours from entry, and the grace to leave after paying. Amounts are yuan rounded to the fen.
/// </summary>
public sealed record ParkingTariff
{
    public const int MaxFreeMinutes = 24 * 60;
    public const int MaxGraceMinutes = 120;
    /// <summary>The most any one price or cap of a tariff can be: a typing slip of a few zeros is refused, not charged.</summary>
    public const decimal MaxPrice = 10_000m;

    /// <summary>A stay of at most this many minutes is free; a longer one is charged from entry, these minutes included.</summary>
    public int FreeMinutes { get; }
    /// <summary>Per started hour outside the night (or all day when there is no night rate).</summary>
    public decimal DayPricePerHour { get; }
    public NightRate? Night { get; }
    /// <summary>The most charged for any 24 hours counted from entry (每24小时封顶); null: no cap.</summary>
    public decimal? DailyCap { get; }
    /// <summary>Minutes to reach the barrier after paying at a pay station.</summary>
    public int GraceMinutes { get; }

    public ParkingTariff(int freeMinutes, decimal dayPricePerHour, NightRate? night = null, decimal? dailyCap = null, int graceMinutes = 15)
    {
        if (freeMinutes is < 0 or > MaxFreeMinutes) throw new DomainException($"Free minutes are 0 to {MaxFreeMinutes}.", "freeMinutes");
        if (graceMinutes is < 0 or > MaxGraceMinutes) throw new DomainException($"The grace to leave is 0 to {MaxGraceMinutes} minutes.", "graceMinutes");
        FreeMinutes = freeMinutes;
        DayPricePerHour = Yuan.Check(dayPricePerHour, "dayPricePerHour", MaxPrice);
        Night = night;
        if (dailyCap is { } cap)
        {
            DailyCap = Yuan.Check(cap, "dailyCap", MaxPrice);
            // A cap of nothing would make the car park free; leaving the cap out is how to say "no cap".
            if (DailyCap == 0) throw new DomainException("A daily cap is more than nothing; leave it out for no cap.", "dailyCap");
        }
        GraceMinutes = graceMinutes;
    }

    public TimeSpan Free => TimeSpan.FromMinutes(FreeMinutes);

    public TimeSpan Grace => TimeSpan.FromMinutes(GraceMinutes);
}

/// <summary>
/// Money in the parking module: decimal yuan, rounded half away from zero to the fen where it comes in and where it goes
/// out. Prices in fen times whole hours stay in fen, so nothing between the edges needs rounding.
/// </summary>
internal static class Yuan
{
    public static decimal Round(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);

    public static decimal Check(decimal amount, string field, decimal max)
    {
        var rounded = Round(amount);
        if (rounded < 0) throw new DomainException("An amount cannot be negative.", field);
        if (rounded > max) throw new DomainException($"An amount is at most {max:0} yuan.", field);
        return rounded;
    }
}

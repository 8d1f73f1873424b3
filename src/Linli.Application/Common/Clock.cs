namespace Linli.Application.Common;

/// <summary>Local dates for people: storage is UTC, but "today" and "age" are as seen in China.</summary>
public static class Clock
{
    public static readonly TimeZoneInfo China = Linli.Domain.Common.ChinaTime.Zone;

    public static DateOnly Today(this TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), China).DateTime);
    }

    /// <summary>Midnight today in China, as an instant: "per day" limits and "today" counts start here.</summary>
    public static DateTimeOffset StartOfToday(TimeProvider time)
    {
        var today = time.Today();
        return new DateTimeOffset(today.ToDateTime(TimeOnly.MinValue), China.GetUtcOffset(today.ToDateTime(TimeOnly.MinValue))).ToUniversalTime();
    }

    public static DateTimeOffset Local(DateTimeOffset utc) => TimeZoneInfo.ConvertTime(utc, China);
}

namespace Linli.Domain.Common;

/// <summary>
/// The dates the platform works with: from 1900 (the oldest resident's birth) to 2200 (the latest schedule anyone
/// plausibly sets). A date outside is refused where it comes in, naming the field, before any arithmetic on it: 0001-01-01
/// minus a day, or 9999-12-31 plus one, is not a refusal but a crash.
/// </summary>
public static class DateWindow
{
    public static readonly DateOnly Earliest = new(1900, 1, 1);
    public static readonly DateOnly Latest = new(2200, 12, 31);

    public static bool Contains(DateOnly date) => date >= Earliest && date <= Latest;

    public static bool Contains(DateTime time) => Contains(DateOnly.FromDateTime(time));

    /// <summary>By the UTC date, and by the local one, so that neither side of the offset can leave the window.</summary>
    public static bool Contains(DateTimeOffset time) => Contains(time.UtcDateTime) && Contains(time.DateTime);

    public static string Refusal => $"The date must lie between {Earliest:yyyy-MM-dd} and {Latest:yyyy-MM-dd}.";

    public static DateOnly Check(DateOnly date, string field) => Contains(date) ? date : throw new DomainException(Refusal, field);

    public static DateTimeOffset Check(DateTimeOffset time, string field) => Contains(time) ? time : throw new DomainException(Refusal, field);
}

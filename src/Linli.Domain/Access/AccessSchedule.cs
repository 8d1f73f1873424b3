using Linli.Domain.Common;

namespace Linli.Domain.Access;

/// <summary>
/// When a right holds, in the community's local time: on which days of the week, between which hours (a window whose
/// end is before its start runs across midnight: a night guard's 22:00–06:00), and between which dates (a contractor's
/// work order). Empty parts do not restrict.
/// </summary>
public sealed record AccessSchedule
{
    public static readonly AccessSchedule Always = new();

    /// <summary>The days of the week it holds on; empty: every day.</summary>
    public IReadOnlySet<DayOfWeek> Days { get; }
    /// <summary>From this time of day (inclusive); null with <see cref="Until"/> null: all day.</summary>
    public TimeOnly? From { get; }
    /// <summary>Until this time of day (exclusive).</summary>
    public TimeOnly? Until { get; }
    /// <summary>The first date it holds on (inclusive).</summary>
    public DateOnly? FirstDate { get; }
    /// <summary>The last date it holds on (inclusive).</summary>
    public DateOnly? LastDate { get; }

    public AccessSchedule(IEnumerable<DayOfWeek>? days = null, TimeOnly? from = null, TimeOnly? until = null, DateOnly? firstDate = null, DateOnly? lastDate = null)
    {
        if ((from is null) != (until is null)) throw new DomainException("Give both ends of the hours, or neither.", from is null ? "from" : "until");
        if (from is { } f && until is { } u && f == u) throw new DomainException("The hours must not start and end at the same time.", "until");
        if (firstDate is { } first) DateWindow.Check(first, "firstDate");
        if (lastDate is { } last) DateWindow.Check(last, "lastDate");
        if (firstDate > lastDate) throw new DomainException("The last date is before the first.", "lastDate");
        Days = (days ?? []).ToHashSet();
        From = from;
        Until = until;
        FirstDate = firstDate;
        LastDate = lastDate;
    }

    /// <summary>Whether the schedule holds at <paramref name="local"/> (the community's wall-clock time).</summary>
    public bool Covers(DateTime local)
    {
        var time = TimeOnly.FromDateTime(local);
        // A night window belongs to the day it started on: 02:00 on Saturday is Friday's 22:00–06:00 shift.
        var day = DateOnly.FromDateTime(local);
        if (From is { } from && Until is { } until && from > until && time < until) day = day.AddDays(-1);
        if (FirstDate is { } first && day < first) return false;
        if (LastDate is { } last && day > last) return false;
        if (Days.Count > 0 && !Days.Contains(day.DayOfWeek)) return false;
        return InHours(time);
    }

    bool InHours(TimeOnly time) => (From, Until) switch
    {
        ({ } from, { } until) when from < until => time >= from && time < until,
        ({ } from, { } until) => time >= from || time < until,
        _ => true,
    };

    /// <summary>Whether the schedule can still hold on or after <paramref name="day"/> (a contractor's dates not all past).</summary>
    public bool HoldsOnOrAfter(DateOnly day) => LastDate is not { } last || last >= day;

    public bool Equals(AccessSchedule? other) =>
        other is not null && Days.SetEquals(other.Days) && From == other.From && Until == other.Until && FirstDate == other.FirstDate && LastDate == other.LastDate;

    public override int GetHashCode() => HashCode.Combine(Days.Count, From, Until, FirstDate, LastDate);
}

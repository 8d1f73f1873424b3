using System.Globalization;
using Linli.Domain.Cases;
using Linli.Web.Features.Shared;

namespace Linli.Web.Features.Cases;

/// <summary>
/// How a case reads to a resident: the status in plain words and a colour, the five steps of the progress line, the
/// timeline as sentences, and times as "today 14:30". Every text is an English key the pages pass through the localizer.
/// </summary>
public static class ResidentCaseText
{
    /// <summary>The five steps a resident sees, whatever the workflow does in between.</summary>
    public static readonly IReadOnlyList<string> Steps = ["Reported", "Accepted", "Being fixed", "Handled", "Closed"];

    /// <summary>Where on the progress line a status is (0-based); rejected cases have no place on it.</summary>
    public static int Step(CaseStatus status) => status switch
    {
        CaseStatus.Reported => 0,
        CaseStatus.Accepted or CaseStatus.Dispatched => 1,
        CaseStatus.InProgress => 2,
        CaseStatus.Handled or CaseStatus.Verified => 3,
        CaseStatus.Closed => 4,
        _ => -1,
    };

    /// <summary>The status in words a resident understands.</summary>
    public static string Word(CaseStatus status) => status switch
    {
        CaseStatus.Reported => "Waiting to be accepted",
        CaseStatus.Accepted => "Accepted",
        CaseStatus.Dispatched => "Someone is assigned",
        CaseStatus.InProgress => "Being fixed",
        CaseStatus.Handled => "Handled, please check",
        CaseStatus.Verified => "Confirmed fixed",
        CaseStatus.Closed => "Closed",
        CaseStatus.Rejected => "Not accepted",
        _ => status.ToString(),
    };

    /// <summary>A CSS class per kind of status; the word always goes with the colour.</summary>
    public static string Colour(CaseStatus status) => status switch
    {
        CaseStatus.Reported => "st-waiting",
        CaseStatus.Accepted or CaseStatus.Dispatched or CaseStatus.InProgress => "st-working",
        CaseStatus.Handled or CaseStatus.Verified => "st-done",
        CaseStatus.Closed => "st-closed",
        _ => "st-refused",
    };

    /// <summary>Who works on a case at its level, for people who do not know the hierarchy.</summary>
    public static string Team(HandlingLevel level) => level switch
    {
        HandlingLevel.Property => "The property management company",
        HandlingLevel.Community => "The residents' committee",
        HandlingLevel.Street => "The street office",
        _ => "The district office",
    };

    /// <summary>
    /// A timeline entry as a sentence key with at most one placeholder ({0}); null for entries a resident need not read.
    /// Neighbours who join are not named: the household sees that someone else has the problem, not who.
    /// </summary>
    public static (string Key, string? Arg) Sentence(CaseEventDto e, bool mine)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.Kind switch
        {
            CaseEventKind.Reported => mine ? ("You reported it", null) : ("{0} reported it", e.ActorName),
            CaseEventKind.Accepted => ("{0} accepted it", e.ActorName),
            CaseEventKind.Rejected => ("Not accepted: {0}", e.Note),
            // Entries written before the person sent had a place of their own name nobody rather than show a note.
            CaseEventKind.Dispatched => e.Subject is { } sent ? ("{0} was sent to fix it", sent) : ("Someone was sent to fix it", null),
            CaseEventKind.Grabbed => ("{0} took it on", e.ActorName),
            CaseEventKind.Started => ("{0} started the work", e.ActorName),
            CaseEventKind.Handled => ("Handled: {0}", e.Note),
            CaseEventKind.Verified => ("Confirmed fixed", null),
            CaseEventKind.Closed => ("Closed", null),
            CaseEventKind.Rated => ("Rated {0}", e.Note),
            CaseEventKind.Reopened => ("Reopened: {0}", e.Note),
            CaseEventKind.Transferred => ("Passed to another office", null),
            CaseEventKind.Escalated => ("Passed up to a higher office", null),
            CaseEventKind.Reminded => ("A reminder was sent", null),
            CaseEventKind.JoinedByNeighbour => ("A neighbour has the same problem", null),
            CaseEventKind.Commented => ("{0} wrote: ", e.ActorName),
            CaseEventKind.FollowedUp => ("Follow-up call or visit", null),
            CaseEventKind.ResponseOverdue => ("Not accepted in time", null),
            CaseEventKind.ResolutionOverdue => ("Not fixed in time", null),
            CaseEventKind.PhotoAdded => ("A photo was added", null),
            _ => (e.Kind.ToString(), null),
        };
    }

    /// <summary>"today 14:30", "tomorrow 09:00" or "5 March 14:30" in China time; <paramref name="today"/> and <paramref name="tomorrow"/> are the localized words.</summary>
    public static string When(DateTimeOffset at, TimeProvider time, string today, string tomorrow)
    {
        ArgumentNullException.ThrowIfNull(time);
        var local = Clock.Local(at);
        var day = DateOnly.FromDateTime(local.DateTime);
        var now = time.Today();
        var clock = local.ToString("HH:mm", CultureInfo.InvariantCulture);
        if (day == now) return $"{today} {clock}";
        if (day == now.AddDays(1)) return $"{tomorrow} {clock}";
        var date = local.Year == Clock.Local(time.GetUtcNow()).Year ? local.ToString("M", CultureInfo.CurrentCulture) : local.ToString("d", CultureInfo.CurrentCulture);
        return $"{date} {clock}";
    }

    public static string Stars(int rating) => new string('★', Math.Clamp(rating, 0, 5)) + new string('☆', 5 - Math.Clamp(rating, 0, 5));
}

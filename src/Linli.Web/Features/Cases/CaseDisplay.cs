using Linli.Application.Cases;
using Linli.Application.Common;
using Linli.Domain.Cases;
using Microsoft.Extensions.Localization;

namespace Linli.Web.Features.Cases;

/// <summary>How a deadline reads on a staff page: "overdue 2 h" in red, "due in 35 min" in amber, later ones quietly.</summary>
public sealed record DeadlineText(string Text, string CssClass, DateTimeOffset? DueAt);

/// <summary>Wording shared by the queue, the board, the case page and the supervision page.</summary>
public static class CaseDisplay
{
    /// <summary>A category's name in the page's language (its Chinese one when it has no English).</summary>
    public static string Name(CaseCategoryDto c) => ReaderLanguage.IsEnglish && c.NameEn is { } en ? en : c.Name;

    /// <summary>A category's group in the page's language.</summary>
    public static string Group(CaseCategoryDto c) => ReaderLanguage.IsEnglish && c.GroupEn is { } en ? en : c.Group;

    /// <summary>
    /// A category's hint in the page's language. A category with an English name but no English hint shows none in English
    /// rather than a Chinese one; a category nobody translated is all Chinese.
    /// </summary>
    public static string? Description(CaseCategoryDto c) => ReaderLanguage.IsEnglish && c.NameEn is not null ? c.DescriptionEn : c.Description;

    /// <summary>Under this much time left a deadline turns amber: someone should pick the case up now.</summary>
    public static readonly TimeSpan SoonWindow = TimeSpan.FromHours(1);

    /// <summary>
    /// The deadline that matters now: accepting it while it is reported, finishing it after that. Handled, verified and
    /// finished cases have none.
    /// </summary>
    public static DeadlineText Deadline(IStringLocalizer t, CaseStatus status, bool overdue, DateTimeOffset responseDue, DateTimeOffset resolutionDue,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (!status.IsOpen()) return new DeadlineText("", "due-none", null);
        var due = status == CaseStatus.Reported ? responseDue : resolutionDue;
        if (overdue || due < now)
        {
            // The timer may have flagged a deadline the other clock still shows ahead: name the one that passed.
            var passed = due < now ? due : resolutionDue < now ? resolutionDue : responseDue < now ? responseDue : (DateTimeOffset?)null;
            var text = passed is { } p ? string.Format(t["overdue {0}"], Span(t, now - p, roundUp: false)) : t["overdue"].Value;
            return new DeadlineText(text, "due-overdue", passed ?? due);
        }
        var left = due - now;
        return new DeadlineText(string.Format(t["due in {0}"], Span(t, left, roundUp: true)), left <= SoonWindow ? "due-soon" : "due-later", due);
    }

    /// <summary>
    /// A duration as a person says it: minutes under an hour, hours under two days, then days. Time left rounds up (29.5
    /// minutes left is "30 min"), time overdue rounds down, so neither sounds later or earlier than it is.
    /// </summary>
    public static string Span(IStringLocalizer t, TimeSpan span, bool roundUp)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (span < TimeSpan.Zero) span = -span;
        if (span < TimeSpan.FromHours(1))
            return string.Format(t["{0} min"], Math.Max(1, (int)(roundUp ? Math.Ceiling(span.TotalMinutes) : Math.Floor(span.TotalMinutes))));
        if (span < TimeSpan.FromHours(48)) return string.Format(t["{0} h"], (int)span.TotalHours);
        return string.Format(t["{0} d"], (int)span.TotalDays);
    }

    /// <summary>What the queue's "Open" tab lists: everything not closed or rejected, including work waiting for verification.</summary>
    public static int NotFinished(CaseCountsDto counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        return counts.ByStatus.Where(s => s.Status is not (CaseStatus.Closed or CaseStatus.Rejected)).Sum(s => s.Count);
    }

    /// <summary>A local time for people in China.</summary>
    public static string When(DateTimeOffset utc) =>
        Clock.Local(utc).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    public static string Iso(DateTimeOffset utc) => utc.ToString("O", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The colour class of a status tag.</summary>
    public static string StatusClass(CaseStatus status) => status switch
    {
        CaseStatus.Reported => "st-new",
        CaseStatus.Accepted or CaseStatus.Dispatched or CaseStatus.InProgress => "st-work",
        CaseStatus.Handled or CaseStatus.Verified => "st-done",
        _ => "st-closed",
    };

    /// <summary>The text on an action's button (the enum names are not all good English, and "Close" alone is ambiguous).</summary>
    public static string ActionLabel(CaseAction action) => action switch
    {
        CaseAction.Accept => "Accept",
        CaseAction.Reject => "Reject",
        CaseAction.Dispatch => "Dispatch the case",
        CaseAction.Grab => "Take this case",
        CaseAction.Start => "Start work",
        CaseAction.Handle => "Mark as handled",
        CaseAction.Verify => "Verify the work",
        CaseAction.Close => "Close the case",
        CaseAction.Transfer => "Transfer",
        CaseAction.Escalate => "Send up one level",
        CaseAction.Comment => "Add a note",
        CaseAction.FollowUp => "Record a follow-up",
        CaseAction.AddPhoto => "Add photos",
        _ => action.ToString(),
    };

    /// <summary>The page's order of the staff actions: the next step first, notes last.</summary>
    public static readonly IReadOnlyList<CaseAction> StaffActions =
    [
        CaseAction.Accept, CaseAction.Grab, CaseAction.Dispatch, CaseAction.Start, CaseAction.Handle, CaseAction.Verify, CaseAction.Close,
        CaseAction.FollowUp, CaseAction.AddPhoto, CaseAction.Comment, CaseAction.Reject, CaseAction.Transfer, CaseAction.Escalate,
    ];
}

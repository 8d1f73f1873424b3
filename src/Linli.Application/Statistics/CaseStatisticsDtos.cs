using Linli.Domain.Cases;

namespace Linli.Application.Statistics;

/// <summary>What the case statistics are broken down by.</summary>
public enum CaseGrouping { Category, Team, Grid, Community }

/// <summary>
/// The cases reported from <see cref="From"/> to <see cref="To"/> (China dates, both included) in the caller's area, as
/// they stand now: one row per category, team, grid or community, and the total. <see cref="ResponseTimes"/> and
/// <see cref="ResolutionTimes"/> spread the total's accepted and handled cases over time bands.
/// </summary>
public sealed record CaseStatisticsDto(DateOnly From, DateOnly To, CaseGrouping GroupBy, CaseStatsRow Total, IReadOnlyList<CaseStatsRow> Rows,
    IReadOnlyList<TimeBand> ResponseTimes, IReadOnlyList<TimeBand> ResolutionTimes);

/// <summary>Cases that took more than <see cref="FromMinutes"/> and at most <see cref="ToMinutes"/> (null: no upper limit).</summary>
public sealed record TimeBand(int FromMinutes, int? ToMinutes, int Count);

/// <summary>
/// One group's numbers. A case counts once, in the group it is in now (for teams: the team that has it or last had it).
/// <list type="bullet">
/// <item>Open: not yet handled (reported, accepted, dispatched or in progress). Handled: handled at least once, whether
/// since verified or closed. Closed and Rejected: the final states.</item>
/// <item>Response: of the cases accepted or already past their response deadline, those accepted without a breach.
/// Resolution likewise: handled without the resolution deadline ever being breached.</item>
/// <item>Averages: from report to first acceptance and from report to handled, in minutes.</item>
/// <item>Satisfaction: of the rated cases, 4–5 stars (satisfied), 3 (neutral), 1–2 (dissatisfied).</item>
/// </list>
/// Rates are shares from 0 to 1; null when nothing is measured yet.
/// </summary>
public sealed record CaseStatsRow(string Key, int? Id, string Name, string? Context, HandlingLevel? Level,
    int Reported, int Open, int Handled, int Closed, int Rejected, int Escalated,
    int ResponseMeasured, int RespondedOnTime, double? ResponseOnTimeRate,
    int ResolutionMeasured, int ResolvedOnTime, double? ResolutionOnTimeRate,
    double? AverageResponseMinutes, double? AverageResolutionMinutes,
    int Rated, double? AverageRating, int Satisfied, int Neutral, int Dissatisfied, double? SatisfiedRate);

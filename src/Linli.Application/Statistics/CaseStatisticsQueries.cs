using System.Linq.Expressions;
using Linli.Domain.Cases;
using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Domain.Registry;
using Linli.Application.Common;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Statistics;

/// <summary>
/// SLA compliance, handling times and satisfaction of the cases reported in a period. Each answer is one grouped query
/// over the period's index range in the caller's scope: the DbContext filter scopes it, and the caller's own scope key,
/// repeated as an equality, lets the database seek the (scope, reported at) index. Counts and sums come back per group
/// and are divided here, so groups fold into teams and the total exactly. Read through <see cref="ILinliReadDb"/> (the
/// replica while it is healthy): a case changed a moment ago may count as it was.
/// </summary>
public sealed class CaseStatisticsQueries(ILinliReadDb db, TimeProvider time)
{
    public const int DefaultDays = 30;
    /// <summary>A longer period is a report for the database's replica, not a page.</summary>
    public const int MaxDays = 3 * 366;

    /// <summary>Upper limits of the time bands, in minutes: 15 min, 1 h, 4 h, 1 day; and 4 h, 1 day, 3 days, 7 days.</summary>
    public static readonly IReadOnlyList<int> ResponseBands = [15, 60, 240, 1440];
    public static readonly IReadOnlyList<int> ResolutionBands = [240, 1440, 3 * 1440, 7 * 1440];

    /// <summary>Reads <c>groupBy</c>; empty means by category.</summary>
    public static CaseGrouping ParseGrouping(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "category" => CaseGrouping.Category,
        "team" => CaseGrouping.Team,
        "grid" => CaseGrouping.Grid,
        "community" => CaseGrouping.Community,
        _ => throw new DomainException("Group by category, team, grid or community.", "groupBy"),
    };

    /// <summary>The period asked for, checked: by default the last 30 days up to today (China time).</summary>
    public (DateOnly From, DateOnly To) Period(DateOnly? from, DateOnly? to)
    {
        var last = to ?? time.Today();
        var first = from ?? last.AddDays(-(DefaultDays - 1));
        if (first > last) throw new DomainException("The start date is after the end date.", "from");
        if (last.DayNumber - first.DayNumber >= MaxDays) throw new DomainException($"At most {MaxDays} days at a time.", "from");
        return (first, last);
    }

    public async Task<CaseStatisticsDto> SummarizeAsync(CaseGrouping groupBy, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        var (first, last) = Period(from, to);
        var (start, end) = (StartOf(first), StartOf(last.AddDays(1)));
        var cases = ScopeHint(db.Cases.AsNoTracking(), db.Scope).Where(c => c.ReportedAt >= start && c.ReportedAt < end);

        var rows = groupBy switch
        {
            CaseGrouping.Category => await ByCategoryAsync(cases, ct),
            CaseGrouping.Grid => await ByGridAsync(cases, ct),
            CaseGrouping.Community => await ByCommunityAsync(cases, ct),
            _ => await ByTeamAsync(cases, ct),
        };
        var total = new Tally();
        foreach (var (_, tally) in rows) total.Add(tally);
        return new CaseStatisticsDto(first, last, groupBy, Row(new RowName("total", null, "All cases", null, null), total),
            rows.Select(r => Row(r.Name, r.Tally)).ToList(),
            Bands(ResponseBands, total.Accepted, total.AcceptedWithin), Bands(ResolutionBands, total.Handled, total.HandledWithin));
    }

    async Task<List<(RowName Name, Tally Tally)>> ByCategoryAsync(IQueryable<Case> cases, CancellationToken ct)
    {
        var sums = (await Sums(cases, c => c.CategoryId).ToListAsync(ct)).ToDictionary(g => g.Key, g => g.Tally);
        var categories = await db.CaseCategories.AsNoTracking().OrderBy(c => c.Group).ThenBy(c => c.Id)
            .Select(c => new { c.Id, c.Name, c.Group, c.Active }).ToListAsync(ct);
        // Every category in use is listed, with zeros too: a category nobody reported is worth seeing.
        return categories.Where(c => c.Active || sums.ContainsKey(c.Id))
            .Select(c => (new RowName($"category:{c.Id}", c.Id, c.Name, c.Group, null), sums.GetValueOrDefault(c.Id) ?? new Tally()))
            .ToList();
    }

    async Task<List<(RowName Name, Tally Tally)>> ByGridAsync(IQueryable<Case> cases, CancellationToken ct)
    {
        var sums = (await Sums(cases, c => new { c.CommunityId, c.GridId }).ToListAsync(ct)).ToDictionary(g => g.Key.GridId, g => g.Tally);
        var grids = await db.Nodes.AsNoTracking().Where(n => n.Kind == NodeKind.Grid).OrderBy(n => n.Code)
            .Select(n => new { n.Id, n.Name, n.CommunityId }).ToListAsync(ct);
        var communities = await NodeNamesAsync(grids.Select(g => g.CommunityId), ct);
        return grids.Select(g => (new RowName($"grid:{g.Id}", g.Id, g.Name, communities.GetValueOrDefault(g.CommunityId), null),
            sums.GetValueOrDefault(g.Id) ?? new Tally())).ToList();
    }

    async Task<List<(RowName Name, Tally Tally)>> ByCommunityAsync(IQueryable<Case> cases, CancellationToken ct)
    {
        var sums = (await Sums(cases, c => c.CommunityId).ToListAsync(ct)).ToDictionary(g => g.Key, g => g.Tally);
        var communities = await db.Nodes.AsNoTracking().Where(n => n.Kind == NodeKind.Community).OrderBy(n => n.Code)
            .Select(n => new { n.Id, n.Name, n.StreetId }).ToListAsync(ct);
        var streets = await NodeNamesAsync(communities.Select(c => c.StreetId), ct);
        return communities.Select(c => (new RowName($"community:{c.Id}", c.Id, c.Name, streets.GetValueOrDefault(c.StreetId), null),
            sums.GetValueOrDefault(c.Id) ?? new Tally())).ToList();
    }

    /// <summary>
    /// The team is the level and its node: the property company at the property level (a case keeps its company when it
    /// climbs, so the company is only the team below the community), the community, street or district above.
    /// </summary>
    async Task<List<(RowName Name, Tally Tally)>> ByTeamAsync(IQueryable<Case> cases, CancellationToken ct)
    {
        var sums = await Sums(cases, c => new { c.Level, c.OrganizationId, c.CommunityId, c.StreetId, c.DistrictId }).ToListAsync(ct);
        var teams = new Dictionary<(HandlingLevel Level, int Id), (int CommunityId, Tally Tally)>();
        foreach (var g in sums)
        {
            var k = g.Key;
            var id = k.Level switch
            {
                HandlingLevel.Property => k.OrganizationId ?? 0,
                HandlingLevel.Community => k.CommunityId,
                HandlingLevel.Street => k.StreetId,
                _ => k.DistrictId,
            };
            if (!teams.TryGetValue((k.Level, id), out var team)) teams[(k.Level, id)] = team = (k.CommunityId, new Tally());
            team.Tally.Add(g.Tally);
        }
        var nodes = await NodeNamesAsync(teams.Keys.Where(t => t.Level != HandlingLevel.Property).Select(t => t.Id)
            .Concat(teams.Values.Select(t => t.CommunityId)), ct);
        var companyIds = teams.Keys.Where(t => t.Level == HandlingLevel.Property).Select(t => t.Id).ToList();
        // Names only, like the node names: the cases themselves were read through the caller's scope.
        var companies = await db.UnscopedOrganizations().AsNoTracking().Where(o => companyIds.Contains(o.Id))
            .ToDictionaryAsync(o => o.Id, o => o.Name, ct);
        return teams.OrderBy(t => t.Key.Level).ThenBy(t => t.Value.CommunityId).ThenBy(t => t.Key.Id).Select(t =>
        {
            var (level, id) = t.Key;
            var name = level == HandlingLevel.Property ? companies.GetValueOrDefault(id, "") : nodes.GetValueOrDefault(id, "");
            var context = level == HandlingLevel.Property ? nodes.GetValueOrDefault(t.Value.CommunityId) : null;
            return (new RowName($"{level.ToString().ToLowerInvariant()}:{id}", id, name, context, (HandlingLevel?)level), t.Value.Tally);
        }).ToList();
    }

    /// <summary>Names of hierarchy nodes for labels. A grid worker cannot read the community node; its name tells nothing about anyone.</summary>
    async Task<Dictionary<int, string>> NodeNamesAsync(IEnumerable<int> ids, CancellationToken ct)
    {
        var list = ids.Distinct().ToList();
        return await db.UnscopedNodes().AsNoTracking().Where(n => list.Contains(n.Id)).ToDictionaryAsync(n => n.Id, n => n.Name, ct);
    }

    /// <summary>The one aggregate query: counts and sums per group, in SQL. The time limits are those of <see cref="ResponseBands"/> and <see cref="ResolutionBands"/>.</summary>
    static IQueryable<Group<TKey>> Sums<TKey>(IQueryable<Case> cases, Expression<Func<Case, TKey>> key) =>
        cases.GroupBy(key).Select(g => new Group<TKey>(g.Key, new Tally
        {
            Reported = g.Count(),
            Open = g.Count(c => c.Status == CaseStatus.Reported || c.Status == CaseStatus.Accepted || c.Status == CaseStatus.Dispatched || c.Status == CaseStatus.InProgress),
            Handled = g.Count(c => c.HandledAt != null),
            Closed = g.Count(c => c.Status == CaseStatus.Closed),
            Rejected = g.Count(c => c.Status == CaseStatus.Rejected),
            Escalated = g.Count(c => c.EscalationCount > 0),
            Accepted = g.Count(c => c.AcceptedAt != null),
            ResponseMeasured = g.Count(c => c.AcceptedAt != null || c.ResponseBreached),
            RespondedOnTime = g.Count(c => c.AcceptedAt != null && !c.ResponseBreached),
            ResolutionMeasured = g.Count(c => c.HandledAt != null || c.ResolutionBreached),
            ResolvedOnTime = g.Count(c => c.HandledAt != null && !c.ResolutionBreached),
            ResponseMinutes = g.Sum(c => SqlFunctions.MinutesBetween(c.ReportedAt, c.AcceptedAt)) ?? 0,
            ResolutionMinutes = g.Sum(c => SqlFunctions.MinutesBetween(c.ReportedAt, c.HandledAt)) ?? 0,
            Rated = g.Count(c => c.Rating != null),
            Stars = g.Sum(c => c.Rating) ?? 0,
            Satisfied = g.Count(c => c.Rating >= 4),
            Neutral = g.Count(c => c.Rating == 3),
            Accepted15Minutes = g.Count(c => SqlFunctions.MinutesBetween(c.ReportedAt, c.AcceptedAt) <= 15),
            Accepted1Hour = g.Count(c => SqlFunctions.MinutesBetween(c.ReportedAt, c.AcceptedAt) <= 60),
            Accepted4Hours = g.Count(c => SqlFunctions.MinutesBetween(c.ReportedAt, c.AcceptedAt) <= 240),
            Accepted1Day = g.Count(c => SqlFunctions.MinutesBetween(c.ReportedAt, c.AcceptedAt) <= 1440),
            Handled4Hours = g.Count(c => SqlFunctions.MinutesBetween(c.ReportedAt, c.HandledAt) <= 240),
            Handled1Day = g.Count(c => SqlFunctions.MinutesBetween(c.ReportedAt, c.HandledAt) <= 1440),
            Handled3Days = g.Count(c => SqlFunctions.MinutesBetween(c.ReportedAt, c.HandledAt) <= 3 * 1440),
            Handled7Days = g.Count(c => SqlFunctions.MinutesBetween(c.ReportedAt, c.HandledAt) <= 7 * 1440),
        }));

    static CaseStatsRow Row(RowName n, Tally t) => new(n.Key, n.Id, n.Name, n.Context, n.Level,
        t.Reported, t.Open, t.Handled, t.Closed, t.Rejected, t.Escalated,
        t.ResponseMeasured, t.RespondedOnTime, Rate(t.RespondedOnTime, t.ResponseMeasured),
        t.ResolutionMeasured, t.ResolvedOnTime, Rate(t.ResolvedOnTime, t.ResolutionMeasured),
        Average(t.ResponseMinutes, t.Accepted, 1), Average(t.ResolutionMinutes, t.Handled, 1),
        t.Rated, Average(t.Stars, t.Rated, 2), t.Satisfied, t.Neutral, t.Rated - t.Satisfied - t.Neutral, Rate(t.Satisfied, t.Rated));

    static double? Rate(int part, int whole) => whole == 0 ? null : Math.Round((double)part / whole, 4);

    static double? Average(double sum, int count, int digits) => count == 0 ? null : Math.Round(sum / count, digits);

    /// <summary>Cumulative counts ("within 1 h") turned into bands ("15 min – 1 h"), the last band open-ended.</summary>
    static List<TimeBand> Bands(IReadOnlyList<int> limits, int all, IReadOnlyList<int> within)
    {
        var bands = new List<TimeBand>();
        var (lower, below) = (0, 0);
        for (var i = 0; i < limits.Count; i++)
        {
            bands.Add(new TimeBand(lower, limits[i], within[i] - below));
            (lower, below) = (limits[i], within[i]);
        }
        bands.Add(new TimeBand(lower, null, all - below));
        return bands;
    }

    /// <summary>The caller's scope key as a plain equality too, so the database seeks the (scope, reported at) index (see ADR 0001).</summary>
    static IQueryable<Case> ScopeHint(IQueryable<Case> q, Scope scope) => scope.Level switch
    {
        ScopeLevel.Grid when scope.CommunityId != 0 => q.Where(c => c.CommunityId == scope.CommunityId && c.GridId == scope.Id),
        ScopeLevel.Grid => q.Where(c => c.GridId == scope.Id),
        ScopeLevel.Community => q.Where(c => c.CommunityId == scope.Id),
        ScopeLevel.Street => q.Where(c => c.StreetId == scope.Id),
        ScopeLevel.District => q.Where(c => c.DistrictId == scope.Id),
        _ => q,
    };

    /// <summary>Midnight starting <paramref name="day"/> in China, as an instant.</summary>
    static DateTimeOffset StartOf(DateOnly day)
    {
        var midnight = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(midnight, Clock.China.GetUtcOffset(midnight)).ToUniversalTime();
    }

    sealed record RowName(string Key, int? Id, string Name, string? Context, HandlingLevel? Level);

    sealed record Group<TKey>(TKey Key, Tally Tally);

    /// <summary>Counts and sums of one group, as the database returns them; groups add up.</summary>
    sealed class Tally
    {
        public int Reported { get; set; }
        public int Open { get; set; }
        public int Handled { get; set; }
        public int Closed { get; set; }
        public int Rejected { get; set; }
        public int Escalated { get; set; }
        public int Accepted { get; set; }
        public int ResponseMeasured { get; set; }
        public int RespondedOnTime { get; set; }
        public int ResolutionMeasured { get; set; }
        public int ResolvedOnTime { get; set; }
        public double ResponseMinutes { get; set; }
        public double ResolutionMinutes { get; set; }
        public int Rated { get; set; }
        public int Stars { get; set; }
        public int Satisfied { get; set; }
        public int Neutral { get; set; }
        public int Accepted15Minutes { get; set; }
        public int Accepted1Hour { get; set; }
        public int Accepted4Hours { get; set; }
        public int Accepted1Day { get; set; }
        public int Handled4Hours { get; set; }
        public int Handled1Day { get; set; }
        public int Handled3Days { get; set; }
        public int Handled7Days { get; set; }

        public int[] AcceptedWithin => [Accepted15Minutes, Accepted1Hour, Accepted4Hours, Accepted1Day];
        public int[] HandledWithin => [Handled4Hours, Handled1Day, Handled3Days, Handled7Days];

        public void Add(Tally o)
        {
            Reported += o.Reported; Open += o.Open; Handled += o.Handled; Closed += o.Closed; Rejected += o.Rejected; Escalated += o.Escalated;
            Accepted += o.Accepted; ResponseMeasured += o.ResponseMeasured; RespondedOnTime += o.RespondedOnTime;
            ResolutionMeasured += o.ResolutionMeasured; ResolvedOnTime += o.ResolvedOnTime;
            ResponseMinutes += o.ResponseMinutes; ResolutionMinutes += o.ResolutionMinutes;
            Rated += o.Rated; Stars += o.Stars; Satisfied += o.Satisfied; Neutral += o.Neutral;
            Accepted15Minutes += o.Accepted15Minutes; Accepted1Hour += o.Accepted1Hour; Accepted4Hours += o.Accepted4Hours; Accepted1Day += o.Accepted1Day;
            Handled4Hours += o.Handled4Hours; Handled1Day += o.Handled1Day; Handled3Days += o.Handled3Days; Handled7Days += o.Handled7Days;
        }
    }
}

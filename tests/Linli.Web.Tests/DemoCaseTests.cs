using Linli.Domain.Cases;
using Linli.Infrastructure.Persistence;
using Linli.Infrastructure.Seeding;
using Linli.Web.Features.Cases;
using Linli.Web.Features.Shared;
using Linli.Web.Features.Statistics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Linli.Web.Tests;

/// <summary>The demo's case history: two months of cases played through the workflow, the same for the same moment.</summary>
public sealed class DemoCaseTests
{
    static readonly TimeZoneInfo China = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    [Fact]
    public async Task The_demo_has_two_months_of_cases_mostly_closed_and_well_rated_with_a_few_overdue()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var district = await app.ClientAsAsync("district");
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(app.Clock.GetUtcNow(), China).DateTime);
        var stats = await district.GetOkAsync<CaseStatisticsDto>(
            $"/api/v1/statistics/cases?groupBy=community&from={today.AddDays(-61):yyyy-MM-dd}&to={today:yyyy-MM-dd}");
        var total = stats.Total;
        Assert.InRange(total.Reported, 400, 650);
        Assert.All(stats.Rows, r => Assert.InRange(r.Reported, 150, 400));
        Assert.InRange(total.Closed, total.Reported * 7 / 10, total.Reported);
        Assert.InRange(total.Rejected, 1, total.Reported / 10);
        Assert.InRange(total.Open, 5, total.Reported / 5);
        Assert.InRange(total.AverageRating ?? 0, 3.8, 4.8);
        Assert.InRange(total.Rated, total.Reported / 2, total.Reported);
        Assert.InRange(total.ResolutionOnTimeRate ?? 0, 0.6, 0.98);
        Assert.InRange(total.Escalated, 5, total.Reported / 4);

        // The live queue: a handful overdue (stuck cases that climbed to the district), more still within their deadlines.
        var counts = await district.GetOkAsync<CaseCountsDto>("/api/v1/cases/counts?myTeam=false");
        Assert.InRange(counts.Overdue, 1, 10);
        Assert.True(counts.Open > counts.Overdue, $"{counts.Open} open, {counts.Overdue} overdue");

        // Timelines are real: a closed demo case was reported, accepted, handled and closed by the demo staff.
        var closed = await district.GetOkAsync<Page<CaseListItemDto>>("/api/v1/cases?status=Closed&myTeam=false&pageSize=5");
        var detail = await district.GetOkAsync<CaseDetailDto>($"/api/v1/cases/{closed.Items[0].Id}");
        var kinds = detail.Timeline.Select(e => e.Kind).ToList();
        Assert.Equal(CaseEventKind.Reported, kinds[0]);
        Assert.Contains(CaseEventKind.Accepted, kinds);
        Assert.Contains(CaseEventKind.Handled, kinds);
        Assert.Equal(CaseEventKind.Closed, kinds[^1]);
        Assert.DoesNotContain(detail.Timeline, e => e.At > app.Clock.GetUtcNow());

        // The demo residents have a history of their own.
        var resident1 = await app.ClientAsAsync("resident1");
        var mine = await resident1.GetOkAsync<Page<CaseListItemDto>>("/api/v1/cases?status=all");
        Assert.InRange(mine.Total, 1, 5);
        Assert.All(mine.Items, c => Assert.Equal(CaseStatus.Closed, c.Status));
    }

    [Fact]
    public async Task The_history_is_the_same_for_the_same_moment_and_plays_through_at_any_hour_leaving_only_future_timers()
    {
        await using var app = await LinliAppFactory.StartAsync();
        await using var scope = app.Factory.Services.GetRequiredService<IServiceScopeFactory>().CreateSystemScope("test: seed the demo history at chosen moments");
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        // Moments after the app's own clock, so its timer service leaves these cases alone.
        var midnight = new DateTimeOffset(app.Clock.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero).AddDays(30);
        var snapshots = new List<IReadOnlyList<string>>();
        foreach (var hours in new[] { 3.5, 3.5, 9.25, 14.75, 21, 24 * 4 + 1 })
        {
            await ClearAsync(db);
            var now = midnight.AddHours(hours);
            var seeded = await new CaseSeeder(db, new FixedTime(now), NullLogger<CaseSeeder>.Instance).SeedAsync(SeedProfile.Demo.Seed);
            Assert.Equal(0, seeded.LeftOut);
            Assert.InRange(seeded.Written, 400, 650);
            snapshots.Add(await SnapshotAsync(db));

            Assert.Equal(0, await db.CaseTimers.CountAsync(t => t.DueAt <= now));
            Assert.DoesNotContain(await db.CaseEvents.IgnoreQueryFilters().Select(e => e.At).ToListAsync(), at => at > now);
            // Every case still being worked on below the district can still escalate: its deadline has a timer.
            var open = await db.Cases.IgnoreQueryFilters()
                .Where(c => c.Level != HandlingLevel.District && (c.Status == CaseStatus.Reported || c.Status == CaseStatus.Accepted
                    || c.Status == CaseStatus.Dispatched || c.Status == CaseStatus.InProgress))
                .Select(c => new { c.Id, c.SlaRound }).ToListAsync();
            Assert.NotEmpty(open);
            var timers = await db.CaseTimers.Where(t => t.Kind == SlaKind.Resolution).Select(t => new { t.CaseId, t.Round }).ToListAsync();
            Assert.All(open, c => Assert.Contains(timers, t => t.CaseId == c.Id && t.Round == c.SlaRound));
        }
        Assert.Equal(snapshots[0], snapshots[1]);
        Assert.NotEqual(snapshots[0], snapshots[2]);
    }

    static async Task ClearAsync(LinliDbContext db)
    {
        await db.CaseEvents.IgnoreQueryFilters().ExecuteDeleteAsync();
        await db.CaseTimers.ExecuteDeleteAsync();
        await db.CaseFollowers.ExecuteDeleteAsync();
        await db.CaseAttachments.IgnoreQueryFilters().ExecuteDeleteAsync();
        await db.Cases.IgnoreQueryFilters().ExecuteDeleteAsync();
    }

    static async Task<IReadOnlyList<string>> SnapshotAsync(LinliDbContext db)
    {
        var events = await db.CaseEvents.IgnoreQueryFilters().GroupBy(e => e.CaseId).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Key, x => x.Count);
        var cases = await db.Cases.IgnoreQueryFilters().OrderBy(c => c.Id)
            .Select(c => new { c.Id, c.Title, c.Status, c.Level, c.ReportedAt, c.HandledAt, c.Rating, c.ReporterName, c.GridId }).ToListAsync();
        return cases.Select(c => $"{c.Title}|{c.Status}|{c.Level}|{c.ReportedAt.UtcTicks}|{c.HandledAt?.UtcTicks}|{c.Rating}|{c.ReporterName}|{c.GridId}|{events.GetValueOrDefault(c.Id)}").ToList();
    }

    /// <summary>A clock that stands still.</summary>
    sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

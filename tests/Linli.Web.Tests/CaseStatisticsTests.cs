using System.Net;
using Linli.Domain.Cases;
using Linli.Domain.Registry;
using Linli.Infrastructure.Seeding;
using Linli.Web.Features.Cases;
using Linli.Web.Features.Registry;
using Linli.Web.Features.Shared;
using Linli.Web.Features.Statistics;

namespace Linli.Web.Tests;

/// <summary>Case statistics agree with the cases behind them, stay inside the caller's area and refuse bad input by name.</summary>
public sealed class CaseStatisticsTests
{
    static readonly TimeZoneInfo China = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    [Fact]
    public async Task Every_grouping_adds_up_to_the_cases_reported_in_the_period()
    {
        await using var app = await LinliAppFactory.StartAsync();
        // Far past the demo history, so the period holds only the cases reported here.
        app.Clock.Advance(TimeSpan.FromDays(400));
        var journey = await Journey.RunAsync(app);

        var district = await SignInAsync(app, "district");
        var cases = new List<CaseDetailDto>();
        foreach (var id in journey.CaseIds) cases.Add(await district.GetOkAsync<CaseDetailDto>($"/api/v1/cases/{id}"));
        var period = $"from={journey.FirstDay:yyyy-MM-dd}&to={ChinaDay(app.Clock.GetUtcNow()):yyyy-MM-dd}";

        // The journey reached what it set out to: on time and late, rejected, escalated, rated and not, still open.
        Assert.Contains(cases, c => c.Status == CaseStatus.Rejected);
        Assert.Contains(cases, c => c.ResponseBreached && c.AcceptedAt is not null);
        Assert.Contains(cases, c => c.ResolutionBreached && c.HandledAt is not null);
        Assert.Contains(cases, c => c.HandledAt is not null && !c.ResolutionBreached);
        Assert.Contains(cases, c => c.Status is CaseStatus.Reported or CaseStatus.Accepted);
        Assert.Contains(cases, c => c.Level == HandlingLevel.Street);
        Assert.Equal([3, 4, 5], cases.Where(c => c.Rating is not null).Select(c => c.Rating!.Value).Order());

        var organizations = (await district.AllPagesAsync<OrganizationDto>("/api/v1/organizations")).ToDictionary(o => o.Id);
        foreach (var grouping in Enum.GetValues<CaseGrouping>())
        {
            var stats = await district.GetOkAsync<CaseStatisticsDto>($"/api/v1/statistics/cases?groupBy={grouping}&{period}");
            Assert.Equal(grouping, stats.GroupBy);
            Assert.Equal(journey.FirstDay, stats.From);
            AssertRow(Expected(cases), stats.Total, "total");
            var groups = cases.GroupBy(c => grouping switch
            {
                CaseGrouping.Category => $"category:{c.CategoryId}",
                CaseGrouping.Grid => $"grid:{c.GridId}",
                CaseGrouping.Community => $"community:{c.CommunityId}",
                _ => $"{c.Level}:{(c.Level is HandlingLevel.Property or HandlingLevel.Community ? c.CommunityId : 0)}",
            });
            string KeyOf(CaseStatsRow r) => grouping != CaseGrouping.Team ? r.Key
                : $"{r.Level}:{r.Level switch { HandlingLevel.Property => organizations[r.Id!.Value].CommunityId, HandlingLevel.Community => r.Id, _ => 0 }}";
            var rows = stats.Rows.Where(r => r.Reported > 0).ToDictionary(KeyOf);
            Assert.Equal(groups.Select(g => g.Key).Order(), rows.Keys.Order());
            foreach (var g in groups) AssertRow(Expected(g.ToList()), rows[g.Key], $"{grouping} {g.Key}");
            Assert.Equal(cases.Count, stats.Rows.Sum(r => r.Reported));
        }

        // The time bands hold every accepted and every handled case once.
        var byCategory = await district.GetOkAsync<CaseStatisticsDto>($"/api/v1/statistics/cases?{period}");
        Assert.Equal(cases.Count(c => c.AcceptedAt is not null), byCategory.ResponseTimes.Sum(b => b.Count));
        Assert.Equal(cases.Count(c => c.HandledAt is not null), byCategory.ResolutionTimes.Sum(b => b.Count));
        var lateHandled = cases.Count(c => c.HandledAt is { } h && h - c.ReportedAt > TimeSpan.FromDays(1));
        Assert.Equal(lateHandled, byCategory.ResolutionTimes.Where(b => b.FromMinutes >= 1440).Sum(b => b.Count));

        // A period that ends before the journey began holds none of it.
        var before = await district.GetOkAsync<CaseStatisticsDto>(
            $"/api/v1/statistics/cases?from={journey.FirstDay.AddDays(-3):yyyy-MM-dd}&to={journey.FirstDay.AddDays(-1):yyyy-MM-dd}");
        Assert.Equal(0, before.Total.Reported);
    }

    [Fact]
    public async Task A_community_admin_counts_only_their_community_and_the_street_counts_both()
    {
        await using var app = await LinliAppFactory.StartAsync();
        app.Clock.Advance(TimeSpan.FromDays(400));
        var places = await DemoPlaces.LoadAsync(app);
        var today = ChinaDay(app.Clock.GetUtcNow());
        var resident1 = await app.ClientAsAsync("resident1");
        var resident2 = await app.ClientAsAsync("resident2");
        var plumbing = await CaseFlowTests.CategoryAsync(resident1, "plumbing");
        foreach (var (client, title) in new[] { (resident1, "厨房水管漏水"), (resident1, "卫生间漏水"), (resident2, "阳台水管漏水") })
            await (await client.PostJsonAsync("/api/v1/cases", new { categoryId = plumbing.Id, title })).OkAsync<CaseDetailDto>();
        var period = $"from={today:yyyy-MM-dd}&to={today:yyyy-MM-dd}";

        var admin2 = await app.ClientAsAsync("admin2");
        var mine = await admin2.GetOkAsync<CaseStatisticsDto>($"/api/v1/statistics/cases?groupBy=community&{period}");
        Assert.Equal(1, mine.Total.Reported);
        Assert.DoesNotContain(mine.Rows, r => r.Id == places.C1.Id);
        Assert.Equal(1, Assert.Single(mine.Rows, r => r.Id == places.C2.Id).Reported);
        var grids = await admin2.GetOkAsync<CaseStatisticsDto>($"/api/v1/statistics/cases?groupBy=grid&{period}");
        Assert.All(grids.Rows, r => Assert.Contains(r.Id!.Value, places.C2.GridIds));
        var teams = await admin2.GetOkAsync<CaseStatisticsDto>($"/api/v1/statistics/cases?groupBy=team&{period}");
        Assert.Equal(1, Assert.Single(teams.Rows).Reported);

        var admin1 = await app.ClientAsAsync("admin1");
        Assert.Equal(2, (await admin1.GetOkAsync<CaseStatisticsDto>($"/api/v1/statistics/cases?{period}")).Total.Reported);
        var street = await app.ClientAsAsync("street");
        var both = await street.GetOkAsync<CaseStatisticsDto>($"/api/v1/statistics/cases?groupBy=community&{period}");
        Assert.Equal(3, both.Total.Reported);
        Assert.Equal([places.C1.Id, places.C2.Id], both.Rows.Select(r => r.Id!.Value).Order());

        // A grid worker counts their grid; staff without the statistics permission are refused.
        var grid1 = await app.ClientAsAsync("grid1");
        var own = await grid1.GetOkAsync<CaseStatisticsDto>($"/api/v1/statistics/cases?groupBy=grid&{period}");
        Assert.Equal(places.C1.GridIds[0], Assert.Single(own.Rows).Id);
        var property1 = await app.ClientAsAsync("property1");
        Assert.Equal(HttpStatusCode.Forbidden, await property1.GetAsync("/api/v1/statistics/cases").StatusOfAsync());
        Assert.Equal(HttpStatusCode.Forbidden, await resident1.GetAsync("/api/v1/statistics/cases").StatusOfAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, await app.Anonymous().GetAsync("/api/v1/statistics/cases").StatusOfAsync());
    }

    [Theory]
    [InlineData("groupBy=street", "groupBy")]
    [InlineData("groupBy=1", "groupBy")]
    [InlineData("from=2026-03-10&to=2026-03-01", "from")]
    [InlineData("from=2020-01-01&to=2026-01-01", "from")]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=2026-02-30", "to")]
    public async Task Bad_input_is_a_400_naming_the_field(string query, string field)
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin = await app.ClientAsAsync("admin1");
        using var response = await admin.GetAsync($"/api/v1/statistics/cases?{query}");
        await response.ExpectFieldErrorAsync(field);
    }

    [Fact]
    public async Task The_default_period_is_the_last_30_days_in_china()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin = await app.ClientAsAsync("admin1");
        var stats = await admin.GetOkAsync<CaseStatisticsDto>("/api/v1/statistics/cases");
        var today = ChinaDay(app.Clock.GetUtcNow());
        Assert.Equal(today, stats.To);
        Assert.Equal(today.AddDays(-29), stats.From);
        Assert.Equal(CaseGrouping.Category, stats.GroupBy);
    }

    [Fact]
    public async Task The_case_statistics_page_draws_the_figures_and_lists_them_in_a_table()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var stats = await (await app.ClientAsAsync("admin1")).GetOkAsync<CaseStatisticsDto>("/api/v1/statistics/cases?groupBy=grid");
        Assert.True(stats.Total.Reported > 0, "the demo has cases in the last 30 days");
        var browser = await StatisticsTests.SignInWithFormAsync(app, "admin1");

        var response = await browser.GetAsync("/statistics/cases?groupBy=grid");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<svg class=\"chart\"", html, StringComparison.Ordinal);
        Assert.Contains("<table", html, StringComparison.Ordinal);
        Assert.Contains($"<td class=\"num\">{stats.Total.Reported.ToString("N0", System.Globalization.CultureInfo.GetCultureInfo("zh-CN"))}</td>", html, StringComparison.Ordinal);
        Assert.All(stats.Rows, row => Assert.Contains(row.Name, html, StringComparison.Ordinal));
        Assert.Contains("<option value=\"grid\" selected", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/statistics/cases\"", await browser.GetStringAsync("/statistics"), StringComparison.Ordinal);

        // A hand-edited address is explained on the page, with the default view under it.
        foreach (var query in new[] { "from=2026-03-10&to=2026-03-01", "groupBy=street" })
        {
            var bad = await browser.GetAsync($"/statistics/cases?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var page = await bad.Content.ReadAsStringAsync();
            Assert.Contains("role=\"alert\"", page, StringComparison.Ordinal);
            Assert.Contains("<table", page, StringComparison.Ordinal);
        }
    }

    /// <summary>A client with a new bearer token (the app factory keeps the first token of each user, which a moved clock expires).</summary>
    static async Task<HttpClient> SignInAsync(TestApp app, string user)
    {
        var client = app.Anonymous();
        var token = await (await client.PostJsonAsync("/api/v1/auth/token", new { userName = user, password = RegistrySeeder.DemoPassword })).OkAsync<Api.Token>();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.AccessToken);
        return client;
    }

    static DateOnly ChinaDay(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, China).DateTime);

    /// <summary>What the statistics should say about <paramref name="cases"/>, worked out from the cases themselves.</summary>
    static CaseStatsRow Expected(IReadOnlyList<CaseDetailDto> cases)
    {
        var accepted = cases.Where(c => c.AcceptedAt is not null).ToList();
        var handled = cases.Where(c => c.HandledAt is not null).ToList();
        var rated = cases.Where(c => c.Rating is not null).ToList();
        var responseMeasured = cases.Count(c => c.AcceptedAt is not null || c.ResponseBreached);
        var resolutionMeasured = cases.Count(c => c.HandledAt is not null || c.ResolutionBreached);
        var onTimeResponse = accepted.Count(c => !c.ResponseBreached);
        var onTimeResolution = handled.Count(c => !c.ResolutionBreached);
        double? Share(int part, int whole) => whole == 0 ? null : (double)part / whole;
        return new CaseStatsRow("", null, "", null, null,
            cases.Count,
            cases.Count(c => c.Status is CaseStatus.Reported or CaseStatus.Accepted or CaseStatus.Dispatched or CaseStatus.InProgress),
            handled.Count, cases.Count(c => c.Status == CaseStatus.Closed), cases.Count(c => c.Status == CaseStatus.Rejected),
            cases.Count(c => c.EscalationCount > 0),
            responseMeasured, onTimeResponse, Share(onTimeResponse, responseMeasured),
            resolutionMeasured, onTimeResolution, Share(onTimeResolution, resolutionMeasured),
            accepted.Count == 0 ? null : accepted.Average(c => (c.AcceptedAt!.Value - c.ReportedAt).TotalMinutes),
            handled.Count == 0 ? null : handled.Average(c => (c.HandledAt!.Value - c.ReportedAt).TotalMinutes),
            rated.Count, rated.Count == 0 ? null : rated.Average(c => c.Rating!.Value),
            rated.Count(c => c.Rating >= 4), rated.Count(c => c.Rating == 3), rated.Count(c => c.Rating <= 2),
            Share(rated.Count(c => c.Rating >= 4), rated.Count));
    }

    static void AssertRow(CaseStatsRow expected, CaseStatsRow actual, string what)
    {
        Assert.True(expected.Reported == actual.Reported, $"{what}: reported {actual.Reported}, expected {expected.Reported}");
        Assert.Equal((expected.Open, expected.Handled, expected.Closed, expected.Rejected, expected.Escalated),
            (actual.Open, actual.Handled, actual.Closed, actual.Rejected, actual.Escalated));
        Assert.Equal((expected.ResponseMeasured, expected.RespondedOnTime, expected.ResolutionMeasured, expected.ResolvedOnTime),
            (actual.ResponseMeasured, actual.RespondedOnTime, actual.ResolutionMeasured, actual.ResolvedOnTime));
        Assert.Equal((expected.Rated, expected.Satisfied, expected.Neutral, expected.Dissatisfied),
            (actual.Rated, actual.Satisfied, actual.Neutral, actual.Dissatisfied));
        Close(expected.ResponseOnTimeRate, actual.ResponseOnTimeRate, 0.0001, $"{what}: response on time");
        Close(expected.ResolutionOnTimeRate, actual.ResolutionOnTimeRate, 0.0001, $"{what}: resolution on time");
        Close(expected.AverageResponseMinutes, actual.AverageResponseMinutes, 0.06, $"{what}: average response");
        Close(expected.AverageResolutionMinutes, actual.AverageResolutionMinutes, 0.06, $"{what}: average resolution");
        Close(expected.AverageRating, actual.AverageRating, 0.006, $"{what}: average rating");
        Close(expected.SatisfiedRate, actual.SatisfiedRate, 0.0001, $"{what}: satisfied");
    }

    static void Close(double? expected, double? actual, double tolerance, string what)
    {
        Assert.True(expected is null == actual is null, $"{what}: {actual?.ToString() ?? "null"}, expected {expected?.ToString() ?? "null"}");
        if (expected is { } e) Assert.True(Math.Abs(e - actual!.Value) <= tolerance, $"{what}: {actual}, expected {e}");
    }

    /// <summary>
    /// Cases in both communities taken along different roads: handled on time, accepted late after the deadline sent the
    /// case up, handled late, rejected, left open, rated 3, 4 and 5 stars or not at all.
    /// </summary>
    sealed record Journey(DateOnly FirstDay, IReadOnlyList<long> CaseIds)
    {
        public static async Task<Journey> RunAsync(TestApp app)
        {
            var firstDay = ChinaDay(app.Clock.GetUtcNow());
            var places = await DemoPlaces.LoadAsync(app);
            // Bearer tokens last an hour of the app's clock: after moving it, everyone signs in again.
            var signedIn = new Dictionary<string, HttpClient>();
            async Task<HttpClient> As(string user) => signedIn.GetValueOrDefault(user) ?? (signedIn[user] = await SignInAsync(app, user));
            void Advance(TimeSpan by)
            {
                app.Clock.Advance(by);
                signedIn.Clear();
            }
            async Task<int> Category(string code) => (await CaseFlowTests.CategoryAsync(await As("resident1"), code)).Id;
            async Task<long> Report(string user, string code, string title, object? where = null)
            {
                var body = new Dictionary<string, object?> { ["categoryId"] = await Category(code), ["title"] = title };
                if (where is int buildingId) body["buildingId"] = buildingId;
                return (await (await (await As(user)).PostJsonAsync("/api/v1/cases", body)).OkAsync<CaseDetailDto>()).Id;
            }
            async Task Act(string user, long id, string action, object? body = null) =>
                await (await (await As(user)).PostJsonAsync($"/api/v1/cases/{id}/{action}", body ?? new { })).OkAsync<CaseDetailDto>();
            async Task<int> AssigneeAsync(long id, string role) =>
                (await (await As("admin1")).GetOkAsync<List<AssigneeDto>>($"/api/v1/cases/{id}/assignees")).First(a => a.Role == role).UserId;
            async Task WaitForLevelAsync(long id, HandlingLevel level)
            {
                for (var i = 0; i < 150; i++)
                {
                    if ((await (await As("district")).GetOkAsync<CaseDetailDto>($"/api/v1/cases/{id}")).Level == level) return;
                    await Task.Delay(100);
                }
                Assert.Fail($"case {id} did not reach {level}");
            }

            var onTime = await Report("resident1", "plumbing", "厨房水管漏水");
            var lateResolution = await Report("resident1", "lighting", "楼道灯不亮", places.C1.BuildingIds[0]);
            var lateResponse = await Report("resident1", "parking", "车位被占用", places.C1.BuildingIds[1]);
            var rejected = await Report("resident1", "sanitation", "楼道堆放杂物", places.C1.BuildingIds[0]);
            var unrated = await Report("resident1", "noise", "楼上深夜噪音", places.C1.BuildingIds[0]);
            var other = await Report("resident2", "plumbing", "卫生间下水道堵塞");
            var ignored = await Report("resident2", "door-lock", "单元门禁刷卡没反应", places.C2.BuildingIds[0]);
            var patrol = await Report("grid1", "patrol", "巡查发现外墙瓷砖脱落", places.C1.BuildingIds[0]);

            await Act("property1", onTime, "accept");
            await Act("property1", onTime, "grab");
            await Act("property1", onTime, "handle", new { note = "已更换角阀" });
            await Act("resident1", onTime, "rate", new { rating = 5 });
            await Act("property1", rejected, "reject", new { note = "重复上报" });
            await Act("admin1", unrated, "accept");
            await Act("admin1", unrated, "dispatch", new { assigneeUserId = await AssigneeAsync(unrated, "GridWorker") });
            await Act("grid1", unrated, "handle", new { note = "已上门沟通" });
            await Act("property2", other, "accept");
            await Act("property2", other, "grab");
            await Act("property2", other, "handle", new { note = "已疏通" });
            await Act("resident2", other, "rate", new { rating = 4 });
            await Act("admin1", patrol, "accept");
            await Act("admin1", patrol, "dispatch", new { assigneeUserId = await AssigneeAsync(patrol, "CommunityAdmin") });
            await Act("admin1", patrol, "handle", new { note = "已清理" });
            await Act("property1", lateResolution, "accept");
            await Act("property1", lateResolution, "grab");

            // Nobody takes the parking complaint or the door in time: the deadlines send them to the community.
            Advance(TimeSpan.FromMinutes(61));
            await WaitForLevelAsync(lateResponse, HandlingLevel.Community);
            await WaitForLevelAsync(ignored, HandlingLevel.Community);
            await Act("admin1", lateResponse, "accept");

            // Two days on the lamp is still out: it goes to the community; the parking complaint, never handled, to the street.
            Advance(TimeSpan.FromHours(49));
            await WaitForLevelAsync(lateResolution, HandlingLevel.Community);
            await WaitForLevelAsync(lateResponse, HandlingLevel.Street);
            await Act("admin1", lateResolution, "accept");
            await Act("admin1", lateResolution, "dispatch", new { assigneeUserId = await AssigneeAsync(lateResolution, "GridWorker") });
            await Act("grid1", lateResolution, "handle", new { note = "已更换灯具" });
            await Act("resident1", lateResolution, "rate", new { rating = 3 });

            return new Journey(firstDay, [onTime, lateResolution, lateResponse, rejected, unrated, other, ignored, patrol]);
        }
    }
}

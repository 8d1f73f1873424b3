using System.Net;
using System.Text.Json;
using Linli.Application.Exchange.Hierarchy;
using Linli.Domain.Cases;
using Linli.Domain.Devices;
using Linli.Domain.Registry;
using Linli.Infrastructure.Persistence;
using Linli.Web.Features.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>
/// The links up and down the hierarchy against a simulated city platform: what goes up arrives signed, valid against the
/// published schema, in order and once, also after the city was down; what comes down becomes a case or a notice in the
/// right place, once per message id; and what is not signed, stale or broken is refused without a trace.
/// </summary>
public sealed class ExchangeTests
{
    sealed record Codes(string Community1, string Community2, string Street, int Community1Id);

    static async Task<Codes> CodesAsync(TestApp app)
    {
        var district = await app.ClientAsAsync("district");
        var nodes = (await district.GetOkAsync<List<NodeDto>>("/api/v1/nodes")).Flatten().ToList();
        var c1 = nodes.Single(n => n.Kind == NodeKind.Community && n.Name.StartsWith("桂花苑", StringComparison.Ordinal));
        var c2 = nodes.Single(n => n.Kind == NodeKind.Community && n.Name.StartsWith("枫林", StringComparison.Ordinal));
        return new Codes(c1.Code, c2.Code, nodes.Single(n => n.Kind == NodeKind.Street).Code, c1.Id);
    }

    static async Task<CaseDetailDto> ActAsync(HttpClient client, long id, string action, object body) =>
        await (await client.PostJsonAsync($"/api/v1/cases/{id}/{action}", body)).OkAsync<CaseDetailDto>();

    /// <summary>Handles and closes a case at the community level, as its admin: accept, send to themselves, handle, verify, close.</summary>
    static async Task CloseAtCommunityAsync(HttpClient admin, long id, string resolution)
    {
        var me = await admin.MeAsync();
        await ActAsync(admin, id, "accept", new { });
        await ActAsync(admin, id, "dispatch", new { assigneeUserId = me.Id });
        await ActAsync(admin, id, "handle", new { note = resolution });
        await ActAsync(admin, id, "verify", new { });
        var closed = await ActAsync(admin, id, "close", new { });
        Assert.Equal(CaseStatus.Closed, closed.Status);
    }

    static async Task<int> CountAsync<T>(TestApp app) where T : class
    {
        using var scope = app.Factory.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<LinliDbContext>().Set<T>().IgnoreQueryFilters().CountAsync();
    }

    [Fact]
    public async Task A_case_escalated_and_closed_arrives_at_the_city_signed_in_order_and_valid_against_the_published_schema()
    {
        await using var city = await CityPlatform.StartAsync();
        await using var app = await LinliAppFactory.StartAsync(city.Settings());
        var codes = await CodesAsync(app);
        var resident = await app.ClientAsAsync("resident1");
        var property = await app.ClientAsAsync("property1");
        var admin = await app.ClientAsAsync("admin1");
        var lighting = await CaseFlowTests.CategoryAsync(resident, "lighting");

        var created = await (await resident.PostJsonAsync("/api/v1/cases", new { categoryId = lighting.Id, title = "楼道灯不亮" })).OkAsync<CaseDetailDto>();
        await ActAsync(property, created.Id, "escalate", new { note = "线路老化，需要社区协调改造" });
        await CloseAtCommunityAsync(admin, created.Id, "社区协调电工更换了线路");

        var subject = $"case:{created.Id}";
        var closed = await city.WaitForAsync(a => a.Subject == subject && a.Type == "case.closed");
        Assert.Equal(["case.created", "case.escalated", "case.closed"], city.OfSubject(subject).Select(a => a.Type).ToArray());
        Assert.All(city.Calls, a => Assert.True(a.SignatureOk, a.Body));
        foreach (var a in city.OfSubject(subject)) ExchangeSchemas.AssertValid("case", a.Body);

        var data = closed.Data;
        Assert.Equal(codes.Community1, data.GetProperty("communityCode").GetString());
        Assert.Equal("Resolved", data.GetProperty("outcome").GetString());
        Assert.Equal("社区协调电工更换了线路", data.GetProperty("resolution").GetString());
        Assert.Equal("Closed", data.GetProperty("status").GetString());
        var step = Assert.Single(data.GetProperty("escalations").EnumerateArray().ToList());
        Assert.Equal("Community", step.GetProperty("toLevel").GetString());
        Assert.Equal("线路老化，需要社区协调改造", step.GetProperty("reason").GetString());
        Assert.False(step.GetProperty("byPlatform").GetBoolean());
        Assert.Equal(JsonValueKind.Null, data.GetProperty("taskReference").ValueKind);
        Assert.DoesNotContain("reporter", closed.Body, StringComparison.OrdinalIgnoreCase);

        // The push log shows the three, delivered at the first attempt, to those who read the audit trail.
        // The city has the last message before the pusher has written down its answer: the log is read until it has.
        var district = await app.ClientAsAsync("district");
        var ours = await CaseKit.EventuallyAsync(
            async () => (await district.GetOkAsync<Page<PushLogEntryDto>>("/api/v1/exchange/pushes?pageSize=200")).Items.Where(p => p.Subject == subject).ToList(),
            items => items.Count == 3 && items.All(p => p.DeliveredAt is not null));
        Assert.Equal(3, ours.Count);
        Assert.All(ours, p => { Assert.NotNull(p.DeliveredAt); Assert.Equal(1, p.Attempts); Assert.Equal(200, p.LastStatus); });
        Assert.Equal(HttpStatusCode.Forbidden, await (await app.ClientAsAsync("grid1")).GetAsync("/api/v1/exchange/pushes").StatusOfAsync());
    }

    [Fact]
    public async Task An_alarm_raised_and_acknowledged_arrives_at_the_city()
    {
        await using var city = await CityPlatform.StartAsync();
        await using var app = await LinliAppFactory.StartAsync(city.Settings());
        await MonitoringKit.WithoutDemoRulesAsync(app);
        var codes = await CodesAsync(app);
        var admin = await app.ClientAsAsync("admin1");
        var (buildingId, _) = await AlarmNotificationTests.GridOfAsync(app, "grid1");
        var detector = await MonitoringKit.RegisterAsync(admin, DeviceType.GasDetector, new { buildingId, unit = 1 });
        await MonitoringKit.RuleAsync(admin, new
        {
            name = "燃气泄漏", kind = "Gas", severity = "Major", deviceType = "GasDetector",
            condition = new { type = "threshold", metric = "gas", op = "Above", value = 0.2 },
        });
        await MonitoringKit.SendOkAsync(app.Anonymous(), detector, new { values = new { gas = 0.9 } });
        var alarm = await MonitoringKit.WaitForAlarmAsync(admin, a => a.DeviceId == detector.Device.Id);

        var raised = await city.WaitForAsync(a => a.Subject == $"alarm:{alarm.Id}" && a.Type == "alarm.raised");
        Assert.True(raised.SignatureOk);
        ExchangeSchemas.AssertValid("alarm", raised.Body);
        Assert.Equal("燃气泄漏", raised.Data.GetProperty("title").GetString());
        Assert.Equal("Major", raised.Data.GetProperty("severity").GetString());
        Assert.Equal(codes.Community1, raised.Data.GetProperty("communityCode").GetString());

        await (await admin.PostJsonAsync($"/api/v1/alarms/{alarm.Id}/acknowledge", new { note = "已到现场" })).ExpectAsync(HttpStatusCode.OK);
        var acknowledged = await city.WaitForAsync(a => a.Subject == $"alarm:{alarm.Id}" && a.Type == "alarm.acknowledged");
        ExchangeSchemas.AssertValid("alarm", acknowledged.Body);
        Assert.Equal("Acknowledged", acknowledged.Data.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.String, acknowledged.Data.GetProperty("acknowledgedAt").ValueKind);
    }

    [Fact]
    public async Task Pushes_made_while_the_city_is_down_arrive_later_once_each_and_in_order_and_the_push_log_shows_the_attempts()
    {
        await using var city = await CityPlatform.StartAsync();
        city.Down = true;
        await using var app = await LinliAppFactory.StartAsync(city.Settings());
        var resident = await app.ClientAsAsync("resident1");
        var property = await app.ClientAsAsync("property1");
        var district = await app.ClientAsAsync("district");
        var lighting = await CaseFlowTests.CategoryAsync(resident, "lighting");
        var created = await (await resident.PostJsonAsync("/api/v1/cases", new { categoryId = lighting.Id, title = "车库灯坏了" })).OkAsync<CaseDetailDto>();
        await ActAsync(property, created.Id, "escalate", new { note = "需社区处理" });
        var subject = $"case:{created.Id}";

        // While the city is down the push is tried again and again, and the log says so.
        List<PushLogEntryDto> ours = [];
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            ours = (await district.GetOkAsync<Page<PushLogEntryDto>>("/api/v1/exchange/pushes?delivered=false&pageSize=200")).Items
                .Where(p => p.Subject == subject).ToList();
            if (ours.Any(p => p.Type == "case.created" && p.Attempts >= 3)) break;
            await Task.Delay(100);
        }
        var first = ours.Single(p => p.Type == "case.created");
        Assert.True(first.Attempts >= 3, $"only {first.Attempts} attempts");
        Assert.Equal(503, first.LastStatus);
        Assert.Contains("503", first.LastError, StringComparison.Ordinal);
        Assert.Null(first.DeliveredAt);
        // The escalation waits behind the creation of the same case: never tried before it.
        Assert.Equal(0, ours.Single(p => p.Type == "case.escalated").Attempts);
        Assert.Empty(city.Kept);
        var status = await district.GetOkAsync<ExchangeStatusDto>("/api/v1/exchange/status");
        Assert.True(status.Pushing);
        Assert.True(status.Failing >= 1 && status.Waiting >= 2, $"{status}");

        city.Down = false;
        await city.WaitForAsync(a => a.Subject == subject && a.Type == "case.escalated");
        await Task.Delay(TimeSpan.FromSeconds(1)); // more passes: nothing may go out again
        Assert.Equal(["case.created", "case.escalated"], city.OfSubject(subject).Select(a => a.Type).ToArray());
        var accepted = city.Calls.Where(c => c.Status == 200 && c.Subject == subject).ToList();
        Assert.Equal(2, accepted.Count);
        var delivered = (await district.GetOkAsync<Page<PushLogEntryDto>>("/api/v1/exchange/pushes?pageSize=200")).Items.Single(p => p.MessageId == first.MessageId);
        Assert.NotNull(delivered.DeliveredAt);
        Assert.True(delivered.Attempts > first.Attempts, $"{delivered.Attempts} attempts");
        Assert.Equal(200, delivered.LastStatus);
        Assert.Null(delivered.LastError);
    }

    [Fact]
    public async Task A_task_sent_down_becomes_a_case_in_its_community_once_and_its_outcome_goes_back_up_with_the_citys_reference()
    {
        await using var city = await CityPlatform.StartAsync();
        await using var app = await LinliAppFactory.StartAsync(city.Settings());
        var codes = await CodesAsync(app);
        using var anonymous = app.Anonymous();
        var message = CityPlatform.TaskMessage("t-2026-0001", codes.Community1, "小区东门占道经营", "MZ12345-0001");

        using var response = await anonymous.SendAsync(CityPlatform.Signed(message));
        var answer = await response.OkAsync<InboundAnswer>();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        ExchangeSchemas.AssertValid("inbound-answer", JsonSerializer.Serialize(answer, Api.Json));
        var caseId = answer.CaseId ?? throw new Xunit.Sdk.XunitException("no case");

        // The community's team has it, from the city, with the city's reference on the timeline; the other community does not.
        var admin = await app.ClientAsAsync("admin1");
        var detail = await admin.GetOkAsync<CaseDetailDto>($"/api/v1/cases/{caseId}");
        Assert.Equal(codes.Community1Id, detail.CommunityId);
        Assert.Equal(CaseSource.Upstream, detail.Source);
        Assert.Equal("明州市城市运行平台", detail.ReporterName);
        Assert.Contains(detail.Timeline, e => e.Note?.Contains("MZ12345-0001", StringComparison.Ordinal) == true);
        Assert.Contains("3号楼东侧", detail.Address, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, await (await app.ClientAsAsync("admin2")).GetAsync($"/api/v1/cases/{caseId}").StatusOfAsync());

        // The same message again (the city's retry, freshly signed) answers the same and creates nothing.
        var cases = await CountAsync<Case>(app);
        using var again = await anonymous.SendAsync(CityPlatform.Signed(message));
        Assert.Equal(answer, await again.OkAsync<InboundAnswer>());
        Assert.Equal(cases, await CountAsync<Case>(app));

        var createdUp = await city.WaitForAsync(a => a.Subject == $"case:{caseId}" && a.Type == "case.created");
        Assert.Equal("MZ12345-0001", createdUp.Data.GetProperty("taskReference").GetString());
        Assert.Equal("Upstream", createdUp.Data.GetProperty("source").GetString());

        await CloseAtCommunityAsync(admin, caseId, "已劝离占道摊贩并设置隔离栏");
        var outcome = await city.WaitForAsync(a => a.Subject == $"case:{caseId}" && a.Type == "case.closed");
        ExchangeSchemas.AssertValid("case", outcome.Body);
        Assert.Equal("MZ12345-0001", outcome.Data.GetProperty("taskReference").GetString());
        Assert.Equal("Resolved", outcome.Data.GetProperty("outcome").GetString());
        Assert.Equal("已劝离占道摊贩并设置隔离栏", outcome.Data.GetProperty("resolution").GetString());
    }

    [Fact]
    public async Task A_notice_sent_down_for_a_community_is_read_by_its_residents_and_not_by_the_neighbouring_community()
    {
        await using var city = await CityPlatform.StartAsync();
        await using var app = await LinliAppFactory.StartAsync(city.Settings());
        var codes = await CodesAsync(app);
        using var anonymous = app.Anonymous();
        var message = CityPlatform.NoticeMessage("n-2026-0007", codes.Community1, "消防安全检查通知", "MZ-TZ-0007");
        ExchangeSchemas.AssertValid("notice", JsonSerializer.Serialize(message));
        using var response = await anonymous.SendAsync(CityPlatform.Signed(message));
        var answer = await response.OkAsync<InboundAnswer>();
        Assert.NotNull(answer.NoticeId);

        var mine = await (await app.ClientAsAsync("resident1")).AllPagesAsync<NoticeSummaryDto>("/api/v1/notices");
        var notice = Assert.Single(mine, n => n.Title == "消防安全检查通知");
        Assert.True(notice.Urgent);
        var theirs = await (await app.ClientAsAsync("resident2")).AllPagesAsync<NoticeSummaryDto>("/api/v1/notices");
        Assert.DoesNotContain(theirs, n => n.Title == "消防安全检查通知");

        // A notice for the street reaches both communities.
        using var street = await anonymous.SendAsync(CityPlatform.Signed(CityPlatform.NoticeMessage("n-2026-0008", codes.Street, "街道停水通知", "MZ-TZ-0008")));
        await street.ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(await (await app.ClientAsAsync("resident2")).AllPagesAsync<NoticeSummaryDto>("/api/v1/notices"), n => n.Title == "街道停水通知");
    }

    [Fact]
    public async Task A_bad_signature_a_stale_timestamp_an_unknown_community_broken_fields_and_a_reused_id_are_refused_and_change_nothing()
    {
        await using var city = await CityPlatform.StartAsync();
        await using var app = await LinliAppFactory.StartAsync(city.Settings());
        var codes = await CodesAsync(app);
        using var anonymous = app.Anonymous();
        var cases = await CountAsync<Case>(app);
        var notices = await CountAsync<Linli.Domain.Notices.Notice>(app);
        var users = await CountAsync<Linli.Domain.Identity.UserAccount>(app);
        var task = CityPlatform.TaskMessage("t-bad-1", codes.Community1, "占道经营", "MZ-1");

        async Task<JsonElement> RefusedAsync(HttpRequestMessage request, HttpStatusCode expected)
        {
            using var response = await anonymous.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(expected == response.StatusCode, $"{response.StatusCode}: {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            return JsonDocument.Parse(text).RootElement;
        }

        var wrongKey = await RefusedAsync(CityPlatform.Signed(task, key: "someone-else-s-key-that-is-also-32-characters-long"), HttpStatusCode.Unauthorized);
        Assert.Contains("X-Linli-Signature", wrongKey.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var tampered = CityPlatform.Signed(task);
        tampered.Content = new StringContent(JsonSerializer.Serialize(CityPlatform.TaskMessage("t-bad-1", codes.Community1, "改过的标题", "MZ-1")),
            System.Text.Encoding.UTF8, "application/json");
        await RefusedAsync(tampered, HttpStatusCode.Unauthorized);
        var stale = await RefusedAsync(CityPlatform.Signed(task, at: DateTimeOffset.UtcNow.AddMinutes(-10)), HttpStatusCode.Unauthorized);
        Assert.Contains("X-Linli-Timestamp", stale.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await RefusedAsync(CityPlatform.Signed(task, keyId: "other"), HttpStatusCode.Unauthorized);

        (await RefusedAsync(CityPlatform.Signed(CityPlatform.TaskMessage("t-bad-2", "999999999999", "占道经营", "MZ-2")), HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("data.communityCode");
        (await RefusedAsync(CityPlatform.Signed(CityPlatform.TaskMessage("t-bad-3", codes.Community1, "", "MZ-3")), HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("data.title");
        (await RefusedAsync(CityPlatform.Signed(CityPlatform.TaskMessage("t-bad-4", codes.Community1, "占道经营", "MZ-4", categoryCode: "no-such")), HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("data.categoryCode");
        (await RefusedAsync(CityPlatform.Signed(new { version = "1", id = "t-bad-5", type = "task", data = new { reference = "R", communityCode = codes.Community1, title = 42 } }),
            HttpStatusCode.BadRequest)).GetProperty("errors").GetProperty("data.title");
        (await RefusedAsync(CityPlatform.Signed(new { version = "2", id = "t-bad-6", type = "task", data = new { } }), HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("version");
        (await RefusedAsync(CityPlatform.Signed(new { version = "1", id = "t-bad-7", type = "order", data = new { } }), HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("type");
        (await RefusedAsync(CityPlatform.Signed(new
        {
            version = "1", id = "n-bad-1", type = "notice",
            data = new { reference = "R", placeCode = codes.Community1, title = "通知", body = "正文", publishAt = DateTimeOffset.UtcNow.AddDays(2), expiresAt = DateTimeOffset.UtcNow.AddDays(1) },
        }), HttpStatusCode.BadRequest)).GetProperty("errors").GetProperty("data.expiresAt");
        Assert.Equal(cases, await CountAsync<Case>(app));
        Assert.Equal(notices, await CountAsync<Linli.Domain.Notices.Notice>(app));
        Assert.Equal(users, await CountAsync<Linli.Domain.Identity.UserAccount>(app));
        Assert.Equal(0, await CountAsync<Linli.Domain.Exchange.InboundMessage>(app));

        // A message id taken is not reused for another message.
        using (var ok = await anonymous.SendAsync(CityPlatform.Signed(task))) await ok.ExpectAsync(HttpStatusCode.OK);
        (await RefusedAsync(CityPlatform.Signed(CityPlatform.TaskMessage("t-bad-1", codes.Community1, "另一件事", "MZ-9")), HttpStatusCode.Conflict))
            .GetProperty("errors").GetProperty("id");
        Assert.Equal(cases + 1, await CountAsync<Case>(app));
    }

    [Fact]
    public async Task Without_a_link_configured_nothing_is_pushed_and_nothing_is_taken()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var codes = await CodesAsync(app);
        using var anonymous = app.Anonymous();
        using var response = await anonymous.SendAsync(CityPlatform.Signed(CityPlatform.TaskMessage("t-off-1", codes.Community1, "占道经营", "MZ-1")));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var resident = await app.ClientAsAsync("resident1");
        var lighting = await CaseFlowTests.CategoryAsync(resident, "lighting");
        await (await resident.PostJsonAsync("/api/v1/cases", new { categoryId = lighting.Id, title = "楼道灯不亮" })).ExpectAsync(HttpStatusCode.Created);
        await Task.Delay(500);
        Assert.Equal(0, await CountAsync<Linli.Domain.Exchange.UpstreamPush>(app));
        var status = await (await app.ClientAsAsync("district")).GetOkAsync<ExchangeStatusDto>("/api/v1/exchange/status");
        Assert.False(status.Enabled);
    }

    [Fact]
    public async Task Every_communitys_statistics_go_up_when_due_with_the_registrys_figures()
    {
        await using var city = await CityPlatform.StartAsync();
        await using var app = await LinliAppFactory.StartAsync(city.Settings(new() { ["Linli:Exchange:Upstream:StatisticsIntervalMinutes"] = "60" }));
        city.Now = app.Clock.GetUtcNow;
        var codes = await CodesAsync(app);
        var district = await app.ClientAsAsync("district");

        // The first figures go up when the link starts.
        var first = await city.WaitForAsync(a => a.Type == "statistics.community" && a.Subject == $"community:{codes.Community1}");
        await city.WaitForAsync(a => a.Type == "statistics.community" && a.Subject == $"community:{codes.Community2}");
        ExchangeSchemas.AssertValid("statistics.community", first.Body);
        var population = await district.GetOkAsync<JsonElement>($"/api/v1/statistics/population?communityId={codes.Community1Id}");
        var occupancy = await district.GetOkAsync<JsonElement>($"/api/v1/statistics/occupancy?communityId={codes.Community1Id}");
        var alone = await district.GetOkAsync<JsonElement>($"/api/v1/statistics/elderly-alone?communityId={codes.Community1Id}");
        var data = first.Data;
        Assert.True(population.GetProperty("total").GetInt32() > 0);
        Assert.Equal(population.GetProperty("total").GetInt32(), data.GetProperty("residents").GetInt32());
        Assert.Equal(occupancy.GetProperty("ownerOccupied").GetInt32() + occupancy.GetProperty("rented").GetInt32(), data.GetProperty("households").GetInt32());
        Assert.Equal(occupancy.GetProperty("vacant").GetInt32(), data.GetProperty("vacantRooms").GetInt32());
        Assert.Equal(alone.GetProperty("livingAlone").GetInt32(), data.GetProperty("byLabel").GetProperty("ElderlyLivingAlone").GetInt32());
        Assert.Equal(alone.GetProperty("elderly60Plus").GetInt32(), data.GetProperty("byLabel").GetProperty("Elderly60").GetInt32());
        Assert.Equal(codes.Street, data.GetProperty("streetCode").GetString());

        // Not again before the interval; once more after it.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Single(city.Kept, a => a.Subject == $"community:{codes.Community1}");
        app.Clock.Advance(TimeSpan.FromMinutes(61));
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (city.Kept.Count(a => a.Subject == $"community:{codes.Community1}") < 2 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal(2, city.Kept.Count(a => a.Subject == $"community:{codes.Community1}"));
    }

    [Fact]
    public async Task Two_nodes_push_each_message_once()
    {
        await using var city = await CityPlatform.StartAsync();
        city.Thinking = TimeSpan.FromMilliseconds(100);
        var settings = city.Settings();
        await using var app = await LinliAppFactory.StartAsync(settings);
        var second = app.StartNode(settings: settings);
        var lighting = await CaseFlowTests.CategoryAsync(await app.ClientAsAsync("resident1"), "lighting");
        // Each node takes half the reports, so each has pushes of its own queued at the same time.
        using var one = await app.Factory.ClientAsAsync("grid1");
        using var two = await second.ClientAsAsync("grid1");
        var (buildingId, _) = await AlarmNotificationTests.GridOfAsync(app, "grid1");
        var ids = await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
            (await (await (i % 2 == 0 ? one : two).PostJsonAsync("/api/v1/cases", new { categoryId = lighting.Id, title = $"路灯不亮 {i}", buildingId }))
                .OkAsync<CaseDetailDto>()).Id));
        foreach (var id in ids) await city.WaitForAsync(a => a.Subject == $"case:{id}" && a.Type == "case.created", TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(1));
        var calls = city.Calls.Where(c => c.Type == "case.created").Select(c => c.MessageId).ToList();
        Assert.True(calls.Count == calls.Distinct().Count(), "a push went out twice: " + string.Join(", ", calls));
        Assert.Equal(10, calls.Count);
    }
}

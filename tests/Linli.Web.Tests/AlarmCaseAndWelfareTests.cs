using System.Net;
using Linli.Domain.Alarms;
using Linli.Domain.Devices;
using Linli.Domain.Registry;
using Linli.Infrastructure.Persistence;
using Linli.Web.Features.Alarms;
using Linli.Web.Features.Cases;
using Linli.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>What alarms lead to: a case for the property team, and the welfare check for elderly people living alone.</summary>
public sealed class AlarmCaseAndWelfareTests
{
    [Fact]
    public async Task A_rule_that_opens_cases_puts_a_device_alarm_case_in_the_property_queue_linked_both_ways()
    {
        await using var app = await LinliAppFactory.StartAsync();
        await MonitoringKit.WithoutDemoRulesAsync(app);
        var admin = await app.ClientAsAsync("admin1");
        var property = await app.ClientAsAsync("property1");
        var (buildingId, _) = await AlarmNotificationTests.GridOfAsync(app, "grid1");
        var lift = await MonitoringKit.RegisterAsync(admin, DeviceType.LiftMonitor, new { buildingId, unit = 1 });
        await MonitoringKit.RuleAsync(admin, new
        {
            name = "电梯困人", kind = "Equipment", severity = "Major", deviceType = "LiftMonitor", opensCase = true,
            condition = new { type = "event", name = "trapped" },
        });
        await MonitoringKit.SendOkAsync(app.Anonymous(), lift, new { @event = "trapped" });
        var alarm = await MonitoringKit.WaitForAlarmAsync(admin, a => a.DeviceId == lift.Device.Id && a.CaseId != null);

        var queue = await property.GetOkAsync<Page<CaseListItemDto>>("/api/v1/cases?pageSize=200");
        var item = Assert.Single(queue.Items, c => c.Id == alarm.CaseId);
        Assert.Equal("电梯困人", item.Title);
        Assert.Equal(Linli.Domain.Cases.CaseKind.Device, item.Kind);
        Assert.Equal(Linli.Domain.Cases.HandlingLevel.Property, item.Level);
        var detail = await property.GetStringAsync($"/api/v1/cases/{alarm.CaseId}");
        Assert.Contains($"/api/v1/alarms/{alarm.Id}", detail, StringComparison.Ordinal);
        Assert.Contains("\"source\":\"Device\"", detail, StringComparison.Ordinal);
        var timeline = await admin.GetOkAsync<AlarmDetailDto>($"/api/v1/alarms/{alarm.Id}");
        Assert.Contains(timeline.Timeline, e => e.Kind == AlarmEventKind.CaseOpened && e.Note == $"#{alarm.CaseId}");

        // Once is enough: asking again by hand is a conflict.
        Assert.Equal(HttpStatusCode.Conflict, await admin.PostAsync($"/api/v1/alarms/{alarm.Id}/open-case", null).StatusOfAsync());
    }

    [Fact]
    public async Task Someone_on_duty_opens_a_case_for_an_alarm_by_hand_and_another_community_cannot()
    {
        await using var app = await LinliAppFactory.StartAsync();
        await MonitoringKit.WithoutDemoRulesAsync(app);
        var admin = await app.ClientAsAsync("admin1");
        var grid = await app.ClientAsAsync("grid1");
        var (buildingId, _) = await AlarmNotificationTests.GridOfAsync(app, "grid1");
        var leak = await MonitoringKit.RegisterAsync(admin, DeviceType.WaterLeakDetector, new { buildingId, unit = 2 });
        await MonitoringKit.RuleAsync(admin, new
        {
            name = "地下室漏水", kind = "WaterLeak", severity = "Minor", deviceType = "WaterLeakDetector",
            condition = new { type = "threshold", metric = "leak", op = "Above", value = 0.5 },
        });
        await MonitoringKit.SendOkAsync(app.Anonymous(), leak, new { values = new { leak = 1 } });
        var alarm = await MonitoringKit.WaitForAlarmAsync(admin, a => a.DeviceId == leak.Device.Id);
        Assert.Null(alarm.CaseId);

        var other = await app.ClientAsAsync("admin2");
        Assert.Equal(HttpStatusCode.NotFound, await other.PostAsync($"/api/v1/alarms/{alarm.Id}/open-case", null).StatusOfAsync());

        using var opened = await grid.PostAsync($"/api/v1/alarms/{alarm.Id}/open-case", null);
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var linked = await opened.OkAsync<AlarmDetailDto>();
        Assert.NotNull(linked.Alarm.CaseId);
        var property = await app.ClientAsAsync("property1");
        var c = await property.GetStringAsync($"/api/v1/cases/{linked.Alarm.CaseId}");
        Assert.Contains("地下室漏水", c, StringComparison.Ordinal);
        Assert.Contains("网格员 · 张丽", c, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_quiet_home_of_an_elderly_person_living_alone_raises_one_welfare_alarm_that_clears_when_life_returns()
    {
        await using var app = await LinliAppFactory.StartAsync(new Dictionary<string, string> { ["Linli:Alarms:WelfareHours"] = "24" });
        await MonitoringKit.WithoutDemoRulesAsync(app);
        var admin = await app.ClientAsAsync("admin1");
        var (_, gridUser) = await AlarmNotificationTests.GridOfAsync(app, "grid1");
        int residentId, roomId, gridId;
        using (var scope = app.Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
            gridId = await db.Users.IgnoreQueryFilters().Where(u => u.Id == gridUser).Select(u => u.NodeId).SingleAsync();
            var bornBy = app.Clock.Today().AddYears(-60);
            var elder = await db.Residents.IgnoreQueryFilters()
                .Where(r => (r.Labels & ResidentLabels.LivingAlone) != 0 && r.RoomId != null && r.BirthDate <= bornBy && r.GridId == gridId)
                .OrderBy(r => r.Id).Select(r => new { r.Id, RoomId = r.RoomId!.Value }).FirstAsync();
            (residentId, roomId) = (elder.Id, elder.RoomId);
        }
        var meter = await MonitoringKit.RegisterAsync(admin, DeviceType.WaterMeter, new { roomId });
        await MonitoringKit.SendOkAsync(app.Anonymous(), meter, new { values = new { flow = 0.3 } });
        var check = app.Factory.Services.GetRequiredService<WelfareCheck>();
        // Other homes of the demo may have meters of their own; this test watches one person.
        async Task<(int Open, int All)> CheckAsync()
        {
            await check.RunAsync(CancellationToken.None);
            using var scope = app.Factory.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
            var mine = db.Alarms.IgnoreQueryFilters().Where(a => a.Kind == AlarmKind.Welfare && a.ResidentId == residentId);
            return (await mine.CountAsync(a => a.Open), await mine.CountAsync());
        }

        Assert.Equal((0, 0), await CheckAsync());
        app.Clock.Advance(TimeSpan.FromHours(23));
        Assert.Equal((0, 0), await CheckAsync());

        app.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal((1, 1), await CheckAsync());
        Assert.Equal((1, 1), await CheckAsync());
        // Signed in only now: a token taken before the clock moved a day would have expired.
        var grid = await app.ClientAsAsync("grid1");
        var alarm = await MonitoringKit.WaitForAlarmAsync(grid, a => a.Kind == AlarmKind.Welfare && a.ResidentId == residentId);
        Assert.Equal(AlarmSeverity.Warning, alarm.Severity);
        Assert.Equal(roomId, alarm.RoomId);
        Assert.Equal(gridId, alarm.GridId);
        Assert.Equal(AlarmStatus.Active, alarm.Status);
        var other = await app.ClientAsAsync("admin2");
        Assert.DoesNotContain((await other.GetOkAsync<Page<AlarmDto>>("/api/v1/alarms?pageSize=200")).Items, a => a.Id == alarm.Id);

        // The tap runs again: the alarm clears by itself (someone still has to acknowledge that they looked).
        await MonitoringKit.SendOkAsync(app.Anonymous(), meter, new { values = new { flow = 0.2 } });
        Assert.Equal((0, 1), await CheckAsync());
        var cleared = await grid.GetOkAsync<AlarmDetailDto>($"/api/v1/alarms/{alarm.Id}");
        Assert.Equal(AlarmStatus.Cleared, cleared.Alarm.Status);
        Assert.True(cleared.Alarm.NeedsAcknowledgement);
    }
}

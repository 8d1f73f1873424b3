using System.Net;
using Linli.Domain.Alarms;
using Linli.Domain.Devices;
using Linli.Web.Features.Alarms;
using Linli.Web.Features.Cases;
using Linli.Web.Features.Devices;
using Linli.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>Several web nodes on one database and one broker: what happens through one node is heard live on the others.</summary>
public sealed class LiveBusTests
{
    [Fact]
    public async Task An_SOS_pressed_through_one_node_reaches_the_duty_screen_connected_to_another()
    {
        await using var broker = new BrokerKit();
        await using var app = await LinliAppFactory.StartAsync(broker.Settings);
        await MonitoringKit.WithoutDemoRulesAsync(app);
        var second = app.StartNode();
        await BrokerKit.ReadyAsync(app.Factory);
        await BrokerKit.ReadyAsync(second);
        await using var opsOnB = await BrokerKit.ListenAsync(second, OpsHub.Path, "admin1", "alarm");
        await using var casesOnB = await BrokerKit.ListenAsync(second, CasesHub.Path, "property1", "caseChanged");
        await using var opsOfOtherCommunity = await BrokerKit.ListenAsync(second, OpsHub.Path, "admin2", "alarm");

        var resident = await app.ClientAsAsync("resident1");
        using var pressed = await resident.PostJsonAsync("/api/v1/sos", new { note = "摔倒了" });
        Assert.Equal(HttpStatusCode.Created, pressed.StatusCode);
        var sos = await pressed.OkAsync<AlarmDto>();

        var heard = await opsOnB.WaitForAsync("alarm", p => p.GetProperty("id").GetInt64() == sos.Id);
        Assert.Equal("raised", heard.GetProperty("change").GetString());
        Assert.Equal((int)AlarmKind.Sos, heard.GetProperty("kind").GetInt32());
        Assert.Equal(sos.PlaceLabel, heard.GetProperty("placeLabel").GetString());
        // Group membership still decides who hears it: the other community's admin does not.
        await Assert.ThrowsAsync<TimeoutException>(() => opsOfOtherCommunity.WaitForAsync("alarm", p => p.GetProperty("id").GetInt64() == sos.Id,
            TimeSpan.FromSeconds(1)));

        // Case pages fan out the same way: a repair reported through node A shows in the property queue on node B.
        var reported = await CaseKit.ReportAsync(resident, "lift", "电梯门关不上");
        var change = await casesOnB.WaitForAsync("caseChanged", p => p.GetProperty("caseId").GetInt64() == reported.Id);
        Assert.Equal(reported.CommunityId, change.GetProperty("communityId").GetInt32());
    }

    [Fact]
    public async Task Devices_registered_and_a_rule_added_through_one_node_work_on_whichever_node_owns_each_device()
    {
        await using var broker = new BrokerKit();
        await using var app = await LinliAppFactory.StartAsync(broker.Settings);
        await MonitoringKit.WithoutDemoRulesAsync(app);
        await BrokerKit.ReadyAsync(app.Factory);
        var second = app.StartNode();
        await BrokerKit.ReadyAsync(second);
        var places = await DemoPlaces.LoadAsync(app);

        // Node B registers the devices and the rule. The broker hashes each device to a partition and each node consumes
        // half of them, so some devices belong to node A, which must have learned of both from node B.
        var adminOnB = await second.ClientAsAsync("admin1");
        var detectors = new List<DeviceWithSecret>();
        for (var i = 0; i < 16; i++)
            detectors.Add(await MonitoringKit.RegisterAsync(adminOnB, DeviceType.SmokeDetector, new { buildingId = places.C1.BuildingIds[0], unit = 1 }));
        var rule = await MonitoringKit.RuleAsync(adminOnB, new
        {
            name = "烟雾", kind = "Fire", severity = "Critical", deviceType = "SmokeDetector",
            condition = new { type = "threshold", metric = "smoke", op = "Above", value = 0.1 },
        });
        // The edits cross the broker as directory messages.
        var directoryOnA = app.Factory.Services.GetRequiredService<DeviceDirectory>();
        var rulesOnA = app.Factory.Services.GetRequiredService<RuleEvaluator>();
        await MqttIngestionTests.WaitUntilAsync(() => Task.FromResult(detectors.All(d => directoryOnA.Find(d.Device.Code) is not null)
            && rulesOnA.Rules.All.Any(r => r.Rule.Id == rule.Id)));
        var mqttA = app.Factory.Services.GetRequiredService<MqttIngestion>();
        var mqttB = second.Services.GetRequiredService<MqttIngestion>();
        Assert.Equal(BrokerKit.Partitions / 2, mqttA.Partitions.Count);
        Assert.Empty(mqttA.Partitions.Intersect(mqttB.Partitions));

        foreach (var d in detectors)
            await BrokerKit.PublishAsync(d.Device.Code, new { key = d.Secret, values = new { smoke = 0.5 } });
        var admin = await app.ClientAsAsync("admin1");
        foreach (var d in detectors)
        {
            var alarm = await MonitoringKit.WaitForAlarmAsync(admin, a => a.DeviceId == d.Device.Id);
            Assert.Contains("smoke=0.5", alarm.Detail, StringComparison.Ordinal);
        }
        // Each device is owned by the one node that took its message; both nodes took some (the premise: node A worked
        // with devices and a rule it only heard about).
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        var ids = detectors.Select(d => d.Device.Id).ToList();
        var owners = await db.Devices.IgnoreQueryFilters().Where(d => ids.Contains(d.Id)).Select(d => d.OwnerNode).ToListAsync();
        var nodeA = app.Factory.Services.GetRequiredService<ClusterNodes>().Self;
        var nodeB = second.Services.GetRequiredService<ClusterNodes>().Self;
        Assert.All(owners, o => Assert.True(o == nodeA || o == nodeB, $"owner {o}"));
        Assert.Contains(nodeA, owners);
        Assert.Contains(nodeB, owners);
        Assert.Equal(16, owners.Count);
        Assert.True(mqttA.AcknowledgedDeliveries > 0 && mqttB.AcknowledgedDeliveries > 0);
        foreach (var d in detectors)
        {
            var seen = await adminOnB.GetOkAsync<DeviceDto>($"/api/v1/devices/{d.Device.Id}");
            Assert.Equal(0, seen.RejectedMessages);
        }
    }

    [Fact]
    public async Task A_category_switched_off_on_one_node_is_refused_on_the_other_at_once_not_when_its_copy_expires()
    {
        await using var broker = new BrokerKit();
        await using var app = await LinliAppFactory.StartAsync(broker.Settings);
        await BrokerKit.ReadyAsync(app.Factory);
        var second = app.StartNode();
        await BrokerKit.ReadyAsync(second);
        var residentOnB = await second.ClientAsAsync("resident1");
        var lift = await CaseKit.CategoryAsync(residentOnB, "lift");

        // Node B has the categories in memory: it has just taken a report in this one.
        await CaseKit.ReportAsync(residentOnB, new { categoryId = lift.Id, title = "电梯异响" });
        var kept = System.Diagnostics.Stopwatch.StartNew();

        // The district officer switches it off through node A.
        var districtOnA = await app.ClientAsAsync("district");
        using (var off = await districtOnA.PutJsonAsync($"/api/v1/case-categories/{lift.Id}", new { active = false }))
            await off.ExpectAsync(HttpStatusCode.OK);

        // Node B refuses it within moments, long before its copy would have expired by itself.
        HttpStatusCode status = HttpStatusCode.Created;
        for (var i = 0; i < 50 && status != HttpStatusCode.BadRequest; i++)
        {
            if (i > 0) await Task.Delay(100);
            using var report = await residentOnB.PostJsonAsync("/api/v1/cases", new { categoryId = lift.Id, title = "电梯又响了" });
            status = report.StatusCode;
            if (status == HttpStatusCode.BadRequest) await report.ExpectFieldErrorAsync("categoryId");
        }
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.True(kept.Elapsed < CaseLookups.CategoriesFor, $"took {kept.Elapsed.TotalSeconds:0.0} s: node B's copy could simply have expired");
    }
}

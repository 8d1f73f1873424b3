using Linli.Domain.Alarms;
using Linli.Domain.Devices;
using Linli.Infrastructure.Persistence;
using Linli.Infrastructure.Messaging;
using Linli.Web.Features.Alarms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>
/// ADR 0013's promise about a device's state with several web nodes: one node holds it (the one that takes its messages),
/// only that node watches its clock, and a node taking it over when the holder goes rebuilds it from the stored readings,
/// so a "holds for" rule keeps counting from the first reading and nothing is raised twice.
/// </summary>
public sealed class DeviceOwnershipTests
{
    [Fact]
    public async Task A_node_taking_over_a_device_keeps_counting_a_holds_for_rule_from_the_first_reading_and_raises_its_alarm_once()
    {
        await using var broker = new BrokerKit();
        await using var app = await LinliAppFactory.StartAsync(broker.Settings);
        var (b, admin, detector) = await TwoNodesWithRuleAsync(app, new
        {
            name = "烟雾持续十分钟", kind = "Fire", severity = "Critical", deviceType = "SmokeDetector",
            condition = new { type = "holdsFor", minutes = 10, condition = new { type = "threshold", metric = "smoke", op = "Above", value = 0.1 } },
        });

        // Node A takes the device's readings (the load balancer hashes it there): smoke from t0, still at t0 + 6 min.
        var wireA = app.Anonymous();
        await MonitoringKit.SendOkAsync(wireA, detector, new { values = new { smoke = 0.5 } });
        Advance(app.Clock, b.Clock, TimeSpan.FromMinutes(6));
        await MonitoringKit.SendOkAsync(wireA, detector, new { values = new { smoke = 0.5 } });
        var nodeA = app.Factory.Services.GetRequiredService<ClusterNodes>().Self;
        Assert.Equal(nodeA, await OwnerAsync(b, detector.Device.Id));
        // While B hears A, B leaves A's device alone. (Under a loaded machine a heartbeat can come late enough for B to
        // take A for gone for a moment and watch the device itself until it hears A again: B's view is awaited first.)
        var clusterB = b.Services.GetRequiredService<ClusterNodes>();
        var entryOnB = b.Services.GetRequiredService<DeviceDirectory>().Find(detector.Device.Id)!;
        await MqttIngestionTests.WaitUntilAsync(() => Task.FromResult(clusterB.IsAlive(nodeA) && !entryOnB.WatchedHere));
        await Assert.ThrowsAsync<TimeoutException>(() => MonitoringKit.WaitForAlarmAsync(admin, a => a.DeviceId == detector.Device.Id, within: TimeSpan.FromSeconds(1)));

        // Node A goes. Node B now watches the device, rebuilt from the stored readings: at t0 + 11 min the smoke has held
        // for 11 minutes, so the alarm is due now, not at t0 + 16 as it would be counting from the takeover.
        await app.StopAsync();
        var adminB = await b.ClientAsAsync("admin1");
        var ownership = b.Services.GetRequiredService<DeviceOwnership>();
        await MqttIngestionTests.WaitUntilAsync(() => Task.FromResult(b.Services.GetRequiredService<DeviceDirectory>().Find(detector.Device.Id)!.WatchedHere));
        Assert.True(ownership.RebuiltDevices >= 1);
        b.Clock.Advance(TimeSpan.FromMinutes(5));
        var alarm = await MonitoringKit.WaitForAlarmAsync(adminB, a => a.DeviceId == detector.Device.Id);
        Assert.Equal(AlarmKind.Fire, alarm.Kind);

        // The device's next message reaches node B, which claims it; the rule still holds and raises nothing more. A node
        // started again in A's place takes the device back, rebuilt, and raises nothing either.
        var wireB = b.CreateClient();
        await MonitoringKit.SendOkAsync(wireB, detector, new { values = new { smoke = 0.5 } });
        Assert.Equal(b.Services.GetRequiredService<ClusterNodes>().Self, await OwnerAsync(b, detector.Device.Id));
        var c = app.StartNode(clockAhead: b.Clock.Offset);
        await BrokerKit.ReadyAsync(c);
        await MonitoringKit.SendOkAsync(c.CreateClient(), detector, new { values = new { smoke = 0.5 } });
        Advance(b.Clock, c.Clock, TimeSpan.FromMinutes(1));
        await MonitoringKit.SendOkAsync(c.CreateClient(), detector, new { values = new { smoke = 0.6 } });
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // several ticks on both nodes
        var all = await adminB.GetOkAsync<Page<AlarmDto>>("/api/v1/alarms?pageSize=200");
        Assert.Single(all.Items, a => a.DeviceId == detector.Device.Id);
        Assert.Equal(c.Services.GetRequiredService<ClusterNodes>().Self, await OwnerAsync(b, detector.Device.Id));
    }

    [Fact]
    public async Task Only_the_node_that_holds_a_device_watches_its_silence_and_another_takes_over_when_that_node_goes()
    {
        await using var broker = new BrokerKit();
        await using var app = await LinliAppFactory.StartAsync(broker.Settings);
        var (b, admin, detector) = await TwoNodesWithRuleAsync(app, new
        {
            name = "离线两分钟", kind = "Offline", severity = "Warning", deviceType = "SmokeDetector",
            condition = new { type = "noData", minutes = 2 },
        });

        // The device reports to node A every minute for five minutes. Node B hears none of it: were it watching, it would
        // call the device silent after two.
        var wireA = app.Anonymous();
        for (var minute = 0; minute < 5; minute++)
        {
            await MonitoringKit.SendOkAsync(wireA, detector, new { values = new { smoke = 0.01 } });
            Advance(app.Clock, b.Clock, TimeSpan.FromMinutes(1));
            await Task.Delay(TimeSpan.FromSeconds(0.5)); // ticks on both nodes at this time
        }
        Assert.DoesNotContain((await admin.GetOkAsync<Page<AlarmDto>>("/api/v1/alarms?pageSize=200")).Items, a => a.DeviceId == detector.Device.Id);
        var onB = b.Services.GetRequiredService<DeviceDirectory>().Find(detector.Device.Id)!;
        Assert.False(onB.WatchedHere);
        Assert.Equal(DeviceHealth.Online, (await admin.GetOkAsync<DeviceDto>($"/api/v1/devices/{detector.Device.Id}")).Health);

        // Node A and the device go silent together. Node B takes the device's watch, with its last-seen time from the
        // database, and calls it silent two minutes after its last reading: once.
        await app.StopAsync();
        await MqttIngestionTests.WaitUntilAsync(() => Task.FromResult(onB.WatchedHere));
        var adminB = await b.ClientAsAsync("admin1");
        await Assert.ThrowsAsync<TimeoutException>(() => MonitoringKit.WaitForAlarmAsync(adminB, a => a.DeviceId == detector.Device.Id, within: TimeSpan.FromSeconds(1)));
        b.Clock.Advance(TimeSpan.FromMinutes(2));
        var alarm = await MonitoringKit.WaitForAlarmAsync(adminB, a => a.DeviceId == detector.Device.Id);
        Assert.Equal(AlarmKind.Offline, alarm.Kind);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Single((await adminB.GetOkAsync<Page<AlarmDto>>("/api/v1/alarms?pageSize=200")).Items, a => a.DeviceId == detector.Device.Id);
    }

    /// <summary>
    /// A second node beside <paramref name="app"/>, both hearing the broker, the demo's rules off and <paramref name="rule"/>
    /// on (known to both nodes), and a smoke detector in a building of community 1.
    /// </summary>
    static async Task<(LinliAppFactory B, HttpClient Admin, DeviceWithSecret Detector)> TwoNodesWithRuleAsync(TestApp app, object rule)
    {
        await MonitoringKit.WithoutDemoRulesAsync(app);
        await BrokerKit.ReadyAsync(app.Factory);
        var b = app.StartNode();
        await BrokerKit.ReadyAsync(b);
        var places = await DemoPlaces.LoadAsync(app);
        var admin = await app.ClientAsAsync("admin1");
        var detector = await MonitoringKit.RegisterAsync(admin, DeviceType.SmokeDetector, new { buildingId = places.C1.BuildingIds[0], unit = 1 });
        var created = await MonitoringKit.RuleAsync(admin, rule);
        var rulesOnB = b.Services.GetRequiredService<RuleEvaluator>();
        await MqttIngestionTests.WaitUntilAsync(() => Task.FromResult(rulesOnB.Rules.All.Any(r => r.Rule.Id == created.Id)));
        return (b, admin, detector);
    }

    static void Advance(TestClock a, TestClock b, TimeSpan by)
    {
        a.Advance(by);
        b.Advance(by);
    }

    static async Task<string?> OwnerAsync(LinliAppFactory node, long deviceId)
    {
        using var scope = node.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        return await db.Devices.IgnoreQueryFilters().Where(d => d.Id == deviceId).Select(d => d.OwnerNode).SingleAsync();
    }
}

/// <summary>How the device partitions are shared among the live nodes: every node works the same answer out alone.</summary>
public sealed class DevicePartitionShareTests
{
    [Theory]
    [InlineData(16, 1)]
    [InlineData(16, 2)]
    [InlineData(16, 3)]
    [InlineData(64, 5)]
    public void Every_partition_has_exactly_one_node_and_the_shares_are_even(int partitions, int count)
    {
        var nodes = Enumerable.Range(1, count).Select(i => $"node{i}").ToList();
        var shares = nodes.ToDictionary(n => n, n => MqttIngestion.PartitionsOf(n, nodes, partitions));
        var all = shares.Values.SelectMany(p => p).ToList();
        Assert.Equal(Enumerable.Range(0, partitions), all.Order());
        Assert.True(shares.Values.Max(s => s.Length) - shares.Values.Min(s => s.Length) <= 1, string.Join(", ", shares.Select(s => $"{s.Key}:{s.Value.Length}")));
    }

    [Fact]
    public void When_a_node_goes_its_partitions_spread_over_the_others_and_most_others_stay_put()
    {
        string[] three = ["node1", "node2", "node3"], two = ["node1", "node3"];
        var before = three.ToDictionary(n => n, n => MqttIngestion.PartitionsOf(n, three, 48).ToHashSet());
        var after = two.ToDictionary(n => n, n => MqttIngestion.PartitionsOf(n, two, 48).ToHashSet());
        // node2's 16 partitions went to both survivors, and at most a few of theirs changed hands besides.
        Assert.All(two, n => Assert.NotEmpty(after[n].Intersect(before["node2"])));
        var moved = two.Sum(n => before[n].Except(after[n]).Count());
        Assert.True(moved <= 8, $"{moved} of the survivors' partitions moved");
    }
}

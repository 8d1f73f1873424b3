using Linli.Domain.Alarms;
using Linli.Domain.Devices;
using Linli.Web.Features.Devices;

namespace Linli.Web.Tests;

/// <summary>Devices publishing over MQTT through RabbitMQ (ADR 0006), read by the platform from its durable queue.</summary>
public sealed class MqttIngestionTests
{
    static readonly object SmokeRule = new
    {
        name = "烟雾浓度超标", kind = "Fire", severity = "Critical", deviceType = "SmokeDetector",
        condition = new { type = "threshold", metric = "smoke", op = "Above", value = 0.1 },
    };

    [Fact]
    public async Task Smoke_published_over_MQTT_raises_an_alarm_and_bad_payloads_are_counted_without_stopping_the_device()
    {
        await using var broker = new BrokerKit();
        await using var app = await LinliAppFactory.StartAsync(broker.Settings);
        await MonitoringKit.WithoutDemoRulesAsync(app);
        await BrokerKit.ReadyAsync(app.Factory);
        var places = await DemoPlaces.LoadAsync(app);
        var admin = await app.ClientAsAsync("admin1");
        var detector = await MonitoringKit.RegisterAsync(admin, DeviceType.SmokeDetector, new { buildingId = places.C1.BuildingIds[0], unit = 1 });
        await MonitoringKit.RuleAsync(admin, SmokeRule);
        var code = detector.Device.Code;

        await BrokerKit.PublishAsync(code, new { key = detector.Secret, values = new { smoke = 0.01, battery = 97 } });
        await BrokerKit.PublishAsync($"devices/{code}/telemetry", "{\"key\": \"" + detector.Secret + "\", \"values\": ");
        await BrokerKit.PublishAsync(code, new { key = "not-the-key", values = new { smoke = 0.9 } });
        await BrokerKit.PublishAsync("devices/no-such-device/telemetry", "{\"key\":\"x\",\"values\":{\"smoke\":0.9}}");
        await BrokerKit.PublishAsync(code, new { key = detector.Secret, messages = new object[] { new { values = new { smoke = 0.35 } } } });

        var alarm = await MonitoringKit.WaitForAlarmAsync(admin, a => a.DeviceId == detector.Device.Id);
        Assert.Equal((AlarmSeverity.Critical, AlarmStatus.Active, "烟雾浓度超标"), (alarm.Severity, alarm.Status, alarm.Title));
        // The alarm came from the last good message, not from the one with the wrong key.
        Assert.Contains("smoke=0.35", alarm.Detail, StringComparison.Ordinal);

        // Refusals are counted against the device; the health tick moves them from memory to the database meanwhile.
        DeviceDto seen = null!;
        await WaitUntilAsync(async () => (seen = await admin.GetOkAsync<DeviceDto>($"/api/v1/devices/{detector.Device.Id}")).RejectedMessages == 2);
        Assert.Equal("wrong key", seen.LastRejectReason);
        Assert.Equal(DeviceHealth.Online, seen.Health);
        Assert.Equal(3, await BrokerKit.StoredReadingsAsync(app.Factory, detector.Device.Id)); // smoke + battery, then smoke

        // An event on the events topic, after the refusals: the device still gets through.
        await BrokerKit.PublishAsync(code, new { key = detector.Secret, @event = "tamper", text = "外壳被打开" }, "events");
        await WaitUntilAsync(async () => await BrokerKit.StoredReadingsAsync(app.Factory, detector.Device.Id) == 4);
        Assert.Equal(2, (await admin.GetOkAsync<DeviceDto>($"/api/v1/devices/{detector.Device.Id}")).RejectedMessages);
    }

    [Fact]
    public async Task Messages_published_while_the_platform_is_down_are_stored_when_it_starts_again()
    {
        await using var broker = new BrokerKit();
        await using var app = await LinliAppFactory.StartAsync(broker.Settings);
        await MonitoringKit.WithoutDemoRulesAsync(app);
        await BrokerKit.ReadyAsync(app.Factory);
        var places = await DemoPlaces.LoadAsync(app);
        var admin = await app.ClientAsAsync("admin1");
        var detector = await MonitoringKit.RegisterAsync(admin, DeviceType.SmokeDetector, new { buildingId = places.C1.BuildingIds[0], unit = 2 });
        await MonitoringKit.RuleAsync(admin, SmokeRule);
        await app.StopAsync();

        // Nobody consumes now: the durable queue keeps what the device sends.
        await BrokerKit.PublishAsync(detector.Device.Code, new { key = detector.Secret, values = new { smoke = 0.02 } });
        await BrokerKit.PublishAsync(detector.Device.Code, new { key = detector.Secret, values = new { smoke = 0.4 } });
        await BrokerKit.PublishAsync(detector.Device.Code, new { key = detector.Secret, @event = "test_button" }, "events");

        var restarted = app.StartNode();
        var staff = await restarted.ClientAsAsync("admin1");
        var alarm = await MonitoringKit.WaitForAlarmAsync(staff, a => a.DeviceId == detector.Device.Id, within: TimeSpan.FromSeconds(30));
        Assert.Contains("smoke=0.4", alarm.Detail, StringComparison.Ordinal);
        await WaitUntilAsync(async () => await BrokerKit.StoredReadingsAsync(restarted, detector.Device.Id) == 3);
        var seen = await staff.GetOkAsync<DeviceDto>($"/api/v1/devices/{detector.Device.Id}");
        Assert.NotNull(seen.LastSeenAt);
        Assert.Equal(0, seen.RejectedMessages);
    }

    [Theory]
    [InlineData("devices.smoke-1.telemetry", "smoke-1")]
    [InlineData("devices.smoke-1.events", "smoke-1")]
    [InlineData("devices.gw/3.events", "gw.3")]
    [InlineData("devices.smoke-1.status", null)]
    [InlineData("devices..telemetry", null)]
    [InlineData("other.smoke-1.telemetry", null)]
    public void The_device_code_comes_from_the_routing_key(string routingKey, string? code) =>
        Assert.Equal(code, MqttIngestion.DeviceCode(routingKey));

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(15));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The expected state was not reached.");
            await Task.Delay(100);
        }
    }
}

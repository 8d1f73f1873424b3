using System.Net;
using Linli.Domain.Alarms;
using Linli.Domain.Devices;
using Linli.Web.Features.Alarms;
using Linli.Web.Features.Shared;

namespace Linli.Web.Tests;

/// <summary>A smoke detector's alarm from the wire to the people on duty, through the API.</summary>
public sealed class MonitoringFlowTests
{
    [Fact]
    public async Task Smoke_in_a_stairwell_raises_one_alarm_that_repeats_and_is_acknowledged()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var admin = await app.ClientAsAsync("admin1");
        var grid = await app.ClientAsAsync("grid1");
        var detector = await MonitoringKit.RegisterAsync(admin, DeviceType.SmokeDetector, new { buildingId = places.C1.BuildingIds[0], unit = 1 });
        // The demo district ships the rule "烟雾浓度超标" (smoke > 0.1, critical) for every smoke detector: it is the one that fires.
        var device = app.Anonymous();

        var normal = await MonitoringKit.SendOkAsync(device, detector, new { values = new { smoke = 0.01, battery = 96 } });
        Assert.Equal(1, normal.Accepted);
        var smoke = await MonitoringKit.SendOkAsync(device, detector, new { values = new { smoke = 0.35 } });
        Assert.Equal(1, smoke.Accepted);

        var alarm = await MonitoringKit.WaitForAlarmAsync(admin, a => a.DeviceId == detector.Device.Id);
        Assert.Equal(AlarmSeverity.Critical, alarm.Severity);
        Assert.Equal(AlarmStatus.Active, alarm.Status);
        Assert.Equal("烟雾浓度超标", alarm.Title);
        Assert.Contains("smoke=0.35", alarm.Detail, StringComparison.Ordinal);
        Assert.Equal(EscalationLevel.GridWorker, alarm.Level);
        Assert.NotNull(alarm.NextEscalationAt);

        // Back to normal, then smoke again: the open alarm counts a repeat, it does not open a second one.
        await MonitoringKit.SendOkAsync(device, detector, new { values = new { smoke = 0.02 } });
        var cleared = await MonitoringKit.WaitForAlarmAsync(admin, a => a.Id == alarm.Id && a.Status == AlarmStatus.Cleared);
        Assert.True(cleared.NeedsAcknowledgement);

        await MonitoringKit.SendOkAsync(device, detector, new { values = new { smoke = 0.5 } });
        var again = await MonitoringKit.WaitForAlarmAsync(admin, a => a.DeviceId == detector.Device.Id && a.Id != alarm.Id);
        Assert.Equal(AlarmStatus.Active, again.Status);
        await MonitoringKit.SendOkAsync(device, detector, new { values = new { smoke = 0.05 } });
        await MonitoringKit.WaitForAlarmAsync(admin, a => a.Id == again.Id && a.Status == AlarmStatus.Cleared);

        // The grid worker of the building sees it and acknowledges it.
        var seen = await grid.GetOkAsync<Page<AlarmDto>>("/api/v1/alarms?pageSize=200");
        Assert.Contains(seen.Items, a => a.Id == alarm.Id);
        var acked = await (await grid.PostJsonAsync($"/api/v1/alarms/{alarm.Id}/acknowledge", new { note = "已到现场" })).OkAsync<AlarmDetailDto>();
        Assert.Equal(AlarmStatus.Cleared, acked.Alarm.Status);
        Assert.False(acked.Alarm.NeedsAcknowledgement);
        Assert.Contains(acked.Timeline, e => e.Kind == AlarmEventKind.Acknowledged && e.Note == "已到现场");
        using var twice = await grid.PostJsonAsync($"/api/v1/alarms/{alarm.Id}/acknowledge", new { });
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
    }

    [Fact]
    public async Task A_resident_presses_SOS_and_their_grid_worker_sees_a_critical_alarm_at_their_home()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var resident = await app.ClientAsAsync("resident1");
        var grid = await app.ClientAsAsync("grid1");
        var other = await app.ClientAsAsync("admin2");

        using var pressed = await resident.PostJsonAsync("/api/v1/sos", new { note = "摔倒了" });
        Assert.Equal(HttpStatusCode.Created, pressed.StatusCode);
        var sos = await pressed.OkAsync<AlarmDto>();
        Assert.Equal(AlarmKind.Sos, sos.Kind);
        Assert.Equal(AlarmSeverity.Critical, sos.Severity);
        Assert.Equal(EscalationLevel.PropertyDutyRoom, sos.Level);
        Assert.NotNull(sos.RoomId);

        using var again = await resident.PostJsonAsync("/api/v1/sos", new { });
        var repeated = await again.OkAsync<AlarmDto>();
        Assert.Equal(sos.Id, repeated.Id);
        Assert.Equal(2, repeated.RepeatCount);

        var list = await grid.GetOkAsync<Page<AlarmDto>>("/api/v1/alarms?kind=Sos");
        Assert.Contains(list.Items, a => a.Id == sos.Id && a.PlaceLabel.Contains("单元", StringComparison.Ordinal));
        var elsewhere = await other.GetOkAsync<Page<AlarmDto>>("/api/v1/alarms?kind=Sos");
        Assert.DoesNotContain(elsewhere.Items, a => a.Id == sos.Id);
        Assert.Equal(HttpStatusCode.NotFound, await other.GetAsync($"/api/v1/alarms/{sos.Id}").StatusOfAsync());
    }

    [Fact]
    public async Task A_wrong_key_is_refused_and_bad_messages_are_refused_one_by_one_while_good_ones_are_stored()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var admin = await app.ClientAsAsync("admin1");
        var meter = await MonitoringKit.RegisterAsync(admin, DeviceType.WaterMeter, new { roomId = places.C1.OccupiedRoomId });
        var device = app.Anonymous();

        using var wrong = await MonitoringKit.SendAsync(device, meter.Device.Code, "not-the-key", new { values = new { water_m3 = 1.5 } });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        using var unknown = await MonitoringKit.SendAsync(device, "no-such-device", meter.Secret, new { values = new { water_m3 = 1.5 } });
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);

        var result = await MonitoringKit.SendOkAsync(device, meter,
            new { values = new { water_m3 = 1.5 } },
            new { values = new { water_m3 = "lots" } },
            new { ts = "yesterday", values = new { water_m3 = 1.6 } },
            new { },
            new { ts = DateTimeOffset.UtcNow.AddHours(2).ToUnixTimeMilliseconds(), values = new { water_m3 = 1.7 } },
            new { values = new { water_m3 = 1.8 } });
        Assert.Equal(2, result.Accepted);
        Assert.Equal([1, 2, 3, 4], result.Rejected.Select(r => r.Index));
        Assert.Contains("number", result.Rejected[0].Reason, StringComparison.Ordinal);
        Assert.Contains("future", result.Rejected[3].Reason, StringComparison.Ordinal);

        // Refusals are counted against the device (saved by the health tick), for the people who look after it.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        DeviceDto seen;
        do
        {
            await Task.Delay(100);
            seen = await admin.GetOkAsync<DeviceDto>($"/api/v1/devices/{meter.Device.Id}");
        }
        while (seen.RejectedMessages < 5 && DateTime.UtcNow < deadline);
        Assert.Equal(5, seen.RejectedMessages);
        Assert.Equal(DeviceHealth.Online, seen.Health);

        using var notJson = new HttpRequestMessage(HttpMethod.Post, "/api/v1/ingest") { Content = new StringContent("{oops", System.Text.Encoding.UTF8, "application/json") };
        notJson.Headers.Add("X-Device-Id", meter.Device.Code);
        notJson.Headers.Add("X-Device-Key", meter.Secret);
        using var bad = await device.SendAsync(notJson);
        await bad.ExpectFieldErrorAsync("messages");
    }
}

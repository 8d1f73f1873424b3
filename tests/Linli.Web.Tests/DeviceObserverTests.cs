using System.Collections.Concurrent;
using Linli.Domain.Devices;
using Linli.Web.Features.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>
/// The device module's port (ADR 0011): every registered <see cref="IDeviceObserver"/> hears each stored message, with the
/// device's readings already applied and its lock held, and every tick of the device clock. The alarm rules are one
/// observer among others and know the devices only through it.
/// </summary>
public sealed class DeviceObserverTests
{
    [Fact]
    public async Task Every_observer_hears_each_stored_message_with_the_readings_applied_under_the_device_lock_and_every_tick()
    {
        var probe = new Probe();
        await using var app = await LinliAppFactory.StartAsync(services: s => s.AddSingleton<IDeviceObserver>(probe));
        var places = await DemoPlaces.LoadAsync(app);
        var admin = await app.ClientAsAsync("admin1");
        var detector = await MonitoringKit.RegisterAsync(admin, DeviceType.SmokeDetector, new { buildingId = places.C1.BuildingIds[0], unit = 1 });

        var sent = await MonitoringKit.SendOkAsync(app.Anonymous(), detector,
            new { values = new { smoke = 0.35 }, @event = "test_button" }, new { values = new { battery = 96 } });
        Assert.Equal(2, sent.Accepted);

        // Acknowledged once stored; the observers hear both messages just after, in order.
        await MqttIngestionTests.WaitUntilAsync(() => Task.FromResult(probe.Of(detector.Device.Id).Count >= 2));
        var heard = probe.Of(detector.Device.Id);
        Assert.Equal(2, heard.Count);
        Assert.All(heard, h => Assert.True(h.LockHeld, "an observer is called holding the device's lock"));
        Assert.Equal(["smoke"], heard[0].Values);
        Assert.Equal(0.35, heard[0].Smoke);
        Assert.True(heard[0].Event, "the readings carry the message's event while it is told");
        Assert.Equal(["battery"], heard[1].Values);
        Assert.Equal(0.35, heard[1].Smoke);
        Assert.False(heard[1].Event, "an event holds for its own message only");

        // The alarm rules heard the same message beside the probe: the demo's smoke rule raised its alarm.
        var alarm = await MonitoringKit.WaitForAlarmAsync(admin, a => a.DeviceId == detector.Device.Id && a.Title == "烟雾浓度超标");
        Assert.Contains("smoke=0.35", alarm.Detail, StringComparison.Ordinal);

        // The device clock ticks for every observer, holding no device's lock.
        var ticks = probe.Ticks;
        await MqttIngestionTests.WaitUntilAsync(() => Task.FromResult(probe.Ticks > ticks + 1));
        Assert.False(probe.TickedUnderLock);
        var device = app.Factory.Services.GetRequiredService<DeviceDirectory>().Find(detector.Device.Id)!;
        lock (device.Gate) Assert.False(device.Readings.HasEvent("test_button"));
    }

    /// <summary>Notes what it is told, as cheaply as an observer must.</summary>
    sealed class Probe : IDeviceObserver
    {
        readonly ConcurrentQueue<Heard> _heard = new();
        readonly ConcurrentDictionary<long, DeviceEntry> _devices = new();
        int _ticks;
        volatile bool _tickedUnderLock;

        public int Ticks => Volatile.Read(ref _ticks);
        public bool TickedUnderLock => _tickedUnderLock;

        public List<Heard> Of(long deviceId) => _heard.Where(h => h.DeviceId == deviceId).ToList();

        public void MessageApplied(DeviceEntry device, DeviceMessage message, DateTimeOffset now)
        {
            _devices[device.Id] = device;
            _heard.Enqueue(new Heard(device.Id, device.Gate.IsHeldByCurrentThread, message.Readings.Where(r => !r.IsEvent).Select(r => r.Metric).ToList(),
                device.Readings.Latest("smoke")?.Value, device.Readings.HasEvent("test_button")));
        }

        public void Tick(DateTimeOffset now)
        {
            if (_devices.Values.Any(d => d.Gate.IsHeldByCurrentThread)) _tickedUnderLock = true;
            Interlocked.Increment(ref _ticks);
        }
    }

    sealed record Heard(long DeviceId, bool LockHeld, List<string> Values, double? Smoke, bool Event);
}

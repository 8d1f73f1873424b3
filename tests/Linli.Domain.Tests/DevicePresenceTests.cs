using Linli.Domain.Devices;
using static Linli.Domain.Tests.MonitoringTestKit;

namespace Linli.Domain.Tests;

/// <summary>Whether a device is heard from, as the operations view shows it.</summary>
public sealed class DevicePresenceTests
{
    static readonly TimeSpan FifteenMinutes = TimeSpan.FromMinutes(15);

    [Fact]
    public void A_device_never_heard_from_is_never_seen()
    {
        Assert.Equal(DeviceHealth.NeverSeen, DevicePresence.At(null, T0, FifteenMinutes));
        var (device, _) = Device.Register("smoke-1", "烟感", DeviceType.SmokeDetector, PlaceIn(), T0);
        Assert.Equal(DeviceHealth.NeverSeen, device.PresenceAt(Min(60), FifteenMinutes));
    }

    [Fact]
    public void A_device_is_online_up_to_the_threshold_and_offline_after_it()
    {
        Assert.Equal(DeviceHealth.Online, DevicePresence.At(T0, Min(15), FifteenMinutes));
        Assert.Equal(DeviceHealth.Offline, DevicePresence.At(T0, Min(15).AddTicks(1), FifteenMinutes));
    }

    [Fact]
    public void A_device_heard_again_is_online_again()
    {
        var (device, _) = Device.Register("smoke-1", "烟感", DeviceType.SmokeDetector, PlaceIn(), T0);
        device.Seen(T0);
        Assert.Equal(DeviceHealth.Offline, device.PresenceAt(Min(20), FifteenMinutes));
        device.Seen(Min(19));
        Assert.Equal(DeviceHealth.Online, device.PresenceAt(Min(20), FifteenMinutes));
    }

    [Fact]
    public void A_switched_off_device_is_disabled_whatever_it_last_sent()
    {
        var (device, _) = Device.Register("smoke-1", "烟感", DeviceType.SmokeDetector, PlaceIn(), T0);
        device.Seen(T0);
        device.Disable();
        Assert.Equal(DeviceHealth.Disabled, device.PresenceAt(T0, FifteenMinutes));
    }
}

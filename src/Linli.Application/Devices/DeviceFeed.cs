using Linli.Application.Live;
using Linli.Domain.Devices;

namespace Linli.Application.Devices;

/// <summary>A device's health changed (online, offline, disabled).</summary>
public sealed record DeviceLive(long Id, string Code, DeviceType Type, DeviceHealth Health, int CommunityId, int PlanX, int PlanY);

/// <summary>Device health as the operations views of the nodes above a device hear it, through the live bus (every web node).</summary>
public sealed class DeviceFeed(ILiveBus bus)
{
    public Task DeviceChangedAsync(DeviceEntry d, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(d);
        return bus.PublishAsync(new LiveMessage(LiveHubs.Ops, LiveHubs.NodeGroups(d.GridId, d.CommunityId, d.StreetId, d.DistrictId), "device",
            new DeviceLive(d.Id, d.Code, d.Type, d.Health, d.CommunityId, d.PlanX, d.PlanY)), ct);
    }
}

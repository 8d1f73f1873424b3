using System.Globalization;
using Linli.Application.Common;
using Linli.Domain.Devices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Linli.Application.Devices;

/// <summary>Tells the other nodes which devices a node has taken (with a broker; embedded there is no one to tell).</summary>
public class OwnershipSync
{
    public virtual Task TakenAsync(string node, IReadOnlyList<long> devices, CancellationToken ct) => Task.CompletedTask;
}

/// <summary>
/// Which web node holds which device's state when several share the database (ADR 0013). The node that last took a
/// device's messages owns it (<c>devices.OwnerNode</c>, and told to every node); the load balancer's hash (HTTP) and the
/// broker's partitions (MQTT) send a device to one node at a time, so ownership changes only when nodes come and go.
/// <list type="bullet">
/// <item>Before a node stores messages of a device it does not hold, it rebuilds the device's state from the stored
/// readings of the last <see cref="DeviceOptions.RebuildMinutes"/> (replayed through the observers, which remember and act on
/// nothing) and claims it. A message that arrived before the takeover is in the database, so nothing acknowledged is
/// forgotten; what it raised is in the database too, so nothing is raised twice.</item>
/// <item>One node watches each device's clock (rules by time, health): its owner while the owner is alive; a device
/// whose owner is gone (or that no node has taken) is watched by the live node that rendezvous hashing picks for it,
/// after it has rebuilt the device's state.</item>
/// </list>
/// Embedded (one node, nothing shared) none of this runs: the node holds every device.
/// </summary>
public sealed partial class DeviceOwnership(IServiceScopeFactory scopes, DeviceDirectory directory, ClusterNodes nodes,
    IEnumerable<IDeviceObserver> observers, OwnershipSync sync, TimeProvider time, IOptions<DeviceOptions> options, ILogger<DeviceOwnership> logger)
{
    readonly IDeviceObserver[] _observers = [.. observers];
    long _rebuilt;

    /// <summary>Devices whose state this node rebuilt from the database since it started.</summary>
    public long RebuiltDevices => Interlocked.Read(ref _rebuilt);

    /// <summary>
    /// Called by the ingestion writer before it stores messages: the devices among them that this node does not hold are
    /// rebuilt from what is stored (which does not yet include these messages) and claimed.
    /// </summary>
    public async Task TakeAsync(IEnumerable<DeviceEntry> devices, CancellationToken ct)
    {
        if (!nodes.Shared) return;
        var self = nodes.Self;
        HashSet<DeviceEntry>? take = null;
        foreach (var d in devices)
            if (!d.Warm || d.Owner != self) (take ??= []).Add(d);
        if (take is null) return;
        var list = take.ToList();
        await RebuildAsync(list, ct);
        await using (var scope = scopes.CreateSystemScope("claim devices whose messages this node now takes"))
        {
            var db = scope.ServiceProvider.GetRequiredService<ILinliDb>();
            foreach (var chunk in list.Select(d => d.Id).Chunk(500))
                await db.Devices.Where(d => chunk.Contains(d.Id)).ExecuteUpdateAsync(u => u.SetProperty(d => d.OwnerNode, self), ct);
        }
        foreach (var d in list)
        {
            d.Owner = self;
            d.WatchedHere = true;
        }
        LogTaken(logger, list.Count);
        await sync.TakenAsync(self, [.. list.Select(d => d.Id)], ct);
    }

    /// <summary>Another node took these devices: its state of them is the one that counts; this node's copy is stale.</summary>
    public void Taken(string node, IEnumerable<long> devices)
    {
        ArgumentNullException.ThrowIfNull(devices);
        if (node == nodes.Self) return;
        foreach (var id in devices)
        {
            if (directory.Find(id) is not { } d) continue;
            d.Owner = node;
            d.Warm = false;
            d.WatchedHere = false;
        }
    }

    /// <summary>
    /// Called on each tick of the device clock, before the observers look: decides which devices this node watches, and
    /// rebuilds the ones it has just come to watch.
    /// </summary>
    public async Task PrepareTickAsync(CancellationToken ct)
    {
        if (!nodes.Shared) return;
        var self = nodes.Self;
        var settled = nodes.Settled;
        var alive = nodes.Alive;
        List<DeviceEntry>? rebuild = null;
        foreach (var d in directory.All)
        {
            bool watch;
            if (d.Owner == self) watch = true;
            // Until this node has listened long enough it cannot tell a silent owner from one it has not heard yet.
            else if (!settled) watch = false;
            else if (d.Owner is { } owner && nodes.IsAlive(owner)) watch = false;
            else watch = ClusterNodes.Pick(d.Id.ToString(CultureInfo.InvariantCulture), alive) == self;
            // A device watched elsewhere goes on without this node: what it built of it goes stale.
            if (!watch && d.Owner != self) d.Warm = false;
            if (watch && !d.Warm)
            {
                (rebuild ??= []).Add(d);
                watch = false;
            }
            d.WatchedHere = watch;
        }
        if (rebuild is null) return;
        await RebuildAsync(rebuild, ct);
        foreach (var d in rebuild) d.WatchedHere = true;
        LogWatching(logger, rebuild.Count);
    }

    /// <summary>
    /// Builds the devices' readings and the observers' memory again from the stored readings of the last
    /// <see cref="DeviceOptions.RebuildMinutes"/>, message by message in time order; last-seen from the device's row when
    /// nothing is that recent.
    /// </summary>
    async Task RebuildAsync(List<DeviceEntry> devices, CancellationToken ct)
    {
        var since = time.GetUtcNow().AddMinutes(-Math.Max(0, options.Value.RebuildMinutes));
        await using var scope = scopes.CreateSystemScope("rebuild the state of devices taken over from another node");
        var db = scope.ServiceProvider.GetRequiredService<ILinliDb>();
        foreach (var chunk in devices.Chunk(500))
        {
            var ids = chunk.Select(d => d.Id).ToArray();
            var seen = await db.Devices.AsNoTracking().Where(d => ids.Contains(d.Id))
                .Select(d => new { d.Id, d.LastSeenAt }).ToDictionaryAsync(d => d.Id, d => d.LastSeenAt, ct);
            var rows = await db.Readings.AsNoTracking().Where(r => ids.Contains(r.DeviceId) && r.At >= since)
                .OrderBy(r => r.DeviceId).ThenBy(r => r.At).ThenBy(r => r.Id)
                .Select(r => new { r.DeviceId, r.At, r.Metric, r.Value, r.Text, r.IsEvent }).ToListAsync(ct);
            var byDevice = rows.GroupBy(r => r.DeviceId).ToDictionary(g => g.Key, g => g.ToList());
            foreach (var d in chunk)
            {
                lock (d.Gate)
                {
                    d.Readings.Restart(seen.GetValueOrDefault(d.Id));
                    foreach (var o in _observers) o.Forget(d);
                    if (byDevice.TryGetValue(d.Id, out var list))
                    {
                        for (var i = 0; i < list.Count;)
                        {
                            var at = list[i].At;
                            var readings = new List<Reading>();
                            for (; i < list.Count && list[i].At == at; i++)
                                readings.Add(new Reading(list[i].Metric, list[i].Value, list[i].Text, list[i].IsEvent));
                            var message = new DeviceMessage(d.Id, at, readings);
                            d.Readings.Apply(message);
                            foreach (var o in _observers) o.Replayed(d, message, at);
                            d.Readings.EndMessage();
                        }
                    }
                    if (d.Readings.LastSeen is { } last && (d.SeenAt is null || last > d.SeenAt)) d.SeenAt = last;
                    d.Warm = true;
                }
            }
        }
        Interlocked.Add(ref _rebuilt, devices.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Took over {Count} device(s): state rebuilt from the stored readings.")]
    static partial void LogTaken(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Now watching {Count} device(s) whose owner is gone or unknown: state rebuilt from the stored readings.")]
    static partial void LogWatching(ILogger logger, int count);
}

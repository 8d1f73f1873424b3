using Linli.Domain.Devices;
using Linli.Application.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Linli.Application.Devices;

/// <summary>
/// The device clock: what changes with time alone. Every tick the <see cref="IDeviceObserver"/>s look at it (the alarm
/// rules "no data for 30 minutes" or "holds for 5 minutes"), device health (online/offline) is worked out, and last-seen
/// times and refusal counts are saved in bulk.
/// </summary>
public sealed partial class DeviceTicker(IServiceScopeFactory scopes, DeviceDirectory directory, IEnumerable<IDeviceObserver> observers,
    DeviceOwnership ownership, DeviceFeed feed, TimeProvider time, IOptions<DeviceOptions> options, ILogger<DeviceTicker> logger) : PeriodicJob(logger)
{
    readonly IDeviceObserver[] _observers = [.. observers];

    protected override TimeSpan Interval => TimeSpan.FromSeconds(Math.Max(0.05, options.Value.TickSeconds));

    protected override async Task<bool> PassAsync(CancellationToken ct)
    {
        await TickAsync(ct);
        return false;
    }

    public async Task TickAsync(CancellationToken ct)
    {
        await ownership.PrepareTickAsync(ct);
        var now = time.GetUtcNow();
        foreach (var observer in _observers) observer.Tick(now);
        await SaveHealthAsync(now, ct);
    }

    async Task SaveHealthAsync(DateTimeOffset now, CancellationToken ct)
    {
        var offlineAfter = options.Value.OfflineAfter;
        List<DeviceEntry> seen = [], rejected = [], wentOffline = [], cameOnline = [];
        foreach (var d in directory.All)
        {
            if (d.SeenDirty) { d.SeenDirty = false; seen.Add(d); }
            if (Interlocked.Read(ref d.RejectedPending) > 0) rejected.Add(d);
            if (d.Disabled || !d.WatchedHere) continue;
            if (d.CameOnline) { d.CameOnline = false; cameOnline.Add(d); }
            if (d.Health == DeviceHealth.Online && DevicePresence.At(d.SeenAt, now, offlineAfter) != DeviceHealth.Online)
            {
                d.Health = DeviceHealth.Offline;
                wentOffline.Add(d);
            }
        }
        if (seen.Count + rejected.Count + wentOffline.Count + cameOnline.Count == 0) return;

        await using var scope = scopes.CreateSystemScope("record device health of every device");
        var db = scope.ServiceProvider.GetRequiredService<ILinliDb>();
        var ids = seen.Concat(rejected).Concat(wentOffline).Concat(cameOnline).Select(d => d.Id).Distinct().ToList();
        foreach (var chunk in ids.Chunk(500))
        {
            var devices = await db.Devices.Where(d => chunk.Contains(d.Id)).ToListAsync(ct);
            foreach (var device in devices)
            {
                var entry = directory.Find(device.Id);
                if (entry is null) continue;
                if (entry.SeenAt is { } at) device.Seen(at);
                if (entry.Health == DeviceHealth.Offline) device.MarkOffline();
                var count = Interlocked.Exchange(ref entry.RejectedPending, 0);
                if (count > 0) device.Rejected(count, entry.LastRejectReason ?? "", entry.LastRejectedAt ?? now);
            }
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }
        foreach (var d in wentOffline) await feed.DeviceChangedAsync(d, ct);
        foreach (var d in cameOnline) await feed.DeviceChangedAsync(d, ct);
    }
}

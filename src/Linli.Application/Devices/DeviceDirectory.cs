using System.Collections.Concurrent;
using Linli.Domain.Devices;
using Linli.Domain.Registry;
using Linli.Domain.Common;
using Linli.Application.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Linli.Application.Devices;

public sealed class DeviceOptions
{
    /// <summary>Messages waiting to be stored (in batches of up to 1,000) before senders are made to wait.</summary>
    public int QueueCapacity { get; set; } = 512;
    /// <summary>Readings stored per transaction at most.</summary>
    public int WriteBatchSize { get; set; } = 20_000;
    /// <summary>Sustained messages per second one device may send; bursts up to <see cref="RateBurst"/>.</summary>
    public double RatePerSecond { get; set; } = 20;
    public double RateBurst { get; set; } = 200;
    /// <summary>A device not heard from for this long shows as offline (alarms for silence are rules: "no data for N minutes").</summary>
    public double OfflineAfterMinutes { get; set; } = 15;
    public TimeSpan OfflineAfter => TimeSpan.FromMinutes(OfflineAfterMinutes);
    /// <summary>
    /// How often the device clock ticks: observers look at what changes with time alone (the alarm rules' "no data",
    /// "holds for") and device health is saved.
    /// </summary>
    public double TickSeconds { get; set; } = 5;
    /// <summary>How far ahead of the platform's clock a device's timestamp may be (clock drift) before it is refused.</summary>
    public double MaxClockSkewSeconds { get; set; } = 300;
    /// <summary>
    /// A node taking a device over from another (several nodes) rebuilds its state from the readings stored this far back:
    /// long enough for the rules' "holds for" periods.
    /// </summary>
    public double RebuildMinutes { get; set; } = 15;
    public int RawRetentionDays { get; set; } = 30;
    public int HourlyRetentionDays { get; set; } = 365;
}

/// <summary>
/// Every device, in memory: ingestion authenticates, limits and keeps each device's latest readings without touching the
/// database. Loaded at start-up; a device edit reloads that entry.
/// </summary>
public sealed class DeviceDirectory(IServiceScopeFactory scopes, TimeProvider time, IOptions<DeviceOptions> options)
{
    readonly ConcurrentDictionary<string, DeviceEntry> _byCode = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<long, DeviceEntry> _byId = new();

    public int Count => _byId.Count;
    public IEnumerable<DeviceEntry> All => _byId.Values;

    public DeviceEntry? Find(string code) => _byCode.TryGetValue(code, out var e) ? e : null;
    public DeviceEntry? Find(long id) => _byId.TryGetValue(id, out var e) ? e : null;

    /// <summary>
    /// The device a request's code and key name, when it is of one of <paramref name="types"/> and the key is right; null
    /// otherwise, with a wrong key counted against the device (one answer for all, so codes are not disclosed).
    /// </summary>
    public DeviceEntry? Authenticate(string? code, string? key, DateTimeOffset now, params DeviceType[] types)
    {
        var device = string.IsNullOrEmpty(code) ? null : Find(code);
        if (device is not null && types.Contains(device.Type) && device.Authenticates(key ?? "")) return device;
        device?.Reject("wrong key", now);
        return null;
    }

    public async Task LoadAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateSystemScope("load the directory of every device");
        var db = scope.ServiceProvider.GetRequiredService<ILinliDb>();
        var labels = await PlaceLabelsAsync(db, null, ct);
        var now = time.GetUtcNow();
        await foreach (var d in db.Devices.AsNoTracking().AsAsyncEnumerable().WithCancellation(ct))
            Put(d, labels.TryGetValue(d.Id, out var l) ? l : "", now);
    }

    /// <summary>Re-reads one device after an edit (or forgets it when it is gone).</summary>
    public async Task RefreshAsync(long id, CancellationToken ct)
    {
        await using var scope = scopes.CreateSystemScope("load the directory of every device");
        var db = scope.ServiceProvider.GetRequiredService<ILinliDb>();
        var d = await db.Devices.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
        if (d is null)
        {
            if (_byId.TryRemove(id, out var gone)) _byCode.TryRemove(gone.Code, out _);
            return;
        }
        var labels = await PlaceLabelsAsync(db, id, ct);
        Put(d, labels.TryGetValue(id, out var l) ? l : "", time.GetUtcNow());
    }

    void Put(Device d, string label, DateTimeOffset now)
    {
        var entry = _byId.TryGetValue(d.Id, out var existing) ? existing : new DeviceEntry(d.Id, d.LastSeenAt ?? now);
        if (existing is not null && existing.Code != d.Code) _byCode.TryRemove(existing.Code, out _);
        entry.Update(d, label, options.Value);
        _byId[d.Id] = entry;
        _byCode[d.Code] = entry;
    }

    /// <summary>"3号楼2单元302", "3号楼1单元", "水泵房": how people name the place of a device.</summary>
    static async Task<Dictionary<long, string>> PlaceLabelsAsync(ILinliDb db, long? only, CancellationToken ct)
    {
        var devices = db.Devices.AsNoTracking();
        if (only is { } id) devices = devices.Where(d => d.Id == id);
        var rows = await (from d in devices
                          join b in db.Buildings on d.BuildingId equals b.Id into bs
                          from b in bs.DefaultIfEmpty()
                          join r in db.Rooms on d.RoomId equals r.Id into rs
                          from r in rs.DefaultIfEmpty()
                          join f in db.Facilities on d.FacilityId equals f.Id into fs
                          from f in fs.DefaultIfEmpty()
                          select new { d.Id, d.Unit, Building = b == null ? null : b.Name, Room = r == null ? null : r.Number, Facility = f == null ? null : f.Name })
            .ToListAsync(ct);
        return rows.ToDictionary(x => x.Id, x => x.Facility
            ?? (x.Building is null ? "" : Room.LabelFor(x.Building, x.Unit, x.Room)));
    }
}

/// <summary>One device as ingestion sees it. Its <see cref="Readings"/> are touched under <see cref="Gate"/> only.</summary>
public sealed class DeviceEntry(long id, DateTimeOffset trackedSince)
{
    public long Id { get; } = id;
    public string Code { get; private set; } = "";
    public string Name { get; private set; } = "";
    public DeviceType Type { get; private set; }
    public long? GatewayId { get; private set; }
    public bool Disabled { get; private set; }
    public int DistrictId { get; private set; }
    public int StreetId { get; private set; }
    public int CommunityId { get; private set; }
    public int GridId { get; private set; }
    public PlaceKeys Keys => new(DistrictId, StreetId, CommunityId, GridId);
    public int? BuildingId { get; private set; }
    public int? RoomId { get; private set; }
    public int? FacilityId { get; private set; }
    public int PlanX { get; private set; }
    public int PlanY { get; private set; }
    public string PlaceLabel { get; private set; } = "";
    public DeviceHealth Health { get; set; }
    public DeviceReadings Readings { get; } = new(id, trackedSince);

    /// <summary>The node that last took this device's messages, as this node last heard (several nodes, <see cref="DeviceOwnership"/>).</summary>
    public string? Owner { get; set; }
    /// <summary>True once this node has built the device's state itself (from the stored readings or its own messages) since it started.</summary>
    public bool Warm { get; set; }
    /// <summary>Whether this node watches the device's clock (its rules by time, its health): one node per device.</summary>
    public bool WatchedHere { get; set; } = true;
    public Lock Gate { get; } = new();

    volatile string _secretHash = "";
    double _tokens;
    long _refilledAt;
    double _rate;
    double _burst;

    // Written by the pipeline, saved by the health ticker.
    public DateTimeOffset? SeenAt { get; set; }
    public bool SeenDirty { get; set; }
    public bool CameOnline { get; set; }
    public long RejectedPending;
    public string? LastRejectReason { get; set; }
    public DateTimeOffset? LastRejectedAt { get; set; }

    internal void Update(Device d, string label, DeviceOptions options)
    {
        Code = d.Code;
        Name = d.Name;
        Type = d.Type;
        GatewayId = d.GatewayId;
        Disabled = d.Disabled;
        DistrictId = d.DistrictId;
        StreetId = d.StreetId;
        CommunityId = d.CommunityId;
        GridId = d.GridId;
        BuildingId = d.BuildingId;
        RoomId = d.RoomId;
        FacilityId = d.FacilityId;
        PlanX = d.PlanX;
        PlanY = d.PlanY;
        PlaceLabel = label;
        Health = d.Health;
        if (Owner != d.OwnerNode)
        {
            // Another node took it (or this node's claim is what the row now says): what this node built of it may be stale.
            Owner = d.OwnerNode;
            Warm = false;
        }
        SeenAt ??= d.LastSeenAt;
        _secretHash = d.SecretHash;
        _rate = options.RatePerSecond;
        _burst = options.RateBurst;
        if (_refilledAt == 0) _tokens = _burst;
    }

    /// <summary>
    /// The device spoke (a message, a door controller's question or sync) at <paramref name="at"/>: online the moment it is
    /// heard; the ticker saves it and tells the operations view. Call under <see cref="Gate"/>.
    /// </summary>
    public void Heard(DateTimeOffset at)
    {
        if (SeenAt is null || at > SeenAt) SeenAt = at;
        SeenDirty = true;
        if (Health != DeviceHealth.Online && !Disabled)
        {
            Health = DeviceHealth.Online;
            CameOnline = true;
        }
    }

    public bool Authenticates(string? secret) => !Disabled && Device.SecretMatches(_secretHash, secret);

    /// <summary>Token bucket: true when the device may send <paramref name="count"/> more messages now.</summary>
    public bool TryTake(int count, long nowTicks)
    {
        lock (Gate)
        {
            if (_refilledAt != 0)
                _tokens = Math.Min(_burst, _tokens + (nowTicks - _refilledAt) / (double)TimeSpan.TicksPerSecond * _rate);
            _refilledAt = nowTicks;
            if (_tokens < count) return false;
            _tokens -= count;
            return true;
        }
    }

    public void Reject(string reason, DateTimeOffset at)
    {
        Interlocked.Increment(ref RejectedPending);
        LastRejectReason = reason;
        LastRejectedAt = at;
    }
}

using System.Security.Cryptography;
using System.Text;
using Linli.Domain.Common;
using Linli.Domain.Registry;

namespace Linli.Domain.Devices;

/// <summary>What a device is; rules are written per type, and the operations view draws each type with its own symbol.</summary>
public enum DeviceType
{
    /// <summary>Forwards the messages of the devices behind it (a building's LoRa or Zigbee hub, a vendor's box).</summary>
    Gateway,
    DoorController,
    SmokeDetector,
    GasDetector,
    WaterLeakDetector,
    SosButton,
    /// <summary>A camera whose AI reports events: intrusion, littering (抛洒物), fire lane blocked.</summary>
    CameraAi,
    ParkingBarrier,
    BinFillSensor,
    WaterMeter,
    ElectricityMeter,
    EnvironmentSensor,
    LiftMonitor,
}

/// <summary>How a device is doing, as the platform last saw it.</summary>
public enum DeviceHealth { NeverSeen, Online, Offline, Disabled }

/// <summary>Whether a device is heard from: the rule behind <see cref="DeviceHealth"/> for a device that is switched on.</summary>
public static class DevicePresence
{
    /// <summary>
    /// Never seen without a sighting; online while the last sighting is at most <paramref name="offlineAfter"/> old;
    /// offline after that. Silence as an alarm is a rule ("no data for N minutes"), not this.
    /// </summary>
    public static DeviceHealth At(DateTimeOffset? lastSeenAt, DateTimeOffset now, TimeSpan offlineAfter) =>
        lastSeenAt is not { } seen ? DeviceHealth.NeverSeen
        : seen >= now - offlineAfter ? DeviceHealth.Online
        : DeviceHealth.Offline;
}

/// <summary>
/// A registered device, placed in the community (a room, a unit of a building, a building or a facility, and a point on
/// the site plan). It authenticates with a per-device secret held only as a SHA-256 hash: the secret is 32 random bytes,
/// so a fast hash is as strong as a slow one and keeps ingestion cheap.
/// </summary>
public sealed class Device : ScopedEntity
{
    public const int CodeMaxLength = 64;
    public const int NameMaxLength = 60;
    public const int SecretBytes = 32;

    public long Id { get; private set; }
    /// <summary>The id a device uses on the wire (<c>devices/{code}/telemetry</c>): letters, digits, '-' and '_'.</summary>
    public string Code { get; private set; } = "";
    public string Name { get; private set; } = "";
    public DeviceType Type { get; private set; }
    public int? BuildingId { get; private set; }
    public int? Unit { get; private set; }
    public int? RoomId { get; private set; }
    public int? FacilityId { get; private set; }
    /// <summary>Where the device is drawn on the community's site plan (plan units, 0–1000).</summary>
    public int PlanX { get; private set; }
    public int PlanY { get; private set; }
    /// <summary>A gateway's id when the device talks through one.</summary>
    public long? GatewayId { get; private set; }
    public string SecretHash { get; private set; } = "";
    public DateTimeOffset SecretIssuedAt { get; private set; }
    public bool Disabled { get; private set; }
    public DateTimeOffset? LastSeenAt { get; private set; }
    /// <summary>
    /// The web node that last took this device's messages and so holds its rule state (several nodes, ADR 0013); null
    /// until a node of a district takes it. Written by ingestion in bulk, never through this entity.
    /// </summary>
    public string? OwnerNode { get; private set; }
    public const int NodeMaxLength = 80;
    public DeviceHealth Health { get; private set; }
    /// <summary>Messages refused (bad format, wrong secret, over the rate limit), counted so a failing device is noticed.</summary>
    public long RejectedMessages { get; private set; }
    public string? LastRejectReason { get; private set; }
    public DateTimeOffset? LastRejectedAt { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    public const int ReasonMaxLength = 200;

    Device() { }

    /// <summary>Registers a device at a place; returns it with its first secret, shown once.</summary>
    public static (Device Device, string Secret) Register(string code, string name, DeviceType type, DevicePlace place, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(place);
        var device = new Device { Type = type, CreatedAt = now, Health = DeviceHealth.NeverSeen };
        device.SetCode(code);
        device.Rename(name);
        device.MoveTo(place);
        return (device, device.RotateSecret(now));
    }

    public static bool IsValidCode(string? code) =>
        !string.IsNullOrEmpty(code) && code.Length <= CodeMaxLength && code.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    void SetCode(string code)
    {
        code = (code ?? "").Trim();
        if (!IsValidCode(code)) throw new DomainException($"A device code is 1–{CodeMaxLength} letters, digits, '-' or '_'.", "code");
        Code = code;
    }

    public void Rename(string name)
    {
        name = (name ?? "").Trim();
        if (name.Length == 0 || name.Length > NameMaxLength) throw new DomainException($"Name is required, at most {NameMaxLength} characters.", "name");
        Name = name;
    }

    public void MoveTo(DevicePlace place)
    {
        ArgumentNullException.ThrowIfNull(place);
        if (place.PlanX is < 0 or > 1000) throw new DomainException("Plan x must be 0–1000.", "planX");
        if (place.PlanY is < 0 or > 1000) throw new DomainException("Plan y must be 0–1000.", "planY");
        PlaceIn(place.Keys);
        BuildingId = place.BuildingId;
        Unit = place.Unit;
        RoomId = place.RoomId;
        FacilityId = place.FacilityId;
        PlanX = place.PlanX;
        PlanY = place.PlanY;
    }

    public void ConnectThrough(Device? gateway)
    {
        if (gateway is null) { GatewayId = null; return; }
        if (gateway.Type != DeviceType.Gateway) throw new DomainException("Only a gateway can forward other devices' messages.", "gatewayId");
        if (gateway.CommunityId != CommunityId) throw new DomainException("A gateway serves devices in its own community.", "gatewayId");
        GatewayId = gateway.Id;
    }

    /// <summary>Issues a new secret; the old one stops working at once. The plain secret is returned once and never stored.</summary>
    public string RotateSecret(DateTimeOffset now)
    {
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(SecretBytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        SecretHash = HashSecret(secret);
        SecretIssuedAt = now;
        return secret;
    }

    /// <summary>Revokes the device: its secret stops working and it is no longer watched for being offline.</summary>
    public void Disable()
    {
        Disabled = true;
        Health = DeviceHealth.Disabled;
    }

    public void Enable(DateTimeOffset now)
    {
        if (!Disabled) return;
        Disabled = false;
        Health = LastSeenAt is null ? DeviceHealth.NeverSeen : DeviceHealth.Offline;
        _ = now;
    }

    public void Seen(DateTimeOffset at)
    {
        if (LastSeenAt is null || at > LastSeenAt) LastSeenAt = at;
        if (!Disabled) Health = DeviceHealth.Online;
    }

    public void Rejected(long count, string reason, DateTimeOffset at)
    {
        RejectedMessages += count;
        LastRejectReason = reason.Length <= ReasonMaxLength ? reason : reason[..ReasonMaxLength];
        LastRejectedAt = at;
    }

    /// <summary>How the device is doing at <paramref name="now"/>: <see cref="DevicePresence.At"/>, unless it is switched off.</summary>
    public DeviceHealth PresenceAt(DateTimeOffset now, TimeSpan offlineAfter) =>
        Disabled ? DeviceHealth.Disabled : DevicePresence.At(LastSeenAt, now, offlineAfter);

    public void MarkOffline()
    {
        if (!Disabled) Health = DeviceHealth.Offline;
    }

    public static string HashSecret(string secret) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret ?? "")));

    /// <summary>Compares in constant time, so response timing does not leak how much of a guess was right.</summary>
    public static bool SecretMatches(string storedHash, string? secret) =>
        secret is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(storedHash), Encoding.ASCII.GetBytes(HashSecret(secret)));
}

/// <summary>Where a device sits, with the scope keys of that place.</summary>
public sealed record DevicePlace(int DistrictId, int StreetId, int CommunityId, int GridId, int? BuildingId, int? Unit, int? RoomId,
    int? FacilityId, int PlanX, int PlanY)
{
    public PlaceKeys Keys => new(DistrictId, StreetId, CommunityId, GridId);

    public static DevicePlace InRoom(Room room, Building building)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(building);
        return new(room.DistrictId, room.StreetId, room.CommunityId, room.GridId, building.Id, room.UnitNo, room.Id, null,
            building.PlanX + building.PlanWidth / 2, building.PlanY + building.PlanHeight / 2);
    }

    public static DevicePlace InBuilding(Building building, int? unit)
    {
        ArgumentNullException.ThrowIfNull(building);
        if (unit is { } u && (u < 1 || u > building.Units)) throw new DomainException($"Unit must be 1–{building.Units}.", "unit");
        var x = building.PlanX + (unit is { } n ? building.PlanWidth * (2 * n - 1) / (2 * building.Units) : building.PlanWidth / 2);
        return new(building.DistrictId, building.StreetId, building.CommunityId, building.GridId, building.Id, unit, null, null,
            x, building.PlanY + building.PlanHeight / 2);
    }

    /// <summary>A facility belongs to the community, not a grid: its devices are seen by the grid workers of <paramref name="grid"/>.</summary>
    public static DevicePlace AtFacility(Facility facility, HierarchyNode grid)
    {
        ArgumentNullException.ThrowIfNull(facility);
        ArgumentNullException.ThrowIfNull(grid);
        return new(facility.DistrictId, facility.StreetId, facility.CommunityId, grid.Id, null, null, null, facility.Id,
            facility.PlanX ?? 500, facility.PlanY ?? 500);
    }
}

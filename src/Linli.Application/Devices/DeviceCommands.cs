using Linli.Application.Common;
using Linli.Application.Identity;
using Linli.Domain.Common;
using Linli.Domain.Devices;
using Linli.Domain.Registry;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Devices;

public sealed record DeviceDto(long Id, string Code, string Name, DeviceType Type, int CommunityId, int GridId, int? BuildingId, int? Unit,
    int? RoomId, int? FacilityId, int PlanX, int PlanY, string PlaceLabel, DeviceHealth Health, DateTimeOffset? LastSeenAt, bool Disabled,
    long? GatewayId, long RejectedMessages, string? LastRejectReason, DateTimeOffset? LastRejectedAt, DateTimeOffset SecretIssuedAt);

/// <summary>A new device with its secret: shown once, to be put into the device; the platform keeps only a hash.</summary>
public sealed record DeviceWithSecret(DeviceDto Device, string Secret);

/// <summary>Where a device goes: a room, a building (and unit), or a facility; plan coordinates override the default spot.</summary>
public sealed record DeviceRequest(string? Code, string? Name, DeviceType? Type, int? RoomId, int? BuildingId, int? Unit, int? FacilityId,
    int? GridId, int? PlanX, int? PlanY, string? GatewayCode);

/// <summary>The places a new device can be put in, by id and name.</summary>
public sealed record DevicePlaces(IReadOnlyList<(int Id, string Name)> Buildings, IReadOnlyList<(int Id, string Name)> Facilities);

/// <summary>A filter of the device list.</summary>
public sealed record DeviceFilter(DeviceType? Type = null, DeviceHealth? Health = null, int? CommunityId = null, string? Search = null);

/// <summary>
/// The device registry's use cases (API and pages share them): list, register (secret shown once), edit, rotate the
/// secret, disable. Every change is told to the device directory, so ingestion sees it at once.
/// </summary>
public sealed class DeviceCommands(ILinliDb db, DeviceDirectory directory, DirectorySync sync, TimeProvider time, AuditLog audit)
{
    public async Task<Page<DeviceDto>> ListAsync(DeviceFilter filter, PageRequest paging, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var q = db.Devices.AsNoTracking();
        if (filter.Type is { } t) q = q.Where(d => d.Type == t);
        if (filter.Health is { } h) q = q.Where(d => d.Health == h);
        if (filter.CommunityId is { } c) q = q.Where(d => d.CommunityId == c);
        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            var search = filter.Search.Trim();
            q = q.Where(d => d.Code.Contains(search) || d.Name.Contains(search));
        }
        var total = await q.CountAsync(ct);
        var items = await q.OrderBy(d => d.CommunityId).ThenBy(d => d.Code).Skip(paging.Offset).Take(paging.PageSize).ToListAsync(ct);
        return new Page<DeviceDto>(items.Select(ToDto).ToList(), paging.Page, paging.PageSize, total);
    }

    /// <summary>The communities of the caller's area, for the list's filter.</summary>
    public async Task<IReadOnlyList<(int Id, string Name)>> CommunitiesAsync(CancellationToken ct) =>
        (await db.Nodes.AsNoTracking().Where(n => n.Kind == NodeKind.Community).OrderBy(n => n.Id)
            .Select(n => new { n.Id, n.Name }).ToListAsync(ct)).Select(n => (n.Id, n.Name)).ToList();

    /// <summary>The buildings and the community facilities of the caller's area a new device can be put in (not the services around).</summary>
    public async Task<DevicePlaces> PlacesAsync(CancellationToken ct)
    {
        var buildings = await db.Buildings.AsNoTracking().OrderBy(b => b.CommunityId).ThenBy(b => b.Id).Select(b => new { b.Id, b.Name }).ToListAsync(ct);
        var facilities = await db.Facilities.AsNoTracking().Where(f => f.CommunityId != 0).OrderBy(f => f.Name).ToListAsync(ct);
        return new DevicePlaces(buildings.Select(b => (b.Id, b.Name)).ToList(),
            facilities.Where(f => !f.Category.IsSurroundingService()).Select(f => (f.Id, f.Name)).ToList());
    }

    public async Task<DeviceDto> GetAsync(long id, CancellationToken ct) => ToDto(await FindAsync(id, ct));

    public async Task<DeviceWithSecret> RegisterAsync(DeviceRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Type is not { } type) throw new DomainException("Choose the device type.", "type");
        var code = (request.Code ?? "").Trim();
        // Codes are unique across the installation, so the check looks past the caller's scope.
        if (await db.UnscopedDevicesForChecks().AnyAsync(d => d.Code == code, ct)) throw new ConflictException("A device with this code exists.", "code");
        var place = await PlaceAsync(request, ct);
        var (device, secret) = Device.Register(code, request.Name ?? "", type, place, time.GetUtcNow());
        await ConnectAsync(device, request.GatewayCode, ct);
        db.Devices.Add(device);
        await db.SaveChangesAsync(ct);
        await sync.DeviceChangedAsync(device.Id, ct);
        return new DeviceWithSecret(ToDto(device), secret);
    }

    public async Task<DeviceDto> UpdateAsync(long id, DeviceRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var device = await FindAsync(id, ct);
        // The code and the type are what a device is (its credentials, its rules); an update that would change them is
        // refused, not quietly ignored. Sent unchanged, as a form that echoes the device sends them, they are fine.
        if (request.Code is not null && request.Code != device.Code)
            throw new DomainException("A device's code cannot change; register a new device instead.", "code");
        if (request.Type is not null && request.Type != device.Type)
            throw new DomainException("A device's type cannot change; register a new device instead.", "type");
        if (request.Name is not null) device.Rename(request.Name);
        if (request.RoomId is not null || request.BuildingId is not null || request.FacilityId is not null || request.PlanX is not null)
            device.MoveTo(await PlaceAsync(request, ct, device));
        if (request.GatewayCode is not null) await ConnectAsync(device, request.GatewayCode, ct);
        await db.SaveChangesAsync(ct);
        await sync.DeviceChangedAsync(id, ct);
        return ToDto(device);
    }

    public async Task<DeviceWithSecret> RotateSecretAsync(long id, CancellationToken ct)
    {
        var device = await FindAsync(id, ct);
        var secret = device.RotateSecret(time.GetUtcNow());
        audit.Record("device.rotate-secret", device, "Device", (int)id, device.Code);
        await db.SaveChangesAsync(ct);
        await sync.DeviceChangedAsync(id, ct);
        return new DeviceWithSecret(ToDto(device), secret);
    }

    public async Task<DeviceDto> SetEnabledAsync(long id, bool enabled, CancellationToken ct)
    {
        var device = await FindAsync(id, ct);
        if (enabled) device.Enable(time.GetUtcNow()); else device.Disable();
        audit.Record(enabled ? "device.enable" : "device.disable", device, "Device", (int)id, device.Code);
        await db.SaveChangesAsync(ct);
        await sync.DeviceChangedAsync(id, ct);
        return ToDto(device);
    }

    /// <summary>The device as shown: its stored row overlaid with the live state the directory holds (health, last seen, refusals).</summary>
    public DeviceDto ToDto(Device d) => ToDto(d, directory);

    public static DeviceDto ToDto(Device d, DeviceDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(directory);
        var live = directory.Find(d.Id);
        return new(d.Id, d.Code, d.Name, d.Type, d.CommunityId, d.GridId, d.BuildingId, d.Unit, d.RoomId, d.FacilityId, d.PlanX, d.PlanY,
            live?.PlaceLabel ?? "", live?.Health ?? d.Health, live?.SeenAt ?? d.LastSeenAt, d.Disabled, d.GatewayId,
            d.RejectedMessages + (live is null ? 0 : Interlocked.Read(ref live.RejectedPending)), live?.LastRejectReason ?? d.LastRejectReason,
            live?.LastRejectedAt ?? d.LastRejectedAt, d.SecretIssuedAt);
    }

    async Task<Device> FindAsync(long id, CancellationToken ct) =>
        await db.Devices.SingleOrDefaultAsync(d => d.Id == id, ct) ?? throw new NotFoundException("No such device.");

    async Task ConnectAsync(Device device, string? gatewayCode, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(gatewayCode)) { device.ConnectThrough(null); return; }
        var gateway = await db.Devices.SingleOrDefaultAsync(d => d.Code == gatewayCode.Trim(), ct)
            ?? throw new DomainException("No such gateway here.", "gatewayCode");
        device.ConnectThrough(gateway);
    }

    /// <summary>The place from the request; each id is looked up through the caller's scope, so nobody places a device outside it.</summary>
    async Task<DevicePlace> PlaceAsync(DeviceRequest r, CancellationToken ct, Device? current = null)
    {
        DevicePlace place;
        if (r.RoomId is { } roomId)
        {
            var room = await db.Rooms.SingleOrDefaultAsync(x => x.Id == roomId, ct) ?? throw new DomainException("No such room here.", "roomId");
            var building = await db.Buildings.SingleAsync(b => b.Id == room.BuildingId, ct);
            place = DevicePlace.InRoom(room, building);
        }
        else if (r.BuildingId is { } buildingId)
        {
            var building = await db.Buildings.SingleOrDefaultAsync(b => b.Id == buildingId, ct) ?? throw new DomainException("No such building here.", "buildingId");
            place = DevicePlace.InBuilding(building, r.Unit);
        }
        else if (r.FacilityId is { } facilityId)
        {
            var facility = await db.Facilities.SingleOrDefaultAsync(f => f.Id == facilityId && f.CommunityId != 0, ct)
                ?? throw new DomainException("No such facility here.", "facilityId");
            if (facility.Category.IsSurroundingService()) throw new DomainException("Devices go in the community's own facilities.", "facilityId");
            var grids = db.Nodes.Where(n => n.Kind == NodeKind.Grid && n.CommunityId == facility.CommunityId);
            var grid = (r.GridId is { } g ? await grids.SingleOrDefaultAsync(n => n.Id == g, ct) : await grids.OrderBy(n => n.Id).FirstOrDefaultAsync(ct))
                ?? throw new DomainException("No such grid in the facility's community.", "gridId");
            place = DevicePlace.AtFacility(facility, grid);
        }
        else if (current is not null)
        {
            place = new DevicePlace(current.DistrictId, current.StreetId, current.CommunityId, current.GridId, current.BuildingId, current.Unit,
                current.RoomId, current.FacilityId, current.PlanX, current.PlanY);
        }
        else throw new DomainException("Place the device in a room, a building or a facility.", "roomId");
        return place with { PlanX = r.PlanX ?? place.PlanX, PlanY = r.PlanY ?? place.PlanY };
    }
}

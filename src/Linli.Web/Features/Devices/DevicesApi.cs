using Linli.Domain.Common;
using Linli.Domain.Devices;
using Linli.Domain.Identity;
using Linli.Domain.Registry;
using Linli.Web.Features.Identity;
using Linli.Web.Features.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Linli.Web.Features.Devices;

public sealed record DeviceDto(long Id, string Code, string Name, DeviceType Type, int CommunityId, int GridId, int? BuildingId, int? Unit,
    int? RoomId, int? FacilityId, int PlanX, int PlanY, string PlaceLabel, DeviceHealth Health, DateTimeOffset? LastSeenAt, bool Disabled,
    long? GatewayId, long RejectedMessages, string? LastRejectReason, DateTimeOffset? LastRejectedAt, DateTimeOffset SecretIssuedAt);

/// <summary>A new device with its secret: shown once, to be put into the device; the platform keeps only a hash.</summary>
public sealed record DeviceWithSecret(DeviceDto Device, string Secret);

/// <summary>Where a device goes: a room, a building (and unit), or a facility; plan coordinates override the default spot.</summary>
public sealed record DeviceRequest(string? Code, string? Name, DeviceType? Type, int? RoomId, int? BuildingId, int? Unit, int? FacilityId,
    int? GridId, int? PlanX, int? PlanY, string? GatewayCode);

/// <summary>Device registry under /api/v1/devices: list, register (secret shown once), edit, rotate the secret, disable.</summary>
public static class DevicesApi
{
    public static IEndpointRouteBuilder MapDevicesApi(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/v1/devices").WithTags("Devices").RequireAuthorization(IdentityModule.Policy(Permission.ReadDevices));
        read.MapGet("/", List).WithName("ListDevices").WithSummary("Devices in the caller's area with health and last-seen; filter by type, health, community, search.");
        read.MapGet("/{id:long}", Get).WithName("GetDevice").WithSummary("A device with its place, health and refused-message count.");

        var manage = app.MapGroup("/api/v1/devices").WithTags("Devices").RequireAuthorization(IdentityModule.Policy(Permission.ManageDevices));
        manage.MapPost("/", Register).WithName("RegisterDevice").WithSummary("Registers a device at a place; the answer holds its secret, shown once.");
        manage.MapPut("/{id:long}", Update).WithName("UpdateDevice").WithSummary("Renames or moves a device.");
        manage.MapPost("/{id:long}/rotate-secret", Rotate).WithName("RotateDeviceSecret").WithSummary("Issues a new secret; the old one stops working at once.");
        manage.MapPost("/{id:long}/disable", Disable).WithName("DisableDevice").WithSummary("Revokes a device: its messages are refused.");
        manage.MapPost("/{id:long}/enable", Enable).WithName("EnableDevice").WithSummary("Lets a disabled device send again.");
        return app;
    }

    static async Task<Ok<Page<DeviceDto>>> List(ILinliDb db, DeviceDirectory directory, DeviceType? type, DeviceHealth? health, int? communityId,
        string? search, int? page, int? pageSize, CancellationToken ct)
    {
        var paging = PageRequest.From(page, pageSize);
        var q = db.Devices.AsNoTracking();
        if (type is { } t) q = q.Where(d => d.Type == t);
        if (health is { } h) q = q.Where(d => d.Health == h);
        if (communityId is { } c) q = q.Where(d => d.CommunityId == c);
        if (!string.IsNullOrWhiteSpace(search)) q = q.Where(d => d.Code.Contains(search.Trim()) || d.Name.Contains(search.Trim()));
        var total = await q.CountAsync(ct);
        var items = await q.OrderBy(d => d.CommunityId).ThenBy(d => d.Code).Skip(paging.Offset).Take(paging.PageSize).ToListAsync(ct);
        return TypedResults.Ok(new Page<DeviceDto>(items.Select(d => ToDto(d, directory)).ToList(), paging.Page, paging.PageSize, total));
    }

    static async Task<Ok<DeviceDto>> Get(long id, ILinliDb db, DeviceDirectory directory, CancellationToken ct) =>
        TypedResults.Ok(ToDto(await Find(db, id, ct), directory));

    internal static async Task<Created<DeviceWithSecret>> Register(DeviceRequest request, ILinliDb db, DeviceDirectory directory, DirectorySync sync,
        TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Type is not { } type) throw new DomainException("Choose the device type.", "type");
        var code = (request.Code ?? "").Trim();
        if (await db.Devices.IgnoreQueryFilters().AnyAsync(d => d.Code == code, ct)) throw new ConflictException("A device with this code exists.", "code");
        var place = await PlaceAsync(db, request, ct);
        var (device, secret) = Device.Register(code, request.Name ?? "", type, place, time.GetUtcNow());
        await ConnectAsync(db, device, request.GatewayCode, ct);
        db.Devices.Add(device);
        await db.SaveChangesAsync(ct);
        await sync.DeviceChangedAsync(device.Id, ct);
        return TypedResults.Created($"/api/v1/devices/{device.Id}", new DeviceWithSecret(ToDto(device, directory), secret));
    }

    static async Task<Ok<DeviceDto>> Update(long id, DeviceRequest request, ILinliDb db, DeviceDirectory directory, DirectorySync sync, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var device = await Find(db, id, ct);
        if (request.Name is not null) device.Rename(request.Name);
        if (request.RoomId is not null || request.BuildingId is not null || request.FacilityId is not null || request.PlanX is not null)
            device.MoveTo(await PlaceAsync(db, request, ct, device));
        if (request.GatewayCode is not null) await ConnectAsync(db, device, request.GatewayCode, ct);
        await db.SaveChangesAsync(ct);
        await sync.DeviceChangedAsync(id, ct);
        return TypedResults.Ok(ToDto(device, directory));
    }

    internal static async Task<Ok<DeviceWithSecret>> Rotate(long id, ILinliDb db, DeviceDirectory directory, DirectorySync sync, TimeProvider time, AuditLog audit,
        CancellationToken ct)
    {
        var device = await Find(db, id, ct);
        var secret = device.RotateSecret(time.GetUtcNow());
        audit.Record("device.rotate-secret", device, "Device", (int)id, device.Code);
        await db.SaveChangesAsync(ct);
        await sync.DeviceChangedAsync(id, ct);
        return TypedResults.Ok(new DeviceWithSecret(ToDto(device, directory), secret));
    }

    static Task<Ok<DeviceDto>> Disable(long id, ILinliDb db, DeviceDirectory directory, DirectorySync sync, TimeProvider time, AuditLog audit, CancellationToken ct) =>
        SetEnabled(id, false, db, directory, sync, time, audit, ct);

    static Task<Ok<DeviceDto>> Enable(long id, ILinliDb db, DeviceDirectory directory, DirectorySync sync, TimeProvider time, AuditLog audit, CancellationToken ct) =>
        SetEnabled(id, true, db, directory, sync, time, audit, ct);

    internal static async Task<Ok<DeviceDto>> SetEnabled(long id, bool enabled, ILinliDb db, DeviceDirectory directory, DirectorySync sync, TimeProvider time,
        AuditLog audit, CancellationToken ct)
    {
        var device = await Find(db, id, ct);
        if (enabled) device.Enable(time.GetUtcNow()); else device.Disable();
        audit.Record(enabled ? "device.enable" : "device.disable", device, "Device", (int)id, device.Code);
        await db.SaveChangesAsync(ct);
        await sync.DeviceChangedAsync(id, ct);
        return TypedResults.Ok(ToDto(device, directory));
    }

    static async Task<Device> Find(ILinliDb db, long id, CancellationToken ct) =>
        await db.Devices.SingleOrDefaultAsync(d => d.Id == id, ct) ?? throw new NotFoundException("No such device.");

    static async Task ConnectAsync(ILinliDb db, Device device, string? gatewayCode, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(gatewayCode)) { device.ConnectThrough(null); return; }
        var gateway = await db.Devices.SingleOrDefaultAsync(d => d.Code == gatewayCode.Trim(), ct)
            ?? throw new DomainException("No such gateway here.", "gatewayCode");
        device.ConnectThrough(gateway);
    }

    /// <summary>The place from the request; each id is looked up through the caller's scope, so nobody places a device outside it.</summary>
    static async Task<DevicePlace> PlaceAsync(ILinliDb db, DeviceRequest r, CancellationToken ct, Device? current = null)
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
}

using Linli.Application.Common;
using Linli.Application.Identity;
using Linli.Domain.Access;
using Linli.Domain.Common;
using Linli.Domain.Devices;
using Linli.Domain.Registry;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Access;

/// <summary>A gate to add: its wire code, name, kind, place (building and unit, or facility) and the controller (a device code) its reader is wired to.</summary>
public sealed record GateRequest(string? Code, string? Name, GateKind? Kind, int? CommunityId, int? BuildingId, int? Unit, int? FacilityId, string? Controller);

public sealed record GateDto(int Id, string Code, string Name, GateKind Kind, int CommunityId, int? BuildingId, int? Unit, int? FacilityId,
    long? ControllerId, string? ControllerCode, bool Disabled);

/// <summary>What a controller's wiring change says: the controller device's code (empty: none).</summary>
public sealed record WireRequest(string? Controller);

/// <summary>The gates of an area, and wiring them to controllers. Every change reaches every node's snapshot through the access version.</summary>
public sealed class GateCommands(ILinliDb db, AccessSnapshot snapshot, AuditLog audit)
{
    public async Task<Page<GateDto>> ListAsync(int? communityId, GateKind? kind, PageRequest paging, CancellationToken ct)
    {
        var q = db.Gates.AsNoTracking();
        if (communityId is { } c) q = q.Where(g => g.CommunityId == c);
        if (kind is { } k) q = q.Where(g => g.Kind == k);
        var total = await q.CountAsync(ct);
        var rows = await (from g in q.OrderBy(g => g.CommunityId).ThenBy(g => g.Code).Skip(paging.Offset).Take(paging.PageSize)
                          join d in db.Devices on g.ControllerId equals d.Id into ds
                          from d in ds.DefaultIfEmpty()
                          select new { Gate = g, Controller = d == null ? null : d.Code }).ToListAsync(ct);
        return new Page<GateDto>(rows.Select(r => ToDto(r.Gate, r.Controller)).ToList(), paging.Page, paging.PageSize, total);
    }

    public async Task<GateDto> CreateAsync(GateRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var kind = request.Kind ?? throw new DomainException("Choose what the gate closes.", "kind");
        Building? building = null;
        Facility? facility = null;
        PlaceKeys community;
        if (request.BuildingId is { } bid)
        {
            building = await db.Buildings.FirstOrDefaultAsync(b => b.Id == bid, ct) ?? throw new DomainException("No such building in your area.", "buildingId");
            community = building.Keys;
        }
        else if (request.FacilityId is { } fid)
        {
            facility = await db.Facilities.FirstOrDefaultAsync(f => f.Id == fid && f.CommunityId != 0, ct) ?? throw new DomainException("No such facility in your area.", "facilityId");
            community = facility.Keys;
        }
        else
        {
            var cid = request.CommunityId ?? throw new DomainException("Choose the community.", "communityId");
            var node = await db.Nodes.AsNoTracking().FirstOrDefaultAsync(n => n.Id == cid && n.Kind == NodeKind.Community, ct)
                ?? throw new DomainException("No such community in your area.", "communityId");
            community = node.Keys with { CommunityId = node.Id };
        }
        if (request.CommunityId is { } named && named != community.CommunityId) throw new DomainException("The building or facility is not in this community.", "communityId");
        var gate = new Gate(request.Code ?? "", request.Name ?? "", kind, community, building, request.Unit, facility);
        if (await db.UnscopedGatesForChecks().AnyAsync(g => g.Code == gate.Code, ct))
            throw new ConflictException("A gate with this code exists.", "code");
        gate.WireTo(await ControllerAsync(request.Controller, gate.CommunityId, kind, ct));
        db.Gates.Add(gate);
        await db.SaveChangesAsync(ct);
        await snapshot.CatchUpAsync(ct);
        return ToDto(gate, request.Controller?.Trim() is { Length: > 0 } code ? code : null);
    }

    public async Task<GateDto> WireAsync(int id, string? controller, CancellationToken ct)
    {
        var gate = await db.Gates.FirstOrDefaultAsync(g => g.Id == id, ct) ?? throw new NotFoundException("Gate");
        gate.WireTo(await ControllerAsync(controller, gate.CommunityId, gate.Kind, ct));
        audit.Record("WireGate", gate, nameof(Gate), gate.Id, controller);
        await db.SaveChangesAsync(ct);
        await snapshot.CatchUpAsync(ct);
        return ToDto(gate, string.IsNullOrWhiteSpace(controller) ? null : controller.Trim());
    }

    public async Task<GateDto> SetDisabledAsync(int id, bool disabled, CancellationToken ct)
    {
        var gate = await db.Gates.FirstOrDefaultAsync(g => g.Id == id, ct) ?? throw new NotFoundException("Gate");
        gate.Disable(disabled);
        audit.Record(disabled ? "DisableGate" : "EnableGate", gate, nameof(Gate), gate.Id);
        await db.SaveChangesAsync(ct);
        await snapshot.CatchUpAsync(ct);
        return ToDto(gate, null);
    }

    async Task<long?> ControllerAsync(string? code, int communityId, GateKind kind, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(code)) return null;
        var wanted = kind == GateKind.CarParkBarrier ? DeviceType.ParkingBarrier : DeviceType.DoorController;
        var device = await db.Devices.AsNoTracking().FirstOrDefaultAsync(d => d.Code == code.Trim(), ct)
            ?? throw new DomainException("No such device in your area.", "controller");
        if (device.CommunityId != communityId) throw new DomainException("The controller is in another community.", "controller");
        if (device.Type != wanted) throw new DomainException($"A {kind} is wired to a {wanted}.", "controller");
        return device.Id;
    }

    static GateDto ToDto(Gate g, string? controller) =>
        new(g.Id, g.Code, g.Name, g.Kind, g.CommunityId, g.BuildingId, g.Unit, g.FacilityId, g.ControllerId, controller, g.Disabled);
}

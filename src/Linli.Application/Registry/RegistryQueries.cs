using Linli.Domain.Common;
using Linli.Domain.Registry;
using Linli.Application.Common;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Registry;

/// <summary>Read models of the registry, shared by the API and the pages. Every query runs under the caller's scope filter.</summary>
public sealed class RegistryQueries(ILinliDb db, ResidentSearch search, TimeProvider time)
{
    public async Task<IReadOnlyList<NodeDto>> TreeAsync(CancellationToken ct)
    {
        var nodes = await db.Nodes.AsNoTracking().OrderBy(n => n.Code).ToListAsync(ct);
        var ids = nodes.Select(n => n.Id).ToHashSet();
        var byParent = nodes.ToLookup(n => n.ParentId);
        NodeDto Build(HierarchyNode n) => new(n.Id, n.ParentId, n.Kind, n.Name, n.Code, byParent[n.Id].Select(Build).ToList());
        // Roots are the nodes whose parent the caller cannot see: a grid worker's tree starts at their grid.
        return nodes.Where(n => n.ParentId is null || !ids.Contains(n.ParentId.Value)).Select(Build).ToList();
    }

    public async Task<Page<BuildingDto>> BuildingsAsync(int? communityId, int? gridId, PageRequest page, CancellationToken ct)
    {
        var q = db.Buildings.AsNoTracking();
        if (communityId is { } c) q = q.Where(b => b.CommunityId == c);
        if (gridId is { } g) q = q.Where(b => b.GridId == g);
        var total = await q.CountAsync(ct);
        var rows = await q.OrderBy(b => b.CommunityId).ThenBy(b => b.Id).Skip(page.Offset).Take(page.PageSize).ToListAsync(ct);
        return new Page<BuildingDto>(await WithCountsAsync(rows, ct), page.Page, page.PageSize, total);
    }

    async Task<IReadOnlyList<BuildingDto>> WithCountsAsync(IReadOnlyList<Building> buildings, CancellationToken ct)
    {
        var ids = buildings.Select(b => b.Id).ToList();
        var rooms = await db.Rooms.AsNoTracking().Where(r => ids.Contains(r.BuildingId))
            .GroupBy(r => r.BuildingId)
            .Select(g => new { BuildingId = g.Key, Rooms = g.Count(), Occupied = g.Count(r => r.Occupancy != Occupancy.Vacant) })
            .ToDictionaryAsync(x => x.BuildingId, ct);
        // Counted room by room through the residents' RoomId index: joining the other way reads every resident of the community.
        var perRoom = await db.Rooms.AsNoTracking().Where(room => ids.Contains(room.BuildingId) && room.Occupancy != Occupancy.Vacant)
            .Select(room => new { room.BuildingId, Count = db.Residents.Count(r => r.RoomId == room.Id) })
            .ToListAsync(ct);
        var people = perRoom.GroupBy(x => x.BuildingId).ToDictionary(g => g.Key, g => g.Sum(x => x.Count));
        return buildings.Select(b => ToDto(b, rooms.GetValueOrDefault(b.Id)?.Rooms ?? 0, rooms.GetValueOrDefault(b.Id)?.Occupied ?? 0, people.GetValueOrDefault(b.Id))).ToList();
    }

    static BuildingDto ToDto(Building b, int rooms, int occupied, int residents) =>
        new(b.Id, b.Name, b.CommunityId, b.GridId, b.Units, b.Floors, b.RoomsPerFloor, new PlanRect(b.PlanX, b.PlanY, b.PlanWidth, b.PlanHeight), rooms, occupied, residents);

    public async Task<BuildingDetailDto> BuildingAsync(int id, CancellationToken ct)
    {
        var building = await db.Buildings.AsNoTracking().FirstOrDefaultAsync(b => b.Id == id, ct) ?? throw new NotFoundException("Building");
        var rooms = await db.Rooms.AsNoTracking().Where(r => r.BuildingId == id).OrderBy(r => r.UnitNo).ThenByDescending(r => r.Floor).ThenBy(r => r.Number).ToListAsync(ct);
        var counts = await db.Residents.AsNoTracking().Where(r => r.RoomId != null && db.Rooms.Any(x => x.Id == r.RoomId && x.BuildingId == id))
            .GroupBy(r => r.RoomId!.Value).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var names = await db.UnscopedNodes().AsNoTracking().Where(n => n.Id == building.GridId || n.Id == building.CommunityId)
            .ToDictionaryAsync(n => n.Id, n => n.Name, ct);
        var dto = ToDto(building, rooms.Count, rooms.Count(r => r.Occupancy != Occupancy.Vacant), counts.Values.Sum());
        return new BuildingDetailDto(dto, names.GetValueOrDefault(building.GridId, ""), names.GetValueOrDefault(building.CommunityId, ""),
            rooms.Select(r => new RoomSummaryDto(r.Id, r.UnitNo, r.Floor, r.Number, r.Occupancy, counts.GetValueOrDefault(r.Id))).ToList());
    }

    /// <summary>
    /// The rooms of a building with this number, in this unit if one is given: two at most, enough for a form to tell one
    /// room from none or several.
    /// </summary>
    public async Task<IReadOnlyList<int>> RoomIdsAsync(int buildingId, string number, int? unit, CancellationToken ct) =>
        await db.Rooms.AsNoTracking().Where(r => r.BuildingId == buildingId && r.Number == number && (unit == null || r.UnitNo == unit))
            .Select(r => r.Id).Take(2).ToListAsync(ct);

    public async Task<RoomDto> RoomAsync(int id, CancellationToken ct)
    {
        var room = await db.Rooms.AsNoTracking().Include(r => r.Occupancies).ThenInclude(o => o.Resident)
            .FirstOrDefaultAsync(r => r.Id == id, ct) ?? throw new NotFoundException("Room");
        var building = await db.UnscopedBuildings().AsNoTracking().SingleAsync(b => b.Id == room.BuildingId, ct);
        var label = room.Label(building.Name);
        var household = await search.Query(new ResidentFilter(RoomId: id)).OrderBy(r => r.Relation).ThenBy(r => r.BirthDate).ToListAsync(ct);
        var today = time.Today();
        var history = room.Occupancies.OrderByDescending(o => o.MovedInOn)
            .Select(o => new OccupancyDto(o.ResidentId, o.Resident?.Name ?? "", room.Id, label, o.Relation, o.MovedInOn, o.MovedOutOn, o.LeaseEnd)).ToList();
        return new RoomDto(room.Id, room.BuildingId, building.Name, label, room.UnitNo, room.Floor, room.Number, room.AreaM2, room.Occupancy,
            household.Select(r => ResidentSearch.Summary(r, label, today)).ToList(), history);
    }

    public async Task<ResidentDto> ResidentAsync(int id, CancellationToken ct)
    {
        var r = await db.Residents.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct) ?? throw new NotFoundException("Resident");
        var stays = await db.Occupancies.AsNoTracking().Where(o => o.ResidentId == id).OrderByDescending(o => o.MovedInOn).ToListAsync(ct);
        var labels = await ResidentSearch.RoomLabelsAsync(db, stays.Select(o => o.RoomId).Append(r.RoomId ?? 0), ct);
        var today = time.Today();
        return new ResidentDto(r.Id, r.Name, r.Gender, r.BirthDate, r.AgeOn(today), r.PhoneMasked, r.IdNumberMasked, r.RoomId,
            r.RoomId is { } room ? labels.GetValueOrDefault(room) : null, r.Relation, ResidentSearch.LabelNames(r, today), r.CommunityId, r.GridId,
            r.EmergencyContactName, r.EmergencyContactPhoneMasked,
            stays.Select(o => new OccupancyDto(o.ResidentId, r.Name, o.RoomId, labels.GetValueOrDefault(o.RoomId, ""), o.Relation, o.MovedInOn, o.MovedOutOn, o.LeaseEnd)).ToList());
    }

    public async Task<SitePlanDto> SitePlanAsync(int communityId, CancellationToken ct)
    {
        var community = await db.Nodes.AsNoTracking().FirstOrDefaultAsync(n => n.Id == communityId && n.Kind == NodeKind.Community, ct)
            ?? throw new NotFoundException("Community");
        // A grid worker's plan holds their own grid's buildings (the scope filter decides).
        var buildings = await db.Buildings.AsNoTracking().Where(b => b.CommunityId == communityId).OrderBy(b => b.Id).ToListAsync(ct);
        var facilities = await db.Facilities.AsNoTracking().Where(f => f.CommunityId == communityId && f.PlanX != null).ToListAsync(ct);
        return new SitePlanDto(community.Id, community.Name, await WithCountsAsync(buildings, ct), facilities.Select(f => ToDto(f, null)).ToList());
    }

    /// <summary>Facilities and surrounding services, nearest first from a building (or the community centre).</summary>
    public async Task<Page<FacilityDto>> FacilitiesAsync(FacilityCategory? category, bool? surrounding, int? communityId, int? nearBuildingId, PageRequest page, CancellationToken ct)
    {
        var q = db.Facilities.AsNoTracking();
        if (category is { } c) q = q.Where(f => f.Category == c);
        if (communityId is { } id) q = q.Where(f => f.CommunityId == id);
        var all = await q.ToListAsync(ct);
        if (surrounding is { } s) all = all.Where(f => f.Category.IsSurroundingService() == s).ToList();
        (double Lat, double Lng)? origin = null;
        if (nearBuildingId is { } bid)
        {
            var b = await db.Buildings.AsNoTracking().FirstOrDefaultAsync(x => x.Id == bid, ct) ?? throw new DomainException("No such building.", "nearBuildingId");
            origin = (b.Latitude, b.Longitude);
        }
        var centres = await db.Nodes.AsNoTracking().Where(n => n.Kind == NodeKind.Community).ToDictionaryAsync(n => n.Id, n => (n.Latitude, n.Longitude), ct);
        var rows = all.Select(f =>
        {
            var from = origin ?? centres.GetValueOrDefault(f.CommunityId);
            return ToDto(f, from == default ? null : (int)Math.Round(Geo.DistanceMeters(from.Item1, from.Item2, f.Latitude, f.Longitude)));
        }).OrderBy(f => f.DistanceMeters ?? int.MaxValue).ThenBy(f => f.Name).ToList();
        return new Page<FacilityDto>(rows.Skip(page.Offset).Take(page.PageSize).ToList(), page.Page, page.PageSize, rows.Count);
    }

    static FacilityDto ToDto(Facility f, int? distance) =>
        new(f.Id, f.Category, f.Category.IsSurroundingService(), f.Name, f.Address, f.Phone, f.Latitude, f.Longitude, distance, f.CommunityId, f.PlanX, f.PlanY);

    public async Task<Page<OrganizationDto>> OrganizationsAsync(OrganizationKind? kind, PageRequest page, CancellationToken ct)
    {
        var q = db.Organizations.AsNoTracking();
        if (kind is { } k) q = q.Where(o => o.Kind == k);
        var total = await q.CountAsync(ct);
        var rows = await q.OrderBy(o => o.CommunityId).ThenBy(o => o.Id).Skip(page.Offset).Take(page.PageSize)
            .Select(o => new OrganizationDto(o.Id, o.Kind, o.Name, o.ContactName, o.Phone, o.CommunityId)).ToListAsync(ct);
        return new Page<OrganizationDto>(rows, page.Page, page.PageSize, total);
    }

    public async Task<Page<AuditEntryDto>> AuditAsync(PageRequest page, CancellationToken ct)
    {
        var q = db.Audit.AsNoTracking();
        var total = await q.CountAsync(ct);
        var rows = await q.OrderByDescending(a => a.Id).Skip(page.Offset).Take(page.PageSize)
            .Select(a => new AuditEntryDto(a.Id, a.At, a.UserName, a.Action, a.SubjectType, a.SubjectId, a.Detail)).ToListAsync(ct);
        return new Page<AuditEntryDto>(rows, page.Page, page.PageSize, total);
    }
}

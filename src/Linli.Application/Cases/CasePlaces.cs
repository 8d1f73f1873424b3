using Linli.Domain.Cases;
using Linli.Domain.Common;
using Linli.Domain.Registry;
using Linli.Application.Common;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Cases;

/// <summary>
/// Turns "where" in a report (a room, a building, a facility or a point on the map) into a place in the hierarchy with a
/// readable address and coordinates, so every case has a grid (for scope) and a point (for "within 50 m").
/// Reads the registry without the caller's filter: a resident may report a lamp outside another building of their
/// community; <paramref name="withinCommunity"/> keeps them inside it.
/// </summary>
public sealed class CasePlaces(ILinliDb db, CaseLookups lookups)
{
    /// <summary>How far a point may be from the nearest building to count as inside a community.</summary>
    public const double MaxMetersFromBuilding = 300;

    public async Task<CasePlace> ResolveAsync(SubmitCaseRequest r, int? homeRoomId, int? withinCommunity, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(r);
        var detail = string.IsNullOrWhiteSpace(r.Address) ? null : r.Address.Trim();
        if (detail?.Length > 80) throw new DomainException("The place detail is at most 80 characters.", "address");
        // Checked even when a room or building decides the place: a coordinate that is not one is refused, never ignored.
        Geo.CheckPoint(r.Latitude, r.Longitude);

        CasePlace place;
        if (r.RoomId is { } roomId) place = await RoomAsync(roomId, "roomId", ct);
        else if (r.BuildingId is { } buildingId) place = await BuildingAsync(buildingId, ct);
        else if (r.FacilityId is { } facilityId) place = await FacilityAsync(facilityId, ct);
        else if (r.Latitude is { } lat && r.Longitude is { } lng) place = await PointAsync(lat, lng, ct);
        else if (r.Latitude is not null || r.Longitude is not null) throw new DomainException("Give both latitude and longitude.", r.Latitude is null ? "latitude" : "longitude");
        else if (homeRoomId is { } home) place = await RoomAsync(home, "roomId", ct);
        else throw new DomainException("Where is it? Give a room, a building, a facility or a point on the map.", "place");

        if (withinCommunity is { } community && place.CommunityId != community)
            throw new DomainException("That place is outside your community.", r.RoomId is not null ? "roomId" : r.BuildingId is not null ? "buildingId" : r.FacilityId is not null ? "facilityId" : "latitude");
        return detail is null ? place : place with { Address = $"{place.Address} · {detail}" };
    }

    /// <summary>
    /// A place in a community named from outside (a task from the higher platform): a point when one is given, which must
    /// lie in that community; else the community as a whole, kept in its first grid (every case has a grid for scope) and
    /// handled by the team its category routes it to.
    /// </summary>
    public async Task<CasePlace> InCommunityAsync(int communityId, double? latitude, double? longitude, string? detail, CancellationToken ct)
    {
        detail = string.IsNullOrWhiteSpace(detail) ? null : detail.Trim();
        if (detail?.Length > 80) throw new DomainException("The place detail is at most 80 characters.", "address");
        Geo.CheckPoint(latitude, longitude);
        CasePlace place;
        if (latitude is { } lat && longitude is { } lng)
        {
            place = await PointAsync(lat, lng, ct);
            if (place.CommunityId != communityId) throw new DomainException("That point is not in this community.", "latitude");
        }
        else if (latitude is not null || longitude is not null) throw new DomainException("Give both latitude and longitude.", latitude is null ? "latitude" : "longitude");
        else
        {
            var grid = await db.UnscopedNodes().AsNoTracking().Where(n => n.CommunityId == communityId && n.Kind == NodeKind.Grid)
                .OrderBy(n => n.Code).FirstOrDefaultAsync(ct) ?? throw new DomainException("That community has no grid yet.", "communityCode");
            place = new CasePlace(grid.DistrictId, grid.StreetId, grid.CommunityId, grid.GridId, await CommunityNameAsync(communityId, ct),
                Latitude: grid.Latitude, Longitude: grid.Longitude);
        }
        return detail is null ? place : place with { Address = $"{place.Address} · {detail}" };
    }

    async Task<CasePlace> RoomAsync(int roomId, string field, CancellationToken ct) =>
        await lookups.RoomPlaceAsync(roomId, LoadRoomAsync, ct) ?? throw new DomainException("No such room.", field);

    async Task<CasePlace?> LoadRoomAsync(int roomId, CancellationToken ct)
    {
        // Room and building in one round trip.
        var hit = await (from x in db.UnscopedRooms().AsNoTracking()
                         join b in db.UnscopedBuildings().AsNoTracking() on x.BuildingId equals b.Id
                         where x.Id == roomId
                         select new { Room = x, Building = b }).FirstOrDefaultAsync(ct);
        if (hit is null) return null;
        var (room, building) = (hit.Room, hit.Building);
        var community = await CommunityNameAsync(room.CommunityId, ct);
        return new CasePlace(room.DistrictId, room.StreetId, room.CommunityId, room.GridId, $"{community} {room.Label(building.Name)}",
            building.Id, room.Id, null, building.Latitude, building.Longitude);
    }

    async Task<CasePlace> BuildingAsync(int buildingId, CancellationToken ct) =>
        await lookups.BuildingPlaceAsync(buildingId, LoadBuildingAsync, ct) ?? throw new DomainException("No such building.", "buildingId");

    async Task<CasePlace?> LoadBuildingAsync(int buildingId, CancellationToken ct)
    {
        var building = await db.UnscopedBuildings().AsNoTracking().FirstOrDefaultAsync(b => b.Id == buildingId, ct);
        return building is null ? null : Of(building, $"{await CommunityNameAsync(building.CommunityId, ct)} {building.Name}");
    }

    async Task<CasePlace> FacilityAsync(int facilityId, CancellationToken ct)
    {
        var facility = await db.UnscopedFacilities().AsNoTracking().FirstOrDefaultAsync(f => f.Id == facilityId, ct)
            ?? throw new DomainException("No such facility.", "facilityId");
        if (facility.Category.IsSurroundingService()) throw new DomainException("That is a service outside the community; report problems inside it.", "facilityId");
        // A facility belongs to the community; its grid is the nearest building's, so a grid worker sees it.
        var nearest = await NearestBuildingAsync(facility.Latitude, facility.Longitude, facility.CommunityId, ct)
            ?? throw new DomainException("That facility's community has no buildings yet.", "facilityId");
        return Of(nearest.Building, $"{await CommunityNameAsync(facility.CommunityId, ct)} {facility.Name}") with
        {
            BuildingId = null, FacilityId = facility.Id, Latitude = facility.Latitude, Longitude = facility.Longitude,
        };
    }

    async Task<CasePlace> PointAsync(double lat, double lng, CancellationToken ct)
    {
        var nearest = await NearestBuildingAsync(lat, lng, null, ct);
        if (nearest is null || nearest.Value.Meters > MaxMetersFromBuilding)
            throw new DomainException("That point is not in a community served here.", "latitude");
        var b = nearest.Value.Building;
        var address = $"{await CommunityNameAsync(b.CommunityId, ct)} {b.Name}附近";
        return Of(b, address) with { BuildingId = nearest.Value.Meters <= 30 ? b.Id : null, Latitude = lat, Longitude = lng };
    }

    static CasePlace Of(Building b, string address) =>
        new(b.DistrictId, b.StreetId, b.CommunityId, b.GridId, address, b.Id, null, null, b.Latitude, b.Longitude);

    async Task<(Building Building, double Meters)?> NearestBuildingAsync(double lat, double lng, int? communityId, CancellationToken ct)
    {
        // A box of about ±1 km first, so only a handful of buildings are measured.
        const double box = 0.01;
        var q = db.UnscopedBuildings().AsNoTracking()
            .Where(b => b.Latitude >= lat - box && b.Latitude <= lat + box && b.Longitude >= lng - box && b.Longitude <= lng + box);
        if (communityId is { } c) q = db.UnscopedBuildings().AsNoTracking().Where(b => b.CommunityId == c);
        var candidates = await q.Take(2000).ToListAsync(ct);
        return candidates.Count == 0 ? null
            : candidates.Select(b => (b, Geo.DistanceMeters(lat, lng, b.Latitude, b.Longitude))).MinBy(x => x.Item2);
    }

    Task<string> CommunityNameAsync(int communityId, CancellationToken ct) => lookups.CommunityNameAsync(db, communityId, ct);
}

using Linli.Domain.Common;
using Linli.Domain.Registry;
using Linli.Application.Common;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Registry;

public sealed record CreateBuildingRequest(int? GridId, string? Name, int? Units, int? Floors, int? RoomsPerFloor, decimal? RoomAreaM2);

/// <summary>Adding places: a new building in a grid, with every room laid out by unit, floor and door.</summary>
public sealed class PlaceCommands(ILinliDb db)
{
    public const decimal DefaultRoomAreaM2 = 90m;

    public async Task<int> CreateBuildingAsync(CreateBuildingRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.GridId is null) throw new DomainException("Grid is required.", "gridId");
        var grid = await db.Nodes.FirstOrDefaultAsync(n => n.Id == request.GridId && n.Kind == NodeKind.Grid, ct)
            ?? throw new DomainException("No such grid in your area.", "gridId");
        var area = request.RoomAreaM2 ?? DefaultRoomAreaM2;
        if (area is <= 0 or > 10_000) throw new DomainException("Room area must be between 0 and 10,000 m².", "roomAreaM2");
        var name = (request.Name ?? "").Trim();
        if (await db.Buildings.AnyAsync(b => b.CommunityId == grid.CommunityId && b.Name == name, ct))
            throw new DomainException("The community already has a building with this name.", "name");

        // New buildings go below the existing ones on the site plan; the community centre stands in for coordinates.
        var bottom = await db.Buildings.Where(b => b.CommunityId == grid.CommunityId).MaxAsync(b => (int?)(b.PlanY + b.PlanHeight), ct) ?? 0;
        var community = await db.UnscopedNodes().AsNoTracking().SingleAsync(n => n.Id == grid.CommunityId, ct);
        var building = new Building(grid, name, request.Units ?? 0, request.Floors ?? 0, request.RoomsPerFloor ?? 0,
            (60, bottom + 40, 100, 80), community.Latitude, community.Longitude);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Buildings.Add(building);
        await db.SaveChangesAsync(ct);
        db.Rooms.AddRange(building.LayOutRooms((_, _) => area));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return building.Id;
    }
}

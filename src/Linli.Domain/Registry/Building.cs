using Linli.Domain.Common;

namespace Linli.Domain.Registry;

/// <summary>A residential building in a grid, with its rectangle on the community's site plan (plan units, 0–1000).</summary>
public sealed class Building : ScopedEntity
{
    public const int NameMaxLength = 40;

    public int Id { get; private set; }
    public string Name { get; private set; } = "";
    public int Units { get; private set; }
    public int Floors { get; private set; }
    public int RoomsPerFloor { get; private set; }
    public int PlanX { get; private set; }
    public int PlanY { get; private set; }
    public int PlanWidth { get; private set; }
    public int PlanHeight { get; private set; }
    public double Latitude { get; private set; }
    public double Longitude { get; private set; }

    Building() { }

    public Building(HierarchyNode grid, string name, int units, int floors, int roomsPerFloor,
        (int X, int Y, int W, int H) plan, double lat, double lng)
    {
        ArgumentNullException.ThrowIfNull(grid);
        if (grid.Kind != NodeKind.Grid) throw new DomainException("A building belongs to a grid.", "gridId");
        if (string.IsNullOrWhiteSpace(name) || name.Length > NameMaxLength) throw new DomainException($"Name is required, at most {NameMaxLength} characters.", "name");
        if (units is < 1 or > 20) throw new DomainException("Units must be 1–20.", "units");
        if (floors is < 1 or > 100) throw new DomainException("Floors must be 1–100.", "floors");
        if (roomsPerFloor is < 1 or > 20) throw new DomainException("Rooms per floor must be 1–20.", "roomsPerFloor");
        Geo.CheckPoint(lat, lng);
        PlaceIn(grid);
        Name = name.Trim();
        Units = units;
        Floors = floors;
        RoomsPerFloor = roomsPerFloor;
        (PlanX, PlanY, PlanWidth, PlanHeight) = plan;
        Latitude = lat;
        Longitude = lng;
    }

    /// <summary>Lays out every room of the building: unit u, floor f, door d gives number f0d (e.g. 302).</summary>
    public IEnumerable<Room> LayOutRooms(Func<int, int, decimal> area)
    {
        ArgumentNullException.ThrowIfNull(area);
        for (var u = 1; u <= Units; u++)
            for (var f = 1; f <= Floors; f++)
                for (var d = 1; d <= RoomsPerFloor; d++)
                    yield return new Room(this, u, f, $"{f}{d:00}", area(f, d));
    }
}

using Linli.Domain.Common;

namespace Linli.Domain.Registry;

/// <summary>A dwelling. It owns its occupancy history and keeps its current <see cref="Occupancy"/> in step with it.</summary>
public sealed class Room : ScopedEntity
{
    public const int NumberMaxLength = 10;

    public int Id { get; private set; }
    public int BuildingId { get; private set; }
    public int UnitNo { get; private set; }
    public int Floor { get; private set; }
    public string Number { get; private set; } = "";
    public decimal AreaM2 { get; private set; }
    public Occupancy Occupancy { get; private set; }

    readonly List<RoomOccupancy> _occupancies = [];
    public IReadOnlyList<RoomOccupancy> Occupancies => _occupancies;

    Room() { }

    public Room(Building building, int unitNo, int floor, string number, decimal areaM2)
    {
        ArgumentNullException.ThrowIfNull(building);
        if (string.IsNullOrWhiteSpace(number) || number.Length > NumberMaxLength) throw new DomainException("Room number is required.", "number");
        if (areaM2 is <= 0 or > 10_000) throw new DomainException("Area must be between 0 and 10,000 m².", "areaM2");
        PlaceIn(building);
        BuildingId = building.Id;
        UnitNo = unitNo;
        Floor = floor;
        Number = number.Trim();
        AreaM2 = areaM2;
    }

    /// <summary>Reads like a Chinese address: 3号楼2单元302.</summary>
    public string Label(string buildingName) => LabelFor(buildingName, UnitNo, Number);

    /// <summary>
    /// How people name a room, or a place in a building when unit or room is not known ("3号楼1单元", "3号楼"), for code
    /// that reads the parts without loading the room.
    /// </summary>
    public static string LabelFor(string buildingName, int? unitNo, string? number) =>
        $"{buildingName}{(unitNo is { } u ? $"{u}单元" : "")}{number}";

    public IEnumerable<RoomOccupancy> CurrentOccupancies() => _occupancies.Where(o => o.MovedOutOn is null);

    public RoomOccupancy MoveIn(Resident resident, Relation relation, DateOnly on, DateOnly? leaseEnd)
    {
        ArgumentNullException.ThrowIfNull(resident);
        if (relation == Relation.Tenant && leaseEnd is null) throw new DomainException("A tenant needs a lease end date.", "leaseEnd");
        if (leaseEnd is { } end && end <= on) throw new DomainException("Lease end must be after the move-in date.", "leaseEnd");
        if (resident.Id != 0 && CurrentOccupancies().Any(o => o.ResidentId == resident.Id)) throw new DomainException("This person already lives in this room.", "residentId");
        var occupancy = new RoomOccupancy(this, resident, relation, on, relation == Relation.Tenant ? leaseEnd : null);
        _occupancies.Add(occupancy);
        resident.LiveIn(this, relation);
        Recompute();
        return occupancy;
    }

    public void MoveOut(Resident resident, DateOnly on)
    {
        ArgumentNullException.ThrowIfNull(resident);
        // Id 0 means "not saved yet" (seeding builds rooms and people first), so it identifies no one.
        var current = CurrentOccupancies().FirstOrDefault(o => ReferenceEquals(o.Resident, resident) || (resident.Id != 0 && o.ResidentId == resident.Id))
            ?? throw new DomainException("This person does not live in this room.", "residentId");
        current.End(on);
        resident.LeaveRoom(on);
        Recompute();
    }

    void Recompute()
    {
        var live = CurrentOccupancies().ToList();
        Occupancy = live.Count == 0 ? Occupancy.Vacant
            : live.Any(o => o.Relation == Relation.Owner) ? Occupancy.OwnerOccupied
            : live.Any(o => o.Relation == Relation.Tenant) ? Occupancy.Rented
            : Occupancy.OwnerOccupied;
    }
}

/// <summary>One stay of one person in one room: the room's move-in/move-out history.</summary>
public sealed class RoomOccupancy
{
    public int Id { get; private set; }
    public int RoomId { get; private set; }
    public int ResidentId { get; private set; }
    public Resident? Resident { get; private set; }
    public Relation Relation { get; private set; }
    public DateOnly MovedInOn { get; private set; }
    public DateOnly? MovedOutOn { get; private set; }
    public DateOnly? LeaseEnd { get; private set; }

    RoomOccupancy() { }

    internal RoomOccupancy(Room room, Resident resident, Relation relation, DateOnly on, DateOnly? leaseEnd)
    {
        RoomId = room.Id;
        Resident = resident;
        ResidentId = resident.Id;
        Relation = relation;
        MovedInOn = on;
        LeaseEnd = leaseEnd;
    }

    internal void End(DateOnly on)
    {
        if (on < MovedInOn) throw new DomainException("Move-out date is before the move-in date.", "movedOutOn");
        MovedOutOn = on;
    }
}

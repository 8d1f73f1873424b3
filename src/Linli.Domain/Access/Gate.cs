using Linli.Domain.Common;
using Linli.Domain.Registry;

namespace Linli.Domain.Access;

/// <summary>
/// A door or barrier with a reader: where it is (the community, a building and unit, a facility) and which controller
/// drives it. The controller is a device of the monitoring module (a door controller or parking barrier), so its
/// secret, heartbeat and "offline" come from there.
/// </summary>
public sealed class Gate : ScopedEntity
{
    public const int CodeMaxLength = 40;
    public const int NameMaxLength = 60;

    public int Id { get; private set; }
    /// <summary>The gate's id on the wire, unique in the district: what a controller names in a decision request.</summary>
    public string Code { get; private set; } = "";
    public string Name { get; private set; } = "";
    public GateKind Kind { get; private set; }
    public int? BuildingId { get; private set; }
    /// <summary>The unit of the building a unit door closes; null for a building's shared door.</summary>
    public int? Unit { get; private set; }
    public int? FacilityId { get; private set; }
    /// <summary>The controller (a device) this gate's reader is wired to.</summary>
    public long? ControllerId { get; private set; }
    public bool Disabled { get; private set; }

    Gate() { }

    public Gate(string code, string name, GateKind kind, PlaceKeys community, Building? building = null, int? unit = null, Facility? facility = null)
    {
        Code = Codes.Check(code, CodeMaxLength, "code");
        Name = Names.Check(name, NameMaxLength, "name");
        Kind = kind;
        switch (kind)
        {
            case GateKind.BuildingDoor or GateKind.UnitDoor:
                if (building is null) throw new DomainException("A building or unit door belongs to a building.", "buildingId");
                if (kind == GateKind.UnitDoor && unit is null) throw new DomainException("A unit door names its unit.", "unit");
                if (kind == GateKind.BuildingDoor && unit is not null) throw new DomainException("A building door serves every unit; name no unit.", "unit");
                if (unit is { } u && (u < 1 || u > building.Units)) throw new DomainException($"The building has units 1 to {building.Units}.", "unit");
                PlaceIn(building);
                BuildingId = building.Id;
                Unit = unit;
                break;
            case GateKind.FacilityDoor:
                PlaceIn(facility ?? throw new DomainException("A facility door belongs to a facility.", "facilityId"));
                FacilityId = facility.Id;
                break;
            default:
                if (building is not null || unit is not null || facility is not null)
                    throw new DomainException("A community gate or car park barrier belongs to the community, not to a building.", "buildingId");
                PlaceIn(community with { GridId = 0 });
                break;
        }
        if (CommunityId != community.CommunityId) throw new DomainException("The building or facility is not in this community.", "buildingId");
    }

    public void WireTo(long? controllerId) => ControllerId = controllerId;

    public void Disable(bool disabled) => Disabled = disabled;
}

using Linli.Domain.Common;

namespace Linli.Domain.Access;

/// <summary>What a decision needs of a gate: kept in the in-memory snapshot, so a decision reads no database.</summary>
public sealed record GateView(int Id, string Code, GateKind Kind, int CommunityId, int? BuildingId, int? Unit, int? FacilityId);

/// <summary>Which gates a right covers: the whole community, a building, one unit of a building (with the building's shared doors), a facility or one gate; optionally only gates of some kinds.</summary>
public enum GateScope { Community, Building, Unit, Facility, Gate }

public sealed record GateSelector
{
    public GateScope Scope { get; }
    /// <summary>The community, building, facility or gate id the scope names.</summary>
    public int Id { get; }
    /// <summary>The unit, for <see cref="GateScope.Unit"/>.</summary>
    public int? Unit { get; }
    /// <summary>Only gates of these kinds; empty: every kind.</summary>
    public IReadOnlySet<GateKind> Kinds { get; }

    public GateSelector(GateScope scope, int id, int? unit = null, IEnumerable<GateKind>? kinds = null)
    {
        if (id <= 0) throw new DomainException("Name the place or gate the right is for.", "id");
        if ((scope == GateScope.Unit) != (unit is not null)) throw new DomainException("A unit right names its unit, and only it does.", "unit");
        if (unit is < 1) throw new DomainException("Units are numbered from 1.", "unit");
        Scope = scope;
        Id = id;
        Unit = unit;
        Kinds = (kinds ?? []).ToHashSet();
    }

    public static GateSelector Community(int communityId, params GateKind[] kinds) => new(GateScope.Community, communityId, kinds: kinds);
    public static GateSelector Building(int buildingId) => new(GateScope.Building, buildingId);
    public static GateSelector UnitOf(int buildingId, int unit) => new(GateScope.Unit, buildingId, unit);
    public static GateSelector Facility(int facilityId) => new(GateScope.Facility, facilityId);
    public static GateSelector OneGate(int gateId) => new(GateScope.Gate, gateId);

    public bool Covers(GateView gate)
    {
        ArgumentNullException.ThrowIfNull(gate);
        if (Kinds.Count > 0 && !Kinds.Contains(gate.Kind)) return false;
        return Scope switch
        {
            GateScope.Community => gate.CommunityId == Id,
            GateScope.Building => gate.BuildingId == Id,
            // A unit's residents pass its own door and the building's shared doors, not the other units' doors.
            GateScope.Unit => gate.BuildingId == Id && (gate.Unit is null || gate.Unit == Unit),
            GateScope.Facility => gate.FacilityId == Id,
            _ => gate.Id == Id,
        };
    }

    public bool Equals(GateSelector? other) => other is not null && Scope == other.Scope && Id == other.Id && Unit == other.Unit && Kinds.SetEquals(other.Kinds);

    public override int GetHashCode() => HashCode.Combine(Scope, Id, Unit, Kinds.Count);
}

/// <summary>One right of a credential: these gates, at these times.</summary>
public sealed record AccessGrant(GateSelector Gates, AccessSchedule When)
{
    public static AccessGrant AlwaysAt(GateSelector gates) => new(gates, AccessSchedule.Always);
}

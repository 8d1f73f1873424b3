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

    static readonly (GateScope Scope, char Letter)[] ScopeLetters =
        [(GateScope.Community, 'C'), (GateScope.Building, 'B'), (GateScope.Unit, 'U'), (GateScope.Facility, 'F'), (GateScope.Gate, 'G')];
    static readonly (GateKind Kind, char Letter)[] KindLetters =
        [(GateKind.CommunityGate, 'c'), (GateKind.BuildingDoor, 'b'), (GateKind.UnitDoor, 'u'), (GateKind.CarParkBarrier, 'p'), (GateKind.FacilityDoor, 'f')];

    /// <summary>
    /// The selector as a short token a signed visitor pass carries, so an offline controller knows its gates: the scope's
    /// letter and id, <c>/unit</c> for a unit, <c>:kinds</c> as letters. <c>C7:c</c> is community 7's gates, <c>U12/2</c>
    /// unit 2 of building 12.
    /// </summary>
    public string ToToken()
    {
        var token = ScopeLetters.First(x => x.Scope == Scope).Letter + Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (Unit is { } u) token += "/" + u.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (Kinds.Count > 0) token += ":" + new string(KindLetters.Where(k => Kinds.Contains(k.Kind)).Select(k => k.Letter).ToArray());
        return token;
    }

    /// <summary>The selector of a token written by <see cref="ToToken"/>, or null when the text is not one.</summary>
    public static GateSelector? FromToken(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 40) return null;
        var scope = ScopeLetters.FirstOrDefault(x => x.Letter == token[0]);
        if (scope.Letter == default) return null;
        var rest = token[1..];
        var kindsAt = rest.IndexOf(':', StringComparison.Ordinal);
        var kindText = kindsAt < 0 ? "" : rest[(kindsAt + 1)..];
        if (kindsAt >= 0) rest = rest[..kindsAt];
        var unitAt = rest.IndexOf('/', StringComparison.Ordinal);
        int? unit = null;
        if (unitAt >= 0)
        {
            if (!int.TryParse(rest[(unitAt + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var u)) return null;
            unit = u;
            rest = rest[..unitAt];
        }
        if (!int.TryParse(rest, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) || id <= 0) return null;
        var kinds = new List<GateKind>();
        foreach (var c in kindText)
        {
            var kind = KindLetters.FirstOrDefault(k => k.Letter == c);
            if (kind.Letter == default) return null;
            kinds.Add(kind.Kind);
        }
        if ((scope.Scope == GateScope.Unit) != (unit is not null) || unit is < 1) return null;
        return new GateSelector(scope.Scope, id, unit, kinds);
    }

    public bool Equals(GateSelector? other) => other is not null && Scope == other.Scope && Id == other.Id && Unit == other.Unit && Kinds.SetEquals(other.Kinds);

    public override int GetHashCode() => HashCode.Combine(Scope, Id, Unit, Kinds.Count);
}

/// <summary>One right of a credential: these gates, at these times.</summary>
public sealed record AccessGrant(GateSelector Gates, AccessSchedule When)
{
    public static AccessGrant AlwaysAt(GateSelector gates) => new(gates, AccessSchedule.Always);
}

using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Domain.Registry;

namespace Linli.Domain.Notices;

/// <summary>
/// Groups of residents a notice can be sent to. The first five share their bits with <see cref="ResidentLabels"/>; the age
/// groups are derived from the birth date on the day, never stored on the resident.
/// </summary>
[Flags]
public enum ResidentGroups
{
    None = 0,
    LivingAlone = 1,
    Disabled = 2,
    LowIncome = 4,
    Veteran = 8,
    PartyMember = 16,
    Elderly60 = 32,
    Elderly80 = 64,
    ElderlyLivingAlone = 128,
}

public static class ResidentGroupsOf
{
    /// <summary>Every single group, in the order a form lists them.</summary>
    public static readonly IReadOnlyList<ResidentGroups> All =
    [
        ResidentGroups.ElderlyLivingAlone, ResidentGroups.Elderly80, ResidentGroups.Elderly60, ResidentGroups.LivingAlone,
        ResidentGroups.Disabled, ResidentGroups.LowIncome, ResidentGroups.Veteran, ResidentGroups.PartyMember,
    ];

    const ResidentGroups Stored = ResidentGroups.LivingAlone | ResidentGroups.Disabled | ResidentGroups.LowIncome | ResidentGroups.Veteran | ResidentGroups.PartyMember;

    /// <summary>The groups a person of these labels and this age belongs to.</summary>
    public static ResidentGroups Person(ResidentLabels labels, int age)
    {
        var groups = (ResidentGroups)labels & Stored;
        if (age >= 60) groups |= ResidentGroups.Elderly60;
        if (age >= 80) groups |= ResidentGroups.Elderly80;
        if (age >= 60 && labels.HasFlag(ResidentLabels.LivingAlone)) groups |= ResidentGroups.ElderlyLivingAlone;
        return groups;
    }

    public static IReadOnlyList<ResidentGroups> Split(this ResidentGroups groups) => All.Where(g => groups.HasFlag(g)).ToList();

    /// <summary>The groups as one value; a list longer than there are groups (each once) is refused, naming it.</summary>
    public static ResidentGroups Combine(IEnumerable<ResidentGroups>? groups)
    {
        var listed = (groups ?? []).Take(All.Count + 1).ToList();
        if (listed.Count > All.Count) throw new DomainException($"At most {All.Count} resident groups, each once.", "groups");
        return listed.Aggregate(ResidentGroups.None, (all, g) => all | g);
    }
}

/// <summary>
/// Who a notice is for, inside the subtree of the node it is published at. No roles means the neighbourhood: every resident
/// (narrowed by <see cref="BuildingIds"/> and <see cref="Groups"/>) and every staff member, but not outside service
/// providers, who get only what names them. With roles, only those roles; buildings and groups then choose among residents,
/// so they need <see cref="Role.Resident"/> among the roles.
/// </summary>
public sealed record NoticeAudience
{
    public const int MaxBuildings = 200;

    /// <summary>Each role at most once: a longer list is not a choice anyone made.</summary>
    public static readonly int MaxRoles = Enum.GetValues<Role>().Length;

    public static readonly NoticeAudience Everyone = new([], ResidentGroups.None, []);

    public IReadOnlyList<int> BuildingIds { get; }
    public ResidentGroups Groups { get; }
    public IReadOnlyList<Role> Roles { get; }

    public NoticeAudience(IEnumerable<int>? buildingIds, ResidentGroups groups, IEnumerable<Role>? roles)
    {
        // Counted as sent, repeats included: a list of 10,000 copies of one id is no audience anyone chose.
        var sent = (buildingIds ?? []).Take(MaxBuildings + 1).ToList();
        if (sent.Count > MaxBuildings) throw new DomainException($"Choose at most {MaxBuildings} buildings; for more, publish to the whole area.", "buildingIds");
        if ((roles ?? []).Take(MaxRoles + 1).Count() > MaxRoles) throw new DomainException($"At most {MaxRoles} roles, each once.", "roles");
        BuildingIds = (buildingIds ?? []).Distinct().Order().ToList();
        Roles = (roles ?? []).Distinct().Order().ToList();
        Groups = groups;
        if (BuildingIds.Count > MaxBuildings) throw new DomainException($"Choose at most {MaxBuildings} buildings; for more, publish to the whole area.", "buildingIds");
        if (BuildingIds.Any(id => id <= 0)) throw new DomainException("Building ids are positive numbers.", "buildingIds");
        if ((groups & ~ResidentGroupsOf.Combine(ResidentGroupsOf.All)) != 0) throw new DomainException("Unknown resident group.", "groups");
        if (!IncludesResidents && (BuildingIds.Count > 0 || Groups != ResidentGroups.None))
            throw new DomainException("Buildings and resident groups choose among residents: include residents in the roles.", "roles");
    }

    public bool IncludesResidents => Roles.Count == 0 || Roles.Contains(Role.Resident);

    /// <summary>The staff roles that are sent the notice (all but service providers when no role is chosen).</summary>
    public IReadOnlyList<Role> StaffRoles =>
        Roles.Count == 0 ? Enum.GetValues<Role>().Where(IsSentByDefault).Where(r => r != Role.Resident).ToList() : Roles.Where(r => r != Role.Resident).ToList();

    /// <summary>Whether a notice with no roles chosen is sent to the role.</summary>
    public static bool IsSentByDefault(Role role) => role != Role.ServiceProvider;

    /// <summary>The roles as a bit mask, one bit per role: what the database stores and filters on.</summary>
    public int RoleMask => Roles.Aggregate(0, (mask, r) => mask | RoleBit(r));

    public static int RoleBit(Role role) => 1 << (int)role;

    public static IReadOnlyList<Role> RolesOf(int mask) => Enum.GetValues<Role>().Where(r => (mask & RoleBit(r)) != 0).ToList();
}

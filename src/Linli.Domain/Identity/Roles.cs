using System.Linq.Expressions;
using Linli.Domain.Common;
using Linli.Domain.Registry;

namespace Linli.Domain.Identity;

public enum Role { Resident, GridWorker, PropertyStaff, CommunityAdmin, StreetOfficer, DistrictOfficer, ServiceProvider }

public enum Permission
{
    ReadRegistry,
    ReadResidents,
    EditResidents,
    EditPlaces,
    ImportExport,
    Unmask,
    ReadAudit,
    ReadStatistics,
    ReportCases,
    ReadCases,
    HandleCases,
    ManageCaseCategories,
    PublishNotices,
    ReadDevices,
    ManageDevices,
    HandleAlarms,
    ManageAlarmRules,
    CallForHelp,
    /// <summary>Issue, suspend and revoke credentials; add gates and wire them to controllers.</summary>
    ManageAccess,
    /// <summary>Read the access log, who is inside, and the visitors.</summary>
    ReadAccessLog,
    /// <summary>A resident's own card: the phone code, invitations, their passages.</summary>
    UseOneCard,
}

/// <summary>What each role may do. Where it may do it is the scope (see <see cref="Scope"/>).</summary>
public static class RolePermissions
{
    static readonly Dictionary<Role, Permission[]> Map = new()
    {
        [Role.Resident] = [Permission.ReadRegistry, Permission.ReadResidents, Permission.ReportCases, Permission.ReadCases, Permission.CallForHelp, Permission.UseOneCard],
        [Role.GridWorker] = [Permission.ReadRegistry, Permission.ReadResidents, Permission.EditResidents, Permission.Unmask, Permission.ReadStatistics, Permission.ImportExport,
            Permission.ReportCases, Permission.ReadCases, Permission.HandleCases, Permission.PublishNotices, Permission.ReadDevices, Permission.HandleAlarms],
        [Role.PropertyStaff] = [Permission.ReadRegistry, Permission.ReadResidents, Permission.EditPlaces, Permission.ReportCases, Permission.ReadCases, Permission.HandleCases, Permission.PublishNotices,
            Permission.ReadDevices, Permission.ManageDevices, Permission.HandleAlarms, Permission.ManageAccess, Permission.ReadAccessLog],
        [Role.CommunityAdmin] = [Permission.ReadRegistry, Permission.ReadResidents, Permission.EditResidents, Permission.EditPlaces, Permission.ImportExport, Permission.Unmask, Permission.ReadAudit, Permission.ReadStatistics,
            Permission.ReportCases, Permission.ReadCases, Permission.HandleCases, Permission.PublishNotices,
            Permission.ReadDevices, Permission.ManageDevices, Permission.HandleAlarms, Permission.ManageAlarmRules, Permission.ManageAccess, Permission.ReadAccessLog],
        [Role.StreetOfficer] = [Permission.ReadRegistry, Permission.ReadResidents, Permission.ReadAudit, Permission.ReadStatistics, Permission.ImportExport,
            Permission.ReadCases, Permission.HandleCases, Permission.PublishNotices, Permission.ReadDevices, Permission.HandleAlarms, Permission.ManageAlarmRules,
            Permission.ReadAccessLog],
        [Role.DistrictOfficer] = [Permission.ReadRegistry, Permission.ReadResidents, Permission.ReadAudit, Permission.ReadStatistics, Permission.ImportExport,
            Permission.ReadCases, Permission.HandleCases, Permission.ManageCaseCategories, Permission.PublishNotices, Permission.ReadDevices, Permission.HandleAlarms,
            Permission.ManageAlarmRules, Permission.ReadAccessLog],
        [Role.ServiceProvider] = [Permission.ReadRegistry],
    };

    public static bool Has(this Role role, Permission permission) => Map[role].Contains(permission);

    /// <summary>The node kind a role is held at.</summary>
    public static NodeKind? HeldAt(this Role role) => role switch
    {
        Role.GridWorker => NodeKind.Grid,
        Role.PropertyStaff or Role.CommunityAdmin or Role.ServiceProvider or Role.Resident => NodeKind.Community,
        Role.StreetOfficer => NodeKind.Street,
        Role.DistrictOfficer => NodeKind.District,
        _ => null,
    };
}

/// <summary>How far a scope reaches; <see cref="System"/> is for start-up, seeding and background jobs, never for a user.</summary>
public enum ScopeLevel { Nothing, Household, Grid, Community, Street, District, System }

/// <summary>
/// The part of the hierarchy a signed-in user sees: a node and everything below it, or for a resident one household (room).
/// <see cref="CommunityId"/> is the community a grid or household scope lies in: its facilities and organizations serve them too.
/// </summary>
public sealed record Scope(ScopeLevel Level, int Id, int HouseholdBuildingId = 0, int CommunityId = 0)
{
    public static readonly Scope None = new(ScopeLevel.Nothing, 0);
    public static readonly Scope System = new(ScopeLevel.System, 0);

    public static Scope For(Role role, int nodeId, Room? household, int nodeCommunityId = 0) => role switch
    {
        Role.Resident => household is null ? None : new Scope(ScopeLevel.Household, household.Id, household.BuildingId, household.CommunityId),
        _ => role.HeldAt() switch
        {
            NodeKind.Grid => new Scope(ScopeLevel.Grid, nodeId, CommunityId: nodeCommunityId),
            NodeKind.Community => new Scope(ScopeLevel.Community, nodeId),
            NodeKind.Street => new Scope(ScopeLevel.Street, nodeId),
            NodeKind.District => new Scope(ScopeLevel.District, nodeId),
            _ => None,
        },
    };

    /// <summary>
    /// Whether a row at <paramref name="place"/> lies in this scope's subtree. A household is not decided by scope keys (it
    /// sees what the rows say about its room), so it covers none here; nor does <see cref="ScopeLevel.Nothing"/>.
    /// </summary>
    public bool Covers(PlaceKeys place) => Level switch
    {
        ScopeLevel.System => true,
        ScopeLevel.District => place.DistrictId == Id,
        ScopeLevel.Street => place.StreetId == Id,
        ScopeLevel.Community => place.CommunityId == Id,
        ScopeLevel.Grid => place.GridId == Id,
        _ => false,
    };

    /// <summary><see cref="Covers"/> for a database: one equality on the scope's own key, which the scope-key indexes answer.</summary>
    public Expression<Func<T, bool>> CoversExpression<T>() where T : ScopedEntity
    {
        var id = Id;
        return Level switch
        {
            ScopeLevel.System => e => true,
            ScopeLevel.District => e => e.DistrictId == id,
            ScopeLevel.Street => e => e.StreetId == id,
            ScopeLevel.Community => e => e.CommunityId == id,
            ScopeLevel.Grid => e => e.GridId == id,
            _ => e => false,
        };
    }
}

using System.Linq.Expressions;
using Linli.Domain.Identity;

namespace Linli.Domain.Cases;

/// <summary>The team a new case goes to: a handling level, and the property company when the level is the property's.</summary>
public sealed record CaseRoute(HandlingLevel Level, int? OrganizationId);

/// <summary>
/// How a report becomes a case for a team: the category decides the level, the place decides the node. These are the
/// decisions only; the use cases load what they take (the category, the community's property company).
/// </summary>
public static class CaseRouting
{
    /// <summary>Only a property-level category needs to know the community's property company.</summary>
    public static bool NeedsPropertyCompany(CaseCategory category)
    {
        ArgumentNullException.ThrowIfNull(category);
        return category.Level == HandlingLevel.Property;
    }

    /// <summary>
    /// The category's level; a community without a property company (common in old neighbourhoods) has its property
    /// matters handled by the residents' committee, the community level.
    /// </summary>
    public static CaseRoute Route(CaseCategory category, int? propertyCompanyId)
    {
        ArgumentNullException.ThrowIfNull(category);
        if (category.Level != HandlingLevel.Property) return new(category.Level, null);
        return propertyCompanyId is { } company ? new(HandlingLevel.Property, company) : new(HandlingLevel.Community, null);
    }

    /// <summary>
    /// What a report from someone signed in is: the kind they chose, else a grid worker's patrol finding, else the
    /// category's usual kind; a grid worker's patrol finding comes from the patrol, anything else from the web.
    /// </summary>
    public static (CaseKind Kind, CaseSource Source) Intake(Role reporter, CaseKind? chosen, CaseCategory category)
    {
        ArgumentNullException.ThrowIfNull(category);
        var kind = chosen ?? (reporter == Role.GridWorker ? CaseKind.Patrol : category.DefaultKind);
        return (kind, reporter == Role.GridWorker && kind == CaseKind.Patrol ? CaseSource.Patrol : CaseSource.Web);
    }

    /// <summary>The one community a user reports within: their household's or grid's, or their own; null above a community.</summary>
    public static int? ReportingCommunity(Scope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return scope.Level switch
        {
            ScopeLevel.Household or ScopeLevel.Grid => scope.CommunityId,
            ScopeLevel.Community => scope.Id,
            _ => null,
        };
    }
}

/// <summary>Who works a case: the team at its level, the levels above that supervise it, and the residents around it.</summary>
public static class CaseTeams
{
    /// <summary>
    /// How staff stand to a case: the team of its level, a supervisor above it, else an onlooker (so are those who may not
    /// handle cases at all).
    /// </summary>
    public static CaseRelation StaffRelation(Role role, bool mayHandleCases, HandlingLevel caseLevel)
    {
        if (!mayHandleCases || role.TeamLevel() is not { } mine) return CaseRelation.Onlooker;
        if (mine == caseLevel) return CaseRelation.Team;
        return mine > caseLevel ? CaseRelation.Supervisor : CaseRelation.Onlooker;
    }

    /// <summary>Whether a resident reported the case, they or anyone of their household.</summary>
    public static bool IsReporter(Case c, int userId, int? householdRoomId)
    {
        ArgumentNullException.ThrowIfNull(c);
        return c.ReporterUserId == userId || (householdRoomId is { } room && c.ReporterRoomId == room);
    }

    /// <summary>
    /// How a resident who did not report the case stands to it: a follower once they (or their household) joined it, a
    /// neighbour in its community, else an onlooker.
    /// </summary>
    public static CaseRelation NonReporterRelation(Case c, bool follows, int residentCommunityId)
    {
        ArgumentNullException.ThrowIfNull(c);
        if (follows) return CaseRelation.Follower;
        return residentCommunityId == c.CommunityId ? CaseRelation.Neighbour : CaseRelation.Onlooker;
    }

    /// <summary>
    /// The accounts in the team a case sits with, as a database filter: property staff of its community; the community's
    /// admins and the grid workers of its grids (<paramref name="gridsOfCommunity"/>, loaded by the caller); the street's
    /// or the district's officers.
    /// </summary>
    public static Expression<Func<UserAccount, bool>> Members(Case c, IQueryable<int> gridsOfCommunity)
    {
        ArgumentNullException.ThrowIfNull(c);
        var (community, street, district) = (c.CommunityId, c.StreetId, c.DistrictId);
        return c.Level switch
        {
            HandlingLevel.Property => u => u.Role == Role.PropertyStaff && u.NodeId == community,
            HandlingLevel.Community => u => (u.Role == Role.CommunityAdmin && u.NodeId == community) || (u.Role == Role.GridWorker && gridsOfCommunity.Contains(u.NodeId)),
            HandlingLevel.Street => u => u.Role == Role.StreetOfficer && u.NodeId == street,
            _ => u => u.Role == Role.DistrictOfficer && u.NodeId == district,
        };
    }
}

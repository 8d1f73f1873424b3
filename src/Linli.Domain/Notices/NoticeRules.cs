using System.Linq.Expressions;
using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Domain.Registry;

namespace Linli.Domain.Notices;

/// <summary>
/// Someone notices are for: their place (a resident's room, a staff member's node) and role; a resident also has a
/// building and the groups they belong to today.
/// </summary>
public sealed record NoticeReader(Role Role, int DistrictId, int StreetId, int CommunityId, int GridId, int? BuildingId = null,
    ResidentGroups Groups = ResidentGroups.None)
{
    public static NoticeReader Staff(Role role, HierarchyNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return new NoticeReader(role, node.DistrictId, node.StreetId, node.CommunityId, node.GridId);
    }

    public static NoticeReader Resident(Room room, ResidentGroups groups)
    {
        ArgumentNullException.ThrowIfNull(room);
        return new NoticeReader(Role.Resident, room.DistrictId, room.StreetId, room.CommunityId, room.GridId, room.BuildingId, groups);
    }
}

/// <summary>
/// Who sees which notice, written once as expressions: the database filters with them and the domain tests run them.
/// </summary>
public static class NoticeRules
{
    /// <summary>Published, not expired, not withdrawn.</summary>
    public static Expression<Func<Notice, bool>> LiveAt(DateTimeOffset now) =>
        n => n.WithdrawnAt == null && n.PublishAt <= now && (n.ExpiresAt == null || n.ExpiresAt > now);

    /// <summary>
    /// The notices sent to the reader: published at or above their place, for their role and, for a resident, for their
    /// building and one of their groups. Whether it is live is <see cref="LiveAt"/>.
    /// </summary>
    public static Expression<Func<Notice, bool>> For(NoticeReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var reaches = new PlaceKeys(reader.DistrictId, reader.StreetId, reader.CommunityId, reader.GridId).CoveredByExpression<Notice>();
        var bit = NoticeAudience.RoleBit(reader.Role);
        var byDefault = NoticeAudience.IsSentByDefault(reader.Role);
        if (reader.Role != Role.Resident)
        {
            return reaches.And(n => (n.RoleMask == 0 && byDefault) || (n.RoleMask & bit) != 0);
        }
        var building = reader.BuildingId ?? 0;
        var groups = reader.Groups;
        return reaches.And(n => ((n.RoleMask == 0 && byDefault) || (n.RoleMask & bit) != 0)
            && (n.Groups == ResidentGroups.None || (n.Groups & groups) != ResidentGroups.None)
            && (!n.Buildings.Any() || n.Buildings.Any(b => b.BuildingId == building)));
    }

    /// <summary>
    /// The residents in at least one of the groups on the day (all residents for <see cref="ResidentGroups.None"/>).
    /// Label flags are constants, not parameters, so that a database can match them against its partial indexes.
    /// </summary>
    public static Expression<Func<Resident, bool>> InGroups(ResidentGroups groups, DateOnly today)
    {
        if (groups == ResidentGroups.None) return r => true;
        var born60 = Ages.BirthRange(today, 60, null).BornTo;
        var born80 = Ages.BirthRange(today, 80, null).BornTo;
        var parts = new List<Expression<Func<Resident, bool>>>();
        foreach (var group in groups.Split())
        {
            parts.Add(group switch
            {
                ResidentGroups.LivingAlone => r => (r.Labels & ResidentLabels.LivingAlone) != 0,
                ResidentGroups.Disabled => r => (r.Labels & ResidentLabels.Disabled) != 0,
                ResidentGroups.LowIncome => r => (r.Labels & ResidentLabels.LowIncome) != 0,
                ResidentGroups.Veteran => r => (r.Labels & ResidentLabels.Veteran) != 0,
                ResidentGroups.PartyMember => r => (r.Labels & ResidentLabels.PartyMember) != 0,
                ResidentGroups.Elderly60 => r => r.BirthDate <= born60,
                ResidentGroups.Elderly80 => r => r.BirthDate <= born80,
                ResidentGroups.ElderlyLivingAlone => r => r.BirthDate <= born60 && (r.Labels & ResidentLabels.LivingAlone) != 0,
                _ => throw new DomainException("Unknown resident group.", "groups"),
            });
        }
        var p = Expression.Parameter(typeof(Resident), "r");
        var body = parts.Select(e => new Rebind(e.Parameters[0], p).Visit(e.Body)).Aggregate(Expression.OrElse);
        return Expression.Lambda<Func<Resident, bool>>(body, p);
    }

    sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}

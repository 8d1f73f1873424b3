using System.Linq.Expressions;
using System.Runtime.CompilerServices;

namespace Linli.Domain.Common;

/// <summary>
/// Where in the hierarchy something is, or the node something is kept at: district, street, community and grid keys.
/// Kept at a node, a zero below the node's level means "every one of them": a notice or rule with street 0 covers every
/// street of its district.
/// </summary>
public readonly record struct PlaceKeys(int DistrictId, int StreetId, int CommunityId, int GridId)
{
    /// <summary>Whether this node covers <paramref name="place"/>: the same district, and every key the node sets matches.</summary>
    public bool Covers(PlaceKeys place) =>
        place.DistrictId == DistrictId
        && (StreetId == 0 || place.StreetId == StreetId)
        && (CommunityId == 0 || place.CommunityId == CommunityId)
        && (GridId == 0 || place.GridId == GridId);

    /// <summary>
    /// <see cref="Covers"/> for a database to answer: <c>(node, place) =&gt; node covers place</c>, where both are stored rows
    /// (e.g. a notice and the room of the reader). Written once; <see cref="CoveredByExpression{TNode}"/> is built from it.
    /// Plain equalities and zero tests, so the database can use the indexes on the scope keys.
    /// </summary>
    public static Expression<Func<TNode, TPlace, bool>> CoversExpression<TNode, TPlace>()
        where TNode : ScopedEntity where TPlace : ScopedEntity =>
        (node, place) => place.DistrictId == node.DistrictId
            && (node.StreetId == 0 || place.StreetId == node.StreetId)
            && (node.CommunityId == 0 || place.CommunityId == node.CommunityId)
            && (node.GridId == 0 || place.GridId == node.GridId);

    /// <summary>
    /// The rows kept at a node that covers this place: <c>node =&gt; node covers this</c>. The keys of this place reach the
    /// database as parameters, as a captured variable would.
    /// </summary>
    public Expression<Func<TNode, bool>> CoveredByExpression<TNode>() where TNode : ScopedEntity
    {
        var template = CoversExpression<TNode, ScopedEntity>();
        var keys = Expression.Field(Expression.Constant(new StrongBox<PlaceKeys>(this)), nameof(StrongBox<PlaceKeys>.Value));
        var body = new PlaceToKeys(template.Parameters[1], keys).Visit(template.Body);
        return Expression.Lambda<Func<TNode, bool>>(body, template.Parameters[0]);
    }

    /// <summary>Reads a key of the place from a <see cref="PlaceKeys"/> value instead of a row.</summary>
    sealed class PlaceToKeys(ParameterExpression place, Expression keys) : ExpressionVisitor
    {
        protected override Expression VisitMember(MemberExpression node) =>
            node.Expression == place ? Expression.Property(keys, node.Member.Name) : base.VisitMember(node);

        protected override Expression VisitParameter(ParameterExpression node) =>
            node == place ? throw new InvalidOperationException("The place is used only through its keys.") : base.VisitParameter(node);
    }
}

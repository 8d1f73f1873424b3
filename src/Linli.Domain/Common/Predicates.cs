using System.Linq.Expressions;

namespace Linli.Domain.Common;

/// <summary>Joins predicates a database answers, so that a rule written once (such as <see cref="PlaceKeys.Covers"/>) can be combined.</summary>
public static class Predicates
{
    public static Expression<Func<T, bool>> And<T>(this Expression<Func<T, bool>> left, Expression<Func<T, bool>> right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        var p = left.Parameters[0];
        return Expression.Lambda<Func<T, bool>>(Expression.AndAlso(left.Body, new Replace(right.Parameters[0], p).Visit(right.Body)), p);
    }

    sealed class Replace(ParameterExpression from, Expression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}

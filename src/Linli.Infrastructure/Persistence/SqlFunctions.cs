using System.Data;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query.SqlExpressions;
using Microsoft.EntityFrameworkCore.Storage;

namespace Linli.Infrastructure.Persistence;

/// <summary>Functions a LINQ query can use that the database computes, with one translation per provider.</summary>
public static class SqlFunctions
{
    /// <summary>
    /// Minutes from <paramref name="from"/> to <paramref name="to"/>, or null when <paramref name="to"/> is null, so that
    /// averages of durations are taken by the database (EF cannot subtract instants stored as ticks on SQLite).
    /// </summary>
    public static double? MinutesBetween(DateTimeOffset from, DateTimeOffset? to) =>
        throw new InvalidOperationException($"{nameof(MinutesBetween)} can only be used in a database query.");

    internal static void Register(ModelBuilder modelBuilder, bool postgres)
    {
        var real = new DoubleTypeMapping(postgres ? "double precision" : "REAL");
        modelBuilder.HasDbFunction(typeof(SqlFunctions).GetMethod(nameof(MinutesBetween))!).HasTranslation(args =>
        {
            var (from, to) = (args[0], args[1]);
            if (!postgres)
            {
                // Instants are UTC ticks on SQLite (see UtcTicksConverter): 600,000,000 to the minute.
                var ticks = new SqlBinaryExpression(ExpressionType.Subtract, to, from, typeof(long), new LongTypeMapping("INTEGER"));
                return new SqlBinaryExpression(ExpressionType.Divide, ticks, new SqlConstantExpression(600_000_000.0, typeof(double), real), typeof(double), real);
            }
            SqlExpression Epoch(SqlExpression instant) => new SqlFunctionExpression("date_part",
                [new SqlConstantExpression("epoch", typeof(string), new StringTypeMapping("text", DbType.String)), instant],
                nullable: true, argumentsPropagateNullability: [false, true], typeof(double), real);
            var seconds = new SqlBinaryExpression(ExpressionType.Subtract, Epoch(to), Epoch(from), typeof(double), real);
            return new SqlBinaryExpression(ExpressionType.Divide, seconds, new SqlConstantExpression(60.0, typeof(double), real), typeof(double), real);
        });
    }
}

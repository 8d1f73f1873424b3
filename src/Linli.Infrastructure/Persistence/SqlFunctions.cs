using System.Data;
using System.Linq.Expressions;
using Linli.Application.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query.SqlExpressions;
using Microsoft.EntityFrameworkCore.Storage;

namespace Linli.Infrastructure.Persistence;

/// <summary>The translations of <see cref="SqlFunctions"/>, one per provider.</summary>
static class SqlFunctionTranslations
{
    internal static void Register(ModelBuilder modelBuilder, bool postgres)
    {
        var real = new DoubleTypeMapping(postgres ? "double precision" : "REAL");
        modelBuilder.HasDbFunction(typeof(SqlFunctions).GetMethod(nameof(SqlFunctions.MinutesBetween))!).HasTranslation(args =>
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

using System.Data.Common;
using Linli.Application.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Linli.Infrastructure.Persistence;

/// <summary>
/// Claims due timer rows by deleting them inside the caller's transaction. Whoever deletes a timer owns it: when the
/// transaction commits the timer has fired exactly once; when it rolls back (a crash, an error) the timer is due again.
/// On PostgreSQL, SKIP LOCKED lets several web nodes claim different timers at the same time. Every timer table has
/// "Id" and "DueAt"; <paramref name="columns"/> lists what else the caller reads back.
/// </summary>
static class TimerClaims
{
    public static async Task<IReadOnlyList<T>> ClaimDueAsync<T>(ILinliDb db, string table, string columns, DateTimeOffset now, int max,
        Func<DbDataReader, Func<int, DateTimeOffset>, T> read, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var tx = db.Database.CurrentTransaction ?? throw new InvalidOperationException("Claim timers inside a transaction.");
        await using var cmd = db.Database.GetDbConnection().CreateCommand();
        cmd.Transaction = tx.GetDbTransaction();
        var lockClause = db.IsPostgres ? " FOR UPDATE SKIP LOCKED" : "";
        cmd.CommandText = $"""
            DELETE FROM {table} WHERE "Id" IN (
                SELECT "Id" FROM {table} WHERE "DueAt" <= @now ORDER BY "DueAt" LIMIT @max{lockClause})
            RETURNING {columns}
            """;
        Add(cmd, "@now", db.IsPostgres ? now.ToUniversalTime() : now.UtcTicks);
        Add(cmd, "@max", max);
        var timers = new List<T>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        // SQLite keeps times as UTC ticks (see the DbContext's conventions).
        DateTimeOffset Time(int ordinal) => db.IsPostgres ? reader.GetFieldValue<DateTimeOffset>(ordinal) : new DateTimeOffset(reader.GetInt64(ordinal), TimeSpan.Zero);
        while (await reader.ReadAsync(ct)) timers.Add(read(reader, Time));
        return timers;
    }

    static void Add(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }
}

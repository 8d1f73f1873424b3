using System.Data.Common;
using Linli.Domain.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Linli.Infrastructure.Persistence;

/// <summary>
/// Claims due SLA timers by deleting them inside the caller's transaction. Whoever deletes a timer owns it: when the
/// transaction commits the timer has fired exactly once; when it rolls back (a crash, an error) the timer is due again.
/// On PostgreSQL, SKIP LOCKED lets several web nodes claim different timers at the same time.
/// </summary>
public static class CaseTimerClaims
{
    public static async Task<IReadOnlyList<CaseTimer>> ClaimDueAsync(LinliDbContext db, DateTimeOffset now, int max, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var tx = db.Database.CurrentTransaction ?? throw new InvalidOperationException("Claim timers inside a transaction.");
        var connection = db.Database.GetDbConnection();
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx.GetDbTransaction();
        cmd.CommandText = db.IsPostgres
            ? """
              DELETE FROM case_timers WHERE "Id" IN (
                  SELECT "Id" FROM case_timers WHERE "DueAt" <= @now ORDER BY "DueAt" LIMIT @max FOR UPDATE SKIP LOCKED)
              RETURNING "Id", "CaseId", "Kind", "DueAt", "Round"
              """
            : """
              DELETE FROM case_timers WHERE "Id" IN (
                  SELECT "Id" FROM case_timers WHERE "DueAt" <= @now ORDER BY "DueAt" LIMIT @max)
              RETURNING "Id", "CaseId", "Kind", "DueAt", "Round"
              """;
        Add(cmd, "@now", db.IsPostgres ? now.ToUniversalTime() : now.UtcTicks);
        Add(cmd, "@max", max);
        var timers = new List<CaseTimer>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var due = db.IsPostgres ? reader.GetFieldValue<DateTimeOffset>(3) : new DateTimeOffset(reader.GetInt64(3), TimeSpan.Zero);
            timers.Add(new CaseTimer(reader.GetInt64(0), reader.GetInt64(1), Enum.Parse<SlaKind>(reader.GetString(2)), due, reader.GetInt32(4)));
        }
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

using System.Data.Common;
using Linli.Domain.Alarms;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Linli.Infrastructure.Persistence;

/// <summary>Claims due escalation timers exactly once, the way <see cref="CaseTimerClaims"/> does for SLA timers.</summary>
public static class AlarmTimerClaims
{
    public static async Task<IReadOnlyList<AlarmTimer>> ClaimDueAsync(LinliDbContext db, DateTimeOffset now, int max, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var tx = db.Database.CurrentTransaction ?? throw new InvalidOperationException("Claim timers inside a transaction.");
        await using var cmd = db.Database.GetDbConnection().CreateCommand();
        cmd.Transaction = tx.GetDbTransaction();
        cmd.CommandText = db.IsPostgres
            ? """
              DELETE FROM alarm_timers WHERE "Id" IN (
                  SELECT "Id" FROM alarm_timers WHERE "DueAt" <= @now ORDER BY "DueAt" LIMIT @max FOR UPDATE SKIP LOCKED)
              RETURNING "Id", "AlarmId", "DueAt", "Round"
              """
            : """
              DELETE FROM alarm_timers WHERE "Id" IN (
                  SELECT "Id" FROM alarm_timers WHERE "DueAt" <= @now ORDER BY "DueAt" LIMIT @max)
              RETURNING "Id", "AlarmId", "DueAt", "Round"
              """;
        Add(cmd, "@now", db.IsPostgres ? now.ToUniversalTime() : now.UtcTicks);
        Add(cmd, "@max", max);
        var timers = new List<AlarmTimer>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var due = db.IsPostgres ? reader.GetFieldValue<DateTimeOffset>(2) : new DateTimeOffset(reader.GetInt64(2), TimeSpan.Zero);
            timers.Add(new AlarmTimer(reader.GetInt64(0), reader.GetInt64(1), due, reader.GetInt32(3)));
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

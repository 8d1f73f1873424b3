using System.Globalization;
using Linli.Application.Common;
using Linli.Application.Devices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Linli.Infrastructure.Persistence;

/// <summary>
/// device_readings by month on PostgreSQL (migration 0020): partitions <c>device_readings_YYYYMM</c> for calendar months in
/// UTC, created <see cref="MonthsAhead"/> ahead, dropped once the whole month is past retention. Readings outside every
/// month created land in <c>device_readings_default</c>; a month whose range already has rows there is not created (that
/// would fail) and is said so in the log. On SQLite, tables by day (<see cref="SqliteReadingDays"/>): created from
/// yesterday to <see cref="SqliteReadingDays.DaysAhead"/> days ahead, dropped once the whole day is past retention.
/// </summary>
public sealed partial class TelemetryPartitions(ILogger<TelemetryPartitions> logger) : ITelemetryPartitions
{
    public const int MonthsAhead = 2;
    const string Table = "device_readings";

    public async Task<int> EnsureAheadAsync(ILinliDb db, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!db.IsPostgres)
        {
            var today = SqliteReadingDays.DayOf(now);
            return await InSqliteTransactionAsync(db, (c, tx) =>
            {
                var made = 0;
                for (var d = today.AddDays(-1); d <= today.AddDays(SqliteReadingDays.DaysAhead); d = d.AddDays(1))
                    if (SqliteReadingDays.EnsureDay(c, tx, d)) made++;
                if (made > 0) SqliteReadingDays.RebuildView(c, tx);
                return made;
            }, ct);
        }
        return await MonthlyPartitions.EnsureAheadAsync(db, Table, now, MonthsAhead, (name, reason) => LogNotCreated(logger, name, reason), ct);
    }

    public async Task<int> DropBeforeAsync(ILinliDb db, DateTimeOffset cutoff, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!db.IsPostgres)
        {
            return await InSqliteTransactionAsync(db, (c, tx) =>
            {
                var gone = SqliteReadingDays.ListDays(c, tx).Where(d => SqliteReadingDays.StartTicks(d.AddDays(1)) <= cutoff.UtcTicks).ToList();
                foreach (var day in gone)
                {
                    SqliteReadingDays.DropDay(c, tx, day);
                    LogDropped(logger, SqliteReadingDays.TableOf(day), "day");
                }
                if (gone.Count > 0) SqliteReadingDays.RebuildView(c, tx);
                return gone.Count;
            }, ct);
        }
        return await MonthlyPartitions.DropBeforeAsync(db, Table, cutoff, name => LogDropped(logger, name, "month"), ct);
    }

    public IReadOnlyList<string> RowByRowTables(ILinliDb db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.IsPostgres ? ["device_readings"] : [SqliteReadingDays.Default, SqliteReadingDays.Inbox];
    }

    static async Task<int> InSqliteTransactionAsync(ILinliDb db, Func<System.Data.Common.DbConnection, System.Data.Common.DbTransaction, int> work, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await db.Database.OpenConnectionAsync(ct);
        // Immediate: the write lock is taken at once, so the ingestion writer waits instead of failing half-way.
        await using var tx = await connection.BeginTransactionAsync(ct);
        var result = work(connection, tx);
        await tx.CommitAsync(ct);
        return result;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telemetry partition {Partition} not created: {Reason}. Its readings stay in device_readings_default.")]
    static partial void LogNotCreated(ILogger logger, string partition, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Telemetry partition {Partition} dropped: the whole {Span} is past retention.")]
    static partial void LogDropped(ILogger logger, string partition, string span);
}

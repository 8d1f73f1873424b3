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
    const string Prefix = "device_readings_";

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
        var existing = (await ListAsync(db, ct)).ToHashSet();
        var first = new DateTimeOffset(now.UtcDateTime.Year, now.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var created = 0;
        // Last month too: just after the month turns, devices still flush readings of the month before.
        for (var m = first.AddMonths(-1); m <= first.AddMonths(MonthsAhead); m = m.AddMonths(1))
        {
            if (existing.Contains(m)) continue;
            try
            {
                await ExecuteAsync(db, string.Create(CultureInfo.InvariantCulture,
                    $"CREATE TABLE IF NOT EXISTS {Name(m)} PARTITION OF device_readings FOR VALUES FROM ('{m:yyyy-MM-dd} 00:00:00+00') TO ('{m.AddMonths(1):yyyy-MM-dd} 00:00:00+00')"), ct);
                created++;
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.CheckViolation or PostgresErrorCodes.DuplicateTable)
            {
                // Rows of that month already sit in the default partition (devices whose clocks ran far ahead), or another
                // node created it a moment ago.
                if (e.SqlState == PostgresErrorCodes.CheckViolation) LogNotCreated(logger, Name(m), e.MessageText);
            }
        }
        return created;
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
        var dropped = 0;
        foreach (var month in await ListAsync(db, ct))
        {
            if (month.AddMonths(1) > cutoff) continue;
            await ExecuteAsync(db, $"DROP TABLE IF EXISTS {Name(month)}", ct);
            dropped++;
            LogDropped(logger, Name(month), "month");
        }
        return dropped;
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

    static string Name(DateTimeOffset month) => Prefix + month.ToString("yyyyMM", CultureInfo.InvariantCulture);

    /// <summary>The months that have a partition, from the catalogue.</summary>
    static async Task<List<DateTimeOffset>> ListAsync(ILinliDb db, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await db.Database.OpenConnectionAsync(ct);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'device_readings'::regclass";
        var months = new List<DateTimeOffset>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var name = reader.GetString(0);
            if (name.Length == Prefix.Length + 6 && name.StartsWith(Prefix, StringComparison.Ordinal)
                && DateTime.TryParseExact(name[Prefix.Length..], "yyyyMM", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var m))
                months.Add(new DateTimeOffset(m, TimeSpan.Zero));
        }
        return months;
    }

    static async Task ExecuteAsync(ILinliDb db, string sql, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await db.Database.OpenConnectionAsync(ct);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telemetry partition {Partition} not created: {Reason}. Its readings stay in device_readings_default.")]
    static partial void LogNotCreated(ILogger logger, string partition, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Telemetry partition {Partition} dropped: the whole {Span} is past retention.")]
    static partial void LogDropped(ILogger logger, string partition, string span);
}

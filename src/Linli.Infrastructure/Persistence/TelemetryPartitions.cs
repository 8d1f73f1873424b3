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
/// would fail) and is said so in the log. On SQLite there are no partitions: nothing to do.
/// </summary>
public sealed partial class TelemetryPartitions(ILogger<TelemetryPartitions> logger) : ITelemetryPartitions
{
    public const int MonthsAhead = 2;
    const string Prefix = "device_readings_";

    public async Task<int> EnsureAheadAsync(ILinliDb db, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!db.IsPostgres) return 0;
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
        if (!db.IsPostgres) return 0;
        var dropped = 0;
        foreach (var month in await ListAsync(db, ct))
        {
            if (month.AddMonths(1) > cutoff) continue;
            await ExecuteAsync(db, $"DROP TABLE IF EXISTS {Name(month)}", ct);
            dropped++;
            LogDropped(logger, Name(month));
        }
        return dropped;
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Telemetry partition {Partition} dropped: the whole month is past retention.")]
    static partial void LogDropped(ILogger logger, string partition);
}

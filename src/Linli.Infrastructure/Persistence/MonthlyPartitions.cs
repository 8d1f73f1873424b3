using System.Globalization;
using Linli.Application.Common;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Linli.Infrastructure.Persistence;

/// <summary>
/// A PostgreSQL table partitioned by range on "At", one partition per calendar month in UTC named <c>{table}_YYYYMM</c>
/// (raw telemetry, the access log): months are created ahead and dropped once all of a month is past retention.
/// </summary>
static class MonthlyPartitions
{
    /// <summary>Creates last month to <paramref name="monthsAhead"/> ahead where missing; returns how many it made.</summary>
    public static async Task<int> EnsureAheadAsync(ILinliDb db, string table, DateTimeOffset now, int monthsAhead, Action<string, string> notCreated, CancellationToken ct)
    {
        var existing = (await ListAsync(db, table, ct)).ToHashSet();
        var first = new DateTimeOffset(now.UtcDateTime.Year, now.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var created = 0;
        // Last month too: just after the month turns, writers still flush rows of the month before.
        for (var m = first.AddMonths(-1); m <= first.AddMonths(monthsAhead); m = m.AddMonths(1))
        {
            if (existing.Contains(m)) continue;
            try
            {
                await ExecuteAsync(db, string.Create(CultureInfo.InvariantCulture,
                    $"CREATE TABLE IF NOT EXISTS {Name(table, m)} PARTITION OF {table} FOR VALUES FROM ('{m:yyyy-MM-dd} 00:00:00+00') TO ('{m.AddMonths(1):yyyy-MM-dd} 00:00:00+00')"), ct);
                created++;
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.CheckViolation or PostgresErrorCodes.DuplicateTable)
            {
                // Rows of that month already sit in the default partition (clocks far ahead), or another node created it a
                // moment ago.
                if (e.SqlState == PostgresErrorCodes.CheckViolation) notCreated(Name(table, m), e.MessageText);
            }
        }
        return created;
    }

    /// <summary>Drops every month that ends at or before <paramref name="cutoff"/>; returns how many.</summary>
    public static async Task<int> DropBeforeAsync(ILinliDb db, string table, DateTimeOffset cutoff, Action<string> dropped, CancellationToken ct)
    {
        var count = 0;
        foreach (var month in await ListAsync(db, table, ct))
        {
            if (month.AddMonths(1) > cutoff) continue;
            await ExecuteAsync(db, $"DROP TABLE IF EXISTS {Name(table, month)}", ct);
            count++;
            dropped(Name(table, month));
        }
        return count;
    }

    static string Name(string table, DateTimeOffset month) => $"{table}_{month.ToString("yyyyMM", CultureInfo.InvariantCulture)}";

    /// <summary>The months that have a partition, from the catalogue.</summary>
    static async Task<List<DateTimeOffset>> ListAsync(ILinliDb db, string table, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await db.Database.OpenConnectionAsync(ct);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '{table}'::regclass";
        var prefix = table + "_";
        var months = new List<DateTimeOffset>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var name = reader.GetString(0);
            if (name.Length == prefix.Length + 6 && name.StartsWith(prefix, StringComparison.Ordinal)
                && DateTime.TryParseExact(name[prefix.Length..], "yyyyMM", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var m))
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
}

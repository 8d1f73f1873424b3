using System.Data.Common;
using System.Globalization;

namespace Linli.Infrastructure.Persistence;

/// <summary>
/// Raw telemetry by day on SQLite (migration 0020): <c>device_readings</c> is a view over the inbox the ingestion writer
/// commits into, one table per UTC day (<c>device_readings_YYYYMMDD</c>, each with its own (DeviceId, Metric, At) index)
/// and <c>device_readings_default</c> (rows from before days, and days no table covers). The view is rebuilt in the same
/// transaction as every day table created or dropped, so readers never see a half-changed set.
/// </summary>
/// <remarks>
/// Why: a row inserted into one large index ordered by device lands on a page of its own, and every commit wrote each
/// of those pages again; committing into an unindexed inbox and moving it in large sorted batches writes each index page
/// once per move instead of once per row, and a day's index stays the size of a day (bench/README.md, "Monitoring").
/// </remarks>
public static class SqliteReadingDays
{
    public const string Inbox = "device_readings_inbox";
    public const string Default = "device_readings_default";
    const string Prefix = "device_readings_";
    const string Columns = "\"Id\", \"DeviceId\", \"At\", \"Metric\", \"Value\", \"Text\", \"IsEvent\"";

    /// <summary>Day tables are made up to this many days ahead, for devices whose clocks run a little fast.</summary>
    public const int DaysAhead = 2;

    /// <summary>The UTC day of a stored time (At is stored in ticks).</summary>
    public static DateOnly DayOf(long utcTicks) => DateOnly.FromDayNumber((int)(utcTicks / TimeSpan.TicksPerDay));

    public static DateOnly DayOf(DateTimeOffset t) => DayOf(t.UtcTicks);

    public static long StartTicks(DateOnly day) => day.DayNumber * TimeSpan.TicksPerDay;

    public static string TableOf(DateOnly day) => Prefix + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>The days that have a table, oldest first.</summary>
    public static List<DateOnly> ListDays(DbConnection connection, DbTransaction? tx)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var days = new List<DateOnly>();
        using var cmd = Command(connection, tx, "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'device_readings_[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'");
        using (var reader = cmd.ExecuteReader())
        {
            while (reader.Read())
                if (DateOnly.TryParseExact(reader.GetString(0)[Prefix.Length..], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                    days.Add(day);
        }
        days.Sort();
        return days;
    }

    /// <summary>Creates the day's table and index if missing; true when it did (the caller rebuilds the view before committing).</summary>
    public static bool EnsureDay(DbConnection connection, DbTransaction? tx, DateOnly day)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var table = TableOf(day);
        using (var exists = Command(connection, tx, $"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '{table}'"))
            if (exists.ExecuteScalar() is not null) return false;
        // Ids come from the inbox's sequence, so a day table's id is a plain row id.
        Execute(connection, tx, $"""
            CREATE TABLE "{table}" (
                "Id" INTEGER NOT NULL PRIMARY KEY,
                "DeviceId" INTEGER NOT NULL,
                "At" INTEGER NOT NULL,
                "Metric" TEXT NOT NULL,
                "Value" REAL NOT NULL,
                "Text" TEXT NULL,
                "IsEvent" INTEGER NOT NULL);
            CREATE INDEX "IX_{table}_DeviceId_Metric_At" ON "{table}" ("DeviceId", "Metric", "At");
            """);
        return true;
    }

    /// <summary>Drops the day's table; the caller rebuilds the view before committing.</summary>
    public static void DropDay(DbConnection connection, DbTransaction? tx, DateOnly day) =>
        Execute(connection, tx, $"DROP TABLE IF EXISTS \"{TableOf(day)}\"");

    /// <summary>Points the view device_readings at the default table, every day table and the inbox.</summary>
    public static void RebuildView(DbConnection connection, DbTransaction? tx)
    {
        var parts = new List<string> { Default };
        parts.AddRange(ListDays(connection, tx).Select(TableOf));
        parts.Add(Inbox);
        var union = string.Join("\n    UNION ALL\n    ", parts.Select(t => $"SELECT {Columns} FROM \"{t}\""));
        Execute(connection, tx, $"DROP VIEW IF EXISTS device_readings; CREATE VIEW device_readings AS\n    {union};");
    }

    /// <summary>
    /// Moves the rows of the inbox (all, or the oldest <paramref name="limit"/>) into the table of their day (the default
    /// table for days outside [<paramref name="firstDay"/>, <paramref name="lastDay"/>]), sorted by the day index's key, and
    /// deletes them from the inbox, in the caller's transaction. Returns the rows moved.
    /// </summary>
    public static long MoveInbox(DbConnection connection, DbTransaction tx, DateOnly firstDay, DateOnly lastDay, int? limit = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var upTo = "";
        if (limit is { } n)
        {
            // Ids are handed out in order by the inbox's sequence; the oldest n rows are those up to the n-th id.
            using var last = Command(connection, tx, $"SELECT \"Id\" FROM \"{Inbox}\" ORDER BY \"Id\" LIMIT 1 OFFSET {Math.Max(0, n - 1)}");
            if (last.ExecuteScalar() is long id) upTo = $" AND \"Id\" <= {id}";
        }
        var days = new List<DateOnly>();
        using (var cmd = Command(connection, tx, $"SELECT DISTINCT \"At\" / {TimeSpan.TicksPerDay} FROM \"{Inbox}\" WHERE 1 = 1{upTo}"))
        using (var reader = cmd.ExecuteReader())
            while (reader.Read()) days.Add(DateOnly.FromDayNumber((int)reader.GetInt64(0)));
        if (days.Count == 0) return 0;
        var created = false;
        var outside = false;
        foreach (var day in days.Order())
        {
            if (day < firstDay || day > lastDay)
            {
                outside = true;
                continue;
            }
            created |= EnsureDay(connection, tx, day);
            Execute(connection, tx, $"""
                INSERT INTO "{TableOf(day)}" ({Columns}) SELECT {Columns} FROM "{Inbox}"
                WHERE "At" >= {StartTicks(day)} AND "At" < {StartTicks(day.AddDays(1))}{upTo} ORDER BY "DeviceId", "Metric", "At"
                """);
        }
        if (outside)
            Execute(connection, tx, $"""
                INSERT INTO "{Default}" ({Columns}) SELECT {Columns} FROM "{Inbox}"
                WHERE ("At" < {StartTicks(firstDay)} OR "At" >= {StartTicks(lastDay.AddDays(1))}){upTo}
                """);
        // Every row chosen was moved: the caller holds the database's write lock, so nothing was added meanwhile.
        var moved = Execute(connection, tx, $"DELETE FROM \"{Inbox}\" WHERE 1 = 1{upTo}");
        if (created) RebuildView(connection, tx);
        return moved;
    }

    /// <summary>Rows of the inbox (the ingestion writer's count after opening).</summary>
    public static long InboxRows(DbConnection connection, DbTransaction? tx)
    {
        using var cmd = Command(connection, tx, $"SELECT count(*) FROM \"{Inbox}\"");
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    static int Execute(DbConnection connection, DbTransaction? tx, string sql)
    {
        using var cmd = Command(connection, tx, sql);
        return cmd.ExecuteNonQuery();
    }

    static DbCommand Command(DbConnection connection, DbTransaction? tx, string sql)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.CommandTimeout = 600;
        return cmd;
    }
}

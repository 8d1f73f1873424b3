using System.Data.Common;
using Linli.Application.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Linli.Application.Devices;

/// <summary>Settings under Linli:Devices for the roll-up and retention job (the retention days live in <see cref="DeviceOptions"/>).</summary>
public sealed class TelemetryRetentionOptions
{
    /// <summary>How often completed hours are rolled up and old rows deleted.</summary>
    public double RetentionMinutes { get; set; } = 10;
    /// <summary>
    /// Completed hours this far back are recomputed on every run, so readings a device buffered and sent late still count.
    /// Readings arriving later than this after their hour are kept raw but miss the hourly view.
    /// </summary>
    public int RollupLookbackHours { get; set; } = 3;
    /// <summary>Rows deleted per statement: short statements never hold the tables for long.</summary>
    public int DeleteChunkSize { get; set; } = 5000;
}

/// <summary>What one run did: raw rows deleted one by one, and partitions of raw rows (months on PostgreSQL, days on SQLite) dropped whole and created ahead.</summary>
public sealed record RetentionRun(int HourRowsWritten, long RawDeleted, long HourlyDeleted, int PartitionsDropped = 0, int PartitionsCreated = 0);

/// <summary>
/// Rolls completed hours of raw readings into device_reading_hours and deletes what is older than the retention periods.
/// It works only from what the database holds: an hour is recomputed from its raw rows and upserted, never added to, so a
/// run repeated after a crash or on a second node gives the same numbers.
/// </summary>
public sealed partial class TelemetryRetention(IServiceScopeFactory scopes, ITelemetryPartitions partitions, TimeProvider time, IOptions<DeviceOptions> deviceOptions,
    IOptions<TelemetryRetentionOptions> options, ILogger<TelemetryRetention> logger) : PeriodicJob(logger)
{
    const long TicksPerHour = TimeSpan.TicksPerHour;
    /// <summary>Hours per roll-up statement: each statement is one short write.</summary>
    const int SliceHours = 6;
    /// <summary>
    /// Raw rows are scanned from a remembered id down by this margin: ids are handed out before their transactions commit, so a
    /// batch still being written may hold ids below the newest visible one. Memory only — after a restart the first run scans all.
    /// </summary>
    const long IdMargin = 1_000_000;

    readonly SemaphoreSlim _running = new(1, 1);
    long _fromId;

    public static DateTimeOffset HourOf(DateTimeOffset t) => new(t.UtcTicks - t.UtcTicks % TicksPerHour, TimeSpan.Zero);

    protected override TimeSpan Interval => TimeSpan.FromMinutes(Math.Max(0.001, options.Value.RetentionMinutes));

    protected override async Task<bool> PassAsync(CancellationToken ct)
    {
        await RunOnceAsync(ct);
        return false;
    }

    public async Task<RetentionRun> RunOnceAsync(CancellationToken ct)
    {
        await _running.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateSystemScope("roll up and expire telemetry of every device");
            var db = scope.ServiceProvider.GetRequiredService<ILinliDb>();
            var now = time.GetUtcNow();
            var created = await partitions.EnsureAheadAsync(db, now, ct);
            var rolled = await RollUpAsync(db, now, ct);
            var rawCutoff = now.AddDays(-deviceOptions.Value.RawRetentionDays);
            // Whole months (PostgreSQL) or days (SQLite) past retention go at once; what no partition bounds, row by row.
            var dropped = await partitions.DropBeforeAsync(db, rawCutoff, ct);
            // Oldest ids first: old rows sit at the low ids, so a chunk is found without reading the whole table.
            long raw = 0;
            foreach (var table in partitions.RowByRowTables(db))
                raw += await DeleteInChunksAsync(db,
                    $"""DELETE FROM "{table}" WHERE "Id" IN (SELECT "Id" FROM "{table}" WHERE "At" < @cutoff ORDER BY "Id" LIMIT @n)""", rawCutoff, ct);
            var hourly = await DeleteInChunksAsync(db,
                """
                DELETE FROM device_reading_hours WHERE ("DeviceId", "Metric", "Hour") IN (
                    SELECT "DeviceId", "Metric", "Hour" FROM device_reading_hours WHERE "Hour" < @cutoff LIMIT @n)
                """,
                now.AddDays(-deviceOptions.Value.HourlyRetentionDays), ct);
            return new RetentionRun(rolled, raw, hourly, dropped, created);
        }
        finally
        {
            _running.Release();
        }
    }

    async Task<int> RollUpAsync(ILinliDb db, DateTimeOffset now, CancellationToken ct)
    {
        var until = HourOf(now);
        // Never recompute an hour whose raw rows retention may already have thinned.
        var oldest = HourOf(now.AddDays(-deviceOptions.Value.RawRetentionDays)).AddHours(1);
        var lastRolled = await db.ReadingHours.MaxAsync(h => (DateTimeOffset?)h.Hour, ct);
        DateTimeOffset from;
        if (lastRolled is { } last)
        {
            from = last.AddHours(1);
        }
        else
        {
            var first = await db.Readings.Where(r => r.Id >= _fromId).MinAsync(r => (DateTimeOffset?)r.At, ct);
            if (first is null) return 0;
            from = HourOf(first.Value);
        }
        var lookback = until.AddHours(-Math.Max(1, options.Value.RollupLookbackHours));
        if (lookback < from) from = lookback;
        if (from < oldest) from = oldest;

        var hours = 0;
        for (var start = from; start < until; start = start.AddHours(SliceHours))
        {
            var end = start.AddHours(SliceHours) < until ? start.AddHours(SliceHours) : until;
            await using var cmd = db.Database.GetDbConnection().CreateCommand();
            cmd.CommandText = db.IsPostgres
                ? """
                  INSERT INTO device_reading_hours ("DeviceId", "Metric", "Hour", "Count", "Min", "Max", "Sum")
                  SELECT "DeviceId", "Metric", date_bin('1 hour', "At", TIMESTAMPTZ '2000-01-01 00:00:00+00'), COUNT(*), MIN("Value"), MAX("Value"), SUM("Value")
                  FROM device_readings WHERE "Id" >= @fromId AND "At" >= @from AND "At" < @to
                  GROUP BY "DeviceId", "Metric", date_bin('1 hour', "At", TIMESTAMPTZ '2000-01-01 00:00:00+00')
                  ON CONFLICT ("DeviceId", "Metric", "Hour") DO UPDATE
                  SET "Count" = excluded."Count", "Min" = excluded."Min", "Max" = excluded."Max", "Sum" = excluded."Sum"
                  """
                : """
                  INSERT INTO device_reading_hours ("DeviceId", "Metric", "Hour", "Count", "Min", "Max", "Sum")
                  SELECT "DeviceId", "Metric", ("At" / @tph) * @tph, COUNT(*), MIN("Value"), MAX("Value"), SUM("Value")
                  FROM device_readings WHERE "Id" >= @fromId AND "At" >= @from AND "At" < @to
                  GROUP BY "DeviceId", "Metric", "At" / @tph
                  ON CONFLICT ("DeviceId", "Metric", "Hour") DO UPDATE
                  SET "Count" = excluded."Count", "Min" = excluded."Min", "Max" = excluded."Max", "Sum" = excluded."Sum"
                  """;
            await OpenAsync(db, ct);
            Add(cmd, "@fromId", _fromId);
            Add(cmd, "@from", Time(db, start));
            Add(cmd, "@to", Time(db, end));
            if (!db.IsPostgres) Add(cmd, "@tph", TicksPerHour);
            hours += await cmd.ExecuteNonQueryAsync(ct);
        }

        // Next time only rows that may fall in the next window (or arrived since) need scanning.
        var nextFrom = until.AddHours(1 - Math.Max(1, options.Value.RollupLookbackHours));
        var fromId = _fromId;
        var lowest = await db.Readings.Where(r => r.Id >= fromId && r.At >= nextFrom).MinAsync(r => (long?)r.Id, ct);
        if (lowest is { } id) _fromId = Math.Max(_fromId, id - IdMargin);
        return hours;
    }

    async Task<long> DeleteInChunksAsync(ILinliDb db, string sql, DateTimeOffset cutoff, CancellationToken ct)
    {
        var chunk = Math.Max(1, options.Value.DeleteChunkSize);
        long total = 0;
        while (true)
        {
            await OpenAsync(db, ct);
            await using var cmd = db.Database.GetDbConnection().CreateCommand();
            cmd.CommandText = sql;
            Add(cmd, "@cutoff", Time(db, cutoff));
            Add(cmd, "@n", chunk);
            var deleted = await cmd.ExecuteNonQueryAsync(ct);
            total += deleted;
            if (deleted < chunk) return total;
        }
    }

    static async Task OpenAsync(ILinliDb db, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await db.Database.OpenConnectionAsync(ct);
    }

    static object Time(ILinliDb db, DateTimeOffset t) => db.IsPostgres ? t.ToUniversalTime() : t.UtcTicks;

    static void Add(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }

}

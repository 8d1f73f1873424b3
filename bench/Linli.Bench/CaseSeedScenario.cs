using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Linli.Infrastructure.Persistence;
using Linli.Web.Features.Cases;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Bench;

/// <summary>What we know about the cases written into the cached large set, so later runs reuse them.</summary>
public sealed record CaseSeedMarker(long Cases, long Events, long Timers, long MaxCaseId, DateTimeOffset TimeBase, DateTimeOffset SeededAt,
    double InsertSeconds, double GenerateSeconds, double IndexSeconds, int Indexes, double AnalyzeSeconds, string Method);

/// <summary>
/// <c>seed-cases</c>: one million realistic cases on the large set, written in bulk (binary COPY on PostgreSQL, prepared
/// multi-row INSERTs in one transaction on SQLite). Spread over the 20 communities, their grids, buildings and rooms, with the
/// default categories' SLAs: about 5% open (deadlines ahead, SLA timers pending; a few escalated to the district and overdue),
/// the rest closed or rejected over the past two years, each with 3–6 timeline events.
/// </summary>
public static class CaseSeedScenario
{
    public const int DefaultCount = 1_000_000;
    const int Chunk = 50_000;
    const int Seed = 20261122;

    public static async Task<ScenarioResult> RunAsync(BenchDatabase database, bool reseed, int count, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(database);
        var result = new ScenarioResult("cases-seed", database.ProviderName);
        var (marker, reused) = await EnsureAsync(database, reseed, count, log);
        result.Facts["cases"] = marker.Cases.ToString("N0", CultureInfo.InvariantCulture);
        result.Facts["timeline events"] = marker.Events.ToString("N0", CultureInfo.InvariantCulture);
        result.Facts["SLA timers pending"] = marker.Timers.ToString("N0", CultureInfo.InvariantCulture);
        result.Facts["method"] = marker.Method;
        var rows = marker.Cases + marker.Events + marker.Timers;
        var writing = marker.InsertSeconds - marker.GenerateSeconds - marker.IndexSeconds;
        result.Facts["time"] = $"{marker.InsertSeconds:0.0} s in all: {marker.GenerateSeconds:0.0} s making the rows in the bench, {writing:0.0} s writing them, "
            + $"{marker.IndexSeconds:0.0} s building the {marker.Indexes} secondary indexes of the case tables (dropped for the load)";
        result.Facts["write rate"] = $"{rows / writing:N0} rows/s = {marker.Cases / writing:N0} cases/s with their events and timers while writing; "
            + $"{rows / (writing + marker.IndexSeconds):N0} rows/s with the index build; {rows / marker.InsertSeconds:N0} rows/s counting the row making";
        result.Facts["statistics (ANALYZE) afterwards"] = $"{marker.AnalyzeSeconds:0.0} s";
        result.Facts["seeded at"] = $"{marker.SeededAt:yyyy-MM-dd HH:mm} UTC{(reused ? " (cached copy reused; pass --reseed to measure again)" : " (this run)")}";
        result.Facts["database size"] = $"{await database.SizeBytesAsync() / 1024d / 1024d:0.0} MiB";
        await using var conn = SeedScenario.Open(database);
        await conn.OpenAsync();
        foreach (var (label, sql) in new[]
        {
            ("open cases", "SELECT COUNT(*) FROM cases WHERE NOT \"Finished\""),
            ("open and overdue (escalated to the district, response breached)", "SELECT COUNT(*) FROM cases WHERE NOT \"Finished\" AND \"OverdueSince\" IS NOT NULL"),
            ("open cases of community 1", "SELECT COUNT(*) FROM cases c JOIN nodes n ON n.\"Id\" = c.\"CommunityId\" WHERE NOT c.\"Finished\" AND n.\"Code\" = (SELECT MIN(\"Code\") FROM nodes WHERE \"Kind\" = 'Community')"),
        })
        {
            result.Facts[label] = (await CaseBulk.ScalarAsync(conn, sql)).ToString("N0", CultureInfo.InvariantCulture);
        }
        return result;
    }

    static string MarkerFile(BenchDatabase database) => Path.Combine(database.DataDirectory, $"cases-{database.ProviderName}.json");

    /// <summary>
    /// Writes the cases unless the cached set already has them. A reused set is moved forward in time (open cases, their
    /// timeline and timers) so that its deadlines lie as far ahead as on the day it was seeded: otherwise the app's SLA service
    /// would escalate thousands of stale cases at start-up and every figure after a week would measure that.
    /// </summary>
    public static async Task<(CaseSeedMarker Marker, bool Reused)> EnsureAsync(BenchDatabase database, bool force, int count, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(database);
        await database.EnsureSeededAsync(false, log);
        await using (var services = database.Services())
        {
            using var scope = services.CreateScope();
            await CaseCategoryDefaults.EnsureAsync(scope.ServiceProvider.GetRequiredService<LinliDbContext>());
        }
        var marker = force ? null : await ReadMarkerAsync(database);
        await using var conn = SeedScenario.Open(database);
        await conn.OpenAsync();
        if (marker is not null)
        {
            // Leftovers of an interrupted load or SLA run are removed first; then the set must be exactly what was seeded.
            await RemoveCasesAboveAsync(conn, marker.MaxCaseId);
            var n = await CaseBulk.ScalarAsync(conn, "SELECT COUNT(*) FROM cases");
            var max = await CaseBulk.ScalarAsync(conn, "SELECT COALESCE(MAX(\"Id\"), 0) FROM cases");
            if (n == marker.Cases && max == marker.MaxCaseId && n == count)
            {
                marker = await RebaseAsync(database, conn, marker, log);
                return (marker, true);
            }
        }
        var world = await CaseWorld.LoadAsync(database, log);
        marker = await SeedAsync(database, conn, world, count, log);
        await WriteMarkerAsync(database, marker);
        return (marker, false);
    }

    /// <summary>Deletes cases (with their timeline, timers, followers and photos) whose id is above <paramref name="maxId"/>.</summary>
    public static async Task<int> RemoveCasesAboveAsync(DbConnection conn, long maxId)
    {
        ArgumentNullException.ThrowIfNull(conn);
        var p = ("@max", (object)maxId);
        foreach (var table in new[] { "case_events", "case_timers", "case_followers", "case_attachments" })
            await CaseBulk.ExecuteAsync(conn, $"DELETE FROM {table} WHERE \"CaseId\" > @max", null, p);
        return await CaseBulk.ExecuteAsync(conn, "DELETE FROM cases WHERE \"Id\" > @max", null, p);
    }

    static async Task<CaseSeedMarker> RebaseAsync(BenchDatabase database, DbConnection conn, CaseSeedMarker marker, TextWriter log)
    {
        var now = DateTimeOffset.UtcNow;
        var delta = now - marker.TimeBase;
        if (delta < TimeSpan.FromMinutes(10)) return marker;
        var pg = database.Provider == DatabaseProvider.Postgres;
        var d = ("@d", pg ? (object)delta : delta.Ticks);
        string Shift(string column) => $"\"{column}\" = \"{column}\" + @d";
        var watch = Stopwatch.StartNew();
        await using var tx = await conn.BeginTransactionAsync();
        var moved = await CaseBulk.ExecuteAsync(conn,
            $"UPDATE cases SET {string.Join(", ", new[] { "ReportedAt", "UpdatedAt", "AcceptedAt", "ResponseDueAt", "ResolutionDueAt", "OverdueSince", "LastRemindedAt" }.Select(Shift))} WHERE NOT \"Finished\"",
            tx, d);
        await CaseBulk.ExecuteAsync(conn, $"UPDATE case_events SET {Shift("At")} WHERE \"CaseId\" IN (SELECT \"Id\" FROM cases WHERE NOT \"Finished\")", tx, d);
        await CaseBulk.ExecuteAsync(conn, $"UPDATE case_timers SET {Shift("DueAt")}", tx, d);
        await tx.CommitAsync();
        // The update left a dead copy of every open case and its index entries behind; autovacuum would clear them within
        // minutes, a live system never has fifty thousand at once, and the queue figures should not measure them.
        if (pg) await CaseBulk.ExecuteAsync(conn, "VACUUM (ANALYZE) cases, case_events, case_timers");
        log.WriteLine($"[{database.ProviderName}] moved {moved:N0} open cases {delta.TotalHours:0.0} h forward (seeded {marker.TimeBase:yyyy-MM-dd HH:mm}) in {watch.Elapsed.TotalSeconds:0.0} s");
        marker = marker with { TimeBase = now };
        await WriteMarkerAsync(database, marker);
        return marker;
    }

    static async Task<CaseSeedMarker> SeedAsync(BenchDatabase database, DbConnection conn, CaseWorld world, int count, TextWriter log)
    {
        var pg = database.Provider == DatabaseProvider.Postgres;
        log.WriteLine($"[{database.ProviderName}] writing {count:N0} cases …");
        // Start from empty case tables (and the Open311 submissions that point at cases) so the ids and figures are the same every time.
        if (pg) await CaseBulk.ExecuteAsync(conn, "TRUNCATE open311_submissions, case_attachments, case_followers, case_timers, case_events, cases RESTART IDENTITY");
        else
        {
            foreach (var table in new[] { "open311_submissions", "case_attachments", "case_followers", "case_timers", "case_events", "cases" })
                await CaseBulk.ExecuteAsync(conn, $"DELETE FROM {table}");
            await CaseBulk.ExecuteAsync(conn, "DELETE FROM sqlite_sequence WHERE name IN ('cases', 'case_events', 'case_timers', 'case_followers', 'case_attachments')");
            // A large page cache: the queue indexes are filled in random order.
            await CaseBulk.ExecuteAsync(conn, "PRAGMA cache_size = -524288");
        }
        var now = new DateTimeOffset(DateTime.UtcNow.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var generator = new CaseGenerator(world, now, Seed);
        var watch = Stopwatch.StartNew();
        generator.Plan(count);
        var generateTime = watch.Elapsed;
        long events = 0, timers = 0;
        double indexSeconds;
        int indexCount;
        await using (var tx = await conn.BeginTransactionAsync())
        {
            // Secondary indexes are dropped for the load and built afterwards from their own definitions: filling 17 indexes
            // row by row in random key order was most of the time (28 minutes on SQLite for a million cases).
            var indexes = await SecondaryIndexesAsync(conn, tx, pg);
            foreach (var (name, _) in indexes) await CaseBulk.ExecuteAsync(conn, $"DROP INDEX \"{name}\"", tx);
            indexCount = indexes.Count;
            for (var start = 1; start <= count; start += Chunk)
            {
                var g = Stopwatch.StartNew();
                var batch = generator.Next(Math.Min(Chunk, count - start + 1));
                generateTime += g.Elapsed;
                await CaseBulk.WriteAsync(conn, tx, "cases", CaseBulk.Cases, batch.Cases);
                await CaseBulk.WriteAsync(conn, tx, "case_events", CaseBulk.Events, batch.Events);
                await CaseBulk.WriteAsync(conn, tx, "case_timers", CaseBulk.Timers, batch.Timers);
                events += batch.Events.Count;
                timers += batch.Timers.Count;
                if ((start / Chunk) % 4 == 3) log.WriteLine($"  {start + batch.Cases.Count - 1:N0} cases, {watch.Elapsed.TotalSeconds:0} s");
            }
            var built = Stopwatch.StartNew();
            foreach (var (_, definition) in indexes) await CaseBulk.ExecuteAsync(conn, definition, tx);
            indexSeconds = built.Elapsed.TotalSeconds;
            await tx.CommitAsync();
        }
        await CaseBulk.ResetSequencesAsync(conn, "cases", "case_events", "case_timers");
        var insertSeconds = watch.Elapsed.TotalSeconds;
        log.WriteLine($"[{database.ProviderName}] {count:N0} cases, {events:N0} events, {timers:N0} timers in {insertSeconds:0.0} s (of which generating rows {generateTime.TotalSeconds:0.0} s, building {indexCount} indexes {indexSeconds:0.0} s)");

        watch.Restart();
        if (pg) await CaseBulk.ExecuteAsync(conn, "VACUUM ANALYZE cases, case_events, case_timers");
        else await CaseBulk.ExecuteAsync(conn, "ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);");
        var analyzeSeconds = watch.Elapsed.TotalSeconds;
        var method = pg
            ? "binary COPY (Npgsql BeginBinaryImport), cases, events and timers per 50,000-case chunk, one transaction"
            : $"prepared multi-row INSERT ({CaseBulk.RowsPerStatement(CaseBulk.Cases)} cases, {CaseBulk.RowsPerStatement(CaseBulk.Events)} events or {CaseBulk.RowsPerStatement(CaseBulk.Timers)} timers per statement), one transaction, 512 MiB page cache";
        return new CaseSeedMarker(count, events, timers, count, now, DateTimeOffset.UtcNow, insertSeconds, generateTime.TotalSeconds, indexSeconds, indexCount, analyzeSeconds, method);
    }

    /// <summary>The case tables' indexes other than primary keys, with the statement that creates each.</summary>
    static async Task<List<(string Name, string Definition)>> SecondaryIndexesAsync(DbConnection conn, DbTransaction tx, bool pg)
    {
        var rows = await CaseWorld.RowsAsync(conn, pg
            ? "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('cases', 'case_events', 'case_timers') AND indexname NOT LIKE 'PK\\_%' ORDER BY indexname"
            : "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('cases', 'case_events', 'case_timers') AND sql IS NOT NULL ORDER BY name", tx);
        return [.. rows.Select(r => ((string)r[0]!, (string)r[1]!))];
    }

    static async Task<CaseSeedMarker?> ReadMarkerAsync(BenchDatabase database)
    {
        var file = MarkerFile(database);
        if (!File.Exists(file)) return null;
        try
        {
            return JsonSerializer.Deserialize<CaseSeedMarker>(await File.ReadAllTextAsync(file));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    static Task WriteMarkerAsync(BenchDatabase database, CaseSeedMarker marker) =>
        File.WriteAllTextAsync(MarkerFile(database), JsonSerializer.Serialize(marker));
}

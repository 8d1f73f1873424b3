using System.Data.Common;
using System.Globalization;
using System.Net;
using Linli.Domain.Registry;
using Linli.Infrastructure.Persistence;

namespace Linli.Bench;

/// <summary>Statistics and list pages over HTTP against the real app on the large set, each with a raw-SQL baseline.</summary>
public static class HttpScenarios
{
    const int WarmUp = 5;
    static readonly TimeSpan MaxPerKind = TimeSpan.FromSeconds(30);

    sealed record Caller(string UserName, string Token, string ScopeColumn, int ScopeId, int CommunityId);

    public static async Task<ScenarioResult> StatsAsync(BenchDatabase database, string repoRoot, int runs, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(database);
        var result = new ScenarioResult("stats", database.ProviderName);
        result.Facts["how"] = $"GET over loopback to the real Linli.Web on the large set, sequential, {runs} runs after {WarmUp} warm-up; baseline: one raw SQL GROUP BY per figure over ADO.NET in the bench process (no HTTP)";
        await using var app = await AppProcess.StartAsync(database, repoRoot, database.ConnectionString, log);
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));
        var elder60 = Ages.BirthRange(today, 60, null).BornTo;
        var pg = database.Provider == DatabaseProvider.Postgres;
        object Born(DateOnly d) => pg ? d : d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        string AgeBand(string col) => string.Join(" ", "CASE",
            $"WHEN {col} > @b18 THEN 'child' WHEN {col} > @b35 THEN '18-34' WHEN {col} > @b60 THEN '35-59' WHEN {col} > @b80 THEN '60-79' ELSE '80+' END");
        var bands = new (string, object)[]
        {
            ("b18", Born(today.AddYears(-18))), ("b35", Born(today.AddYears(-35))), ("b60", Born(today.AddYears(-60))), ("b80", Born(today.AddYears(-80))),
        };
        var endpoints = new (string Path, string Sql, (string, object)[] Parameters)[]
        {
            ("/api/v1/statistics/population",
                $"SELECT r.\"CommunityId\", {AgeBand("r.\"BirthDate\"")} AS band, r.\"Gender\", COUNT(*) FROM residents r WHERE r.\"RoomId\" IS NOT NULL AND r.\"{{scope}}\" = @scope GROUP BY 1, 2, 3",
                bands),
            ("/api/v1/statistics/occupancy",
                "SELECT x.\"CommunityId\", x.\"Occupancy\", COUNT(*) FROM rooms x WHERE x.\"{scope}\" = @scope GROUP BY 1, 2", []),
            ("/api/v1/statistics/elderly-alone",
                "SELECT r.\"CommunityId\", r.\"GridId\", COUNT(*) FROM residents r WHERE r.\"RoomId\" IS NOT NULL AND r.\"{scope}\" = @scope AND (r.\"Labels\" & 1) <> 0 AND r.\"BirthDate\" <= @elder GROUP BY 1, 2",
                [("elder", Born(elder60))]),
        };
        foreach (var caller in await CallersAsync(database, app))
        {
            foreach (var (path, sqlTemplate, parameters) in endpoints)
            {
                var sql = sqlTemplate.Replace("{scope}", caller.ScopeColumn, StringComparison.Ordinal);
                var probe = await app.GetAsync(path, caller.Token);
                if (probe.Status == HttpStatusCode.NotFound)
                {
                    result.Rows.Add(Row.Pending("statistics", path, caller.UserName, "endpoint answers 404 (statistics module not merged yet)"));
                    continue;
                }
                if (probe.Status != HttpStatusCode.OK)
                {
                    result.Rows.Add(Row.Pending("statistics", path, caller.UserName, $"endpoint answers {(int)probe.Status}: {Trim(probe.Body)}"));
                    continue;
                }
                var (ours, server, baseline) = await MeasureAsync(runs, () => app.GetAsync(path, caller.Token),
                    () => TimeSqlAsync(database, [sql], caller.ScopeId, parameters));
                result.Rows.Add(Row.Of("statistics", path, caller.UserName, ours, baseline, 200, ServerNote(server)));
                log.WriteLine($"  {path} as {caller.UserName}: p50 {ReportWriter.F(ours.P50)} p95 {ReportWriter.F(ours.P95)} baseline p95 {ReportWriter.F(baseline.P95)}");
            }
        }
        return result;
    }

    public static async Task<ScenarioResult> PagesAsync(BenchDatabase database, string repoRoot, int runs, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(database);
        var result = new ScenarioResult("pages", database.ProviderName);
        result.Facts["how"] = $"GET over loopback to the real Linli.Web on the large set, sequential, {runs} runs after {WarmUp} warm-up, body read in full; server time from the app's Server-Timing header; baseline: the same list as hand-written SQL over ADO.NET in the bench process (no HTTP, no rendering)";
        await using var app = await AppProcess.StartAsync(database, repoRoot, database.ConnectionString, log);
        var callers = await CallersAsync(database, app);
        var prefix = await CommonNamePrefixAsync(database, callers[0].CommunityId);
        result.Facts["name prefix searched"] = prefix;
        var q = Uri.EscapeDataString(prefix);
        const string ResidentPage = """
            SELECT r."Id", r."Name", r."Gender", r."BirthDate", r."PhoneMasked", r."IdNumberMasked", r."RoomId", r."Relation", r."Labels", r."GridId", b."Name", x."UnitNo", x."Number"
            FROM residents r LEFT JOIN rooms x ON x."Id" = r."RoomId" LEFT JOIN buildings b ON b."Id" = x."BuildingId"
            WHERE {where} ORDER BY r."Name", r."Id" LIMIT 20
            """;
        string[] ResidentList(string where) =>
            [$"SELECT COUNT(*) FROM (SELECT 1 FROM residents r WHERE {where} LIMIT 10001) x", ResidentPage.Replace("{where}", where, StringComparison.Ordinal)];
        var nameWhere = "r.\"RoomId\" IS NOT NULL AND r.\"{scope}\" = @scope AND r.\"Name\" >= @lo AND r.\"Name\" < @hi";
        var aloneWhere = "r.\"RoomId\" IS NOT NULL AND r.\"{scope}\" = @scope AND r.\"CommunityId\" = @c AND (r.\"Labels\" & 1) <> 0";
        string[] buildings =
        [
            "SELECT COUNT(*) FROM buildings b WHERE b.\"{scope}\" = @scope AND b.\"CommunityId\" = @c",
            """
            SELECT b."Id", b."Name",
                   (SELECT COUNT(*) FROM rooms x WHERE x."BuildingId" = b."Id"),
                   (SELECT COUNT(*) FROM rooms x WHERE x."BuildingId" = b."Id" AND x."Occupancy" <> 'Vacant'),
                   (SELECT COUNT(*) FROM residents r JOIN rooms x ON x."Id" = r."RoomId" WHERE x."BuildingId" = b."Id")
            FROM buildings b WHERE b."{scope}" = @scope AND b."CommunityId" = @c ORDER BY b."CommunityId", b."Id" LIMIT 20
            """,
        ];
        foreach (var caller in callers)
        {
            var c = callers[0].CommunityId;
            var nameParams = new (string, object)[] { ("lo", prefix), ("hi", prefix + "\U0010FFFF") };
            var cases = new (string Group, string Path, string[] Sql, (string, object)[] Parameters)[]
            {
                ("registry page", $"/residents?q={q}", ResidentList(nameWhere), nameParams),
                ("registry page", $"/residents", ResidentList("r.\"RoomId\" IS NOT NULL AND r.\"{scope}\" = @scope"), []),
                ("registry API", $"/api/v1/residents?q={q}", ResidentList(nameWhere), nameParams),
                ("registry API", $"/api/v1/residents?communityId={c}&label=LivingAlone", ResidentList(aloneWhere), [("c", c)]),
                ("registry API", $"/api/v1/buildings?communityId={c}", buildings, [("c", c)]),
            };
            foreach (var (group, path, sqlTemplates, parameters) in cases)
            {
                var sql = sqlTemplates.Select(s => s.Replace("{scope}", caller.ScopeColumn, StringComparison.Ordinal)).ToArray();
                var probe = await app.GetAsync(path, caller.Token);
                if (probe.Status == HttpStatusCode.NotFound)
                {
                    result.Rows.Add(Row.Pending(group, path, caller.UserName, "404: the page is not merged yet (the API rows below stand in for it)"));
                    continue;
                }
                if (probe.Status != HttpStatusCode.OK)
                {
                    result.Rows.Add(Row.Pending(group, path, caller.UserName, $"answers {(int)probe.Status}: {Trim(probe.Body)}"));
                    continue;
                }
                var (ours, server, baseline) = await MeasureAsync(runs, () => app.GetAsync(path, caller.Token),
                    () => TimeSqlAsync(database, sql, caller.ScopeId, parameters));
                result.Rows.Add(Row.Of(group, path, caller.UserName, ours, baseline, 100, ServerNote(server) + $"; {probe.Bytes / 1024d:0.0} KiB body"));
                log.WriteLine($"  {path} as {caller.UserName}: p50 {ReportWriter.F(ours.P50)} p95 {ReportWriter.F(ours.P95)} baseline p95 {ReportWriter.F(baseline.P95)}");
            }
        }
        return result;
    }

    static async Task<(Samples Ours, Samples Server, Samples Baseline)> MeasureAsync(int runs, Func<Task<AppProcess.Timed>> request, Func<Task<double>> baseline)
    {
        var ours = new Samples();
        var server = new Samples();
        var base_ = new Samples();
        var started = DateTime.UtcNow;
        for (var i = -WarmUp; i < runs && DateTime.UtcNow - started < MaxPerKind; i++)
        {
            AppProcess.Timed timed;
            double b;
            if (i % 2 == 0)
            {
                timed = await request();
                b = await baseline();
            }
            else
            {
                b = await baseline();
                timed = await request();
            }
            if (timed.Status != HttpStatusCode.OK) throw new InvalidOperationException($"{(int)timed.Status} during the run: {Trim(timed.Body)}");
            if (i < 0) continue;
            ours.Add(timed.ClientMs);
            if (timed.ServerMs is { } s) server.Add(s);
            base_.Add(b);
        }
        return (ours, server, base_);
    }

    static string ServerNote(Samples server) => server.Count == 0 ? "no Server-Timing header" : $"server (Server-Timing) p50 {ReportWriter.F(server.P50)} / p95 {ReportWriter.F(server.P95)} ms";

    static string Trim(string body) => body.Length > 200 ? body[..200] + "…" : body;

    /// <summary>The callers: the community admin of community 1 and the district officer, with their scope keys.</summary>
    static async Task<List<Caller>> CallersAsync(BenchDatabase database, AppProcess app)
    {
        await using var conn = SeedScenario.Open(database);
        await conn.OpenAsync();
        var list = new List<Caller>();
        foreach (var (user, column) in new[] { ("admin1", "CommunityId"), ("district", "DistrictId") })
        {
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = $"SELECT u.\"NodeId\", n.\"CommunityId\" FROM users u JOIN nodes n ON n.\"Id\" = u.\"NodeId\" WHERE u.\"UserName\" = '{user}'";
            await using var reader = await cmd.ExecuteReaderAsync();
            if (!await reader.ReadAsync()) throw new InvalidOperationException($"The large set has no '{user}' account.");
            var node = reader.GetInt32(0);
            var community = reader.GetInt32(1);
            list.Add(new Caller(user, await app.TokenAsync(user), column, node, community));
        }
        // The district officer's list examples use community 1 too.
        list[1] = list[1] with { CommunityId = list[0].CommunityId };
        return list;
    }

    /// <summary>The most common surname + first given character in community 1: a realistic worst-ish case for a prefix.</summary>
    static async Task<string> CommonNamePrefixAsync(BenchDatabase database, int communityId)
    {
        await using var conn = SeedScenario.Open(database);
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT substr(\"Name\", 1, 2) AS p, COUNT(*) FROM residents WHERE \"CommunityId\" = {communityId} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1";
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>Runs the statements on a fresh pooled connection, reading every row; returns the elapsed milliseconds.</summary>
    static async Task<double> TimeSqlAsync(BenchDatabase database, string[] statements, int scopeId, (string Name, object Value)[] parameters)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await using var conn = SeedScenario.Open(database);
        await conn.OpenAsync();
        foreach (var sql in statements)
        {
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = sql;
            Add(cmd, "scope", scopeId);
            foreach (var (name, value) in parameters) Add(cmd, name, value);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                for (var i = 0; i < reader.FieldCount; i++) _ = reader.GetValue(i);
        }
        return Samples.Ms(started);
    }

    static void Add(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = "@" + name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }
}

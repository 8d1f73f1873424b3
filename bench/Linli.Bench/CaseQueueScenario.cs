using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Linli.Infrastructure.Persistence;

namespace Linli.Bench;

/// <summary>
/// <c>cases</c>: the first page of the staff queue with filters, and the case page, over HTTP against the real app on the
/// large set with a million cases; each next to a hand-written SQL baseline of the same rows over ADO.NET.
/// </summary>
public static class CaseQueueScenario
{
    const int WarmUp = 5;
    const int MinRuns = 5;
    static readonly TimeSpan MaxPerKind = TimeSpan.FromSeconds(20);

    sealed record Caller(string UserName, string Token, string ScopeColumn, int ScopeId);

    public static async Task<ScenarioResult> RunAsync(BenchDatabase database, string repoRoot, int cases, int runs, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(database);
        var result = new ScenarioResult("cases-queue", database.ProviderName);
        var (marker, _) = await CaseSeedScenario.EnsureAsync(database, false, cases, log);
        result.Facts["data"] = $"{marker.Cases:N0} cases, {marker.Events:N0} timeline events, {marker.Timers:N0} pending SLA timers on the large set (seed-cases)";
        result.Facts["how"] = $"GET over loopback to the real Linli.Web, sequential, {runs} runs after {WarmUp} warm-up (at most {MaxPerKind.TotalSeconds:0} s a kind), body read in full. "
            + "p50/p95 columns: the app's own Server-Timing (the target is server time); client time in the note. Baseline: the same rows by hand-written SQL over ADO.NET in the bench process (capped count + page; case + timeline + photos + category for the detail)";
        await using var app = await AppProcess.StartAsync(database, repoRoot, database.ConnectionString, log);
        var world = await CaseWorld.LoadAsync(database, log);
        var plumbing = world.Categories.Single(c => c.Code == "plumbing");
        const string Search = "漏水";
        result.Facts["filters"] = $"category = {plumbing.Name} (id {plumbing.Id}, the most common); overdue=true; status=finished (newest first); search=\"{Search}\" (in title or address, open cases)";

        var callers = new List<Caller>();
        foreach (var (user, column) in new[] { ("admin1", "CommunityId"), ("street", "StreetId"), ("grid1", "GridId"), ("district", "DistrictId") })
        {
            var account = world.User(user);
            callers.Add(new Caller(user, await app.TokenAsync(user), column, account.NodeId));
        }
        var pg = database.Provider == DatabaseProvider.Postgres;
        const string Columns = "c.\"Id\", c.\"Title\", c.\"CategoryId\", c.\"Kind\", c.\"Status\", c.\"Level\", c.\"Address\", c.\"CommunityId\", c.\"GridId\", c.\"AssigneeName\", c.\"ReportedAt\", c.\"ResponseDueAt\", c.\"ResolutionDueAt\", c.\"OverdueSince\", c.\"EscalationCount\", c.\"RemindCount\", c.\"MeTooCount\", c.\"Rating\"";
        // Hand-written SQL compares the flag with a value, which both databases can look up in the queue indexes.
        var open = pg ? "c.\"Finished\" = false" : "c.\"Finished\" = 0";
        var done = pg ? "c.\"Finished\" = true" : "c.\"Finished\" = 1";
        var like = pg ? "strpos(c.\"Title\", @q) > 0 OR strpos(c.\"Address\", @q) > 0" : "instr(c.\"Title\", @q) > 0 OR instr(c.\"Address\", @q) > 0";
        var kinds = new (string Kind, string Query, string Where, string Order, (string, object)[] Parameters)[]
        {
            ("default queue (open, due first)", "", open, "c.\"ResolutionDueAt\", c.\"Id\"", []),
            ("category", $"?categoryId={plumbing.Id}", $"{open} AND c.\"CategoryId\" = @cat", "c.\"ResolutionDueAt\", c.\"Id\"", [("cat", plumbing.Id)]),
            ("overdue", "?overdue=true",
                $"{open} AND c.\"Status\" NOT IN ('Handled', 'Verified') AND (c.\"OverdueSince\" IS NOT NULL OR c.\"ResolutionDueAt\" < @now OR (c.\"Status\" = 'Reported' AND c.\"ResponseDueAt\" < @now))",
                "c.\"ResolutionDueAt\", c.\"Id\"", [("now", CaseBulk.Param(database.Provider, DateTimeOffset.UtcNow))]),
            ("status=finished (newest first)", "?status=finished", done, "c.\"ReportedAt\" DESC, c.\"Id\" DESC", []),
            ($"search \"{Search}\"", $"?search={Uri.EscapeDataString(Search)}", $"{open} AND ({like})", "c.\"ResolutionDueAt\", c.\"Id\"", [("q", Search)]),
        };
        foreach (var caller in callers)
        {
            foreach (var (kind, query, where, order, parameters) in kinds)
            {
                // The district officer's figures are the widest case; the brief's three staff roles are measured on every filter.
                if (caller.UserName == "district" && kind != kinds[0].Kind && !kind.StartsWith("status", StringComparison.Ordinal)) continue;
                var path = "/api/v1/cases" + query;
                var scoped = $"c.\"{caller.ScopeColumn}\" = @scope AND {where}";
                string[] sql =
                [
                    $"SELECT COUNT(*) FROM (SELECT 1 FROM cases c WHERE {scoped} LIMIT 10001) x",
                    $"SELECT {Columns} FROM cases c WHERE {scoped} ORDER BY {order} LIMIT 20",
                    "SELECT \"Id\", \"Name\" FROM case_categories",
                ];
                await MeasureAsync(result, database, app, caller, "queue, first page", kind, path, sql, parameters, 100, runs, log);
            }
        }

        // The case page: a sample of cases in the caller's area, open and finished, visited in turn.
        foreach (var caller in callers.Where(c => c.UserName is "admin1" or "street"))
        {
            var ids = await SampleIdsAsync(database, caller, 50);
            var i = 0;
            string[] detailSql =
            [
                "SELECT * FROM cases WHERE \"Id\" = @id",
                "SELECT \"At\", \"ActorName\", \"Kind\", \"FromStatus\", \"ToStatus\", \"Note\" FROM case_events WHERE \"CaseId\" = @id ORDER BY \"At\", \"Id\"",
                "SELECT \"Id\", \"Stage\", \"ContentType\", \"Length\", \"At\" FROM case_attachments WHERE \"CaseId\" = @id ORDER BY \"Id\"",
                "SELECT \"Name\" FROM case_categories WHERE \"Id\" = (SELECT \"CategoryId\" FROM cases WHERE \"Id\" = @id)",
            ];
            await MeasureAsync(result, database, app, caller, "case page", $"detail (50 cases in turn)", () => $"/api/v1/cases/{ids[i % ids.Count]}",
                () => (detailSql, [("id", ids[i++ % ids.Count])]), 50, runs, log);
        }
        return result;
    }

    static Task MeasureAsync(ScenarioResult result, BenchDatabase database, AppProcess app, Caller caller, string group, string kind, string path,
        string[] sql, (string, object)[] parameters, double target, int runs, TextWriter log) =>
        MeasureAsync(result, database, app, caller, group, kind, () => path, () => (sql, parameters), target, runs, log);

    static async Task MeasureAsync(ScenarioResult result, BenchDatabase database, AppProcess app, Caller caller, string group, string kind,
        Func<string> path, Func<(string[] Sql, (string, object)[] Parameters)> baseline, double target, int runs, TextWriter log)
    {
        var first = path();
        var probe = await app.GetAsync(first, caller.Token);
        if (probe.Status != HttpStatusCode.OK)
        {
            result.Rows.Add(Row.Pending(group, kind, caller.UserName, $"{first} answers {(int)probe.Status}: {Trim(probe.Body)}"));
            return;
        }
        var server = new Samples();
        var client = new Samples();
        var base_ = new Samples();
        var started = DateTime.UtcNow;
        // At least MinRuns measured runs however slow; a slow warm-up is cut short.
        for (var i = -WarmUp; i < runs && (DateTime.UtcNow - started < MaxPerKind || i < MinRuns); i++)
        {
            if (i < 0 && DateTime.UtcNow - started > MaxPerKind / 2) i = 0;
            var p = path();
            var (sql, parameters) = baseline();
            AppProcess.Timed timed;
            double b;
            if (i % 2 == 0)
            {
                timed = await app.GetAsync(p, caller.Token);
                b = await TimeSqlAsync(database, sql, caller.ScopeId, parameters);
            }
            else
            {
                b = await TimeSqlAsync(database, sql, caller.ScopeId, parameters);
                timed = await app.GetAsync(p, caller.Token);
            }
            if (timed.Status != HttpStatusCode.OK) throw new InvalidOperationException($"{p}: {(int)timed.Status} during the run: {Trim(timed.Body)}");
            if (i < 0) continue;
            client.Add(timed.ClientMs);
            server.Add(timed.ServerMs ?? timed.ClientMs);
            base_.Add(b);
        }
        var total = TotalOf(probe.Body);
        result.Rows.Add(Row.Of(group, kind, caller.UserName, server, base_, target,
            $"client p50 {ReportWriter.F(client.P50)} / p95 {ReportWriter.F(client.P95)} ms; {first}{total}; {probe.Bytes / 1024d:0.0} KiB"));
        log.WriteLine($"  {kind} as {caller.UserName}: server p50 {ReportWriter.F(server.P50)} p95 {ReportWriter.F(server.P95)} (client p95 {ReportWriter.F(client.P95)}) baseline p95 {ReportWriter.F(base_.P95)}{total}");
    }

    static string TotalOf(string body)
    {
        var i = body.IndexOf("\"total\":", StringComparison.Ordinal);
        if (i < 0) return "";
        var end = body.IndexOfAny([',', '}'], i);
        var lower = body.Contains("\"totalIsLowerBound\":true", StringComparison.Ordinal) ? "+" : "";
        return $"; total {body[(i + 8)..end]}{lower}";
    }

    static async Task<List<long>> SampleIdsAsync(BenchDatabase database, Caller caller, int count)
    {
        await using var conn = SeedScenario.Open(database);
        await conn.OpenAsync();
        // Spread over the id range (and so over two years and every status); deterministic.
        var rows = await CaseWorld.RowsAsync(conn,
            $"SELECT \"Id\" FROM cases WHERE \"{caller.ScopeColumn}\" = {caller.ScopeId} AND \"Id\" % 997 = 0 ORDER BY \"Id\" LIMIT {count}");
        var ids = rows.Select(r => Convert.ToInt64(r[0], CultureInfo.InvariantCulture)).ToList();
        if (ids.Count == 0) throw new InvalidOperationException($"No cases in {caller.UserName}'s area.");
        return ids;
    }

    /// <summary>Runs the statements on a fresh pooled connection, reading every row; returns the elapsed milliseconds.</summary>
    static async Task<double> TimeSqlAsync(BenchDatabase database, string[] statements, int scopeId, (string Name, object Value)[] parameters)
    {
        var started = Stopwatch.GetTimestamp();
        await using var conn = SeedScenario.Open(database);
        await conn.OpenAsync();
        foreach (var sql in statements)
        {
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = sql;
            if (sql.Contains("@scope", StringComparison.Ordinal)) Add(cmd, "scope", scopeId);
            foreach (var (name, value) in parameters)
                if (sql.Contains("@" + name, StringComparison.Ordinal)) Add(cmd, name, value);
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

    static string Trim(string body) => body.Length > 200 ? body[..200] + "…" : body;
}

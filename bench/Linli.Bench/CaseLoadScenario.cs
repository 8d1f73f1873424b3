using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Linli.Infrastructure.Persistence;

namespace Linli.Bench;

/// <summary>
/// <c>case-load</c>: many residents and grid workers report at once. N concurrent clients POST /api/v1/cases for a fixed time
/// against the real app on the large set; next to it, in the same run, the raw rate of the same database for the same rows
/// (one transaction per case: the case, its first timeline event and its two SLA timers, over ADO.NET with N connections).
/// The cases written are removed afterwards, so the cached set stays at its million.
/// </summary>
public static class CaseLoadScenario
{
    public const int DefaultClients = 16;
    public const int DefaultSeconds = 20;
    /// <summary>Connections opened, pools filled, the code of the hot path compiled.</summary>
    static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The load and SLA runs last seconds; a server runs for days. With tiered compilation the first seconds run
    /// unoptimised code and re-compile it in the background (a quarter of the app's CPU in a 40-second run, firing SLA
    /// timers through quick-JIT code), so the bench app compiles everything optimised at once, as a warmed-up server runs.
    /// </summary>
    public static readonly KeyValuePair<string, string> SteadyState = new("DOTNET_TieredCompilation", "0");

    /// <summary>
    /// The app's per-account daily limits (20 a resident, 500 a staff member) would stop a reporter after a few seconds of
    /// this test; the bench's app process gets them raised, and sign-ins are not rate limited for it.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>
    {
        ["Linli__Cases__DailyLimitPerResident"] = "10000000",
        ["Linli__Cases__DailyLimitPerStaff"] = "10000000",
        ["Linli__SignIn__PermitPerMinute"] = "100000",
        [SteadyState.Key] = SteadyState.Value,
    };

    sealed record Reporter(string UserName, string Token, string[] Bodies);

    /// <param name="appConnectionExtra">Added to the app's connection string for an experiment (e.g. "Max Auto Prepare=50" on
    /// PostgreSQL); the result file then gets the suffix "-variant".</param>
    public static async Task<ScenarioResult> RunAsync(BenchDatabase database, string repoRoot, int cases, int clients, int seconds, TextWriter log,
        string? appConnectionExtra = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        var result = new ScenarioResult(appConnectionExtra is null ? "cases-load" : "cases-load-variant", database.ProviderName);
        var settings = new Dictionary<string, string>(Settings);
        if (appConnectionExtra is not null)
        {
            settings["Linli__Database__ConnectionString"] = database.ConnectionString + ";" + appConnectionExtra;
            result.Facts["variant"] = $"the app's connection string has \"{appConnectionExtra}\" added";
        }
        var (marker, _) = await CaseSeedScenario.EnsureAsync(database, false, cases, log);
        var world = await CaseWorld.LoadAsync(database, log);
        result.Facts["data"] = $"{marker.Cases:N0} cases on the large set before the run; the cases written are deleted afterwards";
        result.Facts["app configuration for this run"] = string.Join(", ", Settings.Select(kv => $"{kv.Key}={kv.Value}"))
            + " (the daily limits would stop each reporter after 20 or 500 cases; no tiered compilation: optimised code from the start, as in a server that has run a while)";
        result.Facts["how"] = $"{clients} concurrent clients over loopback (one HttpClient, keep-alive), each POSTing /api/v1/cases in a loop for {seconds} s after {WarmUp.TotalSeconds:0} s warm-up, "
            + "the reporter taken in turn from the pool; 201 Created counted; latency from send to the whole body (the new case's detail) read";

        await using var conn = SeedScenario.Open(database);
        await conn.OpenAsync();
        var startMax = await CaseBulk.ScalarAsync(conn, "SELECT COALESCE(MAX(\"Id\"), 0) FROM cases");
        try
        {
            ScenarioOutcome app;
            (double App, double Database, double Bench) appCpu;
            double tiering;
            await using (var process = await AppProcess.StartAsync(database, repoRoot, database.ConnectionString, log, settings: settings))
            {
                var reporters = await ReportersAsync(process, database, world, log);
                result.Facts["reporters"] = $"{reporters.Count(r => r.UserName.StartsWith("bench-r", StringComparison.Ordinal))} resident accounts (reporting from home or about a building of their community) "
                    + $"and {reporters.Count(r => r.UserName.StartsWith("bench-g", StringComparison.Ordinal))} grid workers (patrol findings at a building of their grid), spread over all 20 communities";
                await HammerAsync(process, reporters, clients, WarmUp, log);
                var before = await CaseCpu.TakeAsync(database, process.ProcessId);
                app = await HammerAsync(process, reporters, clients, TimeSpan.FromSeconds(seconds), log);
                var after = await CaseCpu.TakeAsync(database, process.ProcessId);
                appCpu = after.Since(before);
                tiering = after.TieringSince(before);
            }
            var written = await CaseBulk.ScalarAsync(conn, "SELECT COUNT(*) FROM cases WHERE \"Id\" > @max", null, ("@max", startMax));
            var rawBefore = await CaseCpu.TakeAsync(database, null);
            var raw = await RawAsync(database, world, clients, TimeSpan.FromSeconds(Math.Max(5, seconds / 2)), log);
            var rawCpu = (await CaseCpu.TakeAsync(database, null)).Since(rawBefore);

            result.Rows.Add(Row.Of("create", "POST /api/v1/cases (client latency)", $"{clients} clients", app.Latency, raw.Latency, null,
                $"**{app.PerSecond:N0} cases/s** over {app.Seconds:0.0} s; server (Server-Timing) p50 {ReportWriter.F(app.Server.P50)} / p99 {ReportWriter.F(app.Server.P99)} ms; "
                + $"{app.Failed} failed{app.FirstError}; baseline columns: raw insert latency"));
            result.Rows.Add(Row.Of("create", "raw INSERT, one transaction per case (ADO.NET)", $"{clients} connections", raw.Latency, null, null,
                $"**{raw.PerSecond:N0} cases/s** over {raw.Seconds:0.0} s; {raw.Failed} failed{raw.FirstError}"));
            result.Facts["cases per second through the API"] = $"{app.PerSecond:N0} (target ≥ 1,000: {(app.PerSecond >= 1000 ? "met" : "**not met**")})";
            result.Facts["raw insert rate, same database, same run"] = $"{raw.PerSecond:N0} cases/s (case + event + 2 timers per transaction)";
            result.Facts["API ÷ raw"] = $"{app.PerSecond / raw.PerSecond:0.00}";
            result.Facts["CPU through the API"] = CaseCpu.PerCase(appCpu, app.Ok)
                + $"; besides, the runtime's background re-compilation (tiering) used {tiering:0.0} s of CPU during the run ({tiering * 1000 / Math.Max(1, app.Ok):0.00} ms a case)";
            result.Facts["CPU raw"] = CaseCpu.PerCase(rawCpu with { App = rawCpu.Bench, Bench = 0 }, raw.Ok, withClients: false).Replace("app ", "bench (ADO.NET) ", StringComparison.Ordinal);
            result.Facts["latency p50 / p99"] = $"{ReportWriter.F(app.Latency.P50)} / {ReportWriter.F(app.Latency.Percentile(99))} ms (client), {ReportWriter.F(app.Server.P50)} / {ReportWriter.F(app.Server.Percentile(99))} ms (server)";
            result.Facts["cases in the database after the API run"] = $"{written:N0} new (includes warm-up)";
            log.WriteLine($"  API {app.PerSecond:N0} cases/s, p50 {ReportWriter.F(app.Latency.P50)} p99 {ReportWriter.F(app.Latency.Percentile(99))} ms, {app.Failed} failed{app.FirstError}; raw {raw.PerSecond:N0} cases/s");
            log.WriteLine($"  {result.Facts["CPU through the API"]}; raw: {result.Facts["CPU raw"]}");
        }
        finally
        {
            var removed = await CaseSeedScenario.RemoveCasesAboveAsync(conn, startMax);
            log.WriteLine($"[{database.ProviderName}] removed the {removed:N0} cases written by the run");
        }
        return result;
    }

    sealed record ScenarioOutcome(int Ok, int Failed, string FirstError, double Seconds, Samples Latency, Samples Server)
    {
        public double PerSecond => Ok / Seconds;
    }

    /// <summary>Resident accounts per community and grid workers per community that report in the test.</summary>
    const int ResidentsPerCommunity = 10, GridWorkersPerCommunity = 2;

    /// <summary>
    /// Signs in the bench's residents and grid workers and prepares each one's reports. Password hashing makes a sign-in cost
    /// tens of milliseconds of CPU, so tokens (valid for an hour; the keys live in the database) are kept in bench/.data for
    /// the next run.
    /// </summary>
    static async Task<List<Reporter>> ReportersAsync(AppProcess app, BenchDatabase database, CaseWorld world, TextWriter log)
    {
        var rng = new Random(7);
        var watch = Stopwatch.StartNew();
        var accounts = world.Communities.SelectMany(c =>
            world.Accounts.Where(a => a.Role == "Resident" && a.NodeId == c.Id && a.UserName.StartsWith(CaseWorld.BenchPrefix, StringComparison.Ordinal)).Take(ResidentsPerCommunity)
                .Concat(world.Accounts.Where(a => a.Role == "GridWorker" && c.GridIds.Contains(a.NodeId) && a.UserName.StartsWith(CaseWorld.BenchPrefix, StringComparison.Ordinal)).Take(GridWorkersPerCommunity)))
            .ToList();
        var cacheFile = Path.Combine(database.DataDirectory, $"tokens-{database.ProviderName}.json");
        var cached = File.Exists(cacheFile) ? System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(await File.ReadAllTextAsync(cacheFile)) ?? [] : [];
        // All or nothing: fresh, complete, and accepted by this database (a reseeded one has other keys).
        if (File.GetLastWriteTimeUtc(cacheFile) < DateTime.UtcNow.AddMinutes(-45) || !accounts.All(a => cached.ContainsKey(a.UserName))
            || (await app.GetAsync("/api/v1/me", cached[accounts[0].UserName])).Status != HttpStatusCode.OK)
            cached.Clear();
        var signedIn = 0;
        var residentCategories = world.Categories.Where(c => c.Code is not ("patrol" or "device-alarm")).ToList();
        var patrol = world.Categories.Single(c => c.Code == "patrol");
        var reporters = new List<Reporter>();
        foreach (var chunk in accounts.Chunk(8))
        {
            var tokens = await Task.WhenAll(chunk.Select(async a =>
            {
                if (cached.TryGetValue(a.UserName, out var t)) return t;
                Interlocked.Increment(ref signedIn);
                return await app.TokenAsync(a.UserName);
            }));
            for (var i = 0; i < chunk.Length; i++)
            {
                var a = chunk[i];
                var grid = a.Role == "GridWorker";
                var community = grid ? world.CommunityOfGrid(a.NodeId) : world.CommunityById[a.NodeId];
                // A grid worker patrols their own grid (and sees what they report there); a resident reports within the community.
                var buildings = world.BuildingsByCommunity[community.Id].Where(b => !grid || b.GridId == a.NodeId).ToList();
                var bodies = Enumerable.Range(0, 16).Select(_ =>
                {
                    var category = grid ? patrol : residentCategories[rng.Next(residentCategories.Count)];
                    var titles = CaseGenerator.Titles.GetValueOrDefault(category.Code) ?? [category.Name];
                    // Residents report in-home matters from home, public ones half from home and half about a building.
                    int? building = grid || (!category.InHome && rng.NextDouble() < 0.5) ? buildings[rng.Next(buildings.Count)].Id : null;
                    return System.Text.Json.JsonSerializer.Serialize(new { categoryId = category.Id, title = titles[rng.Next(titles.Length)], buildingId = building });
                }).ToArray();
                reporters.Add(new Reporter(a.UserName, tokens[i], bodies));
            }
        }
        if (signedIn > 0) await File.WriteAllTextAsync(cacheFile, System.Text.Json.JsonSerializer.Serialize(reporters.ToDictionary(r => r.UserName, r => r.Token)));
        log.WriteLine($"  {reporters.Count} reporters ready ({signedIn} signed in now, the rest from the token cache) in {watch.Elapsed.TotalSeconds:0.0} s");
        return reporters;
    }

    static async Task<ScenarioOutcome> HammerAsync(AppProcess app, List<Reporter> reporters, int clients, TimeSpan duration, TextWriter log)
    {
        var next = -1;
        var ok = 0;
        var failed = 0;
        string? firstError = null;
        var latency = new List<double>[clients];
        var server = new List<double>[clients];
        var started = Stopwatch.GetTimestamp();
        var end = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        async Task Client(int k)
        {
            latency[k] = [];
            server[k] = [];
            while (Stopwatch.GetTimestamp() < end)
            {
                var n = Interlocked.Increment(ref next);
                var reporter = reporters[n % reporters.Count];
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/v1/cases", UriKind.Relative))
                {
                    Content = new StringContent(reporter.Bodies[n / reporters.Count % reporter.Bodies.Length], System.Text.Encoding.UTF8, "application/json"),
                };
                var t = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await app.SendAsync(request, reporter.Token);
                    var body = await response.Content.ReadAsStringAsync();
                    var ms = Samples.Ms(t);
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        Interlocked.Increment(ref ok);
                        latency[k].Add(ms);
                        if (ServerMs(response) is { } s) server[k].Add(s);
                    }
                    else
                    {
                        Interlocked.Increment(ref failed);
                        Interlocked.CompareExchange(ref firstError, $"{(int)response.StatusCode} as {reporter.UserName}: {(body.Length > 200 ? body[..200] : body)}", null);
                    }
                }
                catch (HttpRequestException e)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, e.Message, null);
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, clients).Select(k => Task.Run(() => Client(k))));
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var all = new Samples();
        foreach (var ms in latency.SelectMany(l => l)) all.Add(ms);
        var srv = new Samples();
        foreach (var ms in server.SelectMany(l => l)) srv.Add(ms);
        if (firstError is not null) log.WriteLine($"  first failure: {firstError}");
        return new ScenarioOutcome(ok, failed, firstError is null ? "" : $" (first: {firstError})", seconds, all, srv);
    }

    /// <summary>
    /// The database's own rate for the same work: per case one transaction with the case row, its Reported event and its two
    /// timers, parameterised statements, <paramref name="clients"/> connections at once.
    /// </summary>
    static async Task<ScenarioOutcome> RawAsync(BenchDatabase database, CaseWorld world, int clients, TimeSpan duration, TextWriter log)
    {
        var pg = database.Provider == DatabaseProvider.Postgres;
        var caseColumns = CaseBulk.Cases.Skip(1).ToArray();
        var insertCase = $"INSERT INTO cases ({string.Join(", ", caseColumns.Select(c => $"\"{c.Name}\""))}) VALUES ({string.Join(", ", caseColumns.Select((_, i) => $"@c{i}"))}) RETURNING \"Id\"";
        var eventColumns = CaseBulk.Events.Skip(1).ToArray();
        var insertEvent = $"INSERT INTO case_events ({string.Join(", ", eventColumns.Select(c => $"\"{c.Name}\""))}) VALUES ({string.Join(", ", eventColumns.Select((_, i) => $"@e{i}"))})";
        const string InsertTimers = "INSERT INTO case_timers (\"CaseId\", \"Kind\", \"DueAt\", \"Round\") VALUES (@t0, 'Response', @t1, 1), (@t0, 'Resolution', @t2, 1)";
        var categories = world.Categories.Where(c => c.Code is not ("patrol" or "device-alarm")).ToList();
        var ok = 0;
        var failed = 0;
        string? firstError = null;
        var latency = new List<double>[clients];
        var started = Stopwatch.GetTimestamp();
        var end = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        async Task Client(int k)
        {
            latency[k] = [];
            var rng = new Random(k);
            await using var c = SeedScenario.Open(database);
            await c.OpenAsync();
            if (!pg) await CaseBulk.ExecuteAsync(c, "PRAGMA busy_timeout = 10000");
            while (Stopwatch.GetTimestamp() < end)
            {
                var community = world.Communities[rng.Next(world.Communities.Count)];
                var rooms = world.RoomsByCommunity[community.Id];
                var room = rooms[rng.Next(rooms.Count)];
                var category = categories[rng.Next(categories.Count)];
                var now = DateTimeOffset.UtcNow;
                var row = CaseGenerator.ReportedRow(0, category, community, room.Building, room, room.ResidentName ?? "住户", null, room.Id, category.Name, now);
                var t = Stopwatch.GetTimestamp();
                try
                {
                    await using var tx = await c.BeginTransactionAsync();
                    long id;
                    await using (var cmd = Command(c, tx, insertCase, "c", row.Skip(1)))
                        id = Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
                    object?[] e = [id, now, 0, room.ResidentName ?? "住户", "Reported", null, "Reported", null, room.Building.DistrictId, room.Building.StreetId, room.Building.CommunityId, room.Building.GridId];
                    await using (var cmd = Command(c, tx, insertEvent, "e", e)) await cmd.ExecuteNonQueryAsync();
                    await using (var cmd = Command(c, tx, InsertTimers, "t", [id, CaseGenerator.Get(row, "ResponseDueAt"), CaseGenerator.Get(row, "ResolutionDueAt")]))
                        await cmd.ExecuteNonQueryAsync();
                    await tx.CommitAsync();
                    Interlocked.Increment(ref ok);
                    latency[k].Add(Samples.Ms(t));
                }
                catch (DbException ex)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, ex.Message, null);
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, clients).Select(k => Task.Run(() => Client(k))));
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var all = new Samples();
        foreach (var ms in latency.SelectMany(l => l)) all.Add(ms);
        if (firstError is not null) log.WriteLine($"  raw: first failure: {firstError}");
        return new ScenarioOutcome(ok, failed, firstError is null ? "" : $" (first: {firstError})", seconds, all, new Samples());

        DbCommand Command(DbConnection c, DbTransaction tx, string sql, string prefix, IEnumerable<object?> values)
        {
            var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = sql;
            var i = 0;
            foreach (var v in values)
            {
                var p = cmd.CreateParameter();
                p.ParameterName = $"@{prefix}{i++}";
                p.Value = CaseBulk.Param(database.Provider, v);
                cmd.Parameters.Add(p);
            }
            return cmd;
        }
    }

    static double? ServerMs(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Server-Timing", out var values)) return null;
        foreach (var part in string.Join(',', values).Split([',', ';'], StringSplitOptions.TrimEntries))
            if (part.StartsWith("dur=", StringComparison.Ordinal) && double.TryParse(part[4..], NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return d;
        return null;
    }
}

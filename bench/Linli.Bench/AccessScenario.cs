using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Linli.Application.Access;
using Linli.Domain.Access;
using Linli.Domain.Common;
using Linli.Domain.Devices;
using Linli.Domain.Registry;
using Linli.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Bench;

/// <summary>
/// One card's figures (issue 12), on a fresh database with the demo registry, <see cref="DefaultCredentials"/> cards and
/// one door controller per community wired to the community's gate and its first building's unit doors:
/// <list type="bullet">
/// <item>online decisions per second and their latency, with the access log written, beside the liveness endpoint
/// (<c>/ping</c>, which does nothing) on the same server in the same run, runs alternating;</item>
/// <item>a controller's whitelist delta after 1,000 changes among the credentials (one page of commands);</item>
/// <item>a card suspended on one web node until it is refused at a gate asked through a second node.</item>
/// </list>
/// </summary>
public static class AccessScenario
{
    public const int DefaultCredentials = 100_000;
    public const int Changes = 1_000;
    const double TargetPerSecond = 10_000;
    const double TargetP99Ms = 5;

    public static async Task<ScenarioResult> RunAsync(BenchDatabase database, string repoRoot, int credentials, int seconds, int runs, int clients, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(log);
        var result = new ScenarioResult("access", database.ProviderName);
        await MonitoringWorld.CreateAsync(database, 40, log);
        var setup = Stopwatch.StartNew();
        var (gates, controllers, cards) = await BuildAsync(database, credentials);
        log.WriteLine($"[{database.ProviderName}] access world: {cards:N0} cards, {gates.Count} gates, {controllers.Count} controllers in {setup.Elapsed.TotalSeconds:0.0} s");
        result.Facts["world"] = $"demo registry, {cards:N0} cards (staff-held, each opening every gate of its community), {gates.Count} gates on {controllers.Count} door controllers";
        result.Facts["load"] = $"{clients} concurrent clients over loopback on the same 2-core machine, {seconds} s per run, {runs} runs of each alternating; 90% of the cards shown exist";

        await using var app = await AppProcess.StartAsync(database, repoRoot, database.ConnectionString, log);
        await using var second = await AppProcess.StartAsync(database, repoRoot, database.ConnectionString, log);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients, UseCookies = false }) { BaseAddress = app.BaseAddress };

        // Decisions against the empty endpoint, alternating, after a warm-up of each.
        var decide = Requests(gates, credentials);
        await DriveAsync(http, clients, 3, _ => Health(), null);
        await DriveAsync(http, clients, 3, decide, null);
        var empty = new List<Run>();
        var ours = new List<Run>();
        var loggedBefore = await LogRowsAsync(database);
        long answered = 0;
        for (var r = 0; r < runs; r++)
        {
            var e = await DriveAsync(http, clients, seconds, _ => Health(), app.ProcessId);
            empty.Add(e);
            Note(result, log, $"empty run {r + 1}: {e}");
            var d = await DriveAsync(http, clients, seconds, decide, app.ProcessId);
            ours.Add(d);
            answered += d.Ok;
            Note(result, log, $"decision run {r + 1}: {d}");
        }
        // Every decision answered is in the log once the batch writer has caught up (warm-up decisions included below).
        var logged = await SettledLogRowsAsync(database) - loggedBefore;
        var rate = Median(ours.Select(o => o.PerSecond));
        var emptyRate = Median(empty.Select(o => o.PerSecond));
        var p99 = Median(ours.Select(o => o.P99));
        result.Facts["decisions, median of runs"] = $"{rate:N0}/s, p50 {Median(ours.Select(o => o.P50)):0.00} ms, p99 {p99:0.00} ms";
        result.Facts["empty endpoint, median of runs"] = $"{emptyRate:N0}/s, p50 {Median(empty.Select(o => o.P50)):0.00} ms, p99 {Median(empty.Select(o => o.P99)):0.00} ms";
        result.Facts["ratio decisions / empty"] = $"{rate / emptyRate:0.00}× (moonshot ≥ 0.5×)";
        result.Facts["target"] = $"≥ {TargetPerSecond:N0}/s with p99 < {TargetP99Ms} ms: {(rate >= TargetPerSecond && p99 < TargetP99Ms ? "yes" : "**no**")}";
        result.Facts["access log"] = $"{logged:N0} rows written for {answered:N0} decisions answered in the measured runs; batch writer, {(database.Provider == DatabaseProvider.Postgres ? "COPY into the month's partition" : "one prepared insert per row, one transaction per batch")}";
        result.Rows.Add(new Row("access", "decision", "controller", ours.Sum(o => o.Ok) > int.MaxValue ? int.MaxValue : (int)ours.Sum(o => o.Ok),
            Median(ours.Select(o => o.P50)), Median(ours.Select(o => o.P95)), p99, ours.Max(o => o.Max),
            Median(empty.Select(o => o.P50)), Median(empty.Select(o => o.P95)), Median(empty.Select(o => o.P99)), TargetP99Ms, "baseline: /ping") { TargetPercentile = 99 });

        await WhitelistAsync(database, http, controllers[0], result, log);
        await SuspendAsync(database, app, second, gates, result, log);
        result.Notes.Add("Clients, app and database share the 2-core machine: the clients' own CPU is part of every figure, the empty endpoint's too.");
        return result;
    }

    sealed record GateSpot(string Code, int CommunityId, string ControllerCode);

    sealed record Run(double PerSecond, long Ok, long Failed, double P50, double P95, double P99, double Max, string Cpu)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{PerSecond:N0}/s ({Ok:N0} answered, {Failed:N0} failed), p50 {P50:0.00} ms, p95 {P95:0.00} ms, p99 {P99:0.00} ms, max {Max:0.0} ms; {Cpu}");
    }

    static void Note(ScenarioResult result, TextWriter log, string line)
    {
        log.WriteLine("  " + line);
        result.Notes.Add(line);
    }

    static HttpRequestMessage Health() => new(HttpMethod.Get, "/ping");

    /// <summary>Decision requests at random gates with random cards (one in ten unknown), bodies made up front.</summary>
    static Func<Random, HttpRequestMessage> Requests(IReadOnlyList<GateSpot> gates, int credentials)
    {
        var bodies = Enumerable.Range(0, 4096).Select(i =>
        {
            var rng = new Random(i);
            var gate = gates[rng.Next(gates.Count)];
            var card = rng.Next(10) == 0 ? 0xF0000000u + (uint)i : (uint)(1 + rng.Next(credentials));
            return (gate.ControllerCode, Body: Encoding.UTF8.GetBytes($"{{\"gate\":\"{gate.Code}\",\"card\":\"{card:X8}\"}}"));
        }).ToArray();
        return rng =>
        {
            var (controller, body) = bodies[rng.Next(bodies.Length)];
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/access/decisions") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add("X-Device-Id", controller);
            request.Headers.Add("X-Device-Key", MonitoringWorld.Secret);
            return request;
        };
    }

    static async Task<Run> DriveAsync(HttpClient http, int clients, int seconds, Func<Random, HttpRequestMessage> make, int? appPid)
    {
        var cpu = CpuShare.Start(appPid);
        var stop = Stopwatch.StartNew();
        var window = TimeSpan.FromSeconds(seconds);
        var latencies = new List<double>[clients];
        long ok = 0, failed = 0;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var rng = new Random(c * 7919 + seconds);
            var mine = latencies[c] = new List<double>(200_000);
            while (stop.Elapsed < window)
            {
                using var request = make(rng);
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
                    await response.Content.ReadAsByteArrayAsync();
                    mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    if (response.StatusCode == HttpStatusCode.OK) Interlocked.Increment(ref ok);
                    else Interlocked.Increment(ref failed);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        })));
        var elapsed = stop.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double Pct(double p) => all.Length == 0 ? double.NaN : all[Math.Clamp((int)Math.Ceiling(p * all.Length) - 1, 0, all.Length - 1)];
        return new Run(ok / elapsed, ok, failed, Pct(0.50), Pct(0.95), Pct(0.99), all.Length == 0 ? double.NaN : all[^1], cpu.Describe().Replace("senders", "clients", StringComparison.Ordinal));
    }

    /// <summary>
    /// One controller acknowledged everything; then <see cref="Changes"/> of its community's credentials change at once (a
    /// suspension each, through the database, as a bulk change would). The figure is the time of the request that hands
    /// the controller its page of commands, once the web node's snapshot has passed the changes.
    /// </summary>
    static async Task WhitelistAsync(BenchDatabase database, HttpClient http, GateSpot controller, ScenarioResult result, TextWriter log)
    {
        async Task<(JsonElement Page, double Ms)> PullAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/access/controller/commands");
            request.Headers.Add("X-Device-Id", controller.ControllerCode);
            request.Headers.Add("X-Device-Key", MonitoringWorld.Secret);
            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            response.EnsureSuccessStatusCode();
            return (JsonDocument.Parse(text).RootElement.Clone(), ms);
        }
        async Task AckAsync(long version)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/access/controller/acks") { Content = JsonContent.Create(new { version }) };
            request.Headers.Add("X-Device-Id", controller.ControllerCode);
            request.Headers.Add("X-Device-Key", MonitoringWorld.Secret);
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
        }

        // The first sync: every credential of the community, page by page.
        var full = Stopwatch.StartNew();
        long commands = 0, pages = 0;
        while (true)
        {
            var (page, _) = await PullAsync();
            commands += page.GetProperty("commands").GetArrayLength();
            pages++;
            await AckAsync(page.GetProperty("version").GetInt64());
            if (!page.GetProperty("more").GetBoolean()) break;
        }
        Note(result, log, $"first sync of a controller: {commands:N0} commands in {pages} pages, {full.Elapsed.TotalSeconds:0.00} s including the acknowledgements");

        var changed = await ChangeAsync(database, controller.CommunityId);
        // Wait until the node hands out a version past the changes (its snapshot has settled on them).
        var ready = Stopwatch.StartNew();
        JsonElement last = default;
        while (ready.Elapsed < TimeSpan.FromSeconds(30))
        {
            (last, _) = await PullAsync();
            if (last.GetProperty("version").GetInt64() >= changed && !last.GetProperty("more").GetBoolean()) break;
            await Task.Delay(100);
        }
        var times = new List<double>();
        var count = 0;
        for (var i = 0; i < 7; i++)
        {
            var (page, ms) = await PullAsync();
            count = page.GetProperty("commands").GetArrayLength();
            times.Add(ms);
        }
        result.Facts["whitelist delta after 1,000 changes"] = string.Create(CultureInfo.InvariantCulture,
            $"{count:N0} commands in one request: median {Median(times):0.0} ms, max {times.Max():0.0} ms over {times.Count} requests (target < 200 ms: {(Median(times) < 200 ? "yes" : "**no**")}); handed out {ready.Elapsed.TotalSeconds:0.0} s after the change (the snapshot's settle time)");
        Note(result, log, $"whitelist delta: {string.Join(", ", times.Select(t => t.ToString("0.0", CultureInfo.InvariantCulture)))} ms for {count} commands");
    }

    /// <summary>Suspends <see cref="Changes"/> cards of a community in one statement; returns the highest access version written.</summary>
    static async Task<long> ChangeAsync(BenchDatabase database, int communityId)
    {
        await using var services = database.Services();
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        var ids = await db.Credentials.IgnoreQueryFilters().Where(c => c.CommunityId == communityId && c.Status == CredentialStatus.Active)
            .OrderBy(c => c.Id).Select(c => c.Id).Take(Changes).ToListAsync();
        await db.Credentials.IgnoreQueryFilters().Where(c => ids.Contains(c.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CredentialStatus.Suspended).SetProperty(c => c.StatusReason, "bench"));
        return await db.Credentials.IgnoreQueryFilters().MaxAsync(c => EF.Property<long>(c, AccessSnapshot.VersionColumn));
    }

    /// <summary>
    /// A card suspended through node A (the staff API) and asked about at a gate through node B until B refuses it: B
    /// learns it from its next read of the access version.
    /// </summary>
    static async Task SuspendAsync(BenchDatabase database, AppProcess a, AppProcess b, IReadOnlyList<GateSpot> gates, ScenarioResult result, TextWriter log)
    {
        var token = await a.TokenAsync("admin1");
        int community;
        List<(long Id, string Uid)> cards;
        await using (var services = database.Services())
        using (var scope = services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
            var users = await db.Users.IgnoreQueryFilters().SingleAsync(u => u.UserName == "admin1");
            community = users.NodeId;
            var rows = await db.Credentials.IgnoreQueryFilters().Where(c => c.CommunityId == community && c.Status == CredentialStatus.Active)
                .OrderByDescending(c => c.Id).Select(c => new { c.Id, c.HolderName }).Take(20).ToListAsync();
            // Card i is held by "卡 i" and has the UID i.
            cards = rows.Select(r => (r.Id, uint.Parse(r.HolderName[2..], CultureInfo.InvariantCulture).ToString("X8", CultureInfo.InvariantCulture))).ToList();
        }
        var gate = gates.First(g => g.CommunityId == community);
        using var http = new HttpClient { BaseAddress = b.BaseAddress };
        async Task<bool> AllowedAsync(string uid)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/access/decisions") { Content = JsonContent.Create(new { gate = gate.Code, card = uid }) };
            request.Headers.Add("X-Device-Id", gate.ControllerCode);
            request.Headers.Add("X-Device-Key", MonitoringWorld.Secret);
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("allowed").GetBoolean();
        }
        var latencies = new List<double>();
        foreach (var (id, uid) in cards)
        {
            if (!await AllowedAsync(uid)) throw new InvalidOperationException($"card {uid} should open {gate.Code} before it is suspended");
            var started = Stopwatch.GetTimestamp();
            using (var suspend = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/access/credentials/{id}/suspend") { Content = JsonContent.Create(new { reason = "lost" }) })
            using (var response = await a.SendAsync(suspend, token))
                response.EnsureSuccessStatusCode();
            while (await AllowedAsync(uid))
            {
                if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(30)) throw new InvalidOperationException($"card {uid} still opens after 30 s");
                await Task.Delay(10);
            }
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        latencies.Sort();
        result.Facts["suspended card refused at a gate of another node"] = string.Create(CultureInfo.InvariantCulture,
            $"median {Median(latencies):0} ms, max {latencies[^1]:0} ms over {latencies.Count} cards (target ≤ 2 s: {(latencies[^1] <= 2000 ? "yes" : "**no**")}); offline controllers at their next sync");
        Note(result, log, $"suspend → refused through the second node: {string.Join(", ", latencies.Select(l => l.ToString("0", CultureInfo.InvariantCulture)))} ms");
    }

    static async Task<long> LogRowsAsync(BenchDatabase database)
    {
        await using var services = database.Services();
        using var scope = services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<LinliDbContext>().AccessLog.IgnoreQueryFilters().LongCountAsync();
    }

    static async Task<long> SettledLogRowsAsync(BenchDatabase database)
    {
        var last = -1L;
        while (true)
        {
            await Task.Delay(1000);
            var now = await LogRowsAsync(database);
            if (now == last) return now;
            last = now;
        }
    }

    /// <summary>Gates and controllers per community, and the cards: card i has the UID i in hex (8 digits).</summary>
    static async Task<(List<GateSpot> Gates, List<GateSpot> Controllers, int Cards)> BuildAsync(BenchDatabase database, int count)
    {
        await using var services = database.Services();
        var gates = new List<GateSpot>();
        var communities = new List<PlaceKeys>();
        using (var scope = services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
            var controllers = await db.Devices.IgnoreQueryFilters().Where(d => d.Type == DeviceType.DoorController).OrderBy(d => d.Id).ToListAsync();
            foreach (var group in controllers.GroupBy(d => d.CommunityId))
            {
                var controller = group.First();
                var node = await db.Nodes.IgnoreQueryFilters().SingleAsync(n => n.Id == group.Key);
                var keys = node.Keys with { CommunityId = node.Id };
                communities.Add(keys);
                var building = await db.Buildings.IgnoreQueryFilters().Where(b => b.CommunityId == group.Key).OrderBy(b => b.Id).FirstAsync();
                var made = new List<Gate> { new($"BG-{node.Id}", "南门", GateKind.CommunityGate, keys) };
                for (var u = 1; u <= building.Units; u++) made.Add(new Gate($"BU-{building.Id}-{u}", $"{building.Name}{u}单元门", GateKind.UnitDoor, keys, building, u));
                foreach (var g in made)
                {
                    g.WireTo(controller.Id);
                    db.Gates.Add(g);
                    gates.Add(new GateSpot(g.Code, node.Id, controller.Code));
                }
            }
            await db.SaveChangesAsync();
        }
        var protector = services.GetRequiredService<IPersonalDataProtector>();
        var now = DateTimeOffset.UtcNow;
        for (var start = 1; start <= count; start += 5000)
        {
            using var scope = services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            for (var i = start; i < start + 5000 && i <= count; i++)
            {
                var uid = ((uint)i).ToString("X8", CultureInfo.InvariantCulture);
                var keys = communities[i % communities.Count];
                db.Credentials.Add(new Credential(CredentialKind.Card, HolderKind.Staff, $"卡 {i}", keys, CardUids.Hash(uid, protector), protector.Protect(uid),
                    [AccessGrant.AlwaysAt(GateSelector.Community(keys.CommunityId))], now));
            }
            await db.SaveChangesAsync();
        }
        using (var scope = services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<LinliDbContext>().Database.ExecuteSqlRawAsync("ANALYZE");
        return (gates, gates.GroupBy(g => g.ControllerCode).Select(g => g.First()).ToList(), count);
    }

    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

using System.Diagnostics;
using System.Globalization;
using Linli.Infrastructure.Persistence;
using Npgsql;

namespace Linli.Bench;

/// <summary>
/// <c>district-ingest</c>: the ingest scenario against a whole district on this machine (scripts/district.sh: PostgreSQL
/// primary and streaming replica, RabbitMQ, N web nodes, HAProxy hashing gateways to nodes). The same gateways send flat
/// out through the load balancer to all N nodes (after one uncounted warm-up run), then — the baseline, in the same run —
/// straight to node 1 with the other
/// nodes stopped. While they send, the replica's lag behind the primary is sampled every half second. Everything runs on
/// the same 2 cores, so this measures what the district's moving parts cost, not what more machines would add.
/// </summary>
public static class DistrictIngestScenario
{
    const int LoadBalancerPort = 5280;
    const int FirstNodePort = 5281;
    const int PrimaryPort = 55632;

    public static async Task<ScenarioResult> RunAsync(string repoRoot, int devices, int seconds, int runs, int senders, int nodes, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var result = new ScenarioResult("district-ingest", "postgres");
        var dir = Path.Combine(Path.GetTempPath(), "linli-district-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var env = new Dictionary<string, string>
        {
            ["LINLI_DISTRICT_DIR"] = dir,
            ["LINLI_DISTRICT_PORT"] = LoadBalancerPort.ToString(CultureInfo.InvariantCulture),
            ["LINLI_DISTRICT_NODE_PORT"] = FirstNodePort.ToString(CultureInfo.InvariantCulture),
            ["LINLI_DISTRICT_PG_PORT"] = PrimaryPort.ToString(CultureInfo.InvariantCulture),
            ["LINLI_DISTRICT_AMQP_PORT"] = "5883",
            ["LINLI_DISTRICT_MQTT_PORT"] = "2093",
            ["LINLI_DISTRICT_DIST_PORT"] = "25883",
            ["LINLI_DISTRICT_EPMD_PORT"] = "43901",
            ["LINLI_DISTRICT_NO_BUILD"] = "1",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        try
        {
            await ScriptAsync(repoRoot, env, log, "infra");
            var cs = new NpgsqlConnectionStringBuilder
            {
                Host = "127.0.0.1", Port = PrimaryPort, Database = "linli", Username = "linli",
                Password = (await File.ReadAllTextAsync(Path.Combine(dir, "db.password"))).Trim(),
            }.ConnectionString;
            var database = new BenchDatabase(DatabaseProvider.Postgres, cs, Path.Combine(dir, "bench"));
            Directory.CreateDirectory(database.DataDirectory);
            var world = await MonitoringWorld.CreateAsync(database, devices, log, drop: false);
            await ScriptAsync(repoRoot, env, log, "up", "--nodes", nodes.ToString(CultureInfo.InvariantCulture), "--seed", "none");
            result.Facts["district"] = $"scripts/district.sh: PostgreSQL primary + streaming replica, RabbitMQ, {nodes} web nodes, HAProxy (gateways hashed to nodes on X-Device-Id), all on this machine";
            result.Facts["devices"] = $"{world.Devices.Count:N0} (mixed types, {MonitoringWorld.GatewaysPerCommunity * world.Communities.Count} gateways), 9 default district rules";
            result.Facts["senders"] = $"{senders} gateways, {MonitoringIngestScenario.BatchSize} messages per request, 2 requests in flight each, {seconds} s per run";
            var mark = await MonitoringWorld.ReadingsMarkAsync(database);

            // Every node's code warmed up first (JIT, connection pools, the first takeovers), as the single node is by then.
            await MonitoringWorld.TrimReadingsAsync(database, mark);
            var (warm, warmLine) = await DriveAsync(new Uri($"http://127.0.0.1:{LoadBalancerPort}"), database, cs, world, seconds, senders, new Samples());
            result.Notes.Add($"warm-up through the load balancer (not counted): {warmLine}");
            log.WriteLine($"  warm-up: {warm:N0} messages/s");
            var through = new List<double>();
            var lagThrough = new Samples();
            for (var r = 0; r < runs; r++)
            {
                await MonitoringWorld.TrimReadingsAsync(database, mark);
                var (messages, line) = await DriveAsync(new Uri($"http://127.0.0.1:{LoadBalancerPort}"), database, cs, world, seconds, senders, lagThrough);
                through.Add(messages);
                result.Notes.Add($"through the load balancer to {nodes} nodes, run {r + 1}: {line}");
                log.WriteLine($"  lb run {r + 1}: {line}");
            }

            // The baseline: one node, straight, the others stopped.
            for (var n = 2; n <= nodes; n++) await ScriptAsync(repoRoot, env, log, "kill", n.ToString(CultureInfo.InvariantCulture));
            await Task.Delay(TimeSpan.FromSeconds(5));
            var single = new List<double>();
            var lagSingle = new Samples();
            for (var r = 0; r < runs; r++)
            {
                await MonitoringWorld.TrimReadingsAsync(database, mark);
                var (messages, line) = await DriveAsync(new Uri($"http://127.0.0.1:{FirstNodePort}"), database, cs, world, seconds, senders, lagSingle);
                single.Add(messages);
                result.Notes.Add($"one node, no load balancer, run {r + 1}: {line}");
                log.WriteLine($"  single run {r + 1}: {line}");
            }
            await MonitoringWorld.TrimReadingsAsync(database, mark);

            var lb = MonitoringIngestScenario.Median(through);
            var one = MonitoringIngestScenario.Median(single);
            result.Facts[$"through the load balancer, {nodes} nodes (median of runs)"] = $"{lb:N0} messages/s stored";
            result.Facts["one node, straight (median of runs)"] = $"{one:N0} messages/s stored";
            result.Facts["ratio district / one node"] = $"{lb / one:0.00}×";
            result.Facts["target (PostgreSQL)"] = $"≥ 100,000 messages/s: {(lb >= 100_000 ? "yes" : "**no**")}";
            result.Facts["replica lag under load"] = $"{Lag(lagThrough)} through the load balancer; {Lag(lagSingle)} with one node";
            result.Rows.Add(Row.Of("replica", $"replay lag behind the primary while {nodes} nodes ingest", "pg_stat_replication", lagThrough, null, null,
                "ms, sampled every 0.5 s from the primary's pg_stat_replication (replay_lag; 0 when the replica has caught up)"));
            result.Rows.Add(Row.Of("replica", "replay lag behind the primary while one node ingests", "pg_stat_replication", lagSingle, null, null, "ms, as above"));
            result.Notes.Add("The senders, the nodes, HAProxy, both databases and the broker share this machine's 2 cores.");
        }
        finally
        {
            try { await ScriptAsync(repoRoot, env, log, "down", "--purge"); }
            catch (InvalidOperationException e) { log.WriteLine($"district down failed: {e.Message}"); }
        }
        return result;
    }

    static string Lag(Samples s) => s.Count == 0 ? "no samples" : $"p50 {s.P50:0} ms, max {s.Max:0} ms ({s.Count} samples)";

    static async Task<(double Messages, string Line)> DriveAsync(Uri url, BenchDatabase database, string cs, MonitoringWorld world, int seconds, int senders, Samples lag)
    {
        using var stop = new CancellationTokenSource();
        var sampling = SampleLagAsync(cs, lag, stop.Token);
        var load = MonitoringWorld.Load();
        var (rows, messages, stats) = await MonitoringIngestScenario.DriveAsync(url, database, world, seconds, senders);
        await stop.CancelAsync();
        await sampling;
        var line = $"{messages:N0} messages/s stored ({rows:N0} rows/s; {stats.Accepted:N0} accepted, {stats.Rejected:N0} rejected, {stats.Errors:N0} errors"
            + $"{(stats.LastProblem is { } p ? $", last problem: {p}" : "")}; request p50 {MonitoringIngestScenario.Pct(stats, 50):0} ms, p99 {MonitoringIngestScenario.Pct(stats, 99):0} ms; load average {load} → {MonitoringWorld.Load()})";
        return (messages, line);
    }

    static async Task SampleLagAsync(string cs, Samples lag, CancellationToken stop)
    {
        try
        {
            await using var c = new NpgsqlConnection(cs);
            await c.OpenAsync(stop);
            while (!stop.IsCancellationRequested)
            {
                await using (var cmd = new NpgsqlCommand("SELECT COALESCE(EXTRACT(EPOCH FROM replay_lag) * 1000, 0)::float8 FROM pg_stat_replication LIMIT 1", c))
                    if (await cmd.ExecuteScalarAsync(stop) is double ms) lag.Add(ms);
                await Task.Delay(500, stop);
            }
        }
        catch (OperationCanceledException) { }
    }

    static async Task ScriptAsync(string repoRoot, Dictionary<string, string> env, TextWriter log, params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = repoRoot };
        start.ArgumentList.Add(Path.Combine(repoRoot, "scripts", "district.sh"));
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (k, v) in env) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        log.WriteLine($"  district.sh {string.Join(' ', args)}: exit {process.ExitCode}");
        if (process.ExitCode != 0) throw new InvalidOperationException($"district.sh {string.Join(' ', args)} failed: {await output}\n{await error}");
    }
}

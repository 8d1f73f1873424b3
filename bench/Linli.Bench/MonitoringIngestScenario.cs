using System.Diagnostics;
using System.Globalization;
using Linli.DeviceSim;
using Linli.Domain.Devices;
using Linli.Infrastructure.Persistence;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Bench;

/// <summary>
/// Sustained HTTP ingestion: gateways send batches of <see cref="BatchSize"/> messages as fast as the app takes them, for a
/// fixed time; the figure is rows added to device_readings per second (counted in the database at both ends of the window),
/// with the default rules evaluated for every message. The baseline is <see cref="ReadingWriter"/> alone on the same
/// database, with the same rows in the same batch size.
/// </summary>
public static class MonitoringIngestScenario
{
    public const int DefaultDevices = 10_000;
    public const int DefaultSeconds = 30;
    public const int BatchSize = 1000;
    public const double Target = 50_000;

    public static async Task<ScenarioResult> RunAsync(BenchDatabase database, string repoRoot, int devices, int seconds, int runs, int senders, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(log);
        var result = new ScenarioResult("monitoring-ingest", database.ProviderName);
        var world = await MonitoringWorld.CreateAsync(database, devices, log);
        result.Facts["devices"] = $"{world.Devices.Count:N0} (mixed types, {MonitoringWorld.GatewaysPerCommunity * world.Communities.Count} gateways), 9 default district rules";
        result.Facts["senders"] = $"{senders} gateways sending concurrently, {BatchSize} messages per request, 2 requests in flight each, {seconds} s per run";

        // The baseline first, while nothing else runs.
        var raw = new List<double>();
        for (var r = 0; r < runs; r++)
        {
            var load = MonitoringWorld.Load();
            var (rows, elapsed) = await RawAsync(database, world, Math.Min(seconds, 15));
            raw.Add(rows / elapsed);
            log.WriteLine($"  raw ReadingWriter run {r + 1}: {rows:N0} rows in {elapsed:0.0} s = {rows / elapsed:N0} rows/s (load {load})");
            result.Notes.Add($"raw run {r + 1}: {rows / elapsed:N0} rows/s ({rows:N0} rows in {elapsed:0.0} s; load average {load})");
        }

        // The pipeline's debug log says where the writer's time goes (storing, rules, waiting for work).
        await using var app = await AppProcess.StartAsync(database, repoRoot, database.ConnectionString, log,
            settings: new Dictionary<string, string> { ["Logging__LogLevel__Linli.Application.Devices.IngestionPipeline"] = "Debug" });
        await Task.Delay(2000);
        var ours = new List<(double Rows, double Messages)>();
        for (var r = 0; r < runs; r++)
        {
            var load = MonitoringWorld.Load();
            var (rowsPerSecond, messagesPerSecond, stats) = await DriveAsync(app.BaseAddress, database, world, seconds, senders, log);
            ours.Add((rowsPerSecond, messagesPerSecond));
            var line = $"ingest run {r + 1}: {rowsPerSecond:N0} rows/s stored ({messagesPerSecond:N0} messages/s accepted; {stats.Rejected:N0} rejected, "
                + $"{stats.Errors:N0} errors{(stats.LastProblem is { } p ? $", last problem: {p}" : "")}; request p50 {Pct(stats, 50):0} ms, p99 {Pct(stats, 99):0} ms; load average {load} → {MonitoringWorld.Load()})";
            log.WriteLine("  " + line);
            result.Notes.Add(line);
        }

        var rawMedian = Median(raw);
        var oursMedian = Median(ours.Select(o => o.Rows).ToList());
        result.Facts["ingest, median of runs"] = $"{oursMedian:N0} rows/s stored ({Median(ours.Select(o => o.Messages).ToList()):N0} messages/s)";
        result.Facts["raw ReadingWriter, median of runs"] = $"{rawMedian:N0} rows/s";
        result.Facts["ratio ingest / raw"] = $"{oursMedian / rawMedian:0.00}×";
        result.Facts["target"] = $"≥ {Target:N0} events/s: {(oursMedian >= Target ? "yes" : "**no**")}";
        result.Facts["runs"] = runs.ToString(CultureInfo.InvariantCulture);
        var appLog = Path.Combine(database.DataDirectory, $"app-{database.ProviderName}.log");
        if (File.Exists(appLog))
        {
            using var stream = new FileStream(appLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var text = new StreamReader(stream);
            var profile = (await text.ReadToEndAsync()).Split('\n').Where(l => l.Contains("Writer:", StringComparison.Ordinal)).Select(l => "    " + l.Trim()).ToList();
            if (profile.Count > 0) result.Notes.Add("Writer profile (app debug log, every 10 s):\n\n" + string.Join('\n', profile));
        }
        result.Notes.Add("The senders run on the same 2-core machine as the app and the database, so the client's JSON writing competes with the server for CPU.");
        return result;
    }

    static double Pct(SimStats stats, double p) => stats.LatencyPercentileMs(p / 100) ?? double.NaN;

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>Rows written by <see cref="ReadingWriter"/> directly, batches of the readings of <see cref="BatchSize"/> messages.</summary>
    static async Task<(long Rows, double Seconds)> RawAsync(BenchDatabase database, MonitoringWorld world, int seconds)
    {
        var generator = new MessageGenerator(world.Devices, seed: 7);
        // Batches made up front, so the figure is the database's alone.
        var batches = new List<List<(long, DateTimeOffset, Reading)>>();
        for (var b = 0; b < 40; b++)
        {
            var rows = new List<(long, DateTimeOffset, Reading)>();
            for (var i = 0; i < BatchSize; i++)
            {
                var m = generator.Next()!;
                var id = world.Ids[m.Device.Code];
                foreach (var v in m.Values) rows.Add((id, m.At, new Reading(v.Name, v.Value)));
                if (m.Event is not null) rows.Add((id, m.At, new Reading(m.Event, 1, m.Text, IsEvent: true)));
            }
            batches.Add(rows);
        }
        await using var services = database.Services();
        using var scope = services.CreateScope();
        await using var writer = await ReadingWriter.OpenAsync(scope.ServiceProvider.GetRequiredService<LinliDbContext>(), CancellationToken.None);
        long written = 0;
        var watch = Stopwatch.StartNew();
        for (var i = 0; watch.Elapsed.TotalSeconds < seconds; i++)
        {
            var batch = batches[i % batches.Count];
            await writer.WriteAsync(batch, CancellationToken.None);
            written += batch.Count;
        }
        return (written, watch.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Gateways send flat out (or at <paramref name="rate"/> messages/s in total) until <paramref name="stop"/>; returns the
    /// counters. Each sender uses one gateway and the devices of its community.
    /// </summary>
    public static async Task<SimStats> SendAsync(Uri baseUrl, MonitoringWorld world, int senders, double? rate, int batchSize, CancellationToken stop,
        ISet<string>? exclude = null, int concurrency = 2)
    {
        ArgumentNullException.ThrowIfNull(world);
        var stats = new SimStats();
        var tasks = new List<Task>();
        for (var s = 0; s < senders; s++)
        {
            var (gateways, devices) = world.Communities[s % world.Communities.Count];
            var gateway = gateways[s / world.Communities.Count % gateways.Count];
            // Senders of one community split its devices, so no device is driven by two senders at once.
            var share = senders / world.Communities.Count is var per and > 1
                ? devices.Where((_, i) => i % per == s / world.Communities.Count % per).ToList() : devices.ToList();
            if (exclude is not null) share = share.Where(d => !exclude.Contains(d.Code)).ToList();
            var bucket = rate is { } total ? new TokenBucket(total / senders, total / senders / 5) : null;
            tasks.Add(Task.Run(async () =>
            {
                var generator = new MessageGenerator(share, seed: 100 + s);
                await using var sender = new HttpIngestSender(baseUrl, stats,
                    new HttpSenderOptions { BatchSize = batchSize, Concurrency = concurrency, Linger = TimeSpan.FromMilliseconds(200) }, gateway);
                try
                {
                    while (!stop.IsCancellationRequested)
                    {
                        var n = bucket is null ? 100 : await bucket.TakeAsync(100, stop);
                        for (var i = 0; i < n; i++) await sender.AddAsync(generator.Next()!, ct: stop);
                    }
                }
                catch (OperationCanceledException) { }
                await sender.CompleteAsync();
            }));
        }
        await Task.WhenAll(tasks);
        return stats;
    }

    static async Task<(double Rows, double Messages, SimStats Stats)> DriveAsync(Uri baseUrl, BenchDatabase database, MonitoringWorld world, int seconds, int senders, TextWriter log)
    {
        using var stop = new CancellationTokenSource();
        var start = await MonitoringWorld.CountReadingsAsync(database);
        var sending = SendAsync(baseUrl, world, senders, null, BatchSize, stop.Token);
        // Warm up (connections, JIT, the first transactions), then count over the window while traffic keeps flowing.
        await Task.Delay(3000);
        var before = await MonitoringWorld.CountReadingsAsync(database);
        var started = Stopwatch.GetTimestamp();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var after = await MonitoringWorld.CountReadingsAsync(database);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await stop.CancelAsync();
        var stats = await sending;
        var rows = (after - before) / elapsed;
        // Rows per message in this mix, from what the app accepted over the whole run.
        var total = await MonitoringWorld.CountReadingsAsync(database) - start;
        _ = log;
        var perMessage = stats.Accepted > 0 ? (double)total / stats.Accepted : double.NaN;
        return (rows, rows / perMessage, stats);
    }
}

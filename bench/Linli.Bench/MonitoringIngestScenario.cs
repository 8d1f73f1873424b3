using System.Diagnostics;
using System.Globalization;
using Linli.DeviceSim;
using Linli.Domain.Devices;
using Linli.Infrastructure.Persistence;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Bench;

/// <summary>
/// Sustained HTTP ingestion: gateways send batches of <see cref="BatchSize"/> messages as fast as the app takes them, for a
/// fixed time; the figure is messages stored per second (readings counted in the database at both ends of the window,
/// divided by the readings a message makes in this mix), with the default rules evaluated for every message. The target
/// is stated in messages (events) per second and checked in them. The baseline is <see cref="ReadingWriter"/> alone on the
/// same database after the app has stopped, writing the same messages in transactions of the same size as the app's writer
/// made in this run (its average rows per transaction, read from its debug log), so the ratio compares like with like.
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

        // Every run, the app's and the baseline's, starts on the table as it is now (what the runs before it added is
        // removed first): the insert rate depends on the table's size.
        var mark = await MonitoringWorld.ReadingsMarkAsync(database);
        result.Facts["table"] = $"every run starts with the {await MonitoringWorld.CountReadingsAsync(database):N0} readings there were before the first; what a run adds is removed before the next";

        // The app first. Its writer's debug log says where the time goes and how many rows each transaction held.
        var appLog = Path.Combine(database.DataDirectory, $"app-{database.ProviderName}.log");
        var ours = new List<(double Rows, double Messages)>();
        await using (var app = await AppProcess.StartAsync(database, repoRoot, database.ConnectionString, log,
            settings: new Dictionary<string, string> { ["Logging__LogLevel__Linli.Application.Devices.IngestionPipeline"] = "Debug" }))
        {
            await Task.Delay(2000);
            for (var r = 0; r < runs; r++)
            {
                await MonitoringWorld.TrimReadingsAsync(database, mark);
                var load = MonitoringWorld.Load();
                var cpu = "";
                var (rowsPerSecond, messagesPerSecond, stats) = await DriveAsync(app.BaseAddress, database, world, seconds, senders, c => cpu = c, app.ProcessId);
                ours.Add((rowsPerSecond, messagesPerSecond));
                var line = $"ingest run {r + 1}: {messagesPerSecond:N0} messages/s stored ({rowsPerSecond:N0} rows/s; {stats.Accepted:N0} messages accepted, {stats.Rejected:N0} rejected, "
                    + $"{stats.Errors:N0} errors{(stats.LastProblem is { } p ? $", last problem: {p}" : "")}; request p50 {Pct(stats, 50):0} ms, p99 {Pct(stats, 99):0} ms; load average {load} → {MonitoringWorld.Load()}; {cpu})";
                log.WriteLine("  " + line);
                result.Notes.Add(line);
            }
        }
        var profile = await WriterProfileAsync(appLog);
        var rowsPerTransaction = profile.Transactions > 0 ? (int)Math.Round((double)profile.Rows / profile.Transactions) : BatchSize * 2;

        // The baseline: the same writer, the same messages, transactions of the same size, nothing else running.
        var raw = new List<(double Rows, double Messages)>();
        for (var r = 0; r < runs; r++)
        {
            await MonitoringWorld.TrimReadingsAsync(database, mark);
            var load = MonitoringWorld.Load();
            var cpu = "";
            var (rows, messages, transactions, elapsed) = await RawAsync(database, world, Math.Min(seconds, 15), rowsPerTransaction, c => cpu = c);
            raw.Add((rows / elapsed, messages / elapsed));
            var line = $"raw run {r + 1}: {messages / elapsed:N0} messages/s ({rows / elapsed:N0} rows/s; {rows:N0} rows in {transactions:N0} transactions over {elapsed:0.0} s; load average {load}; {cpu})";
            log.WriteLine("  " + line);
            result.Notes.Add(line);
        }

        var oursMessages = Median(ours.Select(o => o.Messages).ToList());
        var rawMessages = Median(raw.Select(o => o.Messages).ToList());
        result.Facts["ingest, median of runs"] = $"{oursMessages:N0} messages/s stored ({Median(ours.Select(o => o.Rows).ToList()):N0} rows/s)";
        result.Facts["raw ReadingWriter, median of runs"] = $"{rawMessages:N0} messages/s ({Median(raw.Select(o => o.Rows).ToList()):N0} rows/s)";
        result.Facts["rows per transaction"] = profile.Transactions > 0
            ? $"{rowsPerTransaction:N0} on average in the app's writer ({profile.Rows:N0} rows in {profile.Transactions:N0} transactions, warm-up included); the baseline commits the same"
            : $"the app's writer logged no profile; the baseline commits {rowsPerTransaction:N0}";
        result.Facts["ratio ingest / raw"] = $"{oursMessages / rawMessages:0.00}×";
        result.Facts["target"] = $"≥ {Target:N0} messages/s: {(oursMessages >= Target ? "yes" : "**no**")}";
        result.Facts["runs"] = runs.ToString(CultureInfo.InvariantCulture);
        if (profile.Lines.Count > 0) result.Notes.Add("Writer profile (app debug log, every 10 s):\n\n" + string.Join('\n', profile.Lines));
        await MonitoringWorld.TrimReadingsAsync(database, mark);
        result.Notes.Add("The senders run on the same 2-core machine as the app and the database, so the client's JSON writing competes with the server for CPU.");
        return result;
    }

    /// <summary>The writer's profile lines ("Writer: N rows in M transactions …", one per 10 s window) and their sums.</summary>
    static async Task<(long Rows, long Transactions, List<string> Lines)> WriterProfileAsync(string appLog)
    {
        if (!File.Exists(appLog)) return (0, 0, []);
        await using var stream = new FileStream(appLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var text = new StreamReader(stream);
        var lines = (await text.ReadToEndAsync()).Split('\n').Where(l => l.Contains("Writer:", StringComparison.Ordinal)).Select(l => "    " + l.Trim()).ToList();
        long rows = 0, transactions = 0;
        foreach (var line in lines)
        {
            var m = System.Text.RegularExpressions.Regex.Match(line, @"Writer: ([\d,]+) rows in ([\d,]+) transactions");
            if (!m.Success) continue;
            rows += long.Parse(m.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
            transactions += long.Parse(m.Groups[2].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
        }
        return (rows, transactions, lines);
    }

    internal static double Pct(SimStats stats, double p) => stats.LatencyPercentileMs(p / 100) ?? double.NaN;

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>
    /// Messages written by <see cref="ReadingWriter"/> directly, whole messages gathered into transactions of at least
    /// <paramref name="rowsPerTransaction"/> rows, as the app's writer gathers whole requests.
    /// </summary>
    static async Task<(long Rows, long Messages, long Transactions, double Seconds)> RawAsync(BenchDatabase database, MonitoringWorld world, int seconds, int rowsPerTransaction,
        Action<string> cpu)
    {
        var generator = new MessageGenerator(world.Devices, seed: 7);
        // Transactions made up front, so the figure is the database's alone.
        var transactions = new List<(List<(long, DateTimeOffset, Reading)> Rows, int Messages)>();
        for (var b = 0; b < 20; b++)
        {
            var rows = new List<(long, DateTimeOffset, Reading)>();
            var messages = 0;
            while (rows.Count < rowsPerTransaction)
            {
                var m = generator.Next()!;
                var id = world.Ids[m.Device.Code];
                foreach (var v in m.Values) rows.Add((id, m.At, new Reading(v.Name, v.Value)));
                if (m.Event is not null) rows.Add((id, m.At, new Reading(m.Event, 1, m.Text, IsEvent: true)));
                messages++;
            }
            transactions.Add((rows, messages));
        }
        await using var services = database.Services();
        using var scope = services.CreateScope();
        await using var writer = await ReadingWriter.OpenAsync(scope.ServiceProvider.GetRequiredService<LinliDbContext>(), CancellationToken.None);
        long written = 0, sent = 0, count = 0;
        var watch = Stopwatch.StartNew();
        var share = CpuShare.Start(null);
        for (var i = 0; watch.Elapsed.TotalSeconds < seconds; i++)
        {
            var (rows, messages) = transactions[i % transactions.Count];
            await writer.WriteAsync(rows, CancellationToken.None);
            // As the app's writer does under a flood: the SQLite inbox moves into the day tables every MoveRows rows.
            await writer.MaintainAsync(idle: false, CancellationToken.None);
            written += rows.Count;
            sent += messages;
            count++;
        }
        // What is left in the inbox is moved inside the window, so the baseline pays for every row it counts.
        await writer.MoveInboxAsync(CancellationToken.None);
        cpu(share.Describe().Replace("senders", "the writer (bench process)", StringComparison.Ordinal));
        return (written, sent, count, watch.Elapsed.TotalSeconds);
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

    internal static async Task<(double Rows, double Messages, SimStats Stats)> DriveAsync(Uri baseUrl, BenchDatabase database, MonitoringWorld world, int seconds, int senders,
        Action<string>? cpu = null, int? appPid = null)
    {
        using var stop = new CancellationTokenSource();
        var start = await MonitoringWorld.CountReadingsAsync(database);
        var sending = SendAsync(baseUrl, world, senders, null, BatchSize, stop.Token);
        // Warm up (connections, JIT, the first transactions), then count over the window while traffic keeps flowing.
        await Task.Delay(3000);
        var before = await MonitoringWorld.CountReadingsAsync(database);
        var started = Stopwatch.GetTimestamp();
        var share = CpuShare.Start(appPid);
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        cpu?.Invoke(share.Describe());
        var after = await MonitoringWorld.CountReadingsAsync(database);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await stop.CancelAsync();
        var stats = await sending;
        var rows = (after - before) / elapsed;
        // Rows per message in this mix, from what the app accepted over the whole run.
        var total = await MonitoringWorld.CountReadingsAsync(database) - start;
        var perMessage = stats.Accepted > 0 ? (double)total / stats.Accepted : double.NaN;
        return (rows, rows / perMessage, stats);
    }
}

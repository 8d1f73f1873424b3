using System.Diagnostics;
using System.Globalization;

namespace Linli.Bench;

/// <summary>
/// Memory with a large fleet: 100,000 registered devices loaded into the app's directory, each heard from once (so each
/// has rule state and latest values), then the web process's resident memory read from /proc/&lt;pid&gt;/status.
/// </summary>
public static class MonitoringMemoryScenario
{
    public const int DefaultDevices = 100_000;
    public const long TargetBytes = 1L << 30;

    public static async Task<ScenarioResult> RunAsync(BenchDatabase database, string repoRoot, int devices, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(log);
        var result = new ScenarioResult("monitoring-devices-memory", database.ProviderName);
        var world = await MonitoringWorld.CreateAsync(database, devices, log);
        result.Facts["devices"] = $"{world.Devices.Count:N0} registered (bulk INSERT … SELECT), set up in {world.SetupSeconds:0} s";

        await using var app = await AppProcess.StartAsync(database, repoRoot, database.ConnectionString, log);
        await Task.Delay(3000);
        var atStart = Status(app.ProcessId);
        result.Facts["after start (directory loaded, no traffic)"] = Describe(atStart);

        // One message per device: each sender walks its share once (the generator is round-robin over its devices).
        var watch = Stopwatch.StartNew();
        var stats = await SendEachOnceAsync(app.BaseAddress, world);
        result.Facts["one message per device"] = $"{stats.Accepted:N0} accepted, {stats.Rejected:N0} rejected, {stats.Errors:N0} errors in {watch.Elapsed.TotalSeconds:0.0} s";
        // The ticker saves last-seen times and health for every device that came online; let it finish.
        await Task.Delay(TimeSpan.FromSeconds(15));
        var after = Status(app.ProcessId);
        result.Facts["after one message per device"] = Describe(after);
        var rss = after.GetValueOrDefault("VmRSS");
        result.Facts["target"] = $"< 1 GB resident: {(rss < TargetBytes ? "yes" : "**no**")}";
        result.Facts["load average"] = $"{MonitoringWorld.Load()} at the end";
        result.Notes.Add("VmRSS is the whole process (runtime, JIT code, ASP.NET Core, the EF model, both GC heaps and the device directory); "
            + "RssAnon is its heap part. The app exposes no GC counters and dotnet-counters is not installed, so the managed heap is not separated.");
        log.WriteLine($"  start: {Describe(atStart)}; after: {Describe(after)}");
        return result;
    }

    static async Task<DeviceSim.SimStats> SendEachOnceAsync(Uri baseUrl, MonitoringWorld world)
    {
        var stats = new DeviceSim.SimStats();
        var tasks = new List<Task>();
        foreach (var (gateways, devices) in world.Communities)
        {
            var gateway = gateways[0];
            tasks.Add(Task.Run(async () =>
            {
                var generator = new DeviceSim.MessageGenerator(devices, seed: 5);
                await using var sender = new DeviceSim.HttpIngestSender(baseUrl, stats,
                    new DeviceSim.HttpSenderOptions { BatchSize = 1000, Concurrency = 2 }, gateway);
                for (var i = 0; i < devices.Count; i++) await sender.AddAsync(generator.Next()!);
                await sender.CompleteAsync();
            }));
        }
        await Task.WhenAll(tasks);
        return stats;
    }

    static Dictionary<string, long> Status(int pid)
    {
        var values = new Dictionary<string, long>();
        foreach (var line in File.ReadAllLines($"/proc/{pid}/status"))
        {
            var parts = line.Split(':', 2);
            if (parts.Length == 2 && parts[1].Trim().EndsWith(" kB", StringComparison.Ordinal)
                && long.TryParse(parts[1].Trim()[..^3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb))
                values[parts[0]] = kb * 1024;
        }
        return values;
    }

    static string Describe(Dictionary<string, long> s) =>
        string.Join(", ", new[] { "VmRSS", "VmHWM", "RssAnon" }.Where(s.ContainsKey).Select(k => $"{k} {s[k] / 1048576.0:0} MB"));
}

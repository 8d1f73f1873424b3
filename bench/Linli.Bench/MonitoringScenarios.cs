using System.Globalization;

namespace Linli.Bench;

/// <summary>
/// The monitoring scenarios (issue 4's figures), each on a freshly built small database (demo registry + bench devices):
/// <list type="bullet">
/// <item><c>ingest [--devices 10000] [--seconds 30] [--senders 4] [--repeat 3]</c>: sustained HTTP ingestion through
/// gateways against the raw <c>ReadingWriter</c> rate.</item>
/// <item><c>alarm-latency [--alarms 200] [--repeat 3] [--background 5000]</c>: reading → "alarm" on /hubs/ops with 5,000 messages/s behind it.</item>
/// <item><c>sos-latency [--alarms 100] [--repeat 3] [--background 5000]</c>: a resident's SOS → the first staff member's "alarmNotice".</item>
/// <item><c>devices-memory [--devices 100000]</c>: the web process's resident memory with that many devices, each heard once.</item>
/// </list>
/// Results go to bench/results/&lt;date&gt;-monitoring-{ingest,alarm-latency,devices-memory}-&lt;provider&gt;.{md,json}.
/// </summary>
public static class MonitoringScenarios
{
    public static readonly string[] Names = ["ingest", "alarm-latency", "sos-latency", "devices-memory"];

    public static Task<ScenarioResult> RunAsync(string name, BenchDatabase database, string repoRoot, Func<string, string?> option, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(option);
        int Int(string key, int fallback) => option(key) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var repeat = Int("--repeat", 3);
        return name switch
        {
            "ingest" => MonitoringIngestScenario.RunAsync(database, repoRoot, Int("--devices", MonitoringIngestScenario.DefaultDevices),
                Int("--seconds", MonitoringIngestScenario.DefaultSeconds), repeat, Int("--senders", 4), log),
            "alarm-latency" => MonitoringLatencyScenario.RunAsync(database, repoRoot, Int("--alarms", MonitoringLatencyScenario.DefaultAlarms), repeat,
                Int("--background", (int)MonitoringLatencyScenario.BackgroundRate), log),
            "sos-latency" => SosLatencyScenario.RunAsync(database, repoRoot, Int("--alarms", SosLatencyScenario.DefaultCalls), repeat,
                Int("--background", (int)MonitoringLatencyScenario.BackgroundRate), log),
            "devices-memory" => MonitoringMemoryScenario.RunAsync(database, repoRoot, Int("--devices", MonitoringMemoryScenario.DefaultDevices), log),
            _ => throw new ArgumentException($"Unknown monitoring scenario '{name}'.", nameof(name)),
        };
    }
}

using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Linli.Bench;

/// <summary>
/// <c>sos-latency</c>: how long an elderly resident's SOS takes to reach a person on duty, with device traffic flowing
/// behind it. The resident presses SOS (POST /api/v1/sos); the property duty room (property1) and the grid worker (grid1)
/// each listen on /hubs/ops for their personal "alarmNotice"; the sample is the first notice to arrive. The community admin
/// then closes the alarm, so the next press is a new call, not a repeat.
/// </summary>
public static class SosLatencyScenario
{
    public const int DefaultCalls = 100;
    public const double TargetP99Ms = 2000;

    public static async Task<ScenarioResult> RunAsync(BenchDatabase database, string repoRoot, int calls, int runs, double background, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(log);
        var result = new ScenarioResult("monitoring-sos-latency", database.ProviderName);
        var world = await MonitoringWorld.CreateAsync(database, 10_000, log);
        result.Facts["setup"] = $"{world.Devices.Count:N0} devices, background {background:N0} messages/s through 4 gateways; resident1 presses SOS "
            + $"{calls} times a run, admin1 closes each alarm before the next press";

        await using var app = await AppProcess.StartAsync(database, repoRoot, database.ConnectionString, log);
        var resident = await app.TokenAsync("resident1");
        var admin = await app.TokenAsync("admin1");
        await using var duty = await OpsHubClient.ConnectAsync(app.BaseAddress, await app.TokenAsync("property1"));
        await using var grid = await OpsHubClient.ConnectAsync(app.BaseAddress, await app.TokenAsync("grid1"));
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        var p99s = new List<double>();
        for (var r = 0; r < runs; r++)
        {
            using var stop = new CancellationTokenSource();
            var traffic = MonitoringIngestScenario.SendAsync(app.BaseAddress, world, 4, background, 500, stop.Token, new HashSet<string>());
            await Task.Delay(3000);
            var load = MonitoringWorld.Load();
            var samples = new Samples();
            var missed = 0;
            for (var i = 0; i < calls; i++)
            {
                duty.Drain();
                grid.Drain();
                var started = Stopwatch.GetTimestamp();
                var alarmId = await PressAsync(http, resident);
                var first = await FirstAsync(alarmId, TimeSpan.FromSeconds(10), duty, grid);
                if (first is null) missed++;
                else samples.Add(Stopwatch.GetElapsedTime(started, first.Value).TotalMilliseconds);
                await CloseAsync(http, admin, alarmId);
            }
            await stop.CancelAsync();
            var stats = await traffic;
            var p99 = samples.Percentile(99);
            p99s.Add(p99);
            result.Rows.Add(Row.Of("SOS → first staff notice", $"run {r + 1}", "property1 + grid1 /hubs/ops", samples, null, TargetP99Ms, targetPercentile: 99, note:
                $"p99 {ReportWriter.F(p99)} ms; {missed} missed; background {stats.Accepted:N0} accepted, {stats.Errors:N0} errors; load {load} → {MonitoringWorld.Load()}"));
            log.WriteLine($"  run {r + 1}: p50 {samples.P50:0.0} p99 {p99:0.0} max {samples.Max:0.0} ms, {missed} missed, load {load}");
        }
        var median = p99s.Order().ToList()[p99s.Count / 2];
        result.Facts["p99, median of runs"] = $"{median:0.0} ms";
        result.Facts["target"] = $"p99 < {TargetP99Ms:0} ms (first call within 2 s): {(median < TargetP99Ms ? "yes" : "**no**")}";
        result.Facts["measured"] = "from before the resident's POST /api/v1/sos until the first \"alarmNotice\" for that alarm is read from a staff member's hub WebSocket";
        return result;
    }

    static async Task<long> PressAsync(HttpClient http, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/v1/sos", UriKind.Relative)) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"SOS answered {(int)response.StatusCode}: {body}");
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("id").GetInt64();
    }

    static async Task CloseAsync(HttpClient http, string token, long alarmId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/v1/alarms/{alarmId}/close", UriKind.Relative))
        {
            Content = new StringContent("{\"note\":\"bench\"}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Closing alarm {alarmId} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The arrival time of the first notice for the alarm on any of the listeners.</summary>
    static async Task<long?> FirstAsync(long alarmId, TimeSpan timeout, params OpsHubClient[] listeners)
    {
        var waits = listeners.Select(l => l.WaitNoticeAsync(alarmId, timeout)).ToList();
        var heard = (await Task.WhenAll(waits)).Where(n => n is not null).Select(n => n!.Value.ReceivedAt).ToList();
        return heard.Count == 0 ? null : heard.Min();
    }
}

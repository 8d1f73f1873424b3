using System.Globalization;
using System.Net;
using System.Text.Json;
using Linli.Domain.Devices;
using Linli.Infrastructure.Persistence;

namespace Linli.Web.Tests;

/// <summary>
/// What an operator at 3 a.m. looks at: the metrics a Prometheus server scrapes, named as docs/operations.md names them,
/// and the readiness the load balancer asks, which says what is missing.
/// </summary>
public sealed class ObservabilityTests
{
    [Fact]
    public async Task Metrics_show_the_pipeline_and_the_open_alarms_an_operator_watches()
    {
        // Its own node name: every series carries it, which keeps this app's figures apart from other apps in the process.
        var node = "metrics-" + Guid.NewGuid().ToString("N")[..8];
        await using var app = await LinliAppFactory.StartAsync(new Dictionary<string, string> { ["Linli:Metrics:SampleSeconds"] = "1", ["Linli:NodeName"] = node });
        var places = await DemoPlaces.LoadAsync(app);
        var admin = await app.ClientAsAsync("admin1");
        var detector = await MonitoringKit.RegisterAsync(admin, DeviceType.SmokeDetector, new { buildingId = places.C1.BuildingIds[0], unit = 1 });
        await MonitoringKit.SendOkAsync(app.Anonymous(), detector, new { values = new { smoke = 0.35, battery = 90 } });
        await MonitoringKit.WaitForAlarmAsync(admin, a => a.DeviceId == detector.Device.Id);
        var open = await admin.GetOkAsync<Page<AlarmDto>>("/api/v1/alarms?pageSize=1&open=true");

        // The counts are sampled every second here: wait for a sample taken after the alarm.
        string text = "";
        for (var i = 0; i < 100; i++)
        {
            text = await app.Anonymous().GetStringAsync("/metrics");
            if (Values(text, node, "linli_alarms_open").Any(v => v >= 1)) break;
            await Task.Delay(100);
        }
        Assert.Contains(Values(text, node, "linli_alarms_open"), v => v >= 1);
        Assert.Contains(Values(text, node, "linli_ingest_readings_stored_total"), v => v >= 2); // smoke and battery
        Assert.Contains(Values(text, node, "linli_ingest_transactions_total"), v => v >= 1);
        Assert.Contains(Values(text, node, "linli_ingest_store_time_seconds_total"), v => v > 0);
        Assert.Contains(Values(text, node, "linli_ingest_queue_depth"), v => v >= 0);
        foreach (var name in new[] { "linli_case_timers_due", "linli_alarm_timers_due", "linli_outbox_backlog", "linli_webhook_deliveries_failing" })
            Assert.True(Values(text, node, name).Count > 0, $"{name} is missing from /metrics");
        // (ASP.NET Core's own figures are exported too; they carry no node name, and with several test apps in one process
        // only one app's show, so they are not checked here.)
        Assert.True(open.Total >= 1);
    }

    [Fact]
    public async Task Readiness_says_the_broker_is_missing_while_liveness_stays_up_and_both_are_ready_with_it()
    {
        // A broker address nobody listens on: the node lives, but must not be sent work that needs the other nodes.
        var nowhere = new Dictionary<string, string> { ["Linli:RabbitMq:ConnectionString"] = "amqp://guest:guest@127.0.0.1:9/" };
        await using (var lonely = await LinliAppFactory.StartAsync(nowhere))
        {
            using var anonymous = lonely.Anonymous();
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health")).StatusCode);
            using var ready = await anonymous.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            var probes = await ProbesAsync(ready);
            Assert.False(probes.GetProperty("broker").GetProperty("ready").GetBoolean());
        }

        await using var broker = new BrokerKit();
        await using var app = await LinliAppFactory.StartAsync(broker.Settings);
        await BrokerKit.ReadyAsync(app.Factory);
        using var client = app.Anonymous();
        using var answer = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        using var body = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.True(body.RootElement.GetProperty("checks").GetProperty("probes").GetProperty("data").GetProperty("broker").GetProperty("ready").GetBoolean());
    }

    [Fact]
    public async Task A_replica_that_is_not_a_standby_leaves_the_node_ready_but_degraded_and_sqlite_refuses_a_replica()
    {
        if (TestDatabase.Provider == DatabaseProvider.Sqlite)
        {
            // The embedded database has no replicas: the setting is refused at start-up, naming it.
            var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                await using var app = await LinliAppFactory.StartAsync(new Dictionary<string, string> { ["Linli:Database:ReplicaConnectionString"] = "Data Source=x.db" });
                _ = app.Factory.Services; // starts the host
            });
            Assert.Contains("ReplicaConnectionString", error.ToString(), StringComparison.Ordinal);
            return;
        }
        // The primary itself named as the replica: it answers, but it is no standby, so it cannot be relied on for reads. The
        // node still takes work (stale-tolerant reads go to the primary, ADR 0015): ready, degraded, the reason shown.
        var (primary, drop) = await TestDatabase.CreateAsync();
        try
        {
            await using var app = await LinliAppFactory.StartAsync(new Dictionary<string, string> { ["Linli:Database:ReplicaConnectionString"] = primary });
            using var ready = await app.Anonymous().GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            using (var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()))
                Assert.Equal("Degraded", body.RootElement.GetProperty("status").GetString());
            var replica = (await ProbesAsync(ready)).GetProperty("replica");
            Assert.False(replica.GetProperty("ready").GetBoolean());
            Assert.False(replica.GetProperty("required").GetBoolean());
            Assert.Contains("not a standby", replica.GetProperty("detail").GetString(), StringComparison.Ordinal);
            using var statistics = await (await app.ClientAsAsync("district")).GetAsync("/api/v1/statistics/population");
            Assert.Equal("primary", statistics.Headers.GetValues("X-Linli-Read-From").Single());
        }
        finally
        {
            await drop();
        }
    }

    static async Task<JsonElement> ProbesAsync(HttpResponseMessage response)
    {
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("checks").GetProperty("probes").GetProperty("data").Clone();
    }

    /// <summary>The values of a metric's series of one node in Prometheus text.</summary>
    static List<double> Values(string text, string node, string name) =>
        text.Split('\n')
            .Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) && l.Contains($"otel_scope_linli_node=\"{node}\"", StringComparison.Ordinal))
            .Select(l => l.Split(' ')[1])
            .Select(v => double.Parse(v, CultureInfo.InvariantCulture))
            .ToList();
}

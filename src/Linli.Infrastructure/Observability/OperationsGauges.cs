using System.Diagnostics.Metrics;
using Linli.Application.Common;
using Linli.Application.Devices;
using Linli.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Linli.Infrastructure.Observability;

public sealed class MetricsOptions
{
    public const string Section = "Linli:Metrics";

    /// <summary>How often the counts read from the database (open alarms, due timers, backlogs) are taken.</summary>
    public double SampleSeconds { get; set; } = 15;
}

/// <summary>
/// The platform's own figures on the meter "Linli", exported at <c>/metrics</c> (docs/operations.md names each): the
/// ingestion pipeline's from its counters, and counts an operator watches (open alarms, timers past due, the outbox and
/// failing webhook deliveries) read from the database every <see cref="MetricsOptions.SampleSeconds"/> under a declared
/// system scope, so a scrape never waits for a query.
/// </summary>
public sealed partial class OperationsGauges : PeriodicJob
{
    public const string MeterName = "Linli";

    readonly IServiceScopeFactory _scopes;
    readonly TimeProvider _time;
    readonly IOptions<MetricsOptions> _options;
    readonly Meter _meter;
    long _alarmsOpen = -1, _caseTimersDue = -1, _alarmTimersDue = -1, _outbox = -1, _deliveriesFailing = -1;

    public OperationsGauges(IServiceScopeFactory scopes, IngestionPipeline pipeline, ClusterNodes nodes, DeviceOwnership ownership, TimeProvider time,
        IOptions<MetricsOptions> options, IMeterFactory meters, IConfiguration configuration, ILogger<OperationsGauges> logger) : base(logger)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(ownership);
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(meters);
        _scopes = scopes;
        _time = time;
        _options = options;
        // The node's name on every series: a district's nodes are told apart, and so are several hosts in one process.
        _meter = meters.Create(new MeterOptions(MeterName)
        {
            Tags = [new KeyValuePair<string, object?>("linli.node", configuration["Linli:NodeName"] ?? Environment.MachineName)],
        });
        _meter.CreateObservableGauge("linli.ingest.queue_depth", () => pipeline.QueueDepth, "{batch}", "Device batches waiting to be stored.");
        _meter.CreateObservableCounter("linli.ingest.readings_stored", () => pipeline.StoredReadings, "{reading}", "Readings stored since the node started.");
        _meter.CreateObservableCounter("linli.ingest.transactions", () => pipeline.StoredTransactions, "{transaction}", "Write transactions of the ingestion pipeline.");
        _meter.CreateObservableCounter("linli.ingest.store_time", () => pipeline.StoreTime.TotalSeconds, "s", "Time the pipeline spent storing; over transactions, the mean write batch time.");
        _meter.CreateObservableGauge("linli.cluster.nodes_alive", () => nodes.Alive.Count, "{node}", "Web nodes this node hears (itself included).");
        _meter.CreateObservableCounter("linli.devices.rebuilt", () => ownership.RebuiltDevices, "{device}", "Devices whose state this node rebuilt from the stored readings (taken over from another node).");
        Gauge("linli.alarms.open", () => _alarmsOpen, "{alarm}", "Alarms not yet closed, in the whole installation.");
        Gauge("linli.case_timers.due", () => _caseTimersDue, "{timer}", "SLA timers past their due time and not yet fired.");
        Gauge("linli.alarm_timers.due", () => _alarmTimersDue, "{timer}", "Alarm escalation timers past their due time and not yet fired.");
        Gauge("linli.outbox.backlog", () => _outbox, "{event}", "Committed domain events not yet delivered.");
        Gauge("linli.webhook_deliveries.failing", () => _deliveriesFailing, "{delivery}", "Webhook deliveries that failed at least once and are not delivered yet.");
    }

    /// <summary>A count from the last sample; nothing is reported before the first one.</summary>
    void Gauge(string name, Func<long> value, string unit, string description) =>
        _meter.CreateObservableGauge(name, () => value() is var v and >= 0 ? [new Measurement<long>(v)] : Array.Empty<Measurement<long>>(), unit, description);

    protected override TimeSpan Interval => TimeSpan.FromSeconds(Math.Max(1, _options.Value.SampleSeconds));

    protected override async Task<bool> PassAsync(CancellationToken ct)
    {
        await using var scope = _scopes.CreateSystemScope("count open alarms, due timers and backlogs for the metrics");
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        var now = _time.GetUtcNow();
        Interlocked.Exchange(ref _alarmsOpen, await db.Alarms.LongCountAsync(a => a.Open, ct));
        Interlocked.Exchange(ref _caseTimersDue, await db.CaseTimers.LongCountAsync(t => t.DueAt <= now, ct));
        Interlocked.Exchange(ref _alarmTimersDue, await db.AlarmTimers.LongCountAsync(t => t.DueAt <= now, ct));
        Interlocked.Exchange(ref _outbox, await db.OutboxMessages.LongCountAsync(ct));
        Interlocked.Exchange(ref _deliveriesFailing, await db.WebhookDeliveries.LongCountAsync(d => d.DeliveredAt == null && d.Attempts > 0, ct));
        return false;
    }

    public override void Dispose()
    {
        _meter.Dispose();
        base.Dispose();
    }
}

using Linli.Application.Common;
using Linli.Domain.Alarms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Linli.Application.Exchange;

/// <summary>Settings under Linli:Exchange:Retention.</summary>
public sealed class ExchangeRetentionOptions
{
    /// <summary>Days a delivered webhook delivery or upward push (and a webhook delivery given up) stays in the logs.</summary>
    public int KeepDays { get; set; } = 90;
    public double IntervalMinutes { get; set; } = 60;
    /// <summary>Rows deleted per statement: short statements never hold the tables for long.</summary>
    public int ChunkSize { get; set; } = 5000;
}

/// <summary>What one pass deleted.</summary>
public sealed record ExchangeRetentionRun(long WebhookDeliveries, long UpstreamPushes);

/// <summary>
/// Keeps the delivery logs bounded: webhook deliveries and pushes to the higher platform are written for every alarm and
/// case change, so without this the tables grow for ever. What is still to be delivered is never touched; a push to the
/// higher platform is never given up, so it stays until taken. Several nodes may run this at once: a delete by date is
/// the same whoever runs it.
/// </summary>
public sealed partial class ExchangeLogRetention(IServiceScopeFactory scopes, TimeProvider time, IOptions<ExchangeRetentionOptions> options,
    ILogger<ExchangeLogRetention> logger) : PeriodicJob(logger)
{
    protected override TimeSpan Interval => TimeSpan.FromMinutes(Math.Max(0.001, options.Value.IntervalMinutes));

    protected override async Task<bool> PassAsync(CancellationToken ct)
    {
        var run = await RunOnceAsync(ct);
        if (run.WebhookDeliveries + run.UpstreamPushes > 0) LogPruned(logger, run.WebhookDeliveries, run.UpstreamPushes);
        return false;
    }

    public async Task<ExchangeRetentionRun> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateSystemScope("forget delivered webhook deliveries and upward pushes past the logs' keeping");
        var db = scope.ServiceProvider.GetRequiredService<ILinliDb>();
        DateTimeOffset? cutoff = time.GetUtcNow().AddDays(-Math.Max(1, options.Value.KeepDays));
        var chunk = Math.Max(1, options.Value.ChunkSize);

        var webhooks = await ChunkedDelete.RunAsync(() => db.WebhookDeliveries
            .Where(d => d.DeliveredAt < cutoff || (d.DeliveredAt == null && d.Attempts >= WebhookDelivery.MaxAttempts && d.CreatedAt < cutoff))
            .OrderBy(d => d.Id).Take(chunk).ExecuteDeleteAsync(ct), chunk);
        var pushes = await ChunkedDelete.RunAsync(() => db.UpstreamPushes.Where(p => p.DeliveredAt < cutoff)
            .OrderBy(p => p.Id).Take(chunk).ExecuteDeleteAsync(ct), chunk);
        return new ExchangeRetentionRun(webhooks, pushes);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivery logs: {Webhooks} webhook deliveries and {Pushes} upward pushes past keeping deleted.")]
    static partial void LogPruned(ILogger logger, long webhooks, long pushes);
}

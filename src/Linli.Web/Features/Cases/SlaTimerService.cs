using Linli.Domain.Cases;
using Linli.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Linli.Web.Features.Cases;

/// <summary>
/// Fires due SLA timers: a passed deadline marks the case overdue and escalates it to the next level. Timers are rows, so
/// a restart loses none; each is claimed in the transaction that acts on it, so none fires twice (see <see cref="CaseTimerClaims"/>).
/// </summary>
public sealed partial class SlaTimerService(IServiceScopeFactory scopes, TimeProvider time, IOptions<CaseOptions> options, ILogger<SlaTimerService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(0.05, options.Value.TimerPollSeconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Drain everything due before sleeping: 10,000 deadlines in one minute fire in one pass of batches.
                while (await FireDueAsync(stoppingToken) == options.Value.TimerBatchSize) { }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
            try { await Task.Delay(interval, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>Fires one batch of due timers in one transaction; returns how many were claimed.</summary>
    public async Task<int> FireDueAsync(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        var feed = scope.ServiceProvider.GetRequiredService<CaseFeed>();
        var now = time.GetUtcNow();
        List<Case> escalated = [];
        int claimed;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            var timers = await CaseTimerClaims.ClaimDueAsync(db, now, options.Value.TimerBatchSize, ct);
            claimed = timers.Count;
            if (claimed == 0) return 0;
            var ids = timers.Select(t => t.CaseId).Distinct().ToList();
            var cases = await db.Cases.IgnoreQueryFilters().Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
            var categories = await db.CaseCategories.AsNoTracking().ToDictionaryAsync(c => c.Id, ct);
            foreach (var timer in timers.OrderBy(t => t.DueAt))
            {
                if (!cases.TryGetValue(timer.CaseId, out var c)) continue;
                if (c.SlaDue(timer, categories[c.CategoryId], now)) escalated.Add(c);
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        foreach (var c in escalated) await feed.PublishAsync(c, "escalated", now, ct);
        if (escalated.Count > 0) LogEscalated(logger, escalated.Count);
        return claimed;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Firing SLA timers failed; they stay due and are tried again.")]
    static partial void LogFailed(ILogger logger, Exception e);

    [LoggerMessage(Level = LogLevel.Information, Message = "SLA: {Count} cases escalated on a passed deadline.")]
    static partial void LogEscalated(ILogger logger, int count);
}

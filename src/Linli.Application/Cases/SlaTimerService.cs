using Linli.Domain.Cases;
using Linli.Application.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Linli.Application.Live;

namespace Linli.Application.Cases;

/// <summary>
/// Fires due SLA timers: a passed deadline marks the case overdue and escalates it to the next level. Timers are rows, so
/// a restart loses none; each is claimed in the transaction that acts on it, so none fires twice (see <see cref="IDueTimerClaims{T}"/>).
/// </summary>
public sealed partial class SlaTimerService(IServiceScopeFactory scopes, IDueTimerClaims<CaseTimer> claims, TimeProvider time, IOptions<CaseOptions> options, ILogger<SlaTimerService> logger)
    : DueTimerService(logger)
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(Math.Max(0.05, options.Value.TimerPollSeconds));
    protected override int BatchSize => options.Value.TimerBatchSize;

    public override async Task<int> FireDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateSystemScope("fire due SLA timers of every community");
        var db = scope.ServiceProvider.GetRequiredService<ILinliDb>();
        var now = time.GetUtcNow();
        List<Case> escalated = [];
        int claimed;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            var timers = await claims.ClaimDueAsync(db, now, options.Value.TimerBatchSize, ct);
            claimed = timers.Count;
            if (claimed == 0) return 0;
            var ids = timers.Select(t => t.CaseId).Distinct().ToList();
            var cases = await db.Cases.Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
            var categories = await db.CaseCategories.AsNoTracking().ToDictionaryAsync(c => c.Id, ct);
            foreach (var timer in timers.OrderBy(t => t.DueAt))
            {
                if (!cases.TryGetValue(timer.CaseId, out var c)) continue;
                // Escalated, or at the top of the hierarchy marked overdue: either way the case records its change for the live pages.
                if (c.SlaDue(timer, categories[c.CategoryId], now)) escalated.Add(c);
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        if (escalated.Count > 0) LogEscalated(logger, escalated.Count);
        return claimed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SLA: {Count} cases escalated on a passed deadline.")]
    static partial void LogEscalated(ILogger logger, int count);
}

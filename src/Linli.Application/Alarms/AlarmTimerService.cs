using Linli.Domain.Alarms;
using Linli.Application.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Linli.Application.Live;

namespace Linli.Application.Alarms;

public sealed class AlarmOptions
{
    /// <summary>How often due escalation timers are looked for.</summary>
    public double TimerPollSeconds { get; set; } = 1;
    public int TimerBatchSize { get; set; } = 200;
}

/// <summary>
/// Escalates alarms nobody acknowledged: each due timer calls the next level of the chain (or reminds everyone after the
/// last). Timers are rows claimed inside the transaction that escalates, so a restart loses none and none fires twice.
/// </summary>
public sealed class AlarmTimerService(IServiceScopeFactory scopes, IDueTimerClaims<AlarmTimer> claims, TimeProvider time, IOptions<AlarmOptions> options,
    ILogger<AlarmTimerService> logger) : DueTimerService(logger)
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(Math.Max(0.05, options.Value.TimerPollSeconds));
    protected override int BatchSize => options.Value.TimerBatchSize;

    public override async Task<int> FireDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateSystemScope("fire due escalation timers of every community");
        var db = scope.ServiceProvider.GetRequiredService<ILinliDb>();
        var now = time.GetUtcNow();
        int claimed;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            var timers = await claims.ClaimDueAsync(db, now, options.Value.TimerBatchSize, ct);
            claimed = timers.Count;
            if (claimed == 0) return 0;
            var ids = timers.Select(t => t.AlarmId).Distinct().ToList();
            var alarms = await db.Alarms.Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
            foreach (var timer in timers.OrderBy(t => t.DueAt))
            {
                if (!alarms.TryGetValue(timer.AlarmId, out var alarm)) continue;
                // An escalation or a reminder records an AlarmChanged event: after the commit the next level is called.
                alarm.EscalationDue(timer, now);
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        return claimed;
    }
}

namespace Linli.Application.Common;

/// <summary>
/// A durable-timer service: fire everything due in batches (a burst of deadlines fires in one pass), sleep, repeat. A
/// failed pass is logged and tried again at the next interval; the timers stay due meanwhile.
/// </summary>
public abstract class DueTimerService(ILogger logger) : PeriodicJob(logger)
{
    protected abstract int BatchSize { get; }

    /// <summary>Fires one batch of due timers in one transaction; returns how many were claimed.</summary>
    public abstract Task<int> FireDueAsync(CancellationToken ct);

    protected override async Task<bool> PassAsync(CancellationToken ct) => await FireDueAsync(ct) == BatchSize;
}

namespace Linli.Application.Common;

/// <summary>
/// The loop of a durable-timer service: fire everything due in batches (a burst of deadlines fires in one pass), sleep,
/// repeat. A failed pass is logged and tried again at the next interval; the timers stay due meanwhile.
/// </summary>
public abstract partial class DueTimerService(ILogger logger) : BackgroundService
{
    protected abstract TimeSpan Interval { get; }
    protected abstract int BatchSize { get; }

    /// <summary>Fires one batch of due timers in one transaction; returns how many were claimed.</summary>
    public abstract Task<int> FireDueAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await FireDueAsync(stoppingToken) == BatchSize) { }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, GetType().Name, e);
            }
            try { await Task.Delay(Interval, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Service}: firing due timers failed; they stay due and are tried again.")]
    static partial void LogFailed(ILogger logger, string service, Exception e);
}

namespace Linli.Application.Common;

/// <summary>
/// The one loop of every periodic background job (SLA and escalation timers, webhook delivery, the welfare check, the
/// device tick, telemetry retention): run a pass, run again at once while a pass says there is more, wait the interval,
/// repeat. A failed pass is logged and tried again at the next interval; the job never dies of it. Each pass opens its own
/// DI scope under a declared scope (see <see cref="DeclaredScopes"/>).
/// </summary>
public abstract partial class PeriodicJob(ILogger logger) : BackgroundService
{
    protected abstract TimeSpan Interval { get; }

    /// <summary>One pass; true when there is more to do right away (a full batch was taken).</summary>
    protected abstract Task<bool> PassAsync(CancellationToken ct);

    /// <summary>Waits for the next pass; a job that can be woken early (new work signalled) overrides it.</summary>
    protected virtual Task WaitAsync(TimeSpan interval, CancellationToken ct) => Task.Delay(interval, ct);

    /// <summary>After the loop ends at shutdown: lets work the job started finish.</summary>
    protected virtual Task OnStoppedAsync() => Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await PassAsync(stoppingToken) && !stoppingToken.IsCancellationRequested) { }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, GetType().Name, e);
            }
            try { await WaitAsync(Interval, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
        await OnStoppedAsync();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Job}: a pass failed; it runs again at the next interval.")]
    static partial void LogFailed(ILogger logger, string job, Exception e);
}

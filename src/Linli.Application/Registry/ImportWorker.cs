using Linli.Application.Common;
using Linli.Domain.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Linli.Application.Registry;

/// <summary>
/// Runs queued imports, whichever node took the upload: each node's worker claims the oldest job nobody holds, reads its
/// file back from the file store and runs it in a DI scope of the uploader's scope, writing the progress to the job's row
/// (and renewing its claim) at most once a <see cref="ImportOptions.ProgressSeconds"/>. A job whose node died is taken
/// over when the claim runs out and run again from the start; the import is one transaction, so the dead run left
/// nothing behind. One job at a time per node: imports are write-heavy and SQLite has one writer anyway.
/// </summary>
public sealed partial class ImportWorker(IServiceScopeFactory scopes, ImportJobClaims claims, ImportSignals signals, IFileStore files,
    TimeProvider time, IOptions<ImportOptions> options, ILogger<ImportWorker> logger) : PeriodicJob(logger)
{
    static readonly TimeSpan CleanupEvery = TimeSpan.FromMinutes(1);
    DateTimeOffset _nextCleanup;

    protected override TimeSpan Interval => TimeSpan.FromSeconds(Math.Max(0.05, options.Value.PollSeconds));

    /// <summary>An upload to this node wakes the worker at once instead of at the next poll.</summary>
    protected override Task WaitAsync(TimeSpan interval, CancellationToken ct) => signals.WaitQueuedAsync(interval, ct);

    protected override async Task<bool> PassAsync(CancellationToken ct)
    {
        await CleanUpAsync(ct);
        ImportJob? job;
        await using (var scope = scopes.CreateSystemScope("claim queued imports of every community"))
            job = await claims.ClaimNextAsync(scope.ServiceProvider.GetRequiredService<ILinliDb>(), ct);
        if (job is null) return false;
        await RunAsync(job, ct);
        return true;
    }

    async Task RunAsync(ImportJob job, CancellationToken stoppingToken)
    {
        using var run = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var stopHeartbeat = new CancellationTokenSource();
        ImportRun? current = null;
        var heartbeat = HeartbeatAsync(job.Id, () => current, run, stopHeartbeat.Token);
        try
        {
            if (job.Attempts > ImportJob.MaxAttempts)
            {
                await OutcomeAsync(job, $"The import was interrupted {job.Attempts - 1} times; nothing was written. Upload the file again.");
                return;
            }
            var content = await ReadFileAsync(job, run.Token);
            if (content is null)
            {
                await OutcomeAsync(job, "The uploaded file is no longer there; nothing was written. Upload it again.");
                return;
            }
            current = new ImportRun(job, ImportFile.Read(job.Kind, content));
            await using (var scope = scopes.CreateAsyncScope())
                await scope.ServiceProvider.GetRequiredService<ImportRunner>().RunAsync(current, run.Token);
            await Done(job);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // This node stops: another node (or this one after its restart) runs the job from the start.
            await using var scope = scopes.CreateSystemScope("give an import back to the queue");
            await claims.ReleaseAsync(scope.ServiceProvider.GetRequiredService<ILinliDb>(), job.Id, CancellationToken.None);
            throw;
        }
        catch (Exception e) when (e is ImportClaimLostException || (e is OperationCanceledException && run.IsCancellationRequested))
        {
            Log.TakenOver(logger, job.Id);
        }
#pragma warning disable CA1031 // One broken file must not stop the worker; the job reports the failure and the log keeps the details.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.ImportFailed(logger, e, job.Id);
            await OutcomeAsync(job, "The import failed unexpectedly; nothing was written.");
        }
        finally
        {
            await stopHeartbeat.CancelAsync();
            await heartbeat;
        }
    }

    async Task<byte[]?> ReadFileAsync(ImportJob job, CancellationToken ct)
    {
        if (job.FileKey is null) return null;
        await using var stream = await files.OpenReadAsync(job.FileKey, ct);
        if (stream is null) return null;
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }

    /// <summary>A failure this node decides (not the rows'), written only while it still holds the claim.</summary>
    async Task OutcomeAsync(ImportJob job, string message)
    {
        await using var scope = scopes.CreateSystemScope("record the outcome of an import");
        if (await claims.FailAsync(scope.ServiceProvider.GetRequiredService<ILinliDb>(), job.Id, message, CancellationToken.None)) await Done(job);
    }

    /// <summary>The job's file is no longer needed once it is done; whoever waits here hears of it at once.</summary>
    async Task Done(ImportJob job)
    {
        if (job.FileKey is not null)
        {
            try { await files.DeleteAsync(job.FileKey, CancellationToken.None); }
            catch (IOException e) { Log.FileNotDeleted(logger, e, job.Id); } // the clean-up tries again after the hour
        }
        signals.Finished();
    }

    /// <summary>Writes the run's progress and renews the claim until the run ends; a claim found lost cancels the run.</summary>
    async Task HeartbeatAsync(string jobId, Func<ImportRun?> current, CancellationTokenSource run, CancellationToken stop)
    {
        var every = TimeSpan.FromSeconds(Math.Max(0.05, options.Value.ProgressSeconds));
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, time, stop);
                var now = current();
                await using var scope = scopes.CreateSystemScope("write the progress of an import");
                if (!await claims.RenewAsync(scope.ServiceProvider.GetRequiredService<ILinliDb>(), jobId, now?.State ?? ImportState.Validating, now?.ProcessedRows ?? 0, stop)
                    && !stop.IsCancellationRequested)
                {
                    await run.CancelAsync();
                    return;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A missed heartbeat is not the end of the run: the claim holds for many more, and the outcome is written only with the claim.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.HeartbeatFailed(logger, e, jobId);
            }
        }
    }

    async Task CleanUpAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (now < _nextCleanup) return;
        _nextCleanup = now + CleanupEvery;
        await using var scope = scopes.CreateSystemScope("delete import jobs past their hour");
        var db = scope.ServiceProvider.GetRequiredService<ILinliDb>();
        var expired = await claims.ExpiredAsync(db, 100, ct);
        if (expired.Count == 0) return;
        foreach (var (_, key) in expired)
            if (key is not null) await files.DeleteAsync(key, ct);
        var ids = expired.Select(e => e.Id).ToList();
        await db.ImportJobs.Where(j => ids.Contains(j.Id)).ExecuteDeleteAsync(ct);
    }

    static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Import {JobId} failed.")]
        public static partial void ImportFailed(ILogger logger, Exception exception, string jobId);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Import {JobId} was taken over by another node (this one stalled past its claim); this run wrote nothing.")]
        public static partial void TakenOver(ILogger logger, string jobId);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Import {JobId}: writing its progress failed; the claim holds until it runs out.")]
        public static partial void HeartbeatFailed(ILogger logger, Exception exception, string jobId);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Import {JobId}: its uploaded file could not be deleted yet.")]
        public static partial void FileNotDeleted(ILogger logger, Exception exception, string jobId);
    }
}

using Linli.Application.Common;
using Linli.Application.Identity;
using Linli.Domain.Common;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Registry;

/// <summary>
/// Wakes this node's worker when an upload arrived here, and whoever waits for a job here when this node's worker finished
/// one. Only a shortcut: jobs uploaded to or finished on another node are found by polling the database.
/// </summary>
public sealed class ImportSignals
{
    readonly SemaphoreSlim _queued = new(0, 1);
    TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Queued()
    {
        try { _queued.Release(); }
        catch (SemaphoreFullException) { }
    }

    public Task<bool> WaitQueuedAsync(TimeSpan timeout, CancellationToken ct) => _queued.WaitAsync(timeout, ct);

    /// <summary>Completes when this node's worker next finishes a job.</summary>
    public Task NextFinish => Volatile.Read(ref _finished).Task;

    public void Finished() =>
        Interlocked.Exchange(ref _finished, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}

/// <summary>
/// The caller's import jobs: start one (its file into the file store, its row into the database), find it, read its
/// errors, wait for it. Any node answers for a job any node took or runs. A user finds only the jobs they uploaded under the
/// scope they hold now; someone else's job id answers as if it did not exist.
/// </summary>
public sealed class ImportJobs(ILinliDb db, CurrentUser user, IFileStore files, ImportSignals signals, TimeProvider time)
{
    static readonly TimeSpan WaitPoll = TimeSpan.FromMilliseconds(250);

    /// <summary>Queues a checked file (<paramref name="totalRows"/> read from it) for the workers.</summary>
    public async Task<ImportJobDto> StartAsync(ImportKind kind, string fileName, byte[] content, int totalRows, int communityId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(content);
        var job = ImportJob.Queue(kind, fileName, totalRows, communityId, user.Id, user.UserName, user.Scope, time.GetUtcNow());
        // The file first: a worker on any node that sees the row finds the whole file.
        await using (var stream = new MemoryStream(content, writable: false)) await files.PutAsync(job.FileKey!, stream, ct);
        try
        {
            db.ImportJobs.Add(job);
            await db.SaveChangesAsync(ct);
        }
        catch
        {
            await files.DeleteAsync(job.FileKey!, CancellationToken.None);
            throw;
        }
        signals.Queued();
        return job.ToDto();
    }

    /// <summary>Records a refused upload as a failed job, so the page can show why on its result view.</summary>
    public async Task<ImportJobDto> RefusedAsync(ImportKind kind, string fileName, string message, CancellationToken ct)
    {
        var job = ImportJob.Refused(kind, fileName, user.Id, user.UserName, user.Scope, time.GetUtcNow(), message);
        db.ImportJobs.Add(job);
        await db.SaveChangesAsync(ct);
        return job.ToDto();
    }

    IQueryable<ImportJob> Mine(string id)
    {
        var scope = user.Scope;
        return db.ImportJobs.AsNoTracking().Where(j => j.Id == id && j.UserId == user.Id && j.ScopeLevel == scope.Level && j.ScopeId == scope.Id);
    }

    /// <summary>The caller's job, without its error list; null when there is no such job of theirs (any more).</summary>
    public async Task<ImportJobDto?> FindAsync(string id, CancellationToken ct)
    {
        var row = await Mine(id).Select(j => new { j.Id, j.Kind, j.FileName, j.State, j.ProcessedRows, j.TotalRows, j.ErrorsCount, j.ImportedRooms, j.ImportedResidents, j.Message })
            .FirstOrDefaultAsync(ct);
        return row is null ? null
            : ImportJob.Dto(row.Id, row.Kind, row.FileName, row.State, row.ProcessedRows, row.TotalRows, row.ErrorsCount, row.ImportedRooms, row.ImportedResidents, row.Message);
    }

    /// <summary>The problems found in the caller's job, in file order; null when there is no such job of theirs.</summary>
    public async Task<IReadOnlyList<ImportError>?> ErrorsAsync(string id, CancellationToken ct)
    {
        var found = await Mine(id).Select(j => new { j.Errors }).FirstOrDefaultAsync(ct);
        return found?.Errors;
    }

    /// <summary>Waits until the caller's job is done, wherever it runs.</summary>
    public async Task<ImportJobDto> WaitAsync(string id, CancellationToken ct)
    {
        while (true)
        {
            var finished = signals.NextFinish;
            var job = await FindAsync(id, ct) ?? throw new NotFoundException("Import job");
            if (job.IsDoneState()) return job;
            await Task.WhenAny(finished, Task.Delay(WaitPoll, ct));
            ct.ThrowIfCancellationRequested();
        }
    }
}

/// <summary>A claimed job being run on this node: the rows read back from its file and how far the run has got.</summary>
public sealed class ImportRun(ImportJob job, ImportTable table)
{
    int _processed;
    int _state = (int)ImportState.Validating;

    public ImportJob Job { get; } = job;
    public ImportTable Table { get; } = table;
    public ImportState State => (ImportState)Volatile.Read(ref _state);
    public int ProcessedRows => Volatile.Read(ref _processed);

    public void Enter(ImportState state) => Volatile.Write(ref _state, (int)state);

    /// <summary>Kept in memory; the worker writes it to the job's row at most once a <see cref="ImportOptions.ProgressSeconds"/>.</summary>
    public void Progress(int rows) => Volatile.Write(ref _processed, rows);
}

/// <summary>The claim on a job was lost to another node while this one ran it: this run must write nothing.</summary>
public sealed class ImportClaimLostException(string jobId) : Exception($"Import {jobId} was taken over by another node.");

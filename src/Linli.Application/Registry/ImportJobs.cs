using System.Collections.Concurrent;
using System.Threading.Channels;
using Linli.Domain.Identity;

namespace Linli.Application.Registry;

public enum ImportState { Queued, Validating, Writing, Succeeded, Failed }

/// <summary>A problem with one cell: the row and column as the user sees them in the file.</summary>
public sealed record ImportError(int Row, string Column, string Value, string Message);

public sealed record ImportCounts(int Rooms, int Residents);

/// <summary>What a client polls: where the import is and, once it is done, what came of it.</summary>
public sealed record ImportJobDto(string Id, ImportKind Kind, string FileName, ImportState State, int ProcessedRows, int TotalRows, int ErrorsCount,
    string? ErrorReportUrl, string? ErrorReportXlsxUrl, ImportCounts? Imported, string? Message);

/// <summary>
/// One uploaded file on its way into the registry. It remembers the uploader's scope, because the worker that runs it has
/// no HTTP request: the rows are validated and written as that user would see the registry, never wider.
/// </summary>
public sealed class ImportJob
{
    readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    int _processed;

    public ImportJob(ImportKind kind, string fileName, ImportTable? table, int communityId, int userId, string userName, Scope scope, DateTimeOffset createdAt)
    {
        Kind = kind;
        FileName = fileName;
        Table = table;
        TotalRows = table?.Rows.Count ?? 0;
        CommunityId = communityId;
        UserId = userId;
        UserName = userName;
        Scope = scope;
        CreatedAt = createdAt;
    }

    public string Id { get; } = Guid.NewGuid().ToString("N");
    public ImportKind Kind { get; }
    public string FileName { get; }
    /// <summary>The rows, dropped once the job is done so a finished job holds only its outcome.</summary>
    public ImportTable? Table { get; private set; }
    public int TotalRows { get; }
    public int CommunityId { get; }
    public int UserId { get; }
    public string UserName { get; }
    public Scope Scope { get; }
    public DateTimeOffset CreatedAt { get; }
    public ImportState State { get; private set; } = ImportState.Queued;
    public int ProcessedRows => Volatile.Read(ref _processed);
    public IReadOnlyList<ImportError> Errors { get; private set; } = [];
    public ImportCounts? Imported { get; private set; }
    public string? Message { get; private set; }
    public Task Completion => _done.Task;
    public bool IsDone => State is ImportState.Succeeded or ImportState.Failed;

    public void Enter(ImportState state) => State = state;

    public void Progress(int rows) => Volatile.Write(ref _processed, rows);

    public void Succeed(ImportCounts counts)
    {
        Imported = counts;
        Progress(TotalRows);
        Finish(ImportState.Succeeded);
    }

    public void Reject(IReadOnlyList<ImportError> errors)
    {
        Errors = errors;
        Message = $"{errors.Count} problem(s) found; nothing was imported.";
        Finish(ImportState.Failed);
    }

    public void Fail(string message)
    {
        Message = message;
        Finish(ImportState.Failed);
    }

    void Finish(ImportState state)
    {
        Table = null;
        State = state;
        _done.TrySetResult();
    }

    public ImportJobDto ToDto() => new(Id, Kind, FileName, State, ProcessedRows, TotalRows, Errors.Count,
        Errors.Count > 0 ? $"/api/v1/imports/{Id}/errors.csv" : null,
        Errors.Count > 0 ? $"/api/v1/imports/{Id}/errors.xlsx" : null,
        Imported, Message);
}

/// <summary>
/// The jobs of this web node, kept in memory for an hour with their error reports, and the queue the worker reads.
/// Imports run one at a time: they are write-heavy and SQLite has one writer anyway.
/// </summary>
public sealed class ImportJobs(TimeProvider time)
{
    public static readonly TimeSpan KeepFor = TimeSpan.FromHours(1);

    readonly ConcurrentDictionary<string, ImportJob> _jobs = new();
    readonly Channel<ImportJob> _queue = Channel.CreateUnbounded<ImportJob>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<ImportJob> Queue => _queue.Reader;

    public void Add(ImportJob job, bool enqueue)
    {
        ArgumentNullException.ThrowIfNull(job);
        var cutoff = time.GetUtcNow() - KeepFor;
        foreach (var old in _jobs.Values)
            if (old.IsDone && old.CreatedAt < cutoff) _jobs.TryRemove(old.Id, out _);
        _jobs[job.Id] = job;
        if (enqueue && !_queue.Writer.TryWrite(job)) job.Fail("The import queue is closed; try again.");
    }

    /// <summary>A job of this user only: someone else's job id answers as if it did not exist.</summary>
    public ImportJob? Find(string id, int userId) =>
        _jobs.TryGetValue(id, out var job) && job.UserId == userId ? job : null;
}

/// <summary>Runs queued imports in the background, each in its own DI scope with a DbContext scoped to the uploader.</summary>
public sealed partial class ImportWorker(ImportJobs jobs, IServiceScopeFactory scopes, ILogger<ImportWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var job in jobs.Queue.ReadAllAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<ImportRunner>().RunAsync(job, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                job.Fail("The server stopped during the import; nothing was written.");
                throw;
            }
#pragma warning disable CA1031 // One broken file must not stop the worker; the job reports the failure and the log keeps the details.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.ImportFailed(logger, e, job.Id);
                job.Fail("The import failed unexpectedly; nothing was written.");
            }
        }
    }

    static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Import {JobId} failed.")]
        public static partial void ImportFailed(ILogger logger, Exception exception, string jobId);
    }
}

public static class ImportJobStates
{
    public static bool IsDoneState(this ImportJobDto job) => job?.State is ImportState.Succeeded or ImportState.Failed;
}

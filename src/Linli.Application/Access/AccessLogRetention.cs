using Linli.Application.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Linli.Application.Access;

/// <summary>The access log's months on PostgreSQL (made ahead, dropped whole); nothing on SQLite, whose log is one table.</summary>
public interface IAccessLogPartitions
{
    Task<int> EnsureAheadAsync(ILinliDb db, DateTimeOffset now, CancellationToken ct);

    Task<int> DropBeforeAsync(ILinliDb db, DateTimeOffset cutoff, CancellationToken ct);
}

/// <summary>What one pass did.</summary>
public sealed record AccessLogRetentionRun(int PartitionsCreated, int PartitionsDropped, long RowsDeleted);

/// <summary>
/// Keeps the access log to <see cref="AccessOptions.LogRetentionDays"/>: on PostgreSQL the months ahead are made and a month
/// wholly past keeping is dropped at once; what is left past keeping (the oldest month's first days, the default
/// partition, all of SQLite's table) is deleted in short chunks. Several nodes may run it at once.
/// </summary>
public sealed partial class AccessLogRetention(IServiceScopeFactory scopes, IAccessLogPartitions partitions, TimeProvider time, IOptions<AccessOptions> options,
    ILogger<AccessLogRetention> logger) : PeriodicJob(logger)
{
    const int Chunk = 5000;

    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    protected override async Task<bool> PassAsync(CancellationToken ct)
    {
        var run = await RunOnceAsync(ct);
        if (run.PartitionsDropped + run.RowsDeleted > 0) LogPruned(logger, run.PartitionsDropped, run.RowsDeleted);
        return false;
    }

    public async Task<AccessLogRetentionRun> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateSystemScope("keep the access log to its retention");
        var db = scope.ServiceProvider.GetRequiredService<ILinliDb>();
        var now = time.GetUtcNow();
        var cutoff = now.AddDays(-Math.Max(1, options.Value.LogRetentionDays));
        var created = await partitions.EnsureAheadAsync(db, now, ct);
        var dropped = await partitions.DropBeforeAsync(db, cutoff, ct);
        var deleted = await ChunkedDelete.RunAsync(() => db.AccessLog.Where(e => e.At < cutoff)
            .OrderBy(e => e.Id).Take(Chunk).ExecuteDeleteAsync(ct), Chunk);
        return new AccessLogRetentionRun(created, dropped, deleted);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Access log: {Partitions} months dropped and {Rows} rows past keeping deleted.")]
    static partial void LogPruned(ILogger logger, int partitions, long rows);
}

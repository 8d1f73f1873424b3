using Linli.Application.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Linli.Application.Registry;

public sealed class ImportOptions
{
    /// <summary>How often a node looks for queued jobs when nothing woke it (an upload to this node wakes it at once).</summary>
    public double PollSeconds { get; set; } = 1;

    /// <summary>How often a running job's progress is written and its claim renewed: at most once a second by default.</summary>
    public double ProgressSeconds { get; set; } = 1;

    /// <summary>How long a claim holds without renewal; then another node takes the job over and runs it again.</summary>
    public double LeaseSeconds { get; set; } = 30;
}

/// <summary>
/// The claim on a running import, as conditional UPDATEs of its row (the same pattern as webhook deliveries, ADR 0013):
/// a node takes a queued job, or one whose claim ran out, only if no other node took it first; it renews the claim with
/// the progress; and every outcome is written only while this node still holds the claim. The success is written inside
/// the import's own transaction, so the rows and the "done" commit together and a node that lost its claim commits
/// nothing: two nodes never both import a file.
/// </summary>
public sealed class ImportJobClaims(TimeProvider time, IOptions<ImportOptions> options)
{
    public static readonly TimeSpan KeepFor = TimeSpan.FromHours(1);

    /// <summary>This process among the web nodes.</summary>
    public string Node { get; } = Cut($"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}");

    static string Cut(string s) => s.Length <= ImportJob.NodeMaxLength ? s : s[^ImportJob.NodeMaxLength..];

    TimeSpan Lease => TimeSpan.FromSeconds(Math.Max(1, options.Value.LeaseSeconds));

    IQueryable<ImportJob> Mine(ILinliDb db, string id) =>
        db.ImportJobs.Where(j => j.Id == id && j.ClaimedBy == Node
            && (j.State == ImportState.Queued || j.State == ImportState.Validating || j.State == ImportState.Writing));

    /// <summary>The oldest job no live node holds, now claimed by this one and started afresh; null when there is none.</summary>
    public async Task<ImportJob?> ClaimNextAsync(ILinliDb db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var now = time.GetUtcNow();
        var open = await db.ImportJobs.AsNoTracking()
            .Where(j => (j.State == ImportState.Queued || j.State == ImportState.Validating || j.State == ImportState.Writing)
                && (j.ClaimedUntil == null || j.ClaimedUntil < now))
            .OrderBy(j => j.CreatedAt).Select(j => j.Id).Take(5).ToListAsync(ct);
        DateTimeOffset? until = now + Lease;
        foreach (var id in open)
        {
            // Taken only if still unclaimed or expired when the row is locked: of two nodes reaching for it, one wins.
            var claimed = await db.ImportJobs
                .Where(j => j.Id == id && (j.State == ImportState.Queued || j.State == ImportState.Validating || j.State == ImportState.Writing)
                    && (j.ClaimedUntil == null || j.ClaimedUntil < now))
                .ExecuteUpdateAsync(u => u
                    .SetProperty(j => j.ClaimedBy, Node).SetProperty(j => j.ClaimedUntil, until)
                    .SetProperty(j => j.State, ImportState.Validating).SetProperty(j => j.ProcessedRows, 0)
                    .SetProperty(j => j.Attempts, j => j.Attempts + 1).SetProperty(j => j.UpdatedAt, now), ct);
            if (claimed == 1) return await db.ImportJobs.AsNoTracking().SingleAsync(j => j.Id == id, ct);
        }
        return null;
    }

    /// <summary>Writes the progress and renews the claim; false when this node no longer holds it.</summary>
    public async Task<bool> RenewAsync(ILinliDb db, string id, ImportState state, int processedRows, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var now = time.GetUtcNow();
        DateTimeOffset? until = now + Lease;
        return await Mine(db, id).ExecuteUpdateAsync(u => u
            .SetProperty(j => j.State, state).SetProperty(j => j.ProcessedRows, processedRows)
            .SetProperty(j => j.ClaimedUntil, until).SetProperty(j => j.UpdatedAt, now), ct) == 1;
    }

    /// <summary>The import's rows are written: call inside the import's transaction, and commit only when it answers true.</summary>
    public async Task<bool> SucceedAsync(ILinliDb db, string id, int totalRows, ImportCounts counts, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(counts);
        DateTimeOffset? now = time.GetUtcNow();
        int? rooms = counts.Rooms, residents = counts.Residents;
        return await Mine(db, id).ExecuteUpdateAsync(u => u
            .SetProperty(j => j.State, ImportState.Succeeded).SetProperty(j => j.ProcessedRows, totalRows)
            .SetProperty(j => j.ImportedRooms, rooms).SetProperty(j => j.ImportedResidents, residents)
            .SetProperty(j => j.FinishedAt, now).SetProperty(j => j.UpdatedAt, now.Value).SetProperty(j => j.ClaimedUntil, (DateTimeOffset?)null), ct) == 1;
    }

    /// <summary>The file was refused row by row: nothing was written, the errors are kept for the report.</summary>
    public async Task<bool> RejectAsync(ILinliDb db, string id, int processedRows, IReadOnlyList<ImportError> errors, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(errors);
        DateTimeOffset? now = time.GetUtcNow();
        string? message = $"{errors.Count} problem(s) found; nothing was imported.";
        return await Mine(db, id).ExecuteUpdateAsync(u => u
            .SetProperty(j => j.State, ImportState.Failed).SetProperty(j => j.ProcessedRows, processedRows)
            .SetProperty(j => j.Errors, errors).SetProperty(j => j.ErrorsCount, errors.Count).SetProperty(j => j.Message, message)
            .SetProperty(j => j.FinishedAt, now).SetProperty(j => j.UpdatedAt, now.Value).SetProperty(j => j.ClaimedUntil, (DateTimeOffset?)null), ct) == 1;
    }

    /// <summary>The import could not run; nothing was written.</summary>
    public async Task<bool> FailAsync(ILinliDb db, string id, string message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        DateTimeOffset? now = time.GetUtcNow();
        string? text = ImportJob.Cut(message, ImportJob.MessageMaxLength);
        return await Mine(db, id).ExecuteUpdateAsync(u => u
            .SetProperty(j => j.State, ImportState.Failed).SetProperty(j => j.Message, text)
            .SetProperty(j => j.FinishedAt, now).SetProperty(j => j.UpdatedAt, now.Value).SetProperty(j => j.ClaimedUntil, (DateTimeOffset?)null), ct) == 1;
    }

    /// <summary>
    /// This node stops (a deploy, a restart): the job goes back to the queue for whichever node looks next, and this start
    /// does not count against it.
    /// </summary>
    public async Task ReleaseAsync(ILinliDb db, string id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var now = time.GetUtcNow();
        await Mine(db, id).ExecuteUpdateAsync(u => u
            .SetProperty(j => j.State, ImportState.Queued).SetProperty(j => j.ProcessedRows, 0)
            .SetProperty(j => j.ClaimedBy, (string?)null).SetProperty(j => j.ClaimedUntil, (DateTimeOffset?)null)
            .SetProperty(j => j.Attempts, j => j.Attempts - 1).SetProperty(j => j.UpdatedAt, now), ct);
    }

    /// <summary>Jobs finished more than <see cref="KeepFor"/> ago, with the file keys they may still hold, for the clean-up.</summary>
    public async Task<IReadOnlyList<(string Id, string? FileKey)>> ExpiredAsync(ILinliDb db, int max, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        DateTimeOffset? cutoff = time.GetUtcNow() - KeepFor;
        return (await db.ImportJobs.AsNoTracking().Where(j => j.FinishedAt != null && j.FinishedAt < cutoff)
            .OrderBy(j => j.FinishedAt).Select(j => new { j.Id, j.FileKey }).Take(max).ToListAsync(ct))
            .Select(j => (j.Id, j.FileKey)).ToList();
    }
}

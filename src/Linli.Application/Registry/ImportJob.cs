using Linli.Domain.Identity;

namespace Linli.Application.Registry;

public enum ImportState { Queued, Validating, Writing, Succeeded, Failed }

/// <summary>A problem with one cell: the row and column as the user sees them in the file.</summary>
public sealed record ImportError(int Row, string Column, string Value, string Message);

public sealed record ImportCounts(int Rooms, int Residents);

/// <summary>What a client polls: where the import is and, once it is done, what came of it.</summary>
public sealed record ImportJobDto(string Id, ImportKind Kind, string FileName, ImportState State, int ProcessedRows, int TotalRows, int ErrorsCount,
    string? ErrorReportUrl, string? ErrorReportXlsxUrl, ImportCounts? Imported, string? Message);

public static class ImportJobStates
{
    public static bool IsDoneState(this ImportJobDto job) => job?.State is ImportState.Succeeded or ImportState.Failed;

    public static bool IsDone(this ImportState state) => state is ImportState.Succeeded or ImportState.Failed;
}

/// <summary>
/// One uploaded file on its way into the registry (table import_jobs), shared by every web node: any node may take the
/// upload, any node's worker may run it, any node answers the polls. It remembers the uploader and their scope, because the
/// worker that runs it has no HTTP request: the rows are validated and written as that user would see the registry, never
/// wider. The file itself waits in the file store under <see cref="FileKey"/> until the job is done.
/// A running job is claimed by one node (<see cref="ClaimedBy"/> until <see cref="ClaimedUntil"/>, renewed while it runs);
/// the conditional updates of that protocol are in <see cref="ImportJobClaims"/>.
/// </summary>
public sealed class ImportJob
{
    public const int IdLength = 32;
    public const int FileNameMaxLength = 255;
    public const int FileKeyMaxLength = 80;
    public const int MessageMaxLength = 400;
    public const int NodeMaxLength = 80;
    /// <summary>A job whose runs keep dying with their nodes is given up after this many, rather than taking down every node in turn.</summary>
    public const int MaxAttempts = 3;

    ImportJob() { }

    /// <summary>A job waiting for a worker, its file already in the store.</summary>
    public static ImportJob Queue(ImportKind kind, string fileName, int totalRows, int communityId, int userId, string userName, Scope scope, DateTimeOffset now)
    {
        var job = New(kind, fileName, userId, userName, scope, now);
        job.FileKey = $"imports/{job.Id}.upload";
        job.TotalRows = totalRows;
        job.CommunityId = communityId;
        return job;
    }

    /// <summary>An upload refused before it became a job, recorded as a failed one so the page can show why.</summary>
    public static ImportJob Refused(ImportKind kind, string fileName, int userId, string userName, Scope scope, DateTimeOffset now, string message)
    {
        var job = New(kind, fileName, userId, userName, scope, now);
        job.State = ImportState.Failed;
        // The reason may quote the file (a header it did not know): kept as printable text, like the file name.
        job.Message = Cut(Printable(message), MessageMaxLength);
        job.FinishedAt = now;
        return job;
    }

    static ImportJob New(ImportKind kind, string fileName, int userId, string userName, Scope scope, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return new ImportJob
        {
            Id = Guid.NewGuid().ToString("N"),
            Kind = kind,
            // A file name is the client's to choose: only what can be shown and stored is kept.
            FileName = Cut(Printable(fileName), FileNameMaxLength),
            UserId = userId,
            UserName = userName,
            ScopeLevel = scope.Level,
            ScopeId = scope.Id,
            ScopeHouseholdBuildingId = scope.HouseholdBuildingId,
            ScopeCommunityId = scope.CommunityId,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    static string Printable(string? text) => new((text ?? "").Where(c => !char.IsControl(c) && !char.IsSurrogate(c)).ToArray());

    public static string Cut(string text, int max) => text is null || text.Length <= max ? text ?? "" : text[..max];

    public string Id { get; private set; } = "";
    public ImportKind Kind { get; private set; }
    public string FileName { get; private set; } = "";
    /// <summary>The uploaded file in the file store; null for an upload refused at once.</summary>
    public string? FileKey { get; private set; }
    public int CommunityId { get; private set; }
    public int UserId { get; private set; }
    public string UserName { get; private set; } = "";
    public ScopeLevel ScopeLevel { get; private set; }
    public int ScopeId { get; private set; }
    public int ScopeHouseholdBuildingId { get; private set; }
    public int ScopeCommunityId { get; private set; }
    public ImportState State { get; private set; }
    public int ProcessedRows { get; private set; }
    public int TotalRows { get; private set; }
    /// <summary>Every problem found, for the error report; empty unless the file was refused row by row.</summary>
    public IReadOnlyList<ImportError> Errors { get; private set; } = [];
    public int ErrorsCount { get; private set; }
    public int? ImportedRooms { get; private set; }
    public int? ImportedResidents { get; private set; }
    public string? Message { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public DateTimeOffset? FinishedAt { get; private set; }
    /// <summary>The node running the job, or that ran it last.</summary>
    public string? ClaimedBy { get; private set; }
    /// <summary>Until when the running node's claim holds; a claim not renewed by then is taken over by another node.</summary>
    public DateTimeOffset? ClaimedUntil { get; private set; }
    /// <summary>How many times a node has started the job.</summary>
    public int Attempts { get; private set; }

    /// <summary>The uploader's scope, under which the worker reads and writes.</summary>
    public Scope Scope => new(ScopeLevel, ScopeId, ScopeHouseholdBuildingId, ScopeCommunityId);

    public ImportJobDto ToDto() => Dto(Id, Kind, FileName, State, ProcessedRows, TotalRows, ErrorsCount, ImportedRooms, ImportedResidents, Message);

    public static ImportJobDto Dto(string id, ImportKind kind, string fileName, ImportState state, int processedRows, int totalRows, int errorsCount,
        int? importedRooms, int? importedResidents, string? message) =>
        new(id, kind, fileName, state, processedRows, totalRows, errorsCount,
            errorsCount > 0 ? $"/api/v1/imports/{id}/errors.csv" : null,
            errorsCount > 0 ? $"/api/v1/imports/{id}/errors.xlsx" : null,
            state == ImportState.Succeeded ? new ImportCounts(importedRooms ?? 0, importedResidents ?? 0) : null,
            message);
}

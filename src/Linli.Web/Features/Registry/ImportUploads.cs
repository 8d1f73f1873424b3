using Linli.Domain.Common;
using Linli.Web.Features.Identity;

namespace Linli.Web.Features.Registry;

/// <summary>
/// Takes an uploaded file, checks what can be checked at once (size, format, header, row count, community), and queues
/// the row-by-row work as a job for the caller.
/// </summary>
public sealed class ImportUploads(ImportCommunities communities, CurrentUser user, ImportJobs jobs, TimeProvider time)
{
    public async Task<ImportJob> StartAsync(ImportKind kind, IFormFile? file, int? communityId, CancellationToken ct)
    {
        if (file is null || file.Length == 0) throw new DomainException("Choose a CSV or .xlsx file to upload.", ImportFile.Field);
        if (file.Length > ImportFile.MaxBytes) throw new DomainException($"The file is larger than {ImportFile.MaxBytes / 1024 / 1024} MB.", ImportFile.Field);
        var community = await communities.ResolveAsync(communityId, ct);
        using var buffer = new MemoryStream((int)file.Length);
        await using (var stream = file.OpenReadStream()) await stream.CopyToAsync(buffer, ct);
        var table = ImportFile.Read(kind, buffer.ToArray());
        var job = new ImportJob(kind, FileName(file), table, community, user.Id, user.UserName, user.Scope, time.GetUtcNow());
        jobs.Add(job, enqueue: true);
        return job;
    }

    /// <summary>Records a refused upload as a failed job, so the page can show why on its result view.</summary>
    public ImportJob Refused(ImportKind kind, IFormFile? file, string message)
    {
        var job = new ImportJob(kind, file is null ? "" : FileName(file), null, 0, user.Id, user.UserName, user.Scope, time.GetUtcNow());
        jobs.Add(job, enqueue: false);
        job.Fail(message);
        return job;
    }

    static string FileName(IFormFile file) => Path.GetFileName(file.FileName ?? "");
}

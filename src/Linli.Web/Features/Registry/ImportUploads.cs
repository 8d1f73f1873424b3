using Linli.Domain.Common;
using Linli.Web.Features.Identity;

namespace Linli.Web.Features.Registry;

/// <summary>
/// Takes an uploaded file, checks what can be checked at once (size, format, header, row count, community), and queues
/// the row-by-row work as a job for the caller, which any web node's worker may run.
/// </summary>
public sealed class ImportUploads(ImportCommunities communities, ImportJobs jobs)
{
    public async Task<ImportJobDto> StartAsync(ImportKind kind, IFormFile? file, int? communityId, CancellationToken ct)
    {
        if (file is null || file.Length == 0) throw new DomainException("Choose a CSV or .xlsx file to upload.", ImportFile.Field);
        if (file.Length > ImportFile.MaxBytes) throw new DomainException($"The file is larger than {ImportFile.MaxBytes / 1024 / 1024} MB.", ImportFile.Field);
        var community = await communities.ResolveAsync(communityId, ct);
        using var buffer = new MemoryStream((int)file.Length);
        await using (var stream = file.OpenReadStream()) await stream.CopyToAsync(buffer, ct);
        var content = buffer.ToArray();
        var table = ImportFile.Read(kind, content);
        return await jobs.StartAsync(kind, FileName(file), content, table.Rows.Count, community, ct);
    }

    /// <summary>Records a refused upload as a failed job, so the page can show why on its result view.</summary>
    public Task<ImportJobDto> RefusedAsync(ImportKind kind, IFormFile? file, string message, CancellationToken ct) =>
        jobs.RefusedAsync(kind, file is null ? "" : FileName(file), message, ct);

    static string FileName(IFormFile file) => Path.GetFileName(file.FileName ?? "");
}

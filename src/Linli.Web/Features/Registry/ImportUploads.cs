using Linli.Domain.Common;
using Linli.Domain.Registry;
using Linli.Web.Features.Identity;
using Microsoft.EntityFrameworkCore;

namespace Linli.Web.Features.Registry;

/// <summary>
/// Takes an uploaded file, checks what can be checked at once (size, format, header, row count, community), and queues
/// the row-by-row work as a job for the caller.
/// </summary>
public sealed class ImportUploads(ILinliDb db, CurrentUser user, ImportJobs jobs, TimeProvider time)
{
    public async Task<ImportJob> StartAsync(ImportKind kind, IFormFile? file, int? communityId, CancellationToken ct)
    {
        if (file is null || file.Length == 0) throw new DomainException("Choose a CSV or .xlsx file to upload.", ImportFile.Field);
        if (file.Length > ImportFile.MaxBytes) throw new DomainException($"The file is larger than {ImportFile.MaxBytes / 1024 / 1024} MB.", ImportFile.Field);
        var community = await CommunityAsync(communityId, ct);
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

    /// <summary>The community named, if the caller's area includes it; else the caller's own (a grid's community for a grid worker).</summary>
    public async Task<int> CommunityAsync(int? communityId, CancellationToken ct)
    {
        if (communityId is { } id)
        {
            // A grid worker cannot see their community's node, only their grid; any visible node inside it is enough.
            var visible = await db.Nodes.AsNoTracking().AnyAsync(n => n.CommunityId == id && n.Kind != NodeKind.District && n.Kind != NodeKind.Street, ct)
                && await db.UnscopedNodes().AnyAsync(n => n.Id == id && n.Kind == NodeKind.Community, ct);
            return visible ? id : throw new DomainException("No such community in your area.", "communityId");
        }
        var own = await db.Nodes.AsNoTracking().FirstOrDefaultAsync(n => n.Id == user.NodeId, ct);
        return own?.Kind switch
        {
            NodeKind.Community => own.Id,
            NodeKind.Grid => own.CommunityId,
            _ => throw new DomainException("Choose the community to import into.", "communityId"),
        };
    }

    /// <summary>Communities the caller may import into, for the page's choice.</summary>
    public async Task<IReadOnlyList<(int Id, string Name)>> CommunitiesAsync(CancellationToken ct)
    {
        var nodes = await db.Nodes.AsNoTracking().Where(n => n.Kind == NodeKind.Community).OrderBy(n => n.Code).Select(n => new { n.Id, n.Name }).ToListAsync(ct);
        return nodes.Select(n => (n.Id, n.Name)).ToList();
    }
}

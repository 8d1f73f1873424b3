using Linli.Application.Cases;
using Linli.Application.Common;
using Linli.Domain.Cases;
using Linli.Domain.Registry;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Exchange.Open311;

/// <summary>The filters of the public list, checked already: public service codes (null for all), the reporting range, open and/or closed.</summary>
public sealed record Open311Filter(IReadOnlyList<string>? ServiceCodes, DateTimeOffset From, DateTimeOffset To, bool Open, bool Closed, int Page, int PageSize);

/// <summary>
/// A public case with what its answer names: its category, its first photo (or else the media link its app sent) and the
/// team it sits with.
/// </summary>
public sealed record Open311Row(Case Case, CaseCategory Category, long? PhotoId, string? MediaUrl, string? Agency);

/// <summary>
/// Service requests as the public sees them. Open311 readers are anonymous and the endpoint answers for the whole
/// installation, so these queries read past the caller's scope filter on purpose and apply the public rule instead: never
/// an in-home (private) case, never a grid patrol finding or a device alarm, and of the reporter nothing at all.
/// </summary>
public sealed class Open311Feed(ILinliDb db, Open311Services services, IFileStore files)
{
    // Tasks the higher platform sent down are its own work orders, not residents' reports: they stay off the public feed.
    IQueryable<Case> PublicCases() => db.UnscopedCases().AsNoTracking()
        .Where(c => !c.Private && c.Source != CaseSource.Patrol && c.Source != CaseSource.Device
            && c.Source != CaseSource.Upstream);

    /// <summary>The public ones of these cases, newest first (the spec: a list of ids overrides every other argument).</summary>
    public async Task<IReadOnlyList<Open311Row>> ByIdsAsync(IReadOnlyList<long> ids, CancellationToken ct)
    {
        var categories = await services.PublicAsync(ct);
        var publicIds = categories.Keys.ToList();
        var rows = await PublicCases().Where(c => publicIds.Contains(c.CategoryId) && ids.Contains(c.Id))
            .OrderByDescending(c => c.ReportedAt).ThenByDescending(c => c.Id).ToListAsync(ct);
        return await RowsAsync(rows, categories, ct);
    }

    /// <summary>A page of the public cases the filter keeps, newest first.</summary>
    public async Task<IReadOnlyList<Open311Row>> ListAsync(Open311Filter filter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var categories = await services.PublicAsync(ct);
        var publicIds = categories.Keys.ToList();
        var cases = PublicCases().Where(c => publicIds.Contains(c.CategoryId));
        if (filter.ServiceCodes is { } codes)
        {
            var wanted = categories.Values.Where(c => codes.Contains(c.Code)).Select(c => c.Id).ToList();
            cases = cases.Where(c => wanted.Contains(c.CategoryId));
        }
        cases = cases.Where(c => c.ReportedAt >= filter.From && c.ReportedAt <= filter.To);
        if (filter.Open && !filter.Closed)
            cases = cases.Where(c => c.Status == CaseStatus.Reported || c.Status == CaseStatus.Accepted || c.Status == CaseStatus.Dispatched || c.Status == CaseStatus.InProgress);
        else if (filter.Closed && !filter.Open)
            cases = cases.Where(c => c.Status != CaseStatus.Reported && c.Status != CaseStatus.Accepted && c.Status != CaseStatus.Dispatched && c.Status != CaseStatus.InProgress);
        var rows = await cases.OrderByDescending(c => c.ReportedAt).ThenByDescending(c => c.Id)
            .Skip((filter.Page - 1) * filter.PageSize).Take(filter.PageSize).ToListAsync(ct);
        return await RowsAsync(rows, categories, ct);
    }

    /// <summary>One public case, or null.</summary>
    public async Task<Open311Row?> OneAsync(long id, CancellationToken ct)
    {
        var categories = await services.PublicAsync(ct);
        var publicIds = categories.Keys.ToList();
        var found = await PublicCases().Where(c => c.Id == id && publicIds.Contains(c.CategoryId)).FirstOrDefaultAsync(ct);
        return found is null ? null : (await RowsAsync([found], categories, ct))[0];
    }

    /// <summary>A photo of a public case, for media_url: its content and type, or null.</summary>
    public async Task<(Stream Content, string ContentType)?> MediaAsync(long photoId, CancellationToken ct)
    {
        var publicCases = PublicCases();
        var photo = await db.UnscopedCaseAttachments().AsNoTracking()
            .Where(a => a.Id == photoId && publicCases.Any(c => c.Id == a.CaseId))
            .Select(a => new { a.StoragePath, a.ContentType }).FirstOrDefaultAsync(ct);
        if (photo is null || !FileKeys.IsValid(photo.StoragePath)) return null;
        return await files.OpenReadAsync(photo.StoragePath, ct) is { } content ? (content, photo.ContentType) : null;
    }

    async Task<IReadOnlyList<Open311Row>> RowsAsync(IReadOnlyList<Case> rows, Dictionary<int, CaseCategory> categories, CancellationToken ct)
    {
        var ids = rows.Select(c => c.Id).ToList();
        var photos = (await db.UnscopedCaseAttachments().AsNoTracking().Where(a => ids.Contains(a.CaseId))
            .GroupBy(a => a.CaseId).Select(g => new { CaseId = g.Key, PhotoId = g.Min(a => a.Id) }).ToListAsync(ct))
            .ToDictionary(x => x.CaseId, x => x.PhotoId);
        var media = (await db.Open311Submissions.AsNoTracking().Where(s => ids.Contains(s.CaseId) && s.MediaUrl != null)
            .Select(s => new { s.CaseId, s.MediaUrl }).ToListAsync(ct)).ToDictionary(x => x.CaseId, x => x.MediaUrl);
        var agencies = await AgenciesAsync(rows, ct);
        return rows.Select(c => new Open311Row(c, categories[c.CategoryId], photos.TryGetValue(c.Id, out var photoId) ? photoId : null,
            media.GetValueOrDefault(c.Id), agencies(c))).ToList();
    }

    /// <summary>
    /// The team a case sits with, by name: the property company, the residents' committee (or the community when it has
    /// none on record), the street office, the district.
    /// </summary>
    async Task<Func<Case, string?>> AgenciesAsync(IReadOnlyList<Case> rows, CancellationToken ct)
    {
        var orgIds = rows.Where(c => c.OrganizationId is not null).Select(c => c.OrganizationId!.Value).Distinct().ToList();
        var communityIds = rows.Select(c => c.CommunityId).Distinct().ToList();
        var orgs = await db.UnscopedOrganizations().AsNoTracking()
            .Where(o => orgIds.Contains(o.Id) || (o.Kind == OrganizationKind.ResidentsCommittee && communityIds.Contains(o.CommunityId)))
            .Select(o => new { o.Id, o.Kind, o.CommunityId, o.Name }).ToListAsync(ct);
        var nodeIds = rows.SelectMany(c => new[] { c.CommunityId, c.StreetId, c.DistrictId }).Distinct().ToList();
        var nodes = await db.UnscopedNodes().AsNoTracking().Where(n => nodeIds.Contains(n.Id))
            .ToDictionaryAsync(n => n.Id, n => n.Name, ct);
        string? Committee(int community) =>
            orgs.Where(o => o.Kind == OrganizationKind.ResidentsCommittee && o.CommunityId == community).OrderBy(o => o.Id).Select(o => o.Name).FirstOrDefault()
            ?? nodes.GetValueOrDefault(community);
        return c => c.Level switch
        {
            HandlingLevel.Property => orgs.FirstOrDefault(o => o.Id == c.OrganizationId)?.Name ?? Committee(c.CommunityId),
            HandlingLevel.Community => Committee(c.CommunityId),
            HandlingLevel.Street => nodes.GetValueOrDefault(c.StreetId),
            _ => nodes.GetValueOrDefault(c.DistrictId),
        };
    }
}

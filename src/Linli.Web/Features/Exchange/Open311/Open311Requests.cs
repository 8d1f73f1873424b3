using System.Globalization;
using Linli.Domain.Cases;
using Linli.Domain.Registry;
using Linli.Application.Common;
using Linli.Application.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Linli.Web.Features.Exchange.Open311;

/// <summary>The filters of GET requests, as the client sent them (all optional; text, so a bad value gets an Open311 400).</summary>
public sealed record Open311Query(string? ServiceRequestId, string? ServiceCode, string? StartDate, string? EndDate, string? Status,
    string? Page, string? PageSize);

/// <summary>
/// Service requests as the public sees them. Open311 readers are anonymous and the endpoint answers for the whole
/// installation, so these queries read past the caller's scope filter on purpose and apply the public rule instead: never
/// an in-home (private) case, never a grid patrol finding or a device alarm, and of the reporter nothing at all.
/// </summary>
public sealed class Open311Requests(ILinliDb db, Open311Catalog catalog, IStringLocalizer<Strings> t, TimeProvider time, PhotoStorage storage)
{
    public const int MaxPageSize = 1000;
    public const int MaxPage = 1_000_000;
    public static readonly TimeSpan MaxSpan = TimeSpan.FromDays(90);

    IQueryable<Case> PublicCases() => db.UnscopedCases().AsNoTracking()
        .Where(c => !c.Private && c.Source != CaseSource.Patrol && c.Source != CaseSource.Device);

    public async Task<O311List> ListAsync(Open311Query q, string baseUrl, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(q);
        var categories = await PublicCategoriesAsync(ct);
        var publicIds = categories.Keys.ToList();
        var cases = PublicCases().Where(c => publicIds.Contains(c.CategoryId));

        if (!string.IsNullOrWhiteSpace(q.ServiceRequestId))
        {
            // The spec: a list of ids overrides every other argument.
            var ids = Ids(q.ServiceRequestId);
            var byId = await cases.Where(c => ids.Contains(c.Id)).OrderByDescending(c => c.ReportedAt).ThenByDescending(c => c.Id).ToListAsync(ct);
            return await RenderAsync(byId, categories, baseUrl, ct);
        }

        if (!string.IsNullOrWhiteSpace(q.ServiceCode))
        {
            var codes = q.ServiceCode.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var wanted = categories.Values.Where(c => codes.Contains(c.Code)).Select(c => c.Id).ToList();
            cases = cases.Where(c => wanted.Contains(c.CategoryId));
        }

        var (from, to) = Range(q.StartDate, q.EndDate);
        cases = cases.Where(c => c.ReportedAt >= from && c.ReportedAt <= to);

        var (open, closed) = Statuses(q.Status);
        if (open && !closed)
            cases = cases.Where(c => c.Status == CaseStatus.Reported || c.Status == CaseStatus.Accepted || c.Status == CaseStatus.Dispatched || c.Status == CaseStatus.InProgress);
        else if (closed && !open)
            cases = cases.Where(c => c.Status != CaseStatus.Reported && c.Status != CaseStatus.Accepted && c.Status != CaseStatus.Dispatched && c.Status != CaseStatus.InProgress);

        var page = Number(q.Page, "page", 1, MaxPage, 1);
        var size = Number(q.PageSize, "page_size", 1, MaxPageSize, MaxPageSize);
        var rows = await cases.OrderByDescending(c => c.ReportedAt).ThenByDescending(c => c.Id)
            .Skip((page - 1) * size).Take(size).ToListAsync(ct);
        return await RenderAsync(rows, categories, baseUrl, ct);
    }

    public async Task<O311List> OneAsync(string id, string baseUrl, CancellationToken ct)
    {
        var categories = await PublicCategoriesAsync(ct);
        var publicIds = categories.Keys.ToList();
        var found = long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var caseId)
            ? await PublicCases().Where(c => c.Id == caseId && publicIds.Contains(c.CategoryId)).FirstOrDefaultAsync(ct)
            : null;
        if (found is null) throw new Open311Exception(StatusCodes.Status404NotFound, $"service_request_id: {t["There is no public service request with this id."]} ({id})");
        return await RenderAsync([found], categories, baseUrl, ct);
    }

    /// <summary>A photo of a public case, for media_url.</summary>
    public async Task<(string Path, string ContentType)> MediaAsync(long photoId, CancellationToken ct)
    {
        var publicCases = PublicCases();
        var photo = await db.UnscopedCaseAttachments().AsNoTracking()
            .Where(a => a.Id == photoId && publicCases.Any(c => c.Id == a.CaseId))
            .Select(a => new { a.StoragePath, a.ContentType }).FirstOrDefaultAsync(ct);
        var root = Path.GetFullPath(storage.Root);
        var full = photo is null ? null : Path.GetFullPath(Path.Combine(root, photo.StoragePath));
        if (full is null || !full.StartsWith(root, StringComparison.Ordinal) || !File.Exists(full))
            throw new Open311Exception(StatusCodes.Status404NotFound, $"media: {t["There is no public photo with this id."]}");
        return (full, photo!.ContentType);
    }

    async Task<Dictionary<int, CaseCategory>> PublicCategoriesAsync(CancellationToken ct) =>
        (await db.CaseCategories.AsNoTracking().ToListAsync(ct)).Where(Open311Catalog.Public).ToDictionary(c => c.Id);

    async Task<O311List> RenderAsync(IReadOnlyList<Case> rows, Dictionary<int, CaseCategory> categories, string baseUrl, CancellationToken ct)
    {
        var ids = rows.Select(c => c.Id).ToList();
        var photos = (await db.UnscopedCaseAttachments().AsNoTracking().Where(a => ids.Contains(a.CaseId))
            .GroupBy(a => a.CaseId).Select(g => new { CaseId = g.Key, PhotoId = g.Min(a => a.Id) }).ToListAsync(ct))
            .ToDictionary(x => x.CaseId, x => x.PhotoId);
        var media = (await db.Open311Submissions.AsNoTracking().Where(s => ids.Contains(s.CaseId) && s.MediaUrl != null)
            .Select(s => new { s.CaseId, s.MediaUrl }).ToListAsync(ct)).ToDictionary(x => x.CaseId, x => x.MediaUrl);
        var agencies = await AgenciesAsync(rows, ct);

        return new O311List("request", rows.Select(c =>
        {
            var category = categories[c.CategoryId];
            var mediaUrl = photos.TryGetValue(c.Id, out var photoId) ? $"{baseUrl}/open311/v2/media/{photoId}" : media.GetValueOrDefault(c.Id);
            return (object?)new O311Object(
                ("service_request_id", c.Id.ToString(CultureInfo.InvariantCulture)),
                ("status", c.Status.IsOpen() ? "open" : "closed"),
                ("status_notes", StatusNotes(c)),
                ("service_name", category.Name),
                ("service_code", category.Code),
                ("description", Description(c)),
                ("agency_responsible", agencies(c)),
                ("service_notice", catalog.Notice(category)),
                ("requested_datetime", Open311Catalog.Open311Time(c.ReportedAt)),
                ("updated_datetime", Open311Catalog.Open311Time(c.UpdatedAt)),
                ("expected_datetime", Open311Catalog.Open311Time(c.ResolutionDueAt)),
                ("address", c.Address),
                ("address_id", c.BuildingId?.ToString(CultureInfo.InvariantCulture)),
                ("zipcode", null),
                ("lat", c.Latitude),
                ("long", c.Longitude),
                ("media_url", mediaUrl));
        }).ToList());
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

    /// <summary>The title when it says more than the description's first line (reports from the web have both).</summary>
    static string Description(Case c) =>
        c.Description is null ? c.Title
        : c.Description.StartsWith(c.Title.TrimEnd('…'), StringComparison.Ordinal) ? c.Description
        : $"{c.Title}\n{c.Description}";

    string? StatusNotes(Case c) => c.Status switch
    {
        CaseStatus.Reported => c.EscalationCount > 0 ? t["Escalated; waiting for the next team to accept it."] : t["Reported; waiting for the team to accept it."],
        CaseStatus.Accepted => t["Accepted by the team."],
        CaseStatus.Dispatched => t["A handler has been assigned."],
        CaseStatus.InProgress => t["Work has started."],
        CaseStatus.Rejected => c.RejectReason,
        _ => c.Resolution,
    };

    List<long> Ids(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length > MaxPageSize) throw Bad("service_request_id", $"At most {MaxPageSize} ids at once.");
        var ids = new List<long>();
        foreach (var p in parts)
        {
            if (!long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var id)) throw Bad("service_request_id", "Give ids separated by commas, e.g. 101,102.");
            ids.Add(id);
        }
        return ids;
    }

    /// <summary>
    /// The requested_datetime range: the most recent 90 days unless given; with one end given, 90 days from it; never more
    /// than 90 days (the spec's limit).
    /// </summary>
    (DateTimeOffset From, DateTimeOffset To) Range(string? start, string? end)
    {
        var from = W3cTime(start, "start_date");
        var to = W3cTime(end, "end_date");
        var now = time.GetUtcNow();
        (from, to) = (from, to) switch
        {
            (null, null) => (now - MaxSpan, now),
            (null, { } e) => (e - MaxSpan, e),
            ({ } s, null) => (s, s + MaxSpan),
            _ => (from, to),
        };
        if (to < from) throw Bad("end_date", "The end date is before the start date.");
        if (to - from > MaxSpan) throw Bad("end_date", "The range may not span more than 90 days.");
        return (from!.Value, to!.Value);
    }

    static readonly string[] W3cFormats =
    [
        "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd'T'HH:mmzzz",
    ];

    /// <summary>A W3C date-time with its zone (Z or ±hh:mm); a bare date is midnight in China.</summary>
    DateTimeOffset? W3cTime(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var s = text.Trim();
        // A '+' in a query string arrives as a space when the client did not encode it.
        if (s.Length > 19 && s[^6] == ' ') s = string.Concat(s.AsSpan(0, s.Length - 6), "+", s.AsSpan(s.Length - 5));
        if (s.EndsWith('Z')) s = string.Concat(s.AsSpan(0, s.Length - 1), "+00:00");
        if (DateTimeOffset.TryParseExact(s, W3cFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)) return at.ToUniversalTime();
        if (DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            var midnight = day.ToDateTime(TimeOnly.MinValue);
            return new DateTimeOffset(midnight, Clock.China.GetUtcOffset(midnight)).ToUniversalTime();
        }
        throw Bad(field, "Use a W3C date-time with its zone, e.g. 2026-01-01T00:00:00Z or 2026-01-01T08:00:00+08:00.");
    }

    (bool Open, bool Closed) Statuses(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return (true, true);
        var (open, closed) = (false, false);
        foreach (var s in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (s.Equals("open", StringComparison.OrdinalIgnoreCase)) open = true;
            else if (s.Equals("closed", StringComparison.OrdinalIgnoreCase)) closed = true;
            else throw Bad("status", "Status is open or closed.");
        }
        return (open, closed);
    }

    int Number(string? text, string field, int min, int max, int fallback)
    {
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
            throw Bad(field, $"Give a whole number from {min} to {max}.");
        return n;
    }

    Open311Exception Bad(string field, string message) => new(StatusCodes.Status400BadRequest, $"{field}: {t[message]}");
}

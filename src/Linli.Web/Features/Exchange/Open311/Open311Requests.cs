using System.Globalization;
using Linli.Application.Exchange.Open311;
using Linli.Domain.Cases;
using Linli.Domain.Common;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Linli.Web.Features.Exchange.Open311;

/// <summary>The filters of GET requests, as the client sent them (all optional; text, so a bad value gets an Open311 400).</summary>
public sealed record Open311Query(
    [property: FromQuery(Name = "service_request_id")] string? ServiceRequestId,
    [property: FromQuery(Name = "service_code")] string? ServiceCode,
    [property: FromQuery(Name = "start_date")] string? StartDate,
    [property: FromQuery(Name = "end_date")] string? EndDate,
    [property: FromQuery(Name = "status")] string? Status,
    [property: FromQuery(Name = "page")] string? Page,
    [property: FromQuery(Name = "page_size")] string? PageSize);

/// <summary>
/// Service requests as the public sees them, in Open311's words: the arguments checked and refused by the spec's rules,
/// the cases <see cref="Open311Feed"/> finds (past the caller's scope, under the public rule) rendered with the spec's fields.
/// </summary>
public sealed class Open311Requests(Open311Feed feed, Open311Catalog catalog, IStringLocalizer<Strings> t, TimeProvider time)
{
    public const int MaxPageSize = 1000;
    public const int MaxPage = 1_000_000;
    public static readonly TimeSpan MaxSpan = TimeSpan.FromDays(90);

    public async Task<O311List> ListAsync(Open311Query q, string baseUrl, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(q);
        // The spec: a list of ids overrides every other argument.
        if (!string.IsNullOrWhiteSpace(q.ServiceRequestId))
            return Render(await feed.ByIdsAsync(Ids(q.ServiceRequestId), ct), baseUrl);

        var codes = string.IsNullOrWhiteSpace(q.ServiceCode) ? null
            : q.ServiceCode.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var (from, to) = Range(q.StartDate, q.EndDate);
        var (open, closed) = Statuses(q.Status);
        var page = Number(q.Page, "page", 1, MaxPage, 1);
        var size = Number(q.PageSize, "page_size", 1, MaxPageSize, MaxPageSize);
        return Render(await feed.ListAsync(new Open311Filter(codes, from, to, open, closed, page, size), ct), baseUrl);
    }

    public async Task<O311List> OneAsync(string id, string baseUrl, CancellationToken ct)
    {
        var found = long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var caseId) ? await feed.OneAsync(caseId, ct) : null;
        if (found is null) throw new Open311Exception(StatusCodes.Status404NotFound, $"service_request_id: {t["There is no public service request with this id."]} ({id})");
        return Render([found], baseUrl);
    }

    /// <summary>A photo of a public case, for media_url.</summary>
    public async Task<(Stream Content, string ContentType)> MediaAsync(long photoId, CancellationToken ct) =>
        await feed.MediaAsync(photoId, ct) ?? throw new Open311Exception(StatusCodes.Status404NotFound, $"media: {t["There is no public photo with this id."]}");

    O311List Render(IReadOnlyList<Open311Row> rows, string baseUrl) =>
        new("request", rows.Select(row =>
        {
            var (c, category) = (row.Case, row.Category);
            var mediaUrl = row.PhotoId is { } photoId ? $"{baseUrl}/open311/v2/media/{photoId}" : row.MediaUrl;
            return (object?)new O311Object(
                ("service_request_id", c.Id.ToString(CultureInfo.InvariantCulture)),
                ("status", c.Status.IsOpen() ? "open" : "closed"),
                ("status_notes", StatusNotes(c)),
                ("service_name", category.Name),
                ("service_code", category.Code),
                ("description", Description(c)),
                ("agency_responsible", row.Agency),
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
        if (DateTimeOffset.TryParseExact(s, W3cFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
            return DateWindow.Contains(at) ? at.ToUniversalTime() : throw Bad(field, DateWindow.Refusal);
        if (DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            if (!DateWindow.Contains(day)) throw Bad(field, DateWindow.Refusal);
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

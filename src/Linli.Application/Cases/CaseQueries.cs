using Linli.Domain.Cases;
using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Application.Common;
using Linli.Application.Identity;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Cases;

/// <summary>The staff queue, "my cases", counts and the case page, all through the caller's scope filter.</summary>
public sealed class CaseQueries(ILinliDb db, CurrentUser user, CaseActions actions, TimeProvider time, CaseLookups lookups)
{
    public const int CountLimit = 10_000;

    public async Task<Page<CaseListItemDto>> ListAsync(CaseFilter f, PageRequest page, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(f);
        var q = Filtered(f, withStatus: true);
        var counted = await q.Take(CountLimit + 1).CountAsync(ct);
        var finishedOnly = StatusWord(f) is "finished";
        var ordered = finishedOnly || user.Role == Role.Resident
            ? q.OrderByDescending(c => c.ReportedAt).ThenByDescending(c => c.Id)
            : q.OrderBy(c => c.ResolutionDueAt).ThenBy(c => c.Id);
        var rows = await ordered.Skip(page.Offset).Take(page.PageSize).ToListAsync(ct);
        var names = await CategoryNamesAsync(ct);
        var now = time.GetUtcNow();
        var items = rows.Select(c => new CaseListItemDto(c.Id, c.Title, c.CategoryId, names.GetValueOrDefault(c.CategoryId, ""), c.Kind, c.Status,
            c.Level, c.Address, c.CommunityId, c.GridId, c.AssigneeName, c.ReportedAt, c.ResponseDueAt, c.ResolutionDueAt, IsOverdue(c, now),
            c.EscalationCount, c.RemindCount, c.MeTooCount, c.Rating)).ToList();
        return new Page<CaseListItemDto>(items, page.Page, page.PageSize, Math.Min(counted, CountLimit), counted > CountLimit);
    }

    /// <summary>Counts per status for the queue's tabs, plus open, overdue and escalated (same filters, status aside).</summary>
    public async Task<CaseCountsDto> CountsAsync(CaseFilter f, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(f);
        var q = Filtered(f, withStatus: false);
        var byStatus = await q.GroupBy(c => c.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var now = time.GetUtcNow();
        var open = q.Where(c => c.Finished == EF.Parameter(false) && c.Status != CaseStatus.Handled && c.Status != CaseStatus.Verified);
        var overdue = await open.Where(c => c.OverdueSince != null || c.ResolutionDueAt < now).CountAsync(ct);
        var escalated = await open.Where(c => c.EscalationCount > 0).CountAsync(ct);
        var list = Enum.GetValues<CaseStatus>().Select(s => new StatusCountDto(s, byStatus.FirstOrDefault(x => x.Key == s)?.Count ?? 0)).ToList();
        return new CaseCountsDto(list, list.Where(x => x.Status.IsOpen()).Sum(x => x.Count), overdue, escalated);
    }

    public async Task<CaseDetailDto> DetailAsync(long id, CancellationToken ct)
    {
        var c = await db.Cases.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct) ?? throw new NotFoundException("Case");
        var events = await db.CaseEvents.AsNoTracking().Where(e => e.CaseId == id).OrderBy(e => e.At).ThenBy(e => e.Id)
            .Select(e => new CaseEventDto(e.At, e.ActorName, e.Kind, e.FromStatus, e.ToStatus, e.Note, e.Subject)).ToListAsync(ct);
        if (user.Role == Role.Resident) events = events.Select(e => e.Kind.NoteIsForTheReporter() ? e : e with { Note = null }).ToList();
        var photos = await db.CaseAttachments.AsNoTracking().Where(a => a.CaseId == id).OrderBy(a => a.Id)
            .Select(a => new { a.Id, a.Stage, a.ContentType, a.Length, a.At }).ToListAsync(ct);
        var category = (await lookups.CategoryAsync(db, c.CategoryId, ct))?.NameIn(ReaderLanguage.IsEnglish) ?? "";
        var org = c.OrganizationId is { } o
            ? await db.UnscopedOrganizations().AsNoTracking().Where(x => x.Id == o).Select(x => x.Name).FirstOrDefaultAsync(ct)
            : null;
        return Detail(c, category, org, await actions.ActorAsync(c, ct), events,
            photos.Select(p => new CasePhotoDto(p.Id, p.Stage, $"/api/v1/cases/{id}/photos/{p.Id}", p.ContentType, p.Length, p.At)).ToList());
    }

    /// <summary>
    /// The page of a case just reported, from what was written: its first timeline entry is in memory, it has no photos yet,
    /// and the reporter always gets it back (a grid worker may report in a neighbouring grid of the community, which their
    /// list does not show). Saves reading back five things the report has just written.
    /// </summary>
    public async Task<CaseDetailDto> NewCaseDetailAsync(SubmitCase.Submitted created, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(created);
        var c = created.Case;
        var events = c.Events.OrderBy(e => e.At).ThenBy(e => e.Id)
            .Select(e => new CaseEventDto(e.At, e.ActorName, e.Kind, e.FromStatus, e.ToStatus, e.Kind.NoteIsForTheReporter() ? e.Note : null, e.Subject)).ToList();
        return Detail(c, created.CategoryName, created.OrganizationName, await actions.ActorAsync(c, ct), events, []);
    }

    CaseDetailDto Detail(Case c, string category, string? org, CaseActor actor, List<CaseEventDto> events, List<CasePhotoDto> photos)
    {
        var now = time.GetUtcNow();
        return new CaseDetailDto(c.Id, c.Title, c.Description, c.CategoryId, category, c.Kind, c.Source, c.Status, c.Level, c.Mode, org, c.Address,
            c.BuildingId, c.RoomId, c.FacilityId, c.Latitude, c.Longitude, c.CommunityId, c.GridId,
            c.ReporterName, c.ReporterPhoneMasked, c.AssigneeUserId, c.AssigneeName,
            c.ReportedAt, c.AcceptedAt, c.HandledAt, c.ClosedAt, c.ResponseDueAt, c.ResolutionDueAt, IsOverdue(c, now),
            c.ResponseBreached, c.ResolutionBreached, c.Resolution, c.RejectReason, c.Rating, c.RatingComment,
            c.EscalationCount, c.RemindCount, c.ReopenCount, c.MeTooCount, c.Version,
            actor.Relation, c.AllowedActions(actor, now).Order().ToList(), events,
            photos);
    }

    public async Task<IReadOnlyList<CaseCategoryDto>> CategoriesAsync(bool includeInactive, CancellationToken ct) =>
        await db.CaseCategories.AsNoTracking().Where(c => includeInactive || c.Active).OrderBy(c => c.Group).ThenBy(c => c.Id)
            .Select(c => new CaseCategoryDto(c.Id, c.Code, c.Name, c.Group, c.Description, c.DefaultKind, c.Level, c.Mode,
                c.ResponseMinutes, c.ResolutionMinutes, c.InHome, c.Active, c.NameEn, c.GroupEn, c.DescriptionEn)).ToListAsync(ct);

    /// <summary>A response deadline passed while unaccepted, a resolution deadline passed while unhandled, or the timer said so.</summary>
    public static bool IsOverdue(Case c, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(c);
        return c.Status.IsOpen() && (c.OverdueSince is not null || c.ResolutionDueAt < now || (c.Status == CaseStatus.Reported && c.ResponseDueAt < now));
    }

    IQueryable<Case> Filtered(CaseFilter f, bool withStatus)
    {
        var q = ScopeHint(db.Cases.AsNoTracking(), db.Scope);
        if (withStatus)
        {
            // The flag goes in as a parameter: EF writes `!c.Finished` as NOT ("Finished"), which SQLite cannot look up in the
            // (scope, Finished, deadline) queue index, so a street's queue read and sorted every case of the street.
            switch (StatusWord(f))
            {
                case "open": q = q.Where(c => c.Finished == EF.Parameter(false)); break;
                case "finished": q = q.Where(c => c.Finished == EF.Parameter(true)); break;
                case "all": break;
                default:
                    var statuses = ParseStatuses(f.Status!);
                    q = q.Where(c => statuses.Contains(c.Status));
                    break;
            }
        }
        var myLevel = user.Role.TeamLevel();
        if (f.Level is { } level) q = q.Where(c => c.Level == level);
        else if ((f.MyTeam ?? user.Role == Role.PropertyStaff) && myLevel is { } mine) q = q.Where(c => c.Level == mine);
        if (f.CategoryId is { } cat) q = q.Where(c => c.CategoryId == cat);
        if (f.CommunityId is { } community) q = q.Where(c => c.CommunityId == community);
        if (f.GridId is { } grid) q = q.Where(c => c.GridId == grid);
        if (f.Escalated == true) q = q.Where(c => c.EscalationCount > 0);
        if (f.AssignedToMe == true) q = q.Where(c => c.AssigneeUserId == user.Id);
        if (f.Overdue == true)
        {
            var now = time.GetUtcNow();
            q = q.Where(c => c.Status != CaseStatus.Handled && c.Status != CaseStatus.Verified && c.Finished == EF.Parameter(false)
                && (c.OverdueSince != null || c.ResolutionDueAt < now || (c.Status == CaseStatus.Reported && c.ResponseDueAt < now)));
        }
        if (!string.IsNullOrWhiteSpace(f.Q))
        {
            var text = f.Q.Trim();
            if (text.Length > 40) throw new DomainException("Search at most 40 characters.", "search");
            q = long.TryParse(text.TrimStart('#'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
                ? q.Where(c => c.Id == id)
                : q.Where(c => c.Title.Contains(text) || c.Address.Contains(text));
        }
        return q;
    }

    string StatusWord(CaseFilter f) => string.IsNullOrWhiteSpace(f.Status)
        ? (user.Role == Role.Resident ? "all" : "open")
        : f.Status.Trim().ToLowerInvariant();

    static List<CaseStatus> ParseStatuses(string text)
    {
        var list = new List<CaseStatus>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Enum.TryParse<CaseStatus>(part, ignoreCase: true, out var s) || !Enum.IsDefined(s))
                throw new DomainException($"Unknown status '{part}'. Use open, finished, all or: {string.Join(", ", Enum.GetNames<CaseStatus>())}.", "status");
            list.Add(s);
        }
        return list;
    }

    /// <summary>The caller's scope key as a plain equality as well, so SQLite picks the queue index (see ADR 0001).</summary>
    static IQueryable<Case> ScopeHint(IQueryable<Case> q, Scope scope) =>
        scope.Level is ScopeLevel.Grid or ScopeLevel.Community or ScopeLevel.Street or ScopeLevel.District ? q.Where(scope.CoversExpression<Case>()) : q;

    async Task<Dictionary<int, string>> CategoryNamesAsync(CancellationToken ct)
    {
        var english = ReaderLanguage.IsEnglish;
        return (await lookups.CategoriesAsync(db, ct)).ToDictionary(kv => kv.Key, kv => kv.Value.NameIn(english));
    }
}

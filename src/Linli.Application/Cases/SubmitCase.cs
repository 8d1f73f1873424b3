using Linli.Domain.Cases;
using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Domain.Registry;
using Linli.Application.Common;
using Linli.Application.Identity;
using Microsoft.EntityFrameworkCore;
using Linli.Application.Live;

namespace Linli.Application.Cases;

/// <summary>Limits on reporting, from configuration (<c>Linli:Cases</c>).</summary>
public sealed class CaseOptions
{
    /// <summary>New cases one resident account may report per day (China time).</summary>
    public int DailyLimitPerResident { get; set; } = 20;
    /// <summary>New cases one staff account may report per day (patrol findings come in numbers).</summary>
    public int DailyLimitPerStaff { get; set; } = 500;
    /// <summary>How far back an open report counts as "the same problem".</summary>
    public int SimilarWithinDays { get; set; } = 7;
    public double SimilarWithinMeters { get; set; } = 50;
    /// <summary>How often the SLA timer service looks for due deadlines.</summary>
    public double TimerPollSeconds { get; set; } = 2;
    public int TimerBatchSize { get; set; } = 500;
}

/// <summary>
/// A task from the higher platform for one community: what to do, where in the community if it says (a point, an address
/// detail), the category by its code, and who sent it with their reference.
/// </summary>
public sealed record HigherPlatformTask(int CommunityId, string CategoryCode, string Title, string? Description, string? Address,
    double? Latitude, double? Longitude, string From, string Reference);

/// <summary>
/// Reporting a problem: where it is, who handles it (routing), the per-account limit, and neighbours' open reports of
/// the same problem so the reporter can join one instead of filing it twice.
/// </summary>
public sealed class SubmitCase(ILinliDb db, CasePlaces places, CurrentUser user, TimeProvider time,
    Microsoft.Extensions.Options.IOptions<CaseOptions> options, CaseLookups lookups, INewCaseWriter writer)
{
    readonly CaseOptions _options = options.Value;

    /// <summary>A new case as stored, with the names its page shows, so the answer to a report needs no reading back.</summary>
    public sealed record Submitted(Case Case, string CategoryName, string? OrganizationName);

    /// <summary>
    /// A report from the signed-in user (resident, grid worker on patrol, staff), on the lean path: group-committed by the
    /// new-case writer, which also counts the account's reports of the day for the whole batch at once.
    /// </summary>
    public Task<Submitted> FromUserAsync(SubmitCaseRequest r, CancellationToken ct) => FromUserAsync(r, withinTransaction: false, ct);

    /// <summary>The same, inside the caller's open transaction (a report with its photos: all or nothing).</summary>
    public Task<Submitted> FromUserWithinTransactionAsync(SubmitCaseRequest r, CancellationToken ct) => FromUserAsync(r, withinTransaction: true, ct);

    async Task<Submitted> FromUserAsync(SubmitCaseRequest r, bool withinTransaction, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(r);
        var category = await CategoryAsync(r.CategoryId, ct);
        var isResident = user.Role == Role.Resident;
        var home = isResident && user.Scope.Level == ScopeLevel.Household ? user.Scope.Id : (int?)null;
        if (isResident && home is null) throw new ForbiddenException("You are not registered in a household; ask your community office.");
        var place = await places.ResolveAsync(r, home, CaseRouting.ReportingCommunity(user.Scope), ct);
        if (category.InHome && isResident && place.RoomId != home) throw new DomainException("An in-home repair is for your own home.", "roomId");
        var limit = isResident ? _options.DailyLimitPerResident : _options.DailyLimitPerStaff;

        var (kind, source) = CaseRouting.Intake(user.Role, r.Kind, category);
        // Account names may be longer than the case keeps; the account id still says exactly who it was.
        var name = user.DisplayName.Length > Case.NameMaxLength ? user.DisplayName[..Case.NameMaxLength] : user.DisplayName;
        var reporter = new CaseReporter(user.Id, home, name);
        if (!withinTransaction)
            return await CreateAsync(category, kind, source, r, place, reporter, null, ct, new ReportQuota(user.Id, Clock.StartOfToday(time), limit));
        await CheckDailyLimitAsync(limit, ct);
        return await CreateAsync(category, kind, source, r, place, reporter, null, ct);
    }

    /// <summary>A report from outside (Open311 and other API clients) at an already resolved place.</summary>
    public async Task<Case> FromOutsideAsync(CaseCategory category, SubmitCaseRequest r, CasePlace place, CaseReporter reporter, string client, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(category);
        var created = await CreateAsync(category, category.DefaultKind, CaseSource.Open311, r, place, reporter, client, ct);
        return await db.UnscopedCases().AsNoTracking().SingleAsync(c => c.Id == created.Case.Id, ct);
    }

    /// <summary>
    /// A task the higher platform sent down: filed as reported by <paramref name="from"/> (its name), routed like any report
    /// of its category, with the higher platform's reference on the timeline where the team sees it. Takes part in the
    /// caller's transaction, so the task and the record of the message that brought it are written together.
    /// </summary>
    public async Task<Case> FromHigherPlatformAsync(HigherPlatformTask task, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(task);
        var category = await lookups.CategoryByCodeAsync(db, task.CategoryCode, ct);
        if (category is not { Active: true }) throw new DomainException("No category with this code is in use here.", "categoryCode");
        var place = await places.InCommunityAsync(task.CommunityId, task.Latitude, task.Longitude, task.Address, ct);
        var from = task.From.Length > Case.NameMaxLength ? task.From[..Case.NameMaxLength] : task.From;
        var request = new SubmitCaseRequest(category.Id, task.Title, task.Description, null, null, null, null, task.Latitude, task.Longitude, task.Address);
        var created = (await CreateAsync(category, category.DefaultKind, CaseSource.Upstream, request, place, new CaseReporter(null, null, from), from, ct)).Case;
        created.Comment(new CaseActor(0, from, CaseRelation.Reporter), $"{task.From} 交办编号 / reference: {task.Reference}", time.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return created;
    }

    /// <summary>A case the platform opens by itself (a device alarm) at an already resolved place.</summary>
    public async Task<Case> FromPlatformAsync(CaseCategory category, SubmitCaseRequest r, CasePlace place, CaseReporter reporter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(category);
        return (await CreateAsync(category, category.DefaultKind, CaseSource.Device, r, place, reporter, null, ct)).Case;
    }

    async Task<Submitted> CreateAsync(CaseCategory category, CaseKind kind, CaseSource source, SubmitCaseRequest r, CasePlace place,
        CaseReporter reporter, string? client, CancellationToken ct, ReportQuota? quota = null)
    {
        var (level, organization) = await RouteAsync(category, place, ct);
        var now = time.GetUtcNow();
        var c = Case.Report(category, kind, source, r.Title ?? "", r.Description, place, reporter, level, organization?.Id, now, client);
        if (quota is not null)
        {
            // The hot path (residents and grid workers reporting): group-committed, nothing read back.
            if (!await writer.WriteAsync(c, quota, ct)) throw DailyLimitReached();
        }
        else
        {
            // Platform and outside reports take part in their caller's transaction (an alarm's case is linked in the same one).
            db.Cases.Add(c);
            await db.SaveChangesAsync(ct);
        }
        return new Submitted(c, category.NameIn(ReaderLanguage.IsEnglish), organization?.Name);
    }

    /// <summary>Routing (<see cref="CaseRouting.Route"/>), with the community's property company looked up only when it matters.</summary>
    async Task<(HandlingLevel Level, (int Id, string Name)? Organization)> RouteAsync(CaseCategory category, CasePlace place, CancellationToken ct)
    {
        var company = !CaseRouting.NeedsPropertyCompany(category) ? null : await lookups.PropertyCompanyAsync(db, place.CommunityId, ct);
        if (company == CaseLookups.PropertyCompany.None) company = null;
        var route = CaseRouting.Route(category, company?.Id);
        return (route.Level, route.OrganizationId is not null && company is not null ? (company.Id, company.Name) : null);
    }

    /// <summary>
    /// Open, non-private reports of the same category in the same building or within 50 m, from the last days, for the
    /// reporter to join. Only what a neighbour may see: title, status, place, count.
    /// </summary>
    public async Task<IReadOnlyList<SimilarCaseDto>> SimilarAsync(SubmitCaseRequest r, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(r);
        // Checked before the answer can be "nothing similar": a coordinate that is not one is refused, never ignored.
        Geo.CheckPoint(r.Latitude, r.Longitude);
        var category = await CategoryAsync(r.CategoryId, ct);
        if (category.InHome) return [];
        var home = user.Role == Role.Resident && user.Scope.Level == ScopeLevel.Household ? user.Scope.Id : (int?)null;
        var place = await places.ResolveAsync(r, home, CaseRouting.ReportingCommunity(user.Scope), ct);
        var since = time.GetUtcNow().AddDays(-_options.SimilarWithinDays);
        var candidates = await db.UnscopedCases().AsNoTracking()
            .Where(c => c.CommunityId == place.CommunityId && c.CategoryId == category.Id && !c.Private && c.ReportedAt >= since
                && (c.Status == CaseStatus.Reported || c.Status == CaseStatus.Accepted || c.Status == CaseStatus.Dispatched || c.Status == CaseStatus.InProgress))
            .OrderByDescending(c => c.ReportedAt).Take(200)
            .Select(c => new { c.Id, c.Title, c.Status, c.Address, c.ReportedAt, c.MeTooCount, c.BuildingId, c.Latitude, c.Longitude, c.ReporterRoomId })
            .ToListAsync(ct);
        return candidates
            .Where(c => c.ReporterRoomId is null || c.ReporterRoomId != home)
            .Select(c => (c, Meters: c.Latitude is { } la && c.Longitude is { } lo && place.Latitude is { } pla && place.Longitude is { } plo
                ? Geo.DistanceMeters(la, lo, pla, plo) : (double?)null))
            .Where(x => (place.BuildingId is not null && x.c.BuildingId == place.BuildingId) || x.Meters <= _options.SimilarWithinMeters)
            .OrderBy(x => x.Meters ?? 0).Take(5)
            .Select(x => new SimilarCaseDto(x.c.Id, x.c.Title, category.NameIn(ReaderLanguage.IsEnglish), x.c.Status, x.c.Address, x.c.ReportedAt, x.c.MeTooCount,
                x.Meters is { } m ? Math.Round(m) : null))
            .ToList();
    }

    async Task<CaseCategory> CategoryAsync(int? id, CancellationToken ct)
    {
        if (id is null) throw new DomainException("Choose what kind of problem it is.", "categoryId");
        var category = await lookups.CategoryAsync(db, id.Value, ct) ?? throw new DomainException("No such category.", "categoryId");
        if (!category.Active) throw new DomainException("This category is no longer in use.", "categoryId");
        return category;
    }

    async Task CheckDailyLimitAsync(int limit, CancellationToken ct)
    {
        var dayStart = Clock.StartOfToday(time);
        var count = await db.UnscopedCases().CountAsync(c => c.ReporterUserId == user.Id && c.ReportedAt >= dayStart, ct);
        if (count >= limit) throw DailyLimitReached();
    }

    static LimitExceededException DailyLimitReached() =>
        new("You have reached today's limit of reports for one account. You can report again tomorrow, or call the community office.", "title");

}

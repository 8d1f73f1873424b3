using Linli.Domain.Cases;
using Linli.Domain.Registry;
using Linli.Application.Common;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Cases;

/// <summary>One community's open cases, and how many of them are overdue or were escalated.</summary>
public sealed record CommunityCaseCountsDto(int CommunityId, string CommunityName, int Open, int Overdue, int Escalated);

/// <summary>What a street or district officer watches: per community, and the cases in trouble, longest overdue first.</summary>
public sealed record SupervisionDto(IReadOnlyList<CommunityCaseCountsDto> Communities, IReadOnlyList<CaseListItemDto> Cases, int CasesTotal);

/// <summary>
/// The supervision view: open cases that are overdue or were escalated, across the communities in the caller's scope
/// (the DbContext's filter does the scoping, as everywhere).
/// </summary>
public sealed class CaseSupervision(ILinliDb db, TimeProvider time)
{
    /// <summary>More than this and the page asks for a community filter: a list nobody scrolls through helps nobody.</summary>
    public const int ListLimit = 100;

    public async Task<SupervisionDto> LoadAsync(int? communityId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        // Open here means someone still has to act: handled and verified cases wait only for the reporter.
        var open = db.Cases.AsNoTracking().Where(c => !c.Finished && c.Status != CaseStatus.Handled && c.Status != CaseStatus.Verified);
        var counts = await open.GroupBy(c => c.CommunityId).Select(g => new
        {
            CommunityId = g.Key,
            Open = g.Count(),
            Overdue = g.Count(c => c.OverdueSince != null || c.ResolutionDueAt < now || (c.Status == CaseStatus.Reported && c.ResponseDueAt < now)),
            Escalated = g.Count(c => c.EscalationCount > 0),
        }).ToListAsync(ct);
        var ids = counts.Select(c => c.CommunityId).ToList();
        // Names only, of communities whose cases the caller already sees: a grid worker's scope holds no community node.
        var names = await db.UnscopedNodes().AsNoTracking().Where(n => ids.Contains(n.Id) && n.Kind == NodeKind.Community)
            .ToDictionaryAsync(n => n.Id, n => n.Name, ct);
        var communities = counts
            .Select(c => new CommunityCaseCountsDto(c.CommunityId, names.GetValueOrDefault(c.CommunityId, $"#{c.CommunityId}"), c.Open, c.Overdue, c.Escalated))
            .OrderByDescending(c => c.Overdue).ThenByDescending(c => c.Escalated).ThenBy(c => c.CommunityName, StringComparer.Ordinal).ToList();

        var flagged = open.Where(c => c.EscalationCount > 0 || c.OverdueSince != null || c.ResolutionDueAt < now
            || (c.Status == CaseStatus.Reported && c.ResponseDueAt < now));
        if (communityId is { } community) flagged = flagged.Where(c => c.CommunityId == community);
        var total = await flagged.CountAsync(ct);
        // The deadline that matters now (accepting while reported, finishing after): the one passed longest ago comes first.
        var rows = await flagged.OrderBy(c => c.Status == CaseStatus.Reported ? c.ResponseDueAt : c.ResolutionDueAt).ThenBy(c => c.Id)
            .Take(ListLimit).ToListAsync(ct);
        var categoryIds = rows.Select(c => c.CategoryId).Distinct().ToList();
        var categories = await db.CaseCategories.AsNoTracking().Where(c => categoryIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        var cases = rows.Select(c => new CaseListItemDto(c.Id, c.Title, c.CategoryId, categories.GetValueOrDefault(c.CategoryId, ""), c.Kind, c.Status,
            c.Level, c.Address, c.CommunityId, c.GridId, c.AssigneeName, c.ReportedAt, c.ResponseDueAt, c.ResolutionDueAt, CaseQueries.IsOverdue(c, now),
            c.EscalationCount, c.RemindCount, c.MeTooCount, c.Rating)).ToList();
        return new SupervisionDto(communities, cases, total);
    }
}

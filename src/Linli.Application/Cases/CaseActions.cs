using Linli.Domain.Cases;
using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Domain.Registry;
using Linli.Application.Common;
using Linli.Application.Identity;
using Microsoft.EntityFrameworkCore;
using Linli.Application.Live;

namespace Linli.Application.Cases;

/// <summary>
/// Carries out an action on a case for the signed-in user: finds the case in their scope, works out how they stand to it,
/// and lets the case decide whether the action is allowed.
/// </summary>
public sealed class CaseActions(ILinliDb db, CurrentUser user, TimeProvider time)
{
    public async Task ActAsync(long id, CaseAction action, CaseActionRequest r, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(r);
        var now = time.GetUtcNow();
        var c = action == CaseAction.MeToo
            ? await NeighbourCaseAsync(id, ct)
            : await db.Cases.FirstOrDefaultAsync(x => x.Id == id, ct) ?? throw new NotFoundException("Case");
        var actor = await ActorAsync(c, ct);
        var category = await db.CaseCategories.AsNoTracking().SingleAsync(x => x.Id == c.CategoryId, ct);
        switch (action)
        {
            case CaseAction.Accept: c.Accept(actor, now, r.Note); break;
            case CaseAction.Reject: c.Reject(actor, r.Note ?? "", now); break;
            case CaseAction.Dispatch:
                var assignee = await AssigneeAsync(c, r.AssigneeUserId, ct);
                c.Dispatch(actor, assignee.UserId, assignee.Name, now, r.Note);
                break;
            case CaseAction.Grab: c.Grab(actor, now); break;
            case CaseAction.Start: c.Start(actor, now, r.Note); break;
            case CaseAction.Handle: c.Handle(actor, r.Note ?? "", now); break;
            case CaseAction.Verify: c.Verify(actor, now, r.Note); break;
            case CaseAction.Close: c.Close(actor, now, r.Note); break;
            case CaseAction.Rate:
                c.Rate(actor, r.Rating ?? throw new DomainException("Give 1 to 5 stars.", "rating"), r.Note, now);
                break;
            case CaseAction.Reopen: c.Reopen(actor, r.Note ?? "", category, now); break;
            case CaseAction.Transfer:
                var to = r.Level ?? throw new DomainException("Choose the team to send it to.", "level");
                var org = to == HandlingLevel.Property ? await PropertyCompanyAsync(c.CommunityId, ct) : null;
                c.Transfer(actor, to, org, r.Note ?? "", category, now);
                break;
            case CaseAction.Escalate: c.Escalate(actor, r.Note ?? "", category, now); break;
            case CaseAction.Remind: c.Remind(actor, now, r.Note); break;
            case CaseAction.MeToo:
                db.CaseFollowers.Add(c.JoinAsNeighbour(actor, HouseholdRoom, now));
                break;
            case CaseAction.Comment: c.Comment(actor, r.Note ?? "", now); break;
            case CaseAction.FollowUp: c.FollowUp(actor, r.Note ?? "", now); break;
            default: throw new DomainException("Photos are added with POST …/photos.", "action");
        }
        await db.SaveChangesAsync(ct);
    }

    /// <summary>How the signed-in user stands to <paramref name="c"/>; the domain's table of allowed actions starts here.</summary>
    public async Task<CaseActor> ActorAsync(Case c, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new CaseActor(user.Id, user.DisplayName, await RelationAsync(c, ct));
    }

    async Task<CaseRelation> RelationAsync(Case c, CancellationToken ct)
    {
        if (user.Role == Role.Resident)
        {
            if (CaseTeams.IsReporter(c, user.Id, HouseholdRoom)) return CaseRelation.Reporter;
            var follows = await db.CaseFollowers.AnyAsync(f => f.CaseId == c.Id && (f.UserId == user.Id || (HouseholdRoom != null && f.RoomId == HouseholdRoom)), ct);
            return CaseTeams.NonReporterRelation(c, follows, user.Scope.CommunityId);
        }
        return CaseTeams.StaffRelation(user.Role, user.Can(Permission.HandleCases), c.Level);
    }

    int? HouseholdRoom => user.Scope.Level == ScopeLevel.Household ? user.Scope.Id : null;

    /// <summary>
    /// A neighbour joining with "me too" cannot see the case through their household filter yet; they may join an open,
    /// non-private case of their own community.
    /// </summary>
    async Task<Case> NeighbourCaseAsync(long id, CancellationToken ct)
    {
        var c = await db.UnscopedCases().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (c is null || user.Role != Role.Resident || c.Private || c.CommunityId != user.Scope.CommunityId) throw new NotFoundException("Case");
        return c;
    }

    /// <summary>The people a case can be dispatched to: the accounts of the team it sits with.</summary>
    public async Task<IReadOnlyList<AssigneeDto>> AssigneesAsync(long id, CancellationToken ct)
    {
        var c = await db.Cases.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct) ?? throw new NotFoundException("Case");
        return await TeamQuery(c).OrderBy(u => u.Role).ThenBy(u => u.DisplayName)
            .Select(u => new AssigneeDto(u.Id, u.DisplayName, u.Role.ToString())).ToListAsync(ct);
    }

    async Task<AssigneeDto> AssigneeAsync(Case c, int? userId, CancellationToken ct)
    {
        if (userId is null) throw new DomainException("Choose who handles it.", "assigneeUserId");
        return await TeamQuery(c).Where(u => u.Id == userId).Select(u => new AssigneeDto(u.Id, u.DisplayName, u.Role.ToString())).FirstOrDefaultAsync(ct)
            ?? throw new DomainException("That person is not in the team handling this case.", "assigneeUserId");
    }

    IQueryable<UserAccount> TeamQuery(Case c)
    {
        var grids = db.UnscopedNodes().Where(n => n.ParentId == c.CommunityId && n.Kind == NodeKind.Grid).Select(n => n.Id);
        return db.Users.AsNoTracking().Where(CaseTeams.Members(c, grids));
    }

    async Task<int?> PropertyCompanyAsync(int communityId, CancellationToken ct)
    {
        var company = await db.UnscopedOrganizations().AsNoTracking()
            .Where(o => o.CommunityId == communityId && o.Kind == OrganizationKind.PropertyCompany).OrderBy(o => o.Id)
            .Select(o => (int?)o.Id).FirstOrDefaultAsync(ct);
        return company ?? throw new DomainException("This community has no property company.", "level");
    }
}

using Linli.Domain.Cases;
using Linli.Domain.Identity;
using Linli.Web.Features.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Linli.Web.Features.Cases;

/// <summary>What staff pages hear about a case: enough to refresh a queue or a detail page, no personal data.</summary>
public sealed record CaseChange(long CaseId, string Change, CaseStatus Status, HandlingLevel Level, int CommunityId, bool Overdue);

/// <summary>
/// Live case updates over SignalR. A connection joins the groups of its scope node (and a resident their household), and a
/// change is sent to the groups of every node above the case, so each person hears about the cases they can see.
/// </summary>
[Authorize]
public sealed class CasesHub(Microsoft.EntityFrameworkCore.DbContextOptions<Linli.Infrastructure.Persistence.LinliDbContext> dbOptions) : Hub
{
    public const string Path = "/hubs/cases";

    public override async Task OnConnectedAsync()
    {
        // The connection's own user: under long polling the request accessor does not hold it (see CurrentUser).
        var user = new CurrentUser(Context.User, dbOptions);
        if (user.Can(Permission.ReadCases) && CaseFeed.GroupOf(user.Scope) is { } group)
            await Groups.AddToGroupAsync(Context.ConnectionId, group);
        await base.OnConnectedAsync();
    }
}

public sealed class CaseFeed(Linli.Web.Features.Alarms.ILiveBus bus, IServiceScopeFactory scopes)
{
    public static string? GroupOf(Scope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return scope.Level switch
        {
            ScopeLevel.Household => $"household:{scope.Id}",
            ScopeLevel.Grid => $"grid:{scope.Id}",
            ScopeLevel.Community => $"community:{scope.Id}",
            ScopeLevel.Street => $"street:{scope.Id}",
            ScopeLevel.District => $"district:{scope.Id}",
            _ => null,
        };
    }

    public async Task PublishAsync(Case c, string change, DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(c);
        List<string> groups = [$"grid:{c.GridId}", $"community:{c.CommunityId}", $"street:{c.StreetId}", $"district:{c.DistrictId}"];
        if (c.ReporterRoomId is { } room) groups.Add($"household:{room}");
        if (c.MeTooCount > 0)
        {
            // Neighbours who said "me too" follow the case from their own households.
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<Linli.Infrastructure.Persistence.LinliDbContext>();
            groups.AddRange(await db.CaseFollowers.Where(f => f.CaseId == c.Id && f.RoomId != null)
                .Select(f => "household:" + f.RoomId).Distinct().ToListAsync(ct));
        }
        var overdue = c.OverdueSince is not null || (c.Status.IsOpen() && c.ResolutionDueAt < now);
        await bus.PublishAsync(new Linli.Web.Features.Alarms.LiveMessage(Linli.Web.Features.Alarms.LocalLiveBus.CasesHubName, groups, "caseChanged",
            new CaseChange(c.Id, change, c.Status, c.Level, c.CommunityId, overdue)), ct);
    }
}

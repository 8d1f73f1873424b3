using Linli.Application.Common;
using Linli.Domain.Cases;
using Linli.Domain.Identity;
using Microsoft.EntityFrameworkCore;

using Linli.Application.Live;

namespace Linli.Application.Cases;

/// <summary>What staff pages hear about a case: enough to refresh a queue or a detail page, no personal data.</summary>
public sealed record CaseChange(long CaseId, string Change, CaseStatus Status, HandlingLevel Level, int CommunityId, bool Overdue);

public sealed class CaseFeed(ILiveBus bus, IServiceScopeFactory scopes)
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
            await using var scope = scopes.CreateSystemScope("find the households following a case for its live push");
            var db = scope.ServiceProvider.GetRequiredService<ILinliDb>();
            groups.AddRange(await db.CaseFollowers.Where(f => f.CaseId == c.Id && f.RoomId != null)
                .Select(f => "household:" + f.RoomId).Distinct().ToListAsync(ct));
        }
        var overdue = c.OverdueSince is not null || (c.Status.IsOpen() && c.ResolutionDueAt < now);
        await bus.PublishAsync(new LiveMessage(LiveHubs.Cases, groups, "caseChanged",
            new CaseChange(c.Id, change, c.Status, c.Level, c.CommunityId, overdue)), ct);
    }
}

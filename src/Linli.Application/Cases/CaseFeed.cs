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

    public async Task PublishAsync(CaseChanged e, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(e);
        List<string> groups = [$"grid:{e.GridId}", $"community:{e.CommunityId}", $"street:{e.StreetId}", $"district:{e.DistrictId}"];
        if (e.ReporterRoomId is { } room) groups.Add($"household:{room}");
        if (e.MeTooCount > 0)
        {
            // Neighbours who said "me too" follow the case from their own households.
            await using var scope = scopes.CreateSystemScope("find the households following a case for its live push");
            var db = scope.ServiceProvider.GetRequiredService<ILinliDb>();
            groups.AddRange(await db.CaseFollowers.Where(f => f.CaseId == e.CaseId && f.RoomId != null)
                .Select(f => "household:" + f.RoomId).Distinct().ToListAsync(ct));
        }
        await bus.PublishAsync(new LiveMessage(LiveHubs.Cases, groups, "caseChanged",
            new CaseChange(e.CaseId, e.Change, e.Status, e.Level, e.CommunityId, e.Overdue)), ct);
    }
}

/// <summary>Every case change reaches the live queues and pages of the nodes above the case and the households following it.</summary>
public sealed class CaseLivePush(CaseFeed feed) : IDomainEventHandler<CaseChanged>
{
    public Task HandleAsync(CaseChanged e, CancellationToken ct) => feed.PublishAsync(e, ct);
}

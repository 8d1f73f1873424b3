using System.Security.Claims;
using Linli.Application.Common;
using Linli.Domain.Identity;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Identity;

/// <summary>The signed-in user as the rest of the code needs them: id, name, role and scope, read once from the claims.</summary>
public sealed class CurrentUser : ICurrentScope
{
    public const string NodeClaim = "linli:node";
    public const string ScopeLevelClaim = "linli:scope-level";
    public const string ScopeIdClaim = "linli:scope-id";
    public const string HouseholdBuildingClaim = "linli:hh-building";
    public const string ScopeCommunityClaim = "linli:scope-community";
    public const string DisplayNameClaim = "linli:display";
    public const string ResidentClaim = "linli:resident";

    readonly Scope _claimedScope = Scope.None;
    Scope? _householdScope;

    /// <summary>
    /// The user of a principal: the request's, or for a SignalR hub the connection's (over long polling the request
    /// that carries a message is not the one that opened the connection).
    /// </summary>
    public CurrentUser(ClaimsPrincipal? user)
    {
        if (user?.Identity?.IsAuthenticated != true) return;
        Id = Int(user, ClaimTypes.NameIdentifier);
        UserName = user.Identity.Name ?? "";
        DisplayName = user.FindFirst(DisplayNameClaim)?.Value ?? UserName;
        Role = Enum.Parse<Role>(user.FindFirst(ClaimTypes.Role)?.Value!);
        NodeId = Int(user, NodeClaim);
        ResidentId = user.FindFirst(ResidentClaim)?.Value is { } r ? int.Parse(r, System.Globalization.CultureInfo.InvariantCulture) : null;
        _claimedScope = new Scope(Enum.Parse<ScopeLevel>(user.FindFirst(ScopeLevelClaim)?.Value!), Int(user, ScopeIdClaim),
            Int(user, HouseholdBuildingClaim), Int(user, ScopeCommunityClaim));
        IsAuthenticated = true;
    }

    public bool IsAuthenticated { get; }
    public int Id { get; }
    public string UserName { get; } = "";
    public string DisplayName { get; } = "";
    public Role Role { get; }
    public int NodeId { get; }
    public int? ResidentId { get; }

    /// <summary>
    /// The scope signed in with; for a resident only once <see cref="ConfirmHouseholdAsync"/> has found them still living
    /// in that household (none before). A cookie lasts hours and a household changes on move-out: the tenant who left
    /// must not go on reading the family that moved in.
    /// </summary>
    public Scope Scope => _claimedScope.Level == ScopeLevel.Household ? _householdScope ?? Scope.None : _claimedScope;

    /// <summary>Whether the household scope still needs <see cref="ConfirmHouseholdAsync"/>.</summary>
    public bool NeedsHouseholdCheck => _claimedScope.Level == ScopeLevel.Household && _householdScope is null;

    /// <summary>
    /// Takes the outcome of a check made earlier in the same request (a component with a DI scope of its own builds a
    /// second user from the same principal): <paramref name="stillHeld"/> says whether the household was confirmed.
    /// </summary>
    public void AdoptHouseholdCheck(bool stillHeld)
    {
        if (_claimedScope.Level == ScopeLevel.Household) _householdScope = stillHeld ? _claimedScope : Scope.None;
    }

    /// <summary>
    /// Checks once, asynchronously, that a resident still lives in the household they signed in to (through
    /// <see cref="HouseholdCheck"/>, which reads it under the system's declared scope: the resident's scope is what is
    /// being decided).
    /// </summary>
    public async Task ConfirmHouseholdAsync(HouseholdCheck check, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(check);
        if (!NeedsHouseholdCheck) return;
        if (ResidentId is not { } residentId) { _householdScope = Scope.None; return; }
        var room = await check.RoomOfAsync(residentId, ct);
        _householdScope = room == _claimedScope.Id ? _claimedScope : Scope.None;
    }

    public bool Can(Permission permission) => IsAuthenticated && Role.Has(permission);

    static int Int(ClaimsPrincipal user, string type) =>
        int.TryParse(user.FindFirst(type)?.Value, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : 0;

    public static ClaimsPrincipal Principal(UserAccount account, Scope scope, string scheme)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(scope);
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        List<Claim> claims =
        [
            new(ClaimTypes.NameIdentifier, account.Id.ToString(inv)),
            new(ClaimTypes.Name, account.UserName),
            new(DisplayNameClaim, account.DisplayName),
            new(ClaimTypes.Role, account.Role.ToString()),
            new(NodeClaim, account.NodeId.ToString(inv)),
            new(ScopeLevelClaim, scope.Level.ToString()),
            new(ScopeIdClaim, scope.Id.ToString(inv)),
            new(HouseholdBuildingClaim, scope.HouseholdBuildingId.ToString(inv)),
            new(ScopeCommunityClaim, scope.CommunityId.ToString(inv)),
        ];
        if (account.ResidentId is { } rid) claims.Add(new(ResidentClaim, rid.ToString(inv)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }
}

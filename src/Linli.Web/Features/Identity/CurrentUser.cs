using System.Security.Claims;
using Linli.Domain.Identity;
using Linli.Infrastructure.Persistence;

namespace Linli.Web.Features.Identity;

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

    public CurrentUser(IHttpContextAccessor accessor)
    {
        var user = accessor.HttpContext?.User;
        if (user?.Identity?.IsAuthenticated != true) return;
        Id = Int(user, ClaimTypes.NameIdentifier);
        UserName = user.Identity.Name ?? "";
        DisplayName = user.FindFirstValue(DisplayNameClaim) ?? UserName;
        Role = Enum.Parse<Role>(user.FindFirstValue(ClaimTypes.Role)!);
        NodeId = Int(user, NodeClaim);
        ResidentId = user.FindFirstValue(ResidentClaim) is { } r ? int.Parse(r, System.Globalization.CultureInfo.InvariantCulture) : null;
        Scope = new Scope(Enum.Parse<ScopeLevel>(user.FindFirstValue(ScopeLevelClaim)!), Int(user, ScopeIdClaim),
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
    public Scope Scope { get; } = Scope.None;

    public bool Can(Permission permission) => IsAuthenticated && Role.Has(permission);

    static int Int(ClaimsPrincipal user, string type) =>
        int.TryParse(user.FindFirstValue(type), System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : 0;

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

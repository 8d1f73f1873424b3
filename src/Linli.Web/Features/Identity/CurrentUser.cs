using System.Security.Claims;
using Linli.Domain.Identity;
using Linli.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

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

    readonly DbContextOptions<LinliDbContext>? _dbOptions;
    readonly Scope _claimedScope = Scope.None;
    Scope? _scope;

    public CurrentUser(IHttpContextAccessor accessor, DbContextOptions<LinliDbContext>? dbOptions = null)
        : this(accessor?.HttpContext?.User, dbOptions) { }

    /// <summary>
    /// The user of a principal, for code without an HTTP context of its own: a SignalR hub over long polling sees the
    /// connection's user in <c>Context.User</c> while the accessor's context is another request's or none.
    /// </summary>
    public CurrentUser(ClaimsPrincipal? user, DbContextOptions<LinliDbContext>? dbOptions)
    {
        _dbOptions = dbOptions;
        if (user?.Identity?.IsAuthenticated != true) return;
        Id = Int(user, ClaimTypes.NameIdentifier);
        UserName = user.Identity.Name ?? "";
        DisplayName = user.FindFirstValue(DisplayNameClaim) ?? UserName;
        Role = Enum.Parse<Role>(user.FindFirstValue(ClaimTypes.Role)!);
        NodeId = Int(user, NodeClaim);
        ResidentId = user.FindFirstValue(ResidentClaim) is { } r ? int.Parse(r, System.Globalization.CultureInfo.InvariantCulture) : null;
        _claimedScope = new Scope(Enum.Parse<ScopeLevel>(user.FindFirstValue(ScopeLevelClaim)!), Int(user, ScopeIdClaim),
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
    /// The scope signed in with; for a resident only while they still live in that household. A cookie lasts hours and a
    /// household changes on move-out: the tenant who left must not go on reading the family that moved in.
    /// </summary>
    public Scope Scope => _scope ??= _claimedScope.Level == ScopeLevel.Household ? HouseholdStillHeld() : _claimedScope;

    Scope HouseholdStillHeld()
    {
        if (_dbOptions is null || ResidentId is null) return Scope.None;
        using var db = new LinliDbContext(_dbOptions, SystemScope.Instance);
        var room = db.Residents.AsNoTracking().Where(r => r.Id == ResidentId).Select(r => r.RoomId).FirstOrDefault();
        return room == _claimedScope.Id ? _claimedScope : Scope.None;
    }

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

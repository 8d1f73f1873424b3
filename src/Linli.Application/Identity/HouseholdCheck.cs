using Linli.Application.Common;
using Linli.Domain.Identity;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Identity;

/// <summary>
/// Which room a resident lives in now, for <see cref="CurrentUser.ConfirmHouseholdAsync"/>. A page, its fragments and the
/// report it sends are several requests of one person within seconds; the answer is kept for <see cref="KeptFor"/> so they
/// cost one read. A move-out on this node drops it at once; on another web node it holds for at most that long.
/// </summary>
public sealed class HouseholdCheck(IServiceScopeFactory scopes, TimeProvider time)
{
    public static readonly TimeSpan KeptFor = TimeSpan.FromSeconds(10);

    readonly RecentLookups<int, Home> _homes = new(time, KeptFor);

    sealed record Home(int? RoomId);

    /// <summary>The room the resident lives in, or null (moved out, or no such resident).</summary>
    public async Task<int?> RoomOfAsync(int residentId, CancellationToken ct) =>
        (await _homes.GetAsync(residentId, LoadAsync, ct))?.RoomId;

    /// <summary>After this node moved the resident out (or in).</summary>
    public void Forget(int residentId) => _homes.Forget(residentId);

    async Task<Home?> LoadAsync(int residentId, CancellationToken ct)
    {
        await using var scope = scopes.CreateDeclaredScope(Scope.System, "confirm a resident's household at sign-in");
        var db = scope.ServiceProvider.GetRequiredService<ILinliDb>();
        var room = await db.Residents.AsNoTracking().Where(r => r.Id == residentId).Select(r => (int?)r.RoomId).FirstOrDefaultAsync(ct);
        return new Home(room);
    }
}

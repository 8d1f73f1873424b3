using Linli.Application.Common;
using Linli.Domain.Access;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Access;

/// <summary>A resident's passages as a sign of life: since when they have held a credential, and their last passage.</summary>
public sealed record PassageSign(DateTimeOffset HoldsSince, DateTimeOffset? LastPassage);

/// <summary>
/// What the access log says about residents, for the welfare check of elderly people living alone (issue 12): a door
/// opened with one's own card or phone code is a sign of life that a unit's shared controller alone could not give.
/// </summary>
public sealed class ResidentPassages(ILinliDb db)
{
    /// <summary>For each of <paramref name="residentIds"/> holding a credential not revoked: since when, and the last allowed passage since <paramref name="since"/>.</summary>
    public async Task<IReadOnlyDictionary<int, PassageSign>> SinceAsync(IReadOnlyCollection<int> residentIds, DateTimeOffset since, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(residentIds);
        if (residentIds.Count == 0) return new Dictionary<int, PassageSign>();
        var held = await db.Credentials.AsNoTracking()
            .Where(c => c.ResidentId != null && residentIds.Contains(c.ResidentId.Value) && c.Status != CredentialStatus.Revoked)
            .Select(c => new { c.Id, Resident = c.ResidentId!.Value, c.IssuedAt }).ToListAsync(ct);
        var ids = held.Select(c => c.Id).ToList();
        var last = await db.AccessLog.AsNoTracking()
            .Where(e => e.CredentialId != null && ids.Contains(e.CredentialId.Value) && e.Allowed && e.At >= since)
            .GroupBy(e => e.CredentialId!.Value).Select(g => new { Id = g.Key, Last = g.Max(e => e.At) })
            .ToDictionaryAsync(x => x.Id, x => x.Last, ct);
        return held.GroupBy(c => c.Resident).ToDictionary(g => g.Key, g => new PassageSign(g.Min(c => c.IssuedAt),
            g.Select(c => last.TryGetValue(c.Id, out var at) ? at : (DateTimeOffset?)null).Max()));
    }
}

using Linli.Application.Common;
using Linli.Application.Identity;
using Linli.Domain.Common;
using Linli.Domain.Registry;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Registry;

/// <summary>The community an import goes into: one the caller's area includes, or else the caller's own.</summary>
public sealed class ImportCommunities(ILinliDb db, CurrentUser user)
{
    /// <summary>The community named, if the caller's area includes it; else the caller's own (a grid's community for a grid worker).</summary>
    public async Task<int> ResolveAsync(int? communityId, CancellationToken ct)
    {
        if (communityId is { } id)
        {
            // A grid worker cannot see their community's node, only their grid; any visible node inside it is enough.
            var visible = await db.Nodes.AsNoTracking().AnyAsync(n => n.CommunityId == id && n.Kind != NodeKind.District && n.Kind != NodeKind.Street, ct)
                && await db.UnscopedNodes().AnyAsync(n => n.Id == id && n.Kind == NodeKind.Community, ct);
            return visible ? id : throw new DomainException("No such community in your area.", "communityId");
        }
        var own = await db.Nodes.AsNoTracking().FirstOrDefaultAsync(n => n.Id == user.NodeId, ct);
        return own?.Kind switch
        {
            NodeKind.Community => own.Id,
            NodeKind.Grid => own.CommunityId,
            _ => throw new DomainException("Choose the community to import into.", "communityId"),
        };
    }

    /// <summary>Communities the caller may import into, for the page's choice.</summary>
    public async Task<IReadOnlyList<(int Id, string Name)>> ChoicesAsync(CancellationToken ct)
    {
        var nodes = await db.Nodes.AsNoTracking().Where(n => n.Kind == NodeKind.Community).OrderBy(n => n.Code).Select(n => new { n.Id, n.Name }).ToListAsync(ct);
        return nodes.Select(n => (n.Id, n.Name)).ToList();
    }
}

using System.Collections.Concurrent;
using Linli.Domain.Cases;
using Linli.Application.Common;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Cases;

/// <summary>
/// The small, rarely changing tables every report reads: the categories (16 rows) and community names. Reading them from
/// the database on each report was a third of its round trips. Categories are kept for <see cref="CategoriesFor"/> and
/// dropped at once when this node edits one; another web node's edit shows here within that time. Community names never
/// change (nodes cannot be renamed) and are kept for good.
/// </summary>
public sealed class CaseLookups(TimeProvider time)
{
    public static readonly TimeSpan CategoriesFor = TimeSpan.FromSeconds(30);

    sealed record Categories(IReadOnlyDictionary<int, CaseCategory> ById, long LoadedAt);

    volatile Categories? _categories;
    readonly ConcurrentDictionary<int, string> _communityNames = new();

    /// <summary>All categories (active or not) by id. The instances are shared: read them, never change them.</summary>
    public async Task<IReadOnlyDictionary<int, CaseCategory>> CategoriesAsync(ILinliDb db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var current = _categories;
        if (current is not null && time.GetElapsedTime(current.LoadedAt) < CategoriesFor) return current.ById;
        var loaded = await db.CaseCategories.AsNoTracking().ToDictionaryAsync(c => c.Id, ct);
        _categories = new Categories(loaded, time.GetTimestamp());
        return loaded;
    }

    /// <summary>One category, or null if there is none with that id (read again first: another node may just have added it).</summary>
    public async Task<CaseCategory?> CategoryAsync(ILinliDb db, int id, CancellationToken ct)
    {
        if ((await CategoriesAsync(db, ct)).TryGetValue(id, out var category)) return category;
        CategoriesChanged();
        return (await CategoriesAsync(db, ct)).GetValueOrDefault(id);
    }

    /// <summary>After this node adds or edits a category.</summary>
    public void CategoriesChanged() => _categories = null;

    public async Task<string> CommunityNameAsync(ILinliDb db, int communityId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (_communityNames.TryGetValue(communityId, out var name)) return name;
        name = await db.UnscopedNodes().AsNoTracking().Where(n => n.Id == communityId).Select(n => n.Name).SingleAsync(ct);
        _communityNames[communityId] = name;
        return name;
    }
}

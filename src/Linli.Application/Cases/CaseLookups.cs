using System.Collections.Concurrent;
using Linli.Domain.Cases;
using Linli.Application.Common;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Cases;

/// <summary>
/// The small, rarely changing rows every report reads: the categories (16 rows), community names, the place of a room or
/// a building, a community's property company. Reading them from the database on each report was most of its round
/// trips. Categories are kept for <see cref="CategoriesFor"/> and dropped at once when a node edits one (this node directly,
/// the others through <see cref="CacheSync"/> when a broker links them; without one, within that time). Community names never change (nodes cannot be renamed) and are kept for
/// good. Rooms, buildings and organizations are not edited through the platform (imports only add them); their rows are
/// kept for the same time, so a repair made in the database shows within it.
/// </summary>
public sealed class CaseLookups(TimeProvider time) : ISharedCache
{
    public static readonly TimeSpan CategoriesFor = TimeSpan.FromSeconds(30);

    /// <summary>The categories' name among the shared caches: another node's edit drops this node's copy at once.</summary>
    public const string CategoriesCache = "case-categories";

    string ISharedCache.Name => CategoriesCache;

    void ISharedCache.Drop() => CategoriesChanged();

    /// <summary>A community's property company: its id and name; <see cref="PropertyCompany.None"/> when it has none.</summary>
    public sealed record PropertyCompany(int Id, string Name)
    {
        public static readonly PropertyCompany None = new(0, "");
    }

    readonly RecentLookups<int, CasePlace> _rooms = new(time, CategoriesFor);
    readonly RecentLookups<int, CasePlace> _buildings = new(time, CategoriesFor);
    readonly RecentLookups<int, PropertyCompany> _companies = new(time, CategoriesFor);

    /// <summary>The place of a room (its community, grid, building, label and point), or null if there is no such room.</summary>
    public ValueTask<CasePlace?> RoomPlaceAsync(int roomId, Func<int, CancellationToken, Task<CasePlace?>> load, CancellationToken ct) =>
        _rooms.GetAsync(roomId, load, ct);

    /// <summary>The place of a building, or null if there is no such building.</summary>
    public ValueTask<CasePlace?> BuildingPlaceAsync(int buildingId, Func<int, CancellationToken, Task<CasePlace?>> load, CancellationToken ct) =>
        _buildings.GetAsync(buildingId, load, ct);

    /// <summary>The community's property company (the first one, by id), or <see cref="PropertyCompany.None"/>.</summary>
    public async Task<PropertyCompany> PropertyCompanyAsync(ILinliDb db, int communityId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return await _companies.GetAsync(communityId, async (id, t) => await db.UnscopedOrganizations().AsNoTracking()
            .Where(o => o.CommunityId == id && o.Kind == Linli.Domain.Registry.OrganizationKind.PropertyCompany)
            .OrderBy(o => o.Id).Select(o => new PropertyCompany(o.Id, o.Name)).FirstOrDefaultAsync(t) ?? PropertyCompany.None, ct)
            ?? PropertyCompany.None;
    }

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

    /// <summary>The category with this code (outside systems name categories by code), or null.</summary>
    public async Task<CaseCategory?> CategoryByCodeAsync(ILinliDb db, string code, CancellationToken ct)
    {
        var found = (await CategoriesAsync(db, ct)).Values.FirstOrDefault(c => c.Code == code);
        if (found is not null) return found;
        CategoriesChanged();
        return (await CategoriesAsync(db, ct)).Values.FirstOrDefault(c => c.Code == code);
    }

    /// <summary>After a category was added or edited, on this node or (told through <see cref="CacheSync"/>) another.</summary>
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

using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Domain.Registry;
using Linli.Application.Common;
using Linli.Application.Registry;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Statistics;

/// <summary>
/// Counts instead of a census. Every query goes through the scoped stale-tolerant reads (<see cref="ILinliReadDb"/>: the
/// replica while it is healthy), so a grid worker counts their grid and an officer their street. Each answer is one grouped pass over an index (residents: community, grid, birth date, gender,
/// labels), folded in memory; age bands use <see cref="Ages"/> against China's "today", as the resident filters do.
/// </summary>
public sealed class StatisticsQueries(ILinliReadDb db, TimeProvider time)
{
    /// <summary>The communities and grids the caller may narrow the statistics to.</summary>
    public async Task<IReadOnlyList<StatisticsPlace>> PlacesAsync(CancellationToken ct)
    {
        var nodes = await db.Nodes.AsNoTracking().Where(n => n.Kind == NodeKind.Community || n.Kind == NodeKind.Grid)
            .OrderBy(n => n.Code).Select(n => new { n.Id, n.CommunityId, n.Kind, n.Name }).ToListAsync(ct);
        return nodes.Select(n => new StatisticsPlace(n.Id, n.CommunityId, n.Kind, n.Name)).ToList();
    }

    public async Task<PopulationDto> PopulationAsync(int? communityId, int? gridId, CancellationToken ct)
    {
        var area = await AreaAsync(communityId, gridId, ct);
        var today = time.Today();
        var t = Thresholds.On(today);
        if (area.IsEmpty) return new PopulationDto(today, 0, Bands([]), Genders([]), Labels([]), [], []);

        // One pass over the covering index in its own order (community, grid, gender, labels), so the database groups
        // without sorting; the age bands are counted per group with the cut-offs the resident list's age filter uses.
        var groups = await Residents(area)
            .GroupBy(r => new { r.CommunityId, r.GridId, r.Gender, r.Labels })
            .Select(g => new
            {
                g.Key.GridId,
                g.Key.Gender,
                g.Key.Labels,
                All = g.Count(),
                Children = g.Count(r => r.BirthDate > t.Adult),
                Under35 = g.Count(r => r.BirthDate > t.Middle),
                Under60 = g.Count(r => r.BirthDate > t.Elderly),
                Under80 = g.Count(r => r.BirthDate > t.Old),
            })
            .ToListAsync(ct);
        var rows = groups.SelectMany(g => new[]
        {
            new Group(g.GridId, g.Gender, g.Labels, AgeBand.Child0To17, g.Children),
            new Group(g.GridId, g.Gender, g.Labels, AgeBand.Adult18To34, g.Under35 - g.Children),
            new Group(g.GridId, g.Gender, g.Labels, AgeBand.Adult35To59, g.Under60 - g.Under35),
            new Group(g.GridId, g.Gender, g.Labels, AgeBand.Elderly60To79, g.Under80 - g.Under60),
            new Group(g.GridId, g.Gender, g.Labels, AgeBand.Elderly80Plus, g.All - g.Under80),
        }).ToList();

        var byGrid = rows.GroupBy(r => r.GridId).ToDictionary(g => g.Key, g => g.Sum(r => r.Count));
        var byBuilding = area.SingleCommunity ? await BuildingCountsAsync(area, ct) : [];
        return new PopulationDto(today, rows.Sum(r => r.Count), Bands(rows), Genders(rows), Labels(rows),
            area.Grids.Select(g => new GridCount(g.Id, g.Name, g.CommunityId, g.CommunityName, byGrid.GetValueOrDefault(g.Id))).ToList(),
            byBuilding);
    }

    public async Task<OccupancyStatsDto> OccupancyAsync(int? communityId, int? gridId, CancellationToken ct)
    {
        var area = await AreaAsync(communityId, gridId, ct);
        var today = time.Today();
        if (area.IsEmpty) return new OccupancyStatsDto(today, 0, 0, 0, 0, 0, 0, [], []);

        var rows = await Rooms(area)
            .GroupBy(r => new { r.CommunityId, r.GridId, r.BuildingId, r.Occupancy })
            .Select(g => new { g.Key.GridId, g.Key.BuildingId, g.Key.Occupancy, Count = g.Count() })
            .ToListAsync(ct);

        // Occupancy history has no scope keys of its own: it is counted through the (scoped) rooms it belongs to.
        var leaseHorizon = today.AddDays(30);
        var rooms = Rooms(area);
        var leasesEnding = await db.Occupancies.AsNoTracking()
            .Where(o => o.MovedOutOn == null && o.LeaseEnd != null && o.LeaseEnd >= today && o.LeaseEnd <= leaseHorizon)
            .CountAsync(o => rooms.Any(r => r.Id == o.RoomId), ct);

        (int Owner, int Rented, int Vacant) Split<TKey>(IGrouping<TKey, (int GridId, int BuildingId, Occupancy Occupancy, int Count)> g) =>
            (g.Where(x => x.Occupancy == Occupancy.OwnerOccupied).Sum(x => x.Count),
             g.Where(x => x.Occupancy == Occupancy.Rented).Sum(x => x.Count),
             g.Where(x => x.Occupancy == Occupancy.Vacant).Sum(x => x.Count));

        var tuples = rows.Select(r => (r.GridId, r.BuildingId, r.Occupancy, r.Count)).ToList();
        var perGrid = tuples.GroupBy(x => x.GridId).ToDictionary(g => g.Key, Split);
        var byGrid = area.Grids.Select(g =>
        {
            var (owner, rented, vacant) = perGrid.GetValueOrDefault(g.Id);
            return new GridOccupancy(g.Id, g.Name, g.CommunityId, g.CommunityName, owner + rented + vacant, owner, rented, vacant);
        }).ToList();

        IReadOnlyList<BuildingOccupancy> byBuilding = [];
        if (area.SingleCommunity)
        {
            var perBuilding = tuples.GroupBy(x => x.BuildingId).ToDictionary(g => g.Key, Split);
            var names = await BuildingNamesAsync(perBuilding.Keys, ct);
            byBuilding = perBuilding.OrderBy(b => b.Key).Select(b =>
            {
                var (owner, rented, vacant) = b.Value;
                var (name, grid) = names.GetValueOrDefault(b.Key, ("", 0));
                return new BuildingOccupancy(b.Key, name, grid, owner + rented + vacant, owner, rented, vacant);
            }).ToList();
        }

        var owned = byGrid.Sum(g => g.OwnerOccupied);
        var rentedTotal = byGrid.Sum(g => g.Rented);
        var vacantTotal = byGrid.Sum(g => g.Vacant);
        var total = owned + rentedTotal + vacantTotal;
        return new OccupancyStatsDto(today, total, owned, rentedTotal, vacantTotal, total == 0 ? 0 : Math.Round((double)vacantTotal / total, 4),
            leasesEnding, byGrid, byBuilding);
    }

    public async Task<ElderlyAloneDto> ElderlyAloneAsync(int? communityId, int? gridId, CancellationToken ct)
    {
        var area = await AreaAsync(communityId, gridId, ct);
        var today = time.Today();
        if (area.IsEmpty) return new ElderlyAloneDto(today, 0, 0, 0, []);
        var t = Thresholds.On(today);

        // Grouped in the covering index's order, like the population; labels are folded in memory.
        var rows = (await Residents(area).Where(r => r.BirthDate <= t.Elderly)
            .GroupBy(r => new { r.CommunityId, r.GridId, r.Gender, r.Labels })
            .Select(g => new { g.Key.GridId, g.Key.Labels, Count = g.Count(), Old = g.Count(r => r.BirthDate <= t.Old) })
            .ToListAsync(ct))
            .Select(g => new { g.GridId, Alone = (g.Labels & ResidentLabels.LivingAlone) != 0, g.Count, g.Old }).ToList();

        var grids = area.Grids.Select(g => new ElderlyAloneGrid(g.Id, g.Name, g.CommunityId, g.CommunityName,
            rows.Where(r => r.GridId == g.Id).Sum(r => r.Count),
            rows.Where(r => r.GridId == g.Id && r.Alone).Sum(r => r.Count),
            rows.Where(r => r.GridId == g.Id && r.Alone).Sum(r => r.Old))).ToList();
        return new ElderlyAloneDto(today, grids.Sum(g => g.Elderly60Plus), grids.Sum(g => g.LivingAlone), grids.Sum(g => g.Elderly80PlusLivingAlone), grids);
    }

    /// <summary>
    /// Residents living in a room, in the area. The scope filter of the DbContext still applies; the explicit community
    /// (and grid) predicates only repeat it in a form that lets the database seek the covering index.
    /// </summary>
    IQueryable<Resident> Residents(Area area)
    {
        var q = db.Residents.AsNoTracking().Where(r => r.RoomId != null);
        q = area.CommunityIds.Count == 1
            ? q.Where(r => r.CommunityId == area.CommunityIds[0])
            : q.Where(r => area.CommunityIds.Contains(r.CommunityId));
        if (area.GridId is { } g) q = q.Where(r => r.GridId == g);
        return q;
    }

    IQueryable<Room> Rooms(Area area)
    {
        var q = db.Rooms.AsNoTracking();
        q = area.CommunityIds.Count == 1
            ? q.Where(r => r.CommunityId == area.CommunityIds[0])
            : q.Where(r => area.CommunityIds.Contains(r.CommunityId));
        if (area.GridId is { } g) q = q.Where(r => r.GridId == g);
        return q;
    }

    async Task<IReadOnlyList<BuildingCount>> BuildingCountsAsync(Area area, CancellationToken ct)
    {
        var counts = await (from r in Residents(area)
                            join room in db.Rooms on r.RoomId equals room.Id
                            group r by room.BuildingId into g
                            select new { BuildingId = g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.BuildingId, x => x.Count, ct);
        var buildings = db.Buildings.AsNoTracking().Where(b => area.CommunityIds.Contains(b.CommunityId));
        if (area.GridId is { } grid) buildings = buildings.Where(b => b.GridId == grid);
        var list = await buildings.OrderBy(b => b.Id).Select(b => new { b.Id, b.Name, b.GridId }).ToListAsync(ct);
        return list.Select(b => new BuildingCount(b.Id, b.Name, b.GridId, counts.GetValueOrDefault(b.Id))).ToList();
    }

    async Task<Dictionary<int, (string Name, int GridId)>> BuildingNamesAsync(IEnumerable<int> ids, CancellationToken ct)
    {
        var list = ids.ToList();
        var rows = await db.Buildings.AsNoTracking().Where(b => list.Contains(b.Id)).Select(b => new { b.Id, b.Name, b.GridId }).ToListAsync(ct);
        return rows.ToDictionary(b => b.Id, b => (b.Name, b.GridId));
    }

    /// <summary>
    /// The grids the answer covers: those the caller can see (scoped node query), narrowed by the optional filters. A
    /// community or grid outside the caller's area is refused by name, never silently answered with zeros.
    /// </summary>
    async Task<Area> AreaAsync(int? communityId, int? gridId, CancellationToken ct)
    {
        var visible = await db.Nodes.AsNoTracking().Where(n => n.Kind == NodeKind.Grid)
            .OrderBy(n => n.Code).Select(n => new { n.Id, n.CommunityId, n.Name }).ToListAsync(ct);
        if (communityId is { } c && visible.All(g => g.CommunityId != c))
            throw new DomainException("No such community in your area.", "communityId");
        if (gridId is { } gid && !visible.Any(g => g.Id == gid && (communityId is null || g.CommunityId == communityId)))
            throw new DomainException(communityId is null ? "No such grid in your area." : "No such grid in this community.", "gridId");

        var grids = visible.Where(g => (communityId is null || g.CommunityId == communityId) && (gridId is null || g.Id == gridId)).ToList();
        var communityIds = grids.Select(g => g.CommunityId).Distinct().ToList();
        // A grid worker cannot see the community node itself; its name is a label, not data about anyone.
        var communityNames = await db.UnscopedNodes().AsNoTracking().Where(n => communityIds.Contains(n.Id))
            .ToDictionaryAsync(n => n.Id, n => n.Name, ct);
        var scopeGrid = db.Scope.Level == ScopeLevel.Grid ? db.Scope.Id : (int?)null;
        return new Area(communityIds, gridId ?? scopeGrid,
            grids.Select(g => new AreaGrid(g.Id, g.Name, g.CommunityId, communityNames.GetValueOrDefault(g.CommunityId, ""))).ToList());
    }

    sealed record AreaGrid(int Id, string Name, int CommunityId, string CommunityName);

    sealed record Area(IReadOnlyList<int> CommunityIds, int? GridId, IReadOnlyList<AreaGrid> Grids)
    {
        public bool IsEmpty => Grids.Count == 0;
        public bool SingleCommunity => CommunityIds.Count == 1;
    }

    sealed record Group(int GridId, Gender Gender, ResidentLabels Labels, AgeBand Band, int Count);

    /// <summary>Latest birth dates of each age: born on or before <see cref="Adult"/> means 18 or older today, and so on.</summary>
    readonly record struct Thresholds(DateOnly Adult, DateOnly Middle, DateOnly Elderly, DateOnly Old)
    {
        public static Thresholds On(DateOnly today) => new(
            Ages.BirthRange(today, Ages.Bounds(AgeBand.Adult18To34).Min, null).BornTo,
            Ages.BirthRange(today, Ages.Bounds(AgeBand.Adult35To59).Min, null).BornTo,
            Ages.BirthRange(today, Ages.Bounds(AgeBand.Elderly60To79).Min, null).BornTo,
            Ages.BirthRange(today, Ages.Bounds(AgeBand.Elderly80Plus).Min, null).BornTo);
    }

    static IReadOnlyList<AgeBandCount> Bands(IReadOnlyList<Group> rows) =>
        Enum.GetValues<AgeBand>().Select(b => new AgeBandCount(b, rows.Where(r => r.Band == b).Sum(r => r.Count))).ToList();

    static IReadOnlyList<GenderCount> Genders(IReadOnlyList<Group> rows) =>
        Enum.GetValues<Gender>().Select(g => new GenderCount(g, rows.Where(r => r.Gender == g).Sum(r => r.Count))).ToList();

    static IReadOnlyList<LabelCount> Labels(IReadOnlyList<Group> rows)
    {
        int Flag(ResidentLabels f) => rows.Where(r => (r.Labels & f) != 0).Sum(r => r.Count);
        return
        [
            new(LabelFilter.Elderly60, rows.Where(r => r.Band >= AgeBand.Elderly60To79).Sum(r => r.Count)),
            new(LabelFilter.Elderly80, rows.Where(r => r.Band == AgeBand.Elderly80Plus).Sum(r => r.Count)),
            new(LabelFilter.Child, rows.Where(r => r.Band == AgeBand.Child0To17).Sum(r => r.Count)),
            new(LabelFilter.LivingAlone, Flag(ResidentLabels.LivingAlone)),
            new(LabelFilter.ElderlyLivingAlone, rows.Where(r => r.Band >= AgeBand.Elderly60To79 && (r.Labels & ResidentLabels.LivingAlone) != 0).Sum(r => r.Count)),
            new(LabelFilter.Disabled, Flag(ResidentLabels.Disabled)),
            new(LabelFilter.LowIncome, Flag(ResidentLabels.LowIncome)),
            new(LabelFilter.Veteran, Flag(ResidentLabels.Veteran)),
            new(LabelFilter.PartyMember, Flag(ResidentLabels.PartyMember)),
        ];
    }
}

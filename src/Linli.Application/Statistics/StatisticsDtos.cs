using Linli.Domain.Registry;
using Linli.Application.Registry;

namespace Linli.Application.Statistics;

public sealed record AgeBandCount(AgeBand Band, int Count);

public sealed record GenderCount(Gender Gender, int Count);

/// <summary>A label count; the names are those the resident list accepts as <c>label=</c>, so a count links to its list.</summary>
public sealed record LabelCount(LabelFilter Label, int Count);

public sealed record GridCount(int GridId, string GridName, int CommunityId, string CommunityName, int Count);

public sealed record BuildingCount(int BuildingId, string Name, int GridId, int Count);

/// <summary>
/// Who lives in the caller's area (people currently in a room). <see cref="ByBuilding"/> is filled when the answer is
/// about one community or grid; over a street or district a building list would be too long to read.
/// </summary>
public sealed record PopulationDto(DateOnly AsOf, int Total, IReadOnlyList<AgeBandCount> ByAgeBand, IReadOnlyList<GenderCount> ByGender,
    IReadOnlyList<LabelCount> ByLabel, IReadOnlyList<GridCount> ByGrid, IReadOnlyList<BuildingCount> ByBuilding);

public sealed record GridOccupancy(int GridId, string GridName, int CommunityId, string CommunityName, int Rooms, int OwnerOccupied, int Rented, int Vacant);

public sealed record BuildingOccupancy(int BuildingId, string Name, int GridId, int Rooms, int OwnerOccupied, int Rented, int Vacant);

/// <summary>How the rooms are used; <see cref="VacancyRate"/> is vacant / rooms (0 when there are no rooms).</summary>
public sealed record OccupancyStatsDto(DateOnly AsOf, int Rooms, int OwnerOccupied, int Rented, int Vacant, double VacancyRate,
    int LeasesEndingIn30Days, IReadOnlyList<GridOccupancy> ByGrid, IReadOnlyList<BuildingOccupancy> ByBuilding);

public sealed record ElderlyAloneGrid(int GridId, string GridName, int CommunityId, string CommunityName,
    int Elderly60Plus, int LivingAlone, int Elderly80PlusLivingAlone);

/// <summary>Elderly people (60+) and those of them living alone, per grid: the grid worker's visiting list in numbers.</summary>
public sealed record ElderlyAloneDto(DateOnly AsOf, int Elderly60Plus, int LivingAlone, int Elderly80PlusLivingAlone, IReadOnlyList<ElderlyAloneGrid> ByGrid);

/// <summary>A community or grid the caller may narrow the statistics to.</summary>
public sealed record StatisticsPlace(int Id, int CommunityId, NodeKind Kind, string Name);

namespace Linli.Browser.Tests;

// The few fields of the API answers the tests read to find their test data.
public sealed record PageOf<T>(IReadOnlyList<T> Items, int Total);

public sealed record ResidentRow(int Id, string Name, string? PhoneMasked, string IdNumberMasked, int? RoomId, string? RoomLabel);

public sealed record RoomBrief(int Id, int BuildingId, string Label);

public sealed record BuildingBrief(int Id, string Name, int CommunityId);

public sealed record BuildingDetail(BuildingBrief Building, IReadOnlyList<RoomCell> Rooms);

public sealed record RoomCell(int Id, int UnitNo, int Floor, string Number);

public sealed record Me(string UserName, int ScopeId);

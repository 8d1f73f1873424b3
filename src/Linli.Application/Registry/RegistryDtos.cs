using Linli.Domain.Registry;

namespace Linli.Application.Registry;

public sealed record NodeDto(int Id, int? ParentId, NodeKind Kind, string Name, string Code, IReadOnlyList<NodeDto> Children);

public sealed record PlanRect(int X, int Y, int Width, int Height);

public sealed record BuildingDto(int Id, string Name, int CommunityId, int GridId, int Units, int Floors, int RoomsPerFloor,
    PlanRect Plan, int Rooms, int OccupiedRooms, int Residents);

public sealed record RoomSummaryDto(int Id, int UnitNo, int Floor, string Number, Occupancy Occupancy, int Residents);

public sealed record BuildingDetailDto(BuildingDto Building, string GridName, string CommunityName, IReadOnlyList<RoomSummaryDto> Rooms);

public sealed record OccupancyDto(int ResidentId, string ResidentName, int RoomId, string RoomLabel, Relation Relation, DateOnly MovedInOn, DateOnly? MovedOutOn, DateOnly? LeaseEnd);

public sealed record ResidentSummaryDto(int Id, string Name, Gender Gender, int Age, string? PhoneMasked, string IdNumberMasked,
    int? RoomId, string? RoomLabel, Relation? Relation, IReadOnlyList<string> Labels, int GridId);

public sealed record RoomDto(int Id, int BuildingId, string BuildingName, string Label, int UnitNo, int Floor, string Number, decimal AreaM2,
    Occupancy Occupancy, IReadOnlyList<ResidentSummaryDto> Household, IReadOnlyList<OccupancyDto> History);

public sealed record ResidentDto(int Id, string Name, Gender Gender, DateOnly BirthDate, int Age, string? PhoneMasked, string IdNumberMasked,
    int? RoomId, string? RoomLabel, Relation? Relation, IReadOnlyList<string> Labels, int CommunityId, int GridId,
    string? EmergencyContactName, string? EmergencyContactPhoneMasked, IReadOnlyList<OccupancyDto> History);

public sealed record UnmaskedDto(int ResidentId, string IdNumber, string? Phone, string? EmergencyContactPhone, string? MedicalNotes = null);

public sealed record CreateResidentRequest(string? Name, string? IdNumber, string? Phone, int? RoomId, Relation? Relation,
    DateOnly? MovedInOn, DateOnly? LeaseEnd, IReadOnlyList<string>? Labels, string? EmergencyContactName, string? EmergencyContactPhone);

/// <summary>Null leaves a field as it is; an empty <see cref="MedicalNotes"/> removes the notes.</summary>
public sealed record UpdateResidentRequest(string? Name, string? IdNumber, string? Phone, IReadOnlyList<string>? Labels,
    string? EmergencyContactName, string? EmergencyContactPhone, string? MedicalNotes = null);

public sealed record MoveOutRequest(DateOnly? On);

public sealed record FacilityDto(int Id, FacilityCategory Category, bool IsSurroundingService, string Name, string? Address, string? Phone,
    double Latitude, double Longitude, int? DistanceMeters, int CommunityId, int? PlanX = null, int? PlanY = null);

public sealed record OrganizationDto(int Id, OrganizationKind Kind, string Name, string? ContactName, string? Phone, int CommunityId);

public sealed record AuditEntryDto(long Id, DateTimeOffset At, string UserName, string Action, string SubjectType, int SubjectId, string? Detail);

public sealed record SitePlanDto(int CommunityId, string CommunityName, IReadOnlyList<BuildingDto> Buildings, IReadOnlyList<FacilityDto> Facilities);

/// <summary>Filter labels: the stored ones plus those derived from age.</summary>
public enum LabelFilter { LivingAlone, Disabled, LowIncome, Veteran, PartyMember, Elderly60, Elderly80, Child, ElderlyLivingAlone }

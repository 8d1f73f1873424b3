using Linli.Domain.Cases;

namespace Linli.Application.Cases;

/// <summary>A category as stored: its Chinese words and, where given, its English ones (<see cref="NameEn"/> and so on).</summary>
public sealed record CaseCategoryDto(int Id, string Code, string Name, string Group, string? Description, CaseKind DefaultKind,
    HandlingLevel Level, DispatchMode Mode, int ResponseMinutes, int ResolutionMinutes, bool InHome, bool Active,
    string? NameEn, string? GroupEn, string? DescriptionEn);

public sealed record CaseCategoryRequest(string? Code, string? Name, string? Group, string? Description, CaseKind? DefaultKind,
    HandlingLevel? Level, DispatchMode? Mode, int? ResponseMinutes, int? ResolutionMinutes, bool? InHome, bool? Active,
    string? NameEn = null, string? GroupEn = null, string? DescriptionEn = null);

/// <summary>
/// A new report. Where: a room, a building, a facility or a point (latitude/longitude); a resident who gives none reports
/// from home. <see cref="Address"/> adds detail such as "3rd floor stairwell".
/// </summary>
public sealed record SubmitCaseRequest(int? CategoryId, string? Title, string? Description, CaseKind? Kind,
    int? RoomId, int? BuildingId, int? FacilityId, double? Latitude, double? Longitude, string? Address);

public sealed record SimilarCaseDto(long Id, string Title, string CategoryName, CaseStatus Status, string Address,
    DateTimeOffset ReportedAt, int MeTooCount, double? DistanceMeters);

public sealed record CaseListItemDto(long Id, string Title, int CategoryId, string CategoryName, CaseKind Kind, CaseStatus Status,
    HandlingLevel Level, string Address, int CommunityId, int GridId, string? AssigneeName, DateTimeOffset ReportedAt,
    DateTimeOffset ResponseDueAt, DateTimeOffset ResolutionDueAt, bool Overdue, int EscalationCount, int RemindCount, int MeTooCount, int? Rating);

/// <summary>One timeline entry. <see cref="Subject"/> names whom it concerns (the person sent); a resident receives only the
/// notes written for them (<see cref="CaseEventKinds.NoteIsForTheReporter"/>), never the staff's working notes.</summary>
public sealed record CaseEventDto(DateTimeOffset At, string ActorName, CaseEventKind Kind, CaseStatus? FromStatus, CaseStatus? ToStatus, string? Note,
    string? Subject = null);

public sealed record CasePhotoDto(long Id, PhotoStage Stage, string Url, string ContentType, long Length, DateTimeOffset At);

public sealed record CaseDetailDto(long Id, string Title, string? Description, int CategoryId, string CategoryName, CaseKind Kind,
    CaseSource Source, CaseStatus Status, HandlingLevel Level, DispatchMode Mode, string? OrganizationName, string Address,
    int? BuildingId, int? RoomId, int? FacilityId, double? Latitude, double? Longitude, int CommunityId, int GridId,
    string ReporterName, string? ReporterPhone, int? AssigneeUserId, string? AssigneeName,
    DateTimeOffset ReportedAt, DateTimeOffset? AcceptedAt, DateTimeOffset? HandledAt, DateTimeOffset? ClosedAt,
    DateTimeOffset ResponseDueAt, DateTimeOffset ResolutionDueAt, bool Overdue, bool ResponseBreached, bool ResolutionBreached,
    string? Resolution, string? RejectReason, int? Rating, string? RatingComment,
    int EscalationCount, int RemindCount, int ReopenCount, int MeTooCount, int Version,
    CaseRelation MyRelation, IReadOnlyList<CaseAction> AllowedActions,
    IReadOnlyList<CaseEventDto> Timeline, IReadOnlyList<CasePhotoDto> Photos);

/// <summary>The body of every case action; each action reads the fields it needs and names a missing one.</summary>
public sealed record CaseActionRequest(string? Note = null, int? AssigneeUserId = null, HandlingLevel? Level = null, int? Rating = null);

public sealed record AssigneeDto(int UserId, string Name, string Role);

public sealed record StatusCountDto(CaseStatus Status, int Count);

public sealed record CaseCountsDto(IReadOnlyList<StatusCountDto> ByStatus, int Open, int Overdue, int Escalated);

/// <summary>Filters of the staff queue and of "my cases". Defaults: open cases of the caller's own team, overdue first.</summary>
public sealed record CaseFilter(string? Status = null, HandlingLevel? Level = null, bool? MyTeam = null, int? CategoryId = null,
    int? CommunityId = null, int? GridId = null, bool? Overdue = null, bool? Escalated = null, bool? AssignedToMe = null, string? Q = null);

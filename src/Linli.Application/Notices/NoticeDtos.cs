using Linli.Domain.Identity;
using Linli.Domain.Notices;

namespace Linli.Application.Notices;

/// <summary>A notice to publish or, while it is still scheduled, to change. Empty <see cref="PublishAt"/>: now.</summary>
public sealed record NoticeRequest(string? Title, string? Body, int? NodeId = null, DateTimeOffset? PublishAt = null, DateTimeOffset? ExpiresAt = null,
    bool? Pinned = null, bool? Urgent = null, IReadOnlyList<int>? BuildingIds = null, IReadOnlyList<ResidentGroups>? Groups = null,
    IReadOnlyList<Role>? Roles = null);

/// <summary>A line of a reader's notice list.</summary>
public sealed record NoticeSummaryDto(int Id, string Title, string Excerpt, string FromName, DateTimeOffset PublishAt, DateTimeOffset? ExpiresAt,
    bool Pinned, bool Urgent, bool Read);

public sealed record NoticeAudienceDto(IReadOnlyList<int> BuildingIds, IReadOnlyList<string> BuildingNames, IReadOnlyList<ResidentGroups> Groups,
    IReadOnlyList<Role> Roles);

/// <summary>
/// One notice. <see cref="CanManage"/>: the caller may withdraw it (published in their area); <see cref="CanFollowUp"/>: the
/// caller may see who has read it.
/// </summary>
public sealed record NoticeDto(int Id, string Title, string Body, string BodyHtml, string FromName, int NodeId, string AuthorName,
    DateTimeOffset PublishAt, DateTimeOffset? ExpiresAt, bool Pinned, bool Urgent, NoticeStatus Status, DateTimeOffset? WithdrawnAt,
    NoticeAudienceDto Audience, bool Read, bool CanManage, bool CanFollowUp);

/// <summary>A line of the list of notices published in the caller's area, whatever their state.</summary>
public sealed record ManagedNoticeDto(int Id, string Title, string FromName, string AuthorName, DateTimeOffset PublishAt, DateTimeOffset? ExpiresAt,
    bool Pinned, bool Urgent, NoticeStatus Status);

/// <summary>
/// How far a notice got, within the caller's area. A household is reached when any account of it read the notice; most
/// people have no account, so the unread households are the door-knocking list.
/// </summary>
public sealed record ReceiptSummaryDto(int NoticeId, bool IncludesResidents, int TargetedHouseholds, int ReachedHouseholds, int TargetedResidents,
    int ResidentReads, int TargetedStaff, int StaffReads)
{
    public int UnreadHouseholds => TargetedHouseholds - ReachedHouseholds;

    /// <summary>Households reached, in whole percent; staff read when the notice is for staff only; null when nobody is targeted.</summary>
    public int? ReadPercent => IncludesResidents
        ? TargetedHouseholds == 0 ? null : ReachedHouseholds * 100 / TargetedHouseholds
        : TargetedStaff == 0 ? null : StaffReads * 100 / TargetedStaff;
}

public sealed record BuildingReceiptDto(int BuildingId, string BuildingName, int TargetedHouseholds, int ReachedHouseholds)
{
    public int UnreadHouseholds => TargetedHouseholds - ReachedHouseholds;
}

/// <summary>A household to visit: nobody in it has read the notice. <see cref="People"/> are the ones it is meant for.</summary>
public sealed record UnreadHouseholdDto(int RoomId, int BuildingId, string BuildingName, int UnitNo, int Floor, string Number, string Label,
    IReadOnlyList<UnreadPersonDto> People);

public sealed record UnreadPersonDto(int ResidentId, string Name, int Age, IReadOnlyList<string> Labels);

using Linli.Domain.Common;

namespace Linli.Domain.Cases;

/// <summary>
/// A case changed: one event per case and saved change, carrying what its consumers need (the live queues and pages of
/// every node above the case, the households that follow it) so that none of them reads the case again.
/// </summary>
public sealed record CaseChanged(long CaseId, CaseEventKind Kind, bool ByPlatform, CaseStatus Status, HandlingLevel Level, int DistrictId,
    int StreetId, int CommunityId, int GridId, int? ReporterRoomId, int MeTooCount, bool Overdue, DateTimeOffset At) : IDomainEvent
{
    /// <summary>The word the live pages hear for the change (the action's name for what people do).</summary>
    public string Change => Kind switch
    {
        CaseEventKind.Reported => "created",
        CaseEventKind.PhotoAdded => "photo",
        CaseEventKind.ResponseOverdue or CaseEventKind.ResolutionOverdue => "overdue",
        CaseEventKind.Escalated when ByPlatform => "escalated",
        CaseEventKind.Accepted => nameof(CaseAction.Accept),
        CaseEventKind.Rejected => nameof(CaseAction.Reject),
        CaseEventKind.Dispatched => nameof(CaseAction.Dispatch),
        CaseEventKind.Grabbed => nameof(CaseAction.Grab),
        CaseEventKind.Started => nameof(CaseAction.Start),
        CaseEventKind.Handled => nameof(CaseAction.Handle),
        CaseEventKind.Verified => nameof(CaseAction.Verify),
        CaseEventKind.Closed => nameof(CaseAction.Close),
        CaseEventKind.Rated => nameof(CaseAction.Rate),
        CaseEventKind.Reopened => nameof(CaseAction.Reopen),
        CaseEventKind.Transferred => nameof(CaseAction.Transfer),
        CaseEventKind.Escalated => nameof(CaseAction.Escalate),
        CaseEventKind.Reminded => nameof(CaseAction.Remind),
        CaseEventKind.JoinedByNeighbour => nameof(CaseAction.MeToo),
        CaseEventKind.Commented => nameof(CaseAction.Comment),
        CaseEventKind.FollowedUp => nameof(CaseAction.FollowUp),
        _ => Kind.ToString(),
    };
}

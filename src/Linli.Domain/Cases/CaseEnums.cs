using Linli.Domain.Identity;

namespace Linli.Domain.Cases;

/// <summary>What a case started as: a resident's request, a grid worker's patrol finding, or a device event.</summary>
public enum CaseKind { Repair, Complaint, Suggestion, Patrol, Device }

/// <summary>
/// The closed loop of GB/T 34300: reported → accepted (or rejected) → dispatched → in progress → handled → verified → closed.
/// Transfer and escalation send a case back to <see cref="Reported"/> at another team.
/// </summary>
public enum CaseStatus { Reported, Accepted, Rejected, Dispatched, InProgress, Handled, Verified, Closed }

/// <summary>
/// Which team handles a case. Each level's team sits at one node: the property company and the residents' committee at the
/// community, then the street office, then the district. Escalation climbs in this order.
/// </summary>
public enum HandlingLevel { Property, Community, Street, District }

/// <summary>派单: a dispatcher assigns a handler. 抢单: team members take cases from a pool.</summary>
public enum DispatchMode { Assign, Grab }

/// <summary>Where a report came in; <see cref="Upstream"/>: a task the higher platform (city, district) sent down.</summary>
public enum CaseSource { Web, Api, Open311, Patrol, Device, Upstream }

public enum CaseEventKind
{
    Reported, Accepted, Rejected, Dispatched, Grabbed, Started, Handled, Verified, Closed, Rated, Reopened,
    Transferred, Escalated, Reminded, JoinedByNeighbour, Commented, FollowedUp, ResponseOverdue, ResolutionOverdue, PhotoAdded,
}

public static class CaseEventKinds
{
    /// <summary>
    /// Whether a timeline entry's note is written for the reporter's household: their own report, why it was refused, what
    /// was done, their rating and reason to reopen, comments. The others (dispatch, acceptance, transfer, escalation, follow-up
    /// and reminder notes) are the staff's working notes and stay with the staff.
    /// </summary>
    public static bool NoteIsForTheReporter(this CaseEventKind kind) => kind is CaseEventKind.Reported or CaseEventKind.Rejected
        or CaseEventKind.Handled or CaseEventKind.Rated or CaseEventKind.Reopened or CaseEventKind.Commented;
}

/// <summary>Everything a person can do to a case; <see cref="Case.AllowedActions"/> says which apply now.</summary>
public enum CaseAction
{
    Accept, Reject, Dispatch, Grab, Start, Handle, Verify, Close, Rate, Reopen, Transfer, Escalate, Remind, MeToo, Comment, FollowUp, AddPhoto,
}

/// <summary>How the person acting stands to the case; decided by the caller from role, node and household.</summary>
public enum CaseRelation
{
    /// <summary>Nothing to do with it (can read it if in scope, nothing more).</summary>
    Onlooker,
    /// <summary>The reporter's household.</summary>
    Reporter,
    /// <summary>A neighbour who joined with "me too".</summary>
    Follower,
    /// <summary>A resident who is neither, e.g. someone who sees it among similar reports.</summary>
    Neighbour,
    /// <summary>A member of the team the case sits with now.</summary>
    Team,
    /// <summary>Staff above that team in the hierarchy, in scope (community over property, street over community…).</summary>
    Supervisor,
    /// <summary>The platform itself: SLA timers and device rules.</summary>
    System,
}

/// <summary>Who is acting: id and name for the timeline, and how they stand to the case.</summary>
public sealed record CaseActor(int UserId, string Name, CaseRelation Relation)
{
    public static readonly CaseActor Platform = new(0, "system", CaseRelation.System);
}

public static class HandlingLevels
{
    /// <summary>The level a staff role's team works at, or null for roles that do not handle cases.</summary>
    public static HandlingLevel? TeamLevel(this Role role) => role switch
    {
        Role.PropertyStaff => HandlingLevel.Property,
        Role.CommunityAdmin or Role.GridWorker => HandlingLevel.Community,
        Role.StreetOfficer => HandlingLevel.Street,
        Role.DistrictOfficer => HandlingLevel.District,
        _ => null,
    };

    /// <summary>The next level up, or null at the top.</summary>
    public static HandlingLevel? Above(this HandlingLevel level) => level switch
    {
        HandlingLevel.Property => HandlingLevel.Community,
        HandlingLevel.Community => HandlingLevel.Street,
        HandlingLevel.Street => HandlingLevel.District,
        _ => null,
    };

    public static bool IsOpen(this CaseStatus status) => status is not (CaseStatus.Rejected or CaseStatus.Handled or CaseStatus.Verified or CaseStatus.Closed);
}

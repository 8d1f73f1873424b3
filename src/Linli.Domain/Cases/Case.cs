using Linli.Domain.Common;

namespace Linli.Domain.Cases;

/// <summary>Where a case is: always a grid (for scope), and as precisely as known a building, room, facility or point.</summary>
public sealed record CasePlace(int DistrictId, int StreetId, int CommunityId, int GridId, string Address,
    int? BuildingId = null, int? RoomId = null, int? FacilityId = null, double? Latitude = null, double? Longitude = null)
{
    public PlaceKeys Keys => new(DistrictId, StreetId, CommunityId, GridId);
}

/// <summary>Who reported: an account (and its household) or an outside reporter known only by name and contact.</summary>
public sealed record CaseReporter(int? UserId, int? RoomId, string Name, string? PhoneMasked = null, string? PhoneProtected = null);

/// <summary>
/// A repair request, complaint, suggestion, patrol finding or device event, and its whole loop from report to rating.
/// Every change is a method that refuses what the state or the actor does not allow, and writes the timeline.
/// </summary>
public sealed class Case : ScopedEntity, IHasDomainEvents
{
    public const int TitleMaxLength = 80;
    public const int DescriptionMaxLength = 2000;
    public const int NoteMaxLength = 1000;
    public const int AddressMaxLength = 200;
    public const int NameMaxLength = 40;
    public const int MaxPhotosPerStage = 9;
    public static readonly TimeSpan ReopenWindow = TimeSpan.FromDays(7);
    public static readonly TimeSpan RemindInterval = TimeSpan.FromHours(1);

    readonly List<CaseEvent> _events = [];
    readonly List<CaseTimer> _timers = [];

    public long Id { get; private set; }
    public int CategoryId { get; private set; }
    public CaseKind Kind { get; private set; }
    public CaseSource Source { get; private set; }
    public string Title { get; private set; } = "";
    public string? Description { get; private set; }
    public CaseStatus Status { get; private set; }
    /// <summary>Closed or rejected: off every work queue. Stored so queues read one index range in deadline order.</summary>
    public bool Finished { get; private set; }
    public HandlingLevel Level { get; private set; }
    public DispatchMode Mode { get; private set; }
    /// <summary>The property company when the case is (or was) with the property level.</summary>
    public int? OrganizationId { get; private set; }
    public int? AssigneeUserId { get; private set; }
    public string? AssigneeName { get; private set; }

    public string Address { get; private set; } = "";
    public int? BuildingId { get; private set; }
    public int? RoomId { get; private set; }
    public int? FacilityId { get; private set; }
    public double? Latitude { get; private set; }
    public double? Longitude { get; private set; }
    /// <summary>In-home cases are seen by their household and staff, never listed to neighbours.</summary>
    public bool Private { get; private set; }

    public int? ReporterUserId { get; private set; }
    /// <summary>The reporter's household, so everyone in it sees the case as theirs.</summary>
    public int? ReporterRoomId { get; private set; }
    public string ReporterName { get; private set; } = "";
    public string? ReporterPhoneMasked { get; private set; }
    public string? ReporterPhoneProtected { get; private set; }
    public string? ExternalClient { get; private set; }

    public DateTimeOffset ReportedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public DateTimeOffset? AcceptedAt { get; private set; }
    public DateTimeOffset? HandledAt { get; private set; }
    public DateTimeOffset? ClosedAt { get; private set; }
    public DateTimeOffset ResponseDueAt { get; private set; }
    public DateTimeOffset ResolutionDueAt { get; private set; }
    /// <summary>Set when the current team let a deadline pass; cleared when a new team takes over.</summary>
    public DateTimeOffset? OverdueSince { get; private set; }
    /// <summary>Ever breached, for SLA statistics.</summary>
    public bool ResponseBreached { get; private set; }
    public bool ResolutionBreached { get; private set; }
    /// <summary>Counts the SLA rounds; a timer from an earlier round finds nothing to do.</summary>
    public int SlaRound { get; private set; }

    public string? Resolution { get; private set; }
    public string? RejectReason { get; private set; }
    public int? Rating { get; private set; }
    public string? RatingComment { get; private set; }
    public DateTimeOffset? LastRemindedAt { get; private set; }
    public int RemindCount { get; private set; }
    public int EscalationCount { get; private set; }
    public int ReopenCount { get; private set; }
    public int MeTooCount { get; private set; }
    public int ReportPhotos { get; private set; }
    public int HandlingPhotos { get; private set; }
    /// <summary>Optimistic concurrency: two people grabbing the same case, one wins.</summary>
    public int Version { get; private set; }

    /// <summary>Timeline entries added by this instance (the stored timeline is read separately).</summary>
    public IReadOnlyList<CaseEvent> Events => _events;
    /// <summary>SLA timers added by this instance.</summary>
    public IReadOnlyList<CaseTimer> Timers => _timers;

    Case() { }

    /// <summary>A new report, routed to <paramref name="level"/> (see the routing rules), with its SLA timers set.</summary>
    public static Case Report(CaseCategory category, CaseKind kind, CaseSource source, string title, string? description,
        CasePlace place, CaseReporter reporter, HandlingLevel level, int? organizationId, DateTimeOffset now, string? externalClient = null)
    {
        ArgumentNullException.ThrowIfNull(category);
        ArgumentNullException.ThrowIfNull(place);
        ArgumentNullException.ThrowIfNull(reporter);
        if (!category.Active) throw new DomainException("This category is no longer in use.", "categoryId");
        title = (title ?? "").Trim();
        if (title.Length == 0) throw new DomainException("Say in a few words what the problem is.", "title");
        if (title.Length > TitleMaxLength) throw new DomainException("The title is at most 80 characters.", "title");
        description = string.IsNullOrWhiteSpace(description) ? null : description.Trim();
        if (description?.Length > DescriptionMaxLength) throw new DomainException("The description is at most 2000 characters.", "description");
        if (string.IsNullOrWhiteSpace(place.Address) || place.Address.Length > AddressMaxLength) throw new DomainException("Where is it?", "address");
        if (category.InHome && place.RoomId is null) throw new DomainException("An in-home repair needs the room.", "roomId");
        if (place.CommunityId == 0 || place.GridId == 0) throw new DomainException("The place is not in a community of this platform.", "place");
        var name = (reporter.Name ?? "").Trim();
        if (name.Length == 0 || name.Length > NameMaxLength) throw new DomainException("The reporter's name is required (at most 40 characters).", "reporterName");

        var c = new Case
        {
            CategoryId = category.Id,
            Kind = kind,
            Source = source,
            Title = title,
            Description = description,
            Status = CaseStatus.Reported,
            Level = level,
            Mode = category.Mode,
            OrganizationId = level == HandlingLevel.Property ? organizationId : null,
            Address = place.Address.Trim(),
            BuildingId = place.BuildingId,
            RoomId = place.RoomId,
            FacilityId = place.FacilityId,
            Latitude = place.Latitude,
            Longitude = place.Longitude,
            Private = category.InHome,
            ReporterUserId = reporter.UserId,
            ReporterRoomId = reporter.RoomId,
            ReporterName = name,
            ReporterPhoneMasked = reporter.PhoneMasked,
            ReporterPhoneProtected = reporter.PhoneProtected,
            ExternalClient = externalClient,
            ReportedAt = now,
            UpdatedAt = now,
        };
        c.PlaceIn(place.Keys);
        c.StartSla(category, now);
        c.Record(now, new CaseActor(reporter.UserId ?? 0, name, CaseRelation.Reporter), CaseEventKind.Reported, null, null, description);
        return c;
    }

    /// <summary>What <paramref name="actor"/> may do now. The methods below check the same table.</summary>
    public IReadOnlySet<CaseAction> AllowedActions(CaseActor actor, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var allowed = new HashSet<CaseAction>();
        var s = Status;
        var team = actor.Relation is CaseRelation.Team;
        var reporter = actor.Relation is CaseRelation.Reporter;
        var staff = team || actor.Relation is CaseRelation.Supervisor;
        var isAssignee = AssigneeUserId is { } a && a == actor.UserId;

        if (team && s == CaseStatus.Reported) { allowed.Add(CaseAction.Accept); allowed.Add(CaseAction.Reject); }
        if (team && s is CaseStatus.Accepted or CaseStatus.Dispatched or CaseStatus.InProgress) allowed.Add(CaseAction.Dispatch);
        if (team && s == CaseStatus.Accepted && Mode == DispatchMode.Grab && AssigneeUserId is null) allowed.Add(CaseAction.Grab);
        if (team && isAssignee && s == CaseStatus.Dispatched) allowed.Add(CaseAction.Start);
        if (team && (isAssignee || AssigneeUserId is null) && s is CaseStatus.Dispatched or CaseStatus.InProgress) allowed.Add(CaseAction.Handle);
        if ((team || reporter) && s == CaseStatus.Handled) allowed.Add(CaseAction.Verify);
        if (team && s == CaseStatus.Verified) allowed.Add(CaseAction.Close);
        if (reporter && Rating is null && s is CaseStatus.Handled or CaseStatus.Verified or CaseStatus.Closed) allowed.Add(CaseAction.Rate);
        if (reporter && s is CaseStatus.Handled or CaseStatus.Verified or CaseStatus.Closed && (ClosedAt ?? HandledAt) is { } done && now - done <= ReopenWindow)
            allowed.Add(CaseAction.Reopen);
        if (staff && s.IsOpen()) allowed.Add(CaseAction.Transfer);
        if (team && s.IsOpen() && Level.Above() is not null) allowed.Add(CaseAction.Escalate);
        if ((reporter || actor.Relation is CaseRelation.Follower) && s.IsOpen() && (LastRemindedAt is null || now - LastRemindedAt >= RemindInterval))
            allowed.Add(CaseAction.Remind);
        if (actor.Relation is CaseRelation.Neighbour && !Private && s.IsOpen()) allowed.Add(CaseAction.MeToo);
        if ((staff || reporter) && s != CaseStatus.Closed) allowed.Add(CaseAction.Comment);
        if (staff && s is CaseStatus.Handled or CaseStatus.Verified or CaseStatus.Closed) allowed.Add(CaseAction.FollowUp);
        if ((IsReportStage(actor) && ReportPhotos < MaxPhotosPerStage)
            || (team && s is CaseStatus.Dispatched or CaseStatus.InProgress or CaseStatus.Handled && HandlingPhotos < MaxPhotosPerStage))
            allowed.Add(CaseAction.AddPhoto);
        return allowed;
    }

    public void Accept(CaseActor actor, DateTimeOffset now, string? note = null)
    {
        Require(CaseAction.Accept, actor, now);
        var text = Note(note);
        AcceptedAt ??= now;
        Move(now, actor, CaseEventKind.Accepted, CaseStatus.Accepted, text);
    }

    public void Reject(CaseActor actor, string reason, DateTimeOffset now)
    {
        Require(CaseAction.Reject, actor, now);
        RejectReason = Note(reason, required: true);
        ClosedAt = now;
        Move(now, actor, CaseEventKind.Rejected, CaseStatus.Rejected, RejectReason);
    }

    /// <summary>Assigns a handler from the team (the caller checks they belong to it).</summary>
    public void Dispatch(CaseActor actor, int assigneeUserId, string assigneeName, DateTimeOffset now, string? note = null)
    {
        Require(CaseAction.Dispatch, actor, now);
        if (assigneeUserId <= 0 || string.IsNullOrWhiteSpace(assigneeName)) throw new DomainException("Choose who handles it.", "assigneeUserId");
        var text = Note(note);
        AssigneeUserId = assigneeUserId;
        AssigneeName = NameOf(assigneeName);
        // The person sent goes on the entry for everyone to read; the dispatcher's note stays with the staff.
        Move(now, actor, CaseEventKind.Dispatched, CaseStatus.Dispatched, text, subject: AssigneeName);
    }

    public void Grab(CaseActor actor, DateTimeOffset now)
    {
        Require(CaseAction.Grab, actor, now);
        AssigneeUserId = actor.UserId;
        AssigneeName = NameOf(actor.Name);
        Move(now, actor, CaseEventKind.Grabbed, CaseStatus.Dispatched, null);
    }

    public void Start(CaseActor actor, DateTimeOffset now, string? note = null)
    {
        Require(CaseAction.Start, actor, now);
        Move(now, actor, CaseEventKind.Started, CaseStatus.InProgress, Note(note));
    }

    /// <summary>The work is done; the feedback tells the reporter what was done.</summary>
    public void Handle(CaseActor actor, string feedback, DateTimeOffset now)
    {
        Require(CaseAction.Handle, actor, now);
        ArgumentNullException.ThrowIfNull(actor);
        Resolution = Note(feedback, required: true);
        HandledAt = now;
        OverdueSince = null;
        if (AssigneeUserId is null) { AssigneeUserId = actor.UserId; AssigneeName = NameOf(actor.Name); }
        Move(now, actor, CaseEventKind.Handled, CaseStatus.Handled, Resolution);
    }

    /// <summary>The reporter confirms it is fixed, or staff confirm it on a follow-up.</summary>
    public void Verify(CaseActor actor, DateTimeOffset now, string? note = null)
    {
        Require(CaseAction.Verify, actor, now);
        Move(now, actor, CaseEventKind.Verified, CaseStatus.Verified, Note(note));
    }

    public void Close(CaseActor actor, DateTimeOffset now, string? note = null)
    {
        Require(CaseAction.Close, actor, now);
        var text = Note(note);
        ClosedAt = now;
        Move(now, actor, CaseEventKind.Closed, CaseStatus.Closed, text);
    }

    /// <summary>1–5 stars from the reporter; rating a handled case also confirms it.</summary>
    public void Rate(CaseActor actor, int stars, string? comment, DateTimeOffset now)
    {
        Require(CaseAction.Rate, actor, now);
        if (stars is < 1 or > 5) throw new DomainException("Give 1 to 5 stars.", "rating");
        RatingComment = Note(comment);
        Rating = stars;
        if (Status == CaseStatus.Handled) Move(now, actor, CaseEventKind.Verified, CaseStatus.Verified, null);
        Record(now, actor, CaseEventKind.Rated, null, null, $"{stars}★" + (RatingComment is null ? "" : " " + RatingComment));
    }

    public void Reopen(CaseActor actor, string reason, CaseCategory category, DateTimeOffset now)
    {
        Require(CaseAction.Reopen, actor, now);
        ArgumentNullException.ThrowIfNull(category);
        var why = Note(reason, required: true);
        ReopenCount++;
        HandledAt = null;
        ClosedAt = null;
        Rating = null;
        RatingComment = null;
        StartSla(category, now, responseDone: true);
        Move(now, actor, CaseEventKind.Reopened, AssigneeUserId is null ? CaseStatus.Accepted : CaseStatus.Dispatched, why);
    }

    /// <summary>Sends the case to another team's queue; they must accept it again, with a fresh SLA.</summary>
    public void Transfer(CaseActor actor, HandlingLevel to, int? organizationId, string reason, CaseCategory category, DateTimeOffset now)
    {
        Require(CaseAction.Transfer, actor, now);
        ArgumentNullException.ThrowIfNull(category);
        if (to == Level) throw new DomainException("It is with that team already.", "level");
        var why = Note(reason, required: true);
        HandOver(to, organizationId, category, now);
        Move(now, actor, CaseEventKind.Transferred, CaseStatus.Reported, $"{to}: {why}");
    }

    /// <summary>Sends the case up one level (by hand, or by the SLA timer on breach).</summary>
    public void Escalate(CaseActor actor, string reason, CaseCategory category, DateTimeOffset now)
    {
        if (actor?.Relation != CaseRelation.System) Require(CaseAction.Escalate, actor!, now);
        // The platform bypasses the people's table, not the state: a finished case stays finished.
        else if (!Status.IsOpen()) throw new CaseActionNotAllowedException(CaseAction.Escalate, Status);
        ArgumentNullException.ThrowIfNull(category);
        var up = Level.Above() ?? throw new DomainException("The district is the top of the hierarchy.", "level");
        var why = Note(reason, required: true);
        EscalationCount++;
        HandOver(up, null, category, now);
        Move(now, actor!, CaseEventKind.Escalated, CaseStatus.Reported, $"{up}: {why}");
    }

    public void Remind(CaseActor actor, DateTimeOffset now, string? note = null)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor.Relation is CaseRelation.Reporter or CaseRelation.Follower && Status.IsOpen() && LastRemindedAt is { } last && now - last < RemindInterval)
            throw new LimitExceededException("They were reminded less than an hour ago; you can remind again later.", "remind");
        Require(CaseAction.Remind, actor, now);
        var text = Note(note);
        LastRemindedAt = now;
        RemindCount++;
        Record(now, actor, CaseEventKind.Reminded, null, null, text);
        Touch(now);
    }

    /// <summary>A neighbour has the same problem: one case, a count of the people it affects; they follow it from now on.</summary>
    public CaseFollower JoinAsNeighbour(CaseActor actor, int? roomId, DateTimeOffset now)
    {
        Require(CaseAction.MeToo, actor, now);
        MeTooCount++;
        Record(now, actor, CaseEventKind.JoinedByNeighbour, null, null, null);
        Touch(now);
        return new CaseFollower(Id, actor.UserId, roomId, now);
    }

    public void Comment(CaseActor actor, string text, DateTimeOffset now)
    {
        Require(CaseAction.Comment, actor, now);
        Record(now, actor, CaseEventKind.Commented, null, null, Note(text, required: true));
        Touch(now);
    }

    /// <summary>回访: staff call or visit the reporter after handling and note what they said.</summary>
    public void FollowUp(CaseActor actor, string note, DateTimeOffset now)
    {
        Require(CaseAction.FollowUp, actor, now);
        Record(now, actor, CaseEventKind.FollowedUp, null, null, Note(note, required: true));
        Touch(now);
    }

    /// <summary>Counts a photo against its stage's limit, writes it on the timeline and says which stage it belongs to.</summary>
    public PhotoStage AddPhoto(CaseActor actor, DateTimeOffset now)
    {
        Require(CaseAction.AddPhoto, actor, now);
        var stage = IsReportStage(actor) ? PhotoStage.Report : PhotoStage.Handling;
        if (stage == PhotoStage.Report) ReportPhotos++;
        else HandlingPhotos++;
        Record(now, actor, CaseEventKind.PhotoAdded, null, null, null);
        Touch(now);
        return stage;
    }

    /// <summary>
    /// Photos with the report come from whoever reported it, while it is still unaccepted: a resident's household, or the
    /// grid worker who filed a patrol finding (who is also on the team that will handle it).
    /// </summary>
    bool IsReportStage(CaseActor actor) =>
        Status == CaseStatus.Reported && (actor.Relation == CaseRelation.Reporter || (ReporterUserId is { } r && r == actor.UserId && actor.UserId != 0));

    /// <summary>
    /// An SLA timer came due. It acts only if it belongs to the current round and the deadline still matters: a passed
    /// response deadline needs the case unaccepted, a resolution deadline needs it unhandled. Returns whether it escalated.
    /// </summary>
    public bool SlaDue(CaseTimer timer, CaseCategory category, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(timer);
        if (timer.Round != SlaRound || !Status.IsOpen()) return false;
        if (timer.Kind == SlaKind.Response && Status != CaseStatus.Reported) return false;
        // Both deadlines passed before either timer fired (a node was down, or two nodes fire them at once, in either
        // order): the first deadline missed is the one recorded, whichever timer comes first.
        var missed = timer.Kind == SlaKind.Resolution && Status == CaseStatus.Reported && ResponseDueAt <= now ? SlaKind.Response : timer.Kind;
        var kind = missed == SlaKind.Response ? CaseEventKind.ResponseOverdue : CaseEventKind.ResolutionOverdue;
        if (missed == SlaKind.Response) ResponseBreached = true; else ResolutionBreached = true;
        OverdueSince ??= now;
        Record(now, CaseActor.Platform, kind, null, null, null);
        if (Level.Above() is null) { Touch(now); return false; }
        Escalate(CaseActor.Platform, missed == SlaKind.Response ? "not accepted in time" : "not handled in time", category, now);
        return true;
    }

    void HandOver(HandlingLevel to, int? organizationId, CaseCategory category, DateTimeOffset now)
    {
        Level = to;
        OrganizationId = to == HandlingLevel.Property ? organizationId ?? OrganizationId : OrganizationId;
        AssigneeUserId = null;
        AssigneeName = null;
        OverdueSince = null;
        StartSla(category, now);
    }

    void StartSla(CaseCategory category, DateTimeOffset now, bool responseDone = false)
    {
        SlaRound++;
        ResponseDueAt = now.AddMinutes(category.ResponseMinutes);
        ResolutionDueAt = now.AddMinutes(category.ResolutionMinutes);
        if (!responseDone) _timers.Add(new CaseTimer(this, SlaKind.Response, ResponseDueAt, SlaRound));
        _timers.Add(new CaseTimer(this, SlaKind.Resolution, ResolutionDueAt, SlaRound));
    }

    void Require(CaseAction action, CaseActor actor, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!AllowedActions(actor, now).Contains(action))
            throw new CaseActionNotAllowedException(action, Status);
    }

    void Move(DateTimeOffset now, CaseActor actor, CaseEventKind kind, CaseStatus to, string? note, string? subject = null)
    {
        var from = Status;
        Status = to;
        Finished = to is CaseStatus.Closed or CaseStatus.Rejected;
        Record(now, actor, kind, from, to, note, subject);
        Touch(now);
    }

    void Touch(DateTimeOffset now)
    {
        UpdatedAt = now;
        Version++;
    }

    void Record(DateTimeOffset now, CaseActor actor, CaseEventKind kind, CaseStatus? from, CaseStatus? to, string? note, string? subject = null)
    {
        _events.Add(new CaseEvent(this, now, actor, kind, from, to, note, subject));
        // The last step of a change names it (an SLA breach that escalates is "escalated"); its state is taken at the save.
        _change = (kind, actor == CaseActor.Platform, now);
    }

    (CaseEventKind Kind, bool ByPlatform, DateTimeOffset At)? _change;

    public bool HasPendingEvents => _change is not null;

    public IReadOnlyList<IDomainEvent> TakeEvents()
    {
        if (_change is not { } change) return [];
        _change = null;
        var overdue = OverdueSince is not null || (Status.IsOpen() && ResolutionDueAt < change.At);
        return [new CaseChanged(Id, change.Kind, change.ByPlatform, Status, Level, DistrictId, StreetId, CommunityId, GridId, ReporterRoomId,
            MeTooCount, overdue, change.At)];
    }

    /// <summary>An account's display name may be longer than the name kept on a case; the start is enough to recognise it.</summary>
    internal static string NameOf(string name) => name.Length > NameMaxLength ? name[..NameMaxLength] : name;

    /// <summary>
    /// Every free text of an action (reason, feedback, rating comment) is the one <c>note</c> field of the request, so an
    /// error names the field the client actually sent.
    /// </summary>
    static string? Note(string? text, bool required = false)
    {
        var t = string.IsNullOrWhiteSpace(text) ? null : text.Trim();
        if (required && t is null) throw new DomainException("Please write a few words.", "note");
        if (t?.Length > NoteMaxLength) throw new DomainException("At most 1000 characters.", "note");
        return t;
    }
}

/// <summary>An action the case's state or the actor's relation to it does not allow (409 Conflict at the API).</summary>
public sealed class CaseActionNotAllowedException(CaseAction action, CaseStatus status)
    : ConflictException($"{action} is not possible for you on a case that is {status}.", "action")
{
    public CaseAction Action { get; } = action;
    public CaseStatus Status { get; } = status;
}

/// <summary>One line of a case's timeline: who did what when, and the note they left.</summary>
public sealed class CaseEvent : ScopedEntity
{
    public long Id { get; private set; }
    public long CaseId { get; private set; }
    public DateTimeOffset At { get; private set; }
    public int ActorUserId { get; private set; }
    public string ActorName { get; private set; } = "";
    public CaseEventKind Kind { get; private set; }
    public CaseStatus? FromStatus { get; private set; }
    public CaseStatus? ToStatus { get; private set; }
    public string? Note { get; private set; }
    /// <summary>Whom the step concerns, by name: the person sent (dispatch). Shown to the reporter, unlike most notes.</summary>
    public string? Subject { get; private set; }

    CaseEvent() { }

    internal CaseEvent(Case c, DateTimeOffset at, CaseActor actor, CaseEventKind kind, CaseStatus? from, CaseStatus? to, string? note, string? subject = null)
    {
        PlaceIn(c);
        Case = c;
        At = at;
        ActorUserId = actor.UserId;
        ActorName = Case.NameOf(actor.Name);
        Kind = kind;
        FromStatus = from;
        ToStatus = to;
        Note = note;
        Subject = subject;
    }

    /// <summary>Set for new entries so EF fills <see cref="CaseId"/> from the new case's key.</summary>
    public Case? Case { get; private set; }
}

public enum SlaKind { Response, Resolution }

/// <summary>
/// A durable SLA deadline. Stored so it survives a restart; claimed by deleting it in the transaction that acts on it,
/// so it fires exactly once even with several web nodes.
/// </summary>
public sealed class CaseTimer
{
    public long Id { get; private set; }
    public long CaseId { get; private set; }
    public SlaKind Kind { get; private set; }
    public DateTimeOffset DueAt { get; private set; }
    public int Round { get; private set; }
    public Case? Case { get; private set; }

    CaseTimer() { }

    internal CaseTimer(Case c, SlaKind kind, DateTimeOffset dueAt, int round)
    {
        Case = c;
        Kind = kind;
        DueAt = dueAt;
        Round = round;
    }

    /// <summary>A timer read back from storage.</summary>
    public CaseTimer(long id, long caseId, SlaKind kind, DateTimeOffset dueAt, int round)
    {
        Id = id;
        CaseId = caseId;
        Kind = kind;
        DueAt = dueAt;
        Round = round;
    }
}

/// <summary>A neighbour who joined a case with "me too" and follows it in their own list.</summary>
public sealed class CaseFollower
{
    public long Id { get; private set; }
    public long CaseId { get; private set; }
    public int UserId { get; private set; }
    public int? RoomId { get; private set; }
    public DateTimeOffset At { get; private set; }

    CaseFollower() { }

    public CaseFollower(long caseId, int userId, int? roomId, DateTimeOffset at)
    {
        CaseId = caseId;
        UserId = userId;
        RoomId = roomId;
        At = at;
    }
}

public enum PhotoStage { Report, Handling }

/// <summary>A photo on a case. The file lives outside the database; the row holds where and what it is.</summary>
public sealed class CaseAttachment : ScopedEntity
{
    public const int PathMaxLength = 200;
    public const long MaxBytes = 8 * 1024 * 1024;

    public long Id { get; private set; }
    public long CaseId { get; private set; }
    public PhotoStage Stage { get; private set; }
    public string StoragePath { get; private set; } = "";
    public string ContentType { get; private set; } = "";
    public long Length { get; private set; }
    public int UploadedBy { get; private set; }
    public DateTimeOffset At { get; private set; }

    CaseAttachment() { }

    public CaseAttachment(Case c, PhotoStage stage, string storagePath, string contentType, long length, int uploadedBy, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(c);
        PlaceIn(c);
        CaseId = c.Id;
        Stage = stage;
        StoragePath = storagePath;
        ContentType = contentType;
        Length = length;
        UploadedBy = uploadedBy;
        At = at;
    }
}

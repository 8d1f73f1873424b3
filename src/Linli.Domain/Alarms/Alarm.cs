using Linli.Domain.Common;
using Linli.Domain.Identity;

namespace Linli.Domain.Alarms;

/// <summary>active → acknowledged → cleared → closed. A cleared alarm nobody acknowledged still needs someone to look.</summary>
public enum AlarmStatus { Active, Acknowledged, Cleared, Closed }

/// <summary>Who is called, in order, while nobody acknowledges. The family comes first when the alarm concerns a person.</summary>
public enum EscalationLevel { FamilyContact, GridWorker, PropertyDutyRoom, CommunityAdmin }

/// <summary>What a person on duty can do to an alarm; <see cref="Alarm.AllowedActions"/> says which, now.</summary>
public enum AlarmAction { Acknowledge, Assign, Clear, Close, Comment }

public enum AlarmEventKind { Raised, Repeated, Notified, Escalated, Reminded, Acknowledged, Assigned, Cleared, Closed, CaseOpened, Commented }

/// <summary>Who did something to an alarm: a user, or the platform (rules, timers).</summary>
public sealed record AlarmActor(int? UserId, string Name)
{
    public static readonly AlarmActor Platform = new(null, "platform");
}

/// <summary>Where and about whom an alarm is: the device's place, or the resident's room for an SOS press on a page.</summary>
public sealed record AlarmSubject(int DistrictId, int StreetId, int CommunityId, int GridId, long? DeviceId, int? ResidentId,
    int? RoomId, int? BuildingId, int? FacilityId, int PlanX, int PlanY, string PlaceLabel)
{
    public PlaceKeys Keys => new(DistrictId, StreetId, CommunityId, GridId);
}

/// <summary>
/// An alarm with its lifecycle and escalation. One alarm stays open per rule and device: the rule firing again while it
/// is open counts a repeat. Until someone acknowledges, a durable timer calls the next level of <see cref="EscalationLevel"/>
/// every <see cref="AckWithinSeconds"/>, and after the last level reminds everyone again.
/// </summary>
public sealed class Alarm : ScopedEntity, IHasDomainEvents
{
    public const int TitleMaxLength = 100;
    public const int DetailMaxLength = 500;
    public const int NoteMaxLength = 500;
    public const int PlaceMaxLength = 100;
    public const int MaxReminders = 30;

    readonly List<AlarmEvent> _events = [];
    readonly List<AlarmTimer> _timers = [];

    public long Id { get; private set; }
    public AlarmKind Kind { get; private set; }
    public AlarmSeverity Severity { get; private set; }
    public string Title { get; private set; } = "";
    public string? Detail { get; private set; }
    public long? RuleId { get; private set; }
    public long? DeviceId { get; private set; }
    public int? ResidentId { get; private set; }
    public int? RoomId { get; private set; }
    public int? BuildingId { get; private set; }
    public int? FacilityId { get; private set; }
    public int PlanX { get; private set; }
    public int PlanY { get; private set; }
    public string PlaceLabel { get; private set; } = "";
    public AlarmStatus Status { get; private set; }
    /// <summary>Active or acknowledged: the one alarm a rule's repeats go to. Stored for the unique index that enforces it.</summary>
    public bool Open { get; private set; }
    public DateTimeOffset RaisedAt { get; private set; }
    public DateTimeOffset LastRaisedAt { get; private set; }
    public int RepeatCount { get; private set; }
    public DateTimeOffset? AcknowledgedAt { get; private set; }
    public string? AcknowledgedBy { get; private set; }
    public int? AssignedUserId { get; private set; }
    public string? AssignedName { get; private set; }
    public DateTimeOffset? ClearedAt { get; private set; }
    public DateTimeOffset? ClosedAt { get; private set; }
    public string? ClosedBy { get; private set; }
    public EscalationLevel Level { get; private set; }
    public int Reminders { get; private set; }
    public int AckWithinSeconds { get; private set; }
    /// <summary>Bumped whenever the escalation clock restarts or stops; a timer of an older round does nothing.</summary>
    public int Round { get; private set; }
    public long? CaseId { get; private set; }
    public int Version { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    public IReadOnlyList<AlarmEvent> Events => _events;
    public IReadOnlyList<AlarmTimer> Timers => _timers;

    Alarm() { }

    public static Alarm Raise(AlarmKind kind, AlarmSeverity severity, string title, string? detail, long? ruleId, AlarmSubject subject,
        int ackWithinSeconds, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(subject);
        title = (title ?? "").Trim();
        if (title.Length == 0) throw new DomainException("A title is required.", "title");
        if (ackWithinSeconds is < AlarmRule.MinAckSeconds or > AlarmRule.MaxAckSeconds)
            throw new DomainException("Acknowledge-within is out of range.", "ackWithinSeconds");
        var a = new Alarm
        {
            Kind = kind,
            Severity = severity,
            Title = Cut(title, TitleMaxLength),
            Detail = detail is null ? null : Cut(detail.Trim(), DetailMaxLength),
            RuleId = ruleId,
            DeviceId = subject.DeviceId,
            ResidentId = subject.ResidentId,
            RoomId = subject.RoomId,
            BuildingId = subject.BuildingId,
            FacilityId = subject.FacilityId,
            PlanX = subject.PlanX,
            PlanY = subject.PlanY,
            PlaceLabel = Cut(subject.PlaceLabel ?? "", PlaceMaxLength),
            Status = AlarmStatus.Active,
            Open = true,
            RaisedAt = now,
            LastRaisedAt = now,
            RepeatCount = 1,
            AckWithinSeconds = ackWithinSeconds,
        };
        a.PlaceIn(subject.Keys);
        a.Level = a.LevelAtOnce;
        a.Record(now, AlarmActor.Platform, AlarmEventKind.Raised, null);
        a.StartClock(now);
        return a;
    }

    /// <summary>The family is called first only when the alarm is about a person or their home.</summary>
    public bool ConcernsAPerson => ResidentId is not null || RoomId is not null;

    /// <summary>A welfare check is the grid worker's visit to make, so it starts with them rather than the family.</summary>
    EscalationLevel FirstLevel => ConcernsAPerson && Kind != AlarmKind.Welfare ? EscalationLevel.FamilyContact : EscalationLevel.GridWorker;

    /// <summary>
    /// The level called when the alarm is raised, with every level before it. A critical alarm about a person (an SOS, smoke
    /// in a home) calls the family and the staff on duty for the place, the grid worker and the property duty room, at the
    /// same moment: the family may be out of reach, and help must not wait a round for them. Others start at their first level.
    /// </summary>
    EscalationLevel LevelAtOnce => FirstLevel == EscalationLevel.FamilyContact && Severity == AlarmSeverity.Critical
        ? EscalationLevel.PropertyDutyRoom : FirstLevel;

    public bool NeedsAcknowledgement => AcknowledgedAt is null && Status != AlarmStatus.Closed;

    /// <summary>What may be done to the alarm now, in the order the pages offer it. The methods below refuse the rest.</summary>
    public IReadOnlyList<AlarmAction> AllowedActions() => ActionsAllowedIn(Status, AcknowledgedAt is not null);

    /// <summary>
    /// <see cref="AllowedActions"/> for a copy of an alarm's state (a page holds the alarm as a view, not the aggregate):
    /// a closed alarm takes only comments; an open one can be cleared; until someone acknowledges, acknowledging comes first.
    /// </summary>
    public static IReadOnlyList<AlarmAction> ActionsAllowedIn(AlarmStatus status, bool acknowledged)
    {
        if (status == AlarmStatus.Closed) return [AlarmAction.Comment];
        List<AlarmAction> actions = [];
        if (!acknowledged) actions.Add(AlarmAction.Acknowledge);
        actions.Add(AlarmAction.Assign);
        if (status is AlarmStatus.Active or AlarmStatus.Acknowledged) actions.Add(AlarmAction.Clear);
        actions.Add(AlarmAction.Close);
        actions.Add(AlarmAction.Comment);
        return actions;
    }

    /// <summary>Whether one of the community's people on duty may take this alarm (see <see cref="MayBeTakenBy(Role, int, int)"/>).</summary>
    public bool MayBeTakenBy(Role role, int nodeId) => MayBeTakenBy(role, nodeId, GridId);

    /// <summary>
    /// Of a community's people on duty, a grid worker takes only the alarms of their own grid (their node); property staff
    /// and community admins take any.
    /// </summary>
    public static bool MayBeTakenBy(Role role, int nodeId, int alarmGridId) => role != Role.GridWorker || nodeId == alarmGridId;

    /// <summary>The levels called so far, first to current: each is reminded when a later one is called.</summary>
    public IEnumerable<EscalationLevel> CalledLevels()
    {
        for (var l = FirstLevel; l <= Level; l++) yield return l;
    }

    /// <summary>The rule fired again while this alarm is open.</summary>
    public void Repeat(string? detail, DateTimeOffset now)
    {
        if (!Open) throw new InvalidOperationException("Only an open alarm counts repeats.");
        RepeatCount++;
        LastRaisedAt = now;
        if (detail is not null) Detail = Cut(detail.Trim(), DetailMaxLength);
        Record(now, AlarmActor.Platform, AlarmEventKind.Repeated, null);
    }

    public void Acknowledge(AlarmActor actor, string? note, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(actor);
        CheckNote(note);
        if (AcknowledgedAt is not null || Status == AlarmStatus.Closed)
            throw new ConflictException("This alarm has already been acknowledged.");
        AcknowledgedAt = now;
        AcknowledgedBy = actor.Name;
        if (Status == AlarmStatus.Active) Status = AlarmStatus.Acknowledged;
        StopClock();
        Record(now, actor, AlarmEventKind.Acknowledged, note);
    }

    public void Assign(AlarmActor actor, int userId, string name, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (Status == AlarmStatus.Closed) throw new ConflictException("This alarm is closed.");
        AssignedUserId = userId;
        AssignedName = name;
        Record(now, actor, AlarmEventKind.Assigned, name);
    }

    /// <summary>The condition went away (or someone cleared it by hand). Escalation goes on if nobody has acknowledged.</summary>
    public void Clear(AlarmActor actor, string? note, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(actor);
        CheckNote(note);
        if (!Open) throw new ConflictException("Only an active or acknowledged alarm can be cleared.");
        Status = AlarmStatus.Cleared;
        Open = false;
        ClearedAt = now;
        Record(now, actor, AlarmEventKind.Cleared, note);
    }

    /// <summary>Someone has dealt with it. Closing an alarm nobody acknowledged acknowledges it too.</summary>
    public void Close(AlarmActor actor, string? note, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(actor);
        CheckNote(note);
        if (Status == AlarmStatus.Closed) throw new ConflictException("This alarm is already closed.");
        if (AcknowledgedAt is null)
        {
            AcknowledgedAt = now;
            AcknowledgedBy = actor.Name;
        }
        ClearedAt ??= now;
        Status = AlarmStatus.Closed;
        Open = false;
        ClosedAt = now;
        ClosedBy = actor.Name;
        StopClock();
        Record(now, actor, AlarmEventKind.Closed, note);
    }

    public void Comment(AlarmActor actor, string note, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (string.IsNullOrWhiteSpace(note)) throw new DomainException("A note is required.", "note");
        Record(now, actor, AlarmEventKind.Commented, note);
    }

    public void LinkCase(long caseId, DateTimeOffset now)
    {
        if (CaseId is not null) throw new ConflictException("A case is already open for this alarm.");
        CaseId = caseId;
        Record(now, AlarmActor.Platform, AlarmEventKind.CaseOpened, $"#{caseId}");
    }

    /// <summary>Writes who was told and how (the timeline shows it), without changing the alarm's state.</summary>
    /// <remarks>Leaves <see cref="Version"/> alone: a note of who was told must not make a person's acknowledgement at the
    /// same moment fail as a conflicting change.</remarks>
    public void Notified(string whom, string channel, DateTimeOffset now) =>
        _events.Add(new AlarmEvent(this, now, AlarmActor.Platform, AlarmEventKind.Notified, Cut($"{whom} · {channel}", NoteMaxLength)));

    /// <summary>
    /// An escalation timer came due. Returns true when someone must be called: the next level, or after the last level a
    /// reminder to all. A timer from an older round, or an alarm someone acknowledged, does nothing.
    /// </summary>
    public bool EscalationDue(AlarmTimer timer, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(timer);
        if (timer.Round != Round || !NeedsAcknowledgement) return false;
        if (Level < EscalationLevel.CommunityAdmin)
        {
            Level++;
            Record(now, AlarmActor.Platform, AlarmEventKind.Escalated, Level.ToString());
        }
        else
        {
            if (Reminders >= MaxReminders) return false;
            Reminders++;
            Record(now, AlarmActor.Platform, AlarmEventKind.Reminded, Reminders.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        StartClock(now);
        return true;
    }

    /// <summary>
    /// Nobody could be called at the levels called so far (no account, no number on file): the next level is called now
    /// rather than when the acknowledge time runs out. False when there is no next level or the alarm needs nobody now.
    /// </summary>
    public bool NobodyToCall(DateTimeOffset now)
    {
        if (!NeedsAcknowledgement || Level >= EscalationLevel.CommunityAdmin) return false;
        Level++;
        Record(now, AlarmActor.Platform, AlarmEventKind.Escalated, Level.ToString());
        StartClock(now);
        return true;
    }

    void StartClock(DateTimeOffset now)
    {
        Round++;
        _timers.Add(new AlarmTimer(this, now.AddSeconds(AckWithinSeconds), Round));
    }

    void StopClock() => Round++;

    // Checked before a transition changes anything, so a refused note leaves the alarm as it was.
    static void CheckNote(string? note)
    {
        if (note is { Length: > NoteMaxLength }) throw new DomainException($"A note is at most {NoteMaxLength} characters.", "note");
    }

    void Record(DateTimeOffset now, AlarmActor actor, AlarmEventKind kind, string? note)
    {
        CheckNote(note);
        _events.Add(new AlarmEvent(this, now, actor, kind, string.IsNullOrWhiteSpace(note) ? null : note.Trim()));
        Version++;
        UpdatedAt = now;
        _change = (kind, now);
    }

    (AlarmEventKind Kind, DateTimeOffset At)? _change;

    public bool HasPendingEvents => _change is not null;

    public IReadOnlyList<IDomainEvent> TakeEvents()
    {
        if (_change is not { } change) return [];
        _change = null;
        return [new AlarmChanged(Id, change.Kind, Kind, Severity, Status, Title, Detail, PlaceLabel, PlanX, PlanY, DistrictId, StreetId, CommunityId,
            GridId, RoomId, DeviceId, ResidentId, ConcernsAPerson, RuleId, CaseId, RaisedAt, LastRaisedAt, RepeatCount, Level, AcknowledgedBy,
            AcknowledgedAt, AssignedName, ClearedAt, ClosedAt, NeedsAcknowledgement, change.At)];
    }

    static string Cut(string s, int max) => s.Length <= max ? s : s[..max];
}

/// <summary>One line of an alarm's timeline.</summary>
public sealed class AlarmEvent
{
    public long Id { get; private set; }
    public long AlarmId { get; private set; }
    public DateTimeOffset At { get; private set; }
    public AlarmEventKind Kind { get; private set; }
    public int? UserId { get; private set; }
    public string ActorName { get; private set; } = "";
    public string? Note { get; private set; }

    AlarmEvent() { }

    internal AlarmEvent(Alarm alarm, DateTimeOffset at, AlarmActor actor, AlarmEventKind kind, string? note)
    {
        AlarmId = alarm.Id;
        At = at;
        Kind = kind;
        UserId = actor.UserId;
        ActorName = actor.Name;
        Note = note;
    }
}

/// <summary>A durable escalation deadline (see <see cref="Alarm.EscalationDue"/>); claimed exactly once like a case's SLA timer.</summary>
public sealed class AlarmTimer
{
    public long Id { get; private set; }
    public long AlarmId { get; private set; }
    public DateTimeOffset DueAt { get; private set; }
    public int Round { get; private set; }

    AlarmTimer() { }

    internal AlarmTimer(Alarm alarm, DateTimeOffset dueAt, int round)
    {
        AlarmId = alarm.Id;
        DueAt = dueAt;
        Round = round;
    }

    public AlarmTimer(long id, long alarmId, DateTimeOffset dueAt, int round)
    {
        Id = id;
        AlarmId = alarmId;
        DueAt = dueAt;
        Round = round;
    }
}

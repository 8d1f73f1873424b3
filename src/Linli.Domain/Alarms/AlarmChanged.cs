using Linli.Domain.Common;

namespace Linli.Domain.Alarms;

/// <summary>
/// An alarm changed (raised, repeated, escalated, acknowledged …): one event per alarm and saved change, with the alarm as
/// it stands, so the live view, the people of the escalation chain and the webhooks need not read it again.
/// </summary>
public sealed record AlarmChanged(long AlarmId, AlarmEventKind Kind, AlarmKind AlarmKind, AlarmSeverity Severity, AlarmStatus Status,
    string Title, string? Detail, string PlaceLabel, int PlanX, int PlanY, int DistrictId, int StreetId, int CommunityId, int GridId, int? RoomId,
    long? DeviceId, int? ResidentId, bool ConcernsAPerson, long? RuleId, long? CaseId, DateTimeOffset RaisedAt, DateTimeOffset LastRaisedAt,
    int RepeatCount, EscalationLevel Level, string? AcknowledgedBy, DateTimeOffset? AcknowledgedAt, string? AssignedName, DateTimeOffset? ClearedAt,
    DateTimeOffset? ClosedAt, bool NeedsAcknowledgement, DateTimeOffset At) : IDomainEvent
{
    /// <summary>The word live pages and webhooks carry: "raised", "repeated", "escalated", "caseOpened" …</summary>
    public string Change => Kind == AlarmEventKind.CaseOpened ? "caseOpened" : char.ToLowerInvariant(Kind.ToString()[0]) + Kind.ToString()[1..];

    /// <summary>Changes that call the people of the alarm's current escalation level(s).</summary>
    public bool CallsPeople => Kind is AlarmEventKind.Raised or AlarmEventKind.Escalated or AlarmEventKind.Reminded;
}

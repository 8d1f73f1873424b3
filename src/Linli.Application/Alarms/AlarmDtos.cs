using System.Text.Json;
using Linli.Domain.Alarms;
using Linli.Domain.Devices;

namespace Linli.Application.Alarms;

public sealed record AlarmDto(long Id, AlarmKind Kind, AlarmSeverity Severity, AlarmStatus Status, string Title, string? Detail, string PlaceLabel,
    int CommunityId, int GridId, long? DeviceId, int? ResidentId, int? RoomId, int PlanX, int PlanY, DateTimeOffset RaisedAt, DateTimeOffset LastRaisedAt,
    int RepeatCount, EscalationLevel Level, int Reminders, DateTimeOffset? AcknowledgedAt, string? AcknowledgedBy, int? AssignedUserId, string? AssignedName,
    DateTimeOffset? ClearedAt, DateTimeOffset? ClosedAt, long? CaseId, bool NeedsAcknowledgement, DateTimeOffset? NextEscalationAt);

public sealed record AlarmEventDto(DateTimeOffset At, AlarmEventKind Kind, string Actor, string? Note);

public sealed record AlarmDetailDto(AlarmDto Alarm, IReadOnlyList<AlarmEventDto> Timeline, IReadOnlyList<AlarmAction> Actions);

public sealed record AlarmRuleDto(long Id, string Name, AlarmKind Kind, AlarmSeverity Severity, DeviceType? DeviceType, long? DeviceId,
    JsonElement Condition, bool AutoClear, int AckWithinSeconds, bool OpensCase, bool Enabled, int DistrictId, int StreetId, int CommunityId, int Version);

/// <summary>A rule as its edit form starts: the rule and the code of its one device (null for a rule on a device type).</summary>
public sealed record AlarmRuleForEdit(AlarmRuleDto Rule, string? DeviceCode);

/// <summary>A rule; it is kept at the caller's node unless a community (or street) below it is named.</summary>
public sealed record AlarmRuleRequest(string? Name, AlarmKind? Kind, AlarmSeverity? Severity, DeviceType? DeviceType, string? DeviceCode,
    JsonElement? Condition, bool? AutoClear, int? AckWithinSeconds, bool? OpensCase, int? CommunityId, bool? Enabled);

public sealed record SosRequest(string? Note);

/// <summary>Alarms and rules as they go over the wire.</summary>
public static class AlarmDtos
{
    public static AlarmDto ToDto(Alarm a, IReadOnlyDictionary<long, DateTimeOffset>? timers)
    {
        ArgumentNullException.ThrowIfNull(a);
        DateTimeOffset? next = a.NeedsAcknowledgement && timers is not null && timers.TryGetValue(a.Id, out var due) ? due : null;
        return new(a.Id, a.Kind, a.Severity, a.Status, a.Title, a.Detail, a.PlaceLabel, a.CommunityId, a.GridId, a.DeviceId, a.ResidentId, a.RoomId,
            a.PlanX, a.PlanY, a.RaisedAt, a.LastRaisedAt, a.RepeatCount, a.Level, a.Reminders, a.AcknowledgedAt, a.AcknowledgedBy, a.AssignedUserId,
            a.AssignedName, a.ClearedAt, a.ClosedAt, a.CaseId, a.NeedsAcknowledgement, next);
    }

    public static AlarmRuleDto ToDto(AlarmRule r)
    {
        ArgumentNullException.ThrowIfNull(r);
        using var doc = JsonDocument.Parse(r.ConditionJson);
        return new(r.Id, r.Name, r.Kind, r.Severity, r.DeviceType, r.DeviceId, doc.RootElement.Clone(), r.AutoClear, r.AckWithinSeconds, r.OpensCase,
            r.Enabled, r.DistrictId, r.StreetId, r.CommunityId, r.Version);
    }
}

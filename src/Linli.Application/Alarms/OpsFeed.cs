using Linli.Domain.Alarms;
using Linli.Application.Common;
using Linli.Application.Live;

namespace Linli.Application.Alarms;

/// <summary>What the operations view hears about an alarm: enough to draw it on the plan and in the feed.</summary>
public sealed record AlarmLive(long Id, string Change, AlarmKind Kind, AlarmSeverity Severity, AlarmStatus Status, string Title,
    string? Detail, string PlaceLabel, int PlanX, int PlanY, int CommunityId, long? DeviceId, DateTimeOffset RaisedAt,
    DateTimeOffset LastRaisedAt, int RepeatCount, EscalationLevel Level, string? AcknowledgedBy, string? AssignedName, bool NeedsAcknowledgement);

/// <summary>Alarm changes and personal calls as the operations views hear them, through the live bus (every web node).</summary>
public sealed class OpsFeed(ILiveBus bus)
{
    public static AlarmLive ToLive(AlarmChanged a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new(a.AlarmId, a.Change, a.AlarmKind, a.Severity, a.Status, a.Title, a.Detail, a.PlaceLabel, a.PlanX, a.PlanY, a.CommunityId, a.DeviceId,
            a.RaisedAt, a.LastRaisedAt, a.RepeatCount, a.Level, a.AcknowledgedBy, a.AssignedName, a.NeedsAcknowledgement);
    }

    public Task AlarmChangedAsync(AlarmChanged a, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(a);
        var groups = LiveHubs.NodeGroups(a.GridId, a.CommunityId, a.StreetId, a.DistrictId);
        if (a.RoomId is { } room) groups.Add($"household:{room}");
        return bus.PublishAsync(new LiveMessage(LiveHubs.Ops, groups, "alarm", ToLive(a)), ct);
    }

    /// <summary>A personal message to one user (an alarm escalated to them), on whichever node their browser is.</summary>
    public Task ToUserAsync(int userId, string method, object payload, CancellationToken ct = default) =>
        bus.PublishAsync(new LiveMessage(LiveHubs.Ops, [LiveHubs.UserGroup(userId)], method, payload), ct);
}

/// <summary>Every alarm change reaches the operations views of the nodes above it and the household it concerns.</summary>
public sealed class AlarmLivePush(OpsFeed feed) : IDomainEventHandler<AlarmChanged>
{
    public Task HandleAsync(AlarmChanged e, CancellationToken ct) => feed.AlarmChangedAsync(e, ct);
}

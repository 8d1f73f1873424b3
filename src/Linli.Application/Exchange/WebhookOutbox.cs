using System.Text.Json;
using System.Text.Json.Serialization;
using Linli.Domain.Alarms;
using Linli.Domain.Common;
using Linli.Application.Common;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Exchange;

/// <summary>
/// What a webhook receives about an alarm. No personal data: an alarm about a person (SOS, welfare) is sent by its kind,
/// not its title (which names them), and the detail (free text, notes) is never sent.
/// </summary>
public sealed record AlarmWebhookPayload(string Event, long AlarmId, string Change, AlarmKind Kind, AlarmSeverity Severity, AlarmStatus Status,
    string Title, string Place, int DistrictId, int StreetId, int CommunityId, EscalationLevel Level, int RepeatCount, DateTimeOffset RaisedAt,
    DateTimeOffset LastRaisedAt, DateTimeOffset? AcknowledgedAt, DateTimeOffset? ClearedAt, DateTimeOffset? ClosedAt, DateTimeOffset SentAt);

/// <summary>Queues one delivery per matching webhook for every committed alarm change; the dispatcher sends them.</summary>
public sealed class WebhookOutbox(ILinliDb db, WebhookSignal signal, TimeProvider time) : IDomainEventHandler<AlarmChanged>
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public async Task HandleAsync(AlarmChanged a, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(a);
        var hooks = await db.Webhooks.AsNoTracking().Where(w => w.Active)
            .Where(new PlaceKeys(a.DistrictId, a.StreetId, a.CommunityId, a.GridId).CoveredByExpression<Webhook>()).ToListAsync(ct);
        hooks = hooks.Where(w => a.Severity >= w.MinSeverity).ToList();
        if (hooks.Count == 0) return;
        var now = time.GetUtcNow();
        var eventType = $"alarm.{a.Change}";
        var payload = JsonSerializer.Serialize(new AlarmWebhookPayload(eventType, a.AlarmId, a.Change, a.AlarmKind, a.Severity, a.Status,
            a.ConcernsAPerson && a.ResidentId is not null ? a.AlarmKind.ToString() : a.Title, a.PlaceLabel, a.DistrictId, a.StreetId, a.CommunityId, a.Level,
            a.RepeatCount, a.RaisedAt, a.LastRaisedAt, a.AcknowledgedAt, a.ClearedAt, a.ClosedAt, now), Json);
        foreach (var w in hooks) db.WebhookDeliveries.Add(new WebhookDelivery(w.Id, eventType, payload, now));
        await db.SaveChangesAsync(ct);
        signal.Pulse();
    }
}

/// <summary>Wakes the dispatcher when new outbox rows are written, so a delivery does not wait for the next poll.</summary>
public sealed class WebhookSignal
{
    readonly SemaphoreSlim _signal = new(0, 1);

    public void Pulse()
    {
        try { _signal.Release(); }
        catch (SemaphoreFullException) { }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}

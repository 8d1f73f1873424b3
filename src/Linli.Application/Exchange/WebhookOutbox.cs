using System.Text.Json;
using System.Text.Json.Serialization;
using Linli.Domain.Alarms;
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

/// <summary>Adds one outbox row per matching webhook for an alarm change; the dispatcher delivers them.</summary>
public sealed class WebhookOutbox(IServiceScopeFactory scopes, WebhookSignal signal, TimeProvider time)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public async Task AlarmChangedAsync(long alarmId, string change, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ILinliDb>();
        var a = await db.Alarms.IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(x => x.Id == alarmId, ct);
        if (a is null) return;
        // Webhooks are few per district; the covering test (like a rule's) is done here rather than in SQL.
        var hooks = await db.Webhooks.IgnoreQueryFilters().AsNoTracking()
            .Where(w => w.Active && w.DistrictId == a.DistrictId && (w.StreetId == 0 || w.StreetId == a.StreetId) && (w.CommunityId == 0 || w.CommunityId == a.CommunityId))
            .ToListAsync(ct);
        hooks = hooks.Where(w => a.Severity >= w.MinSeverity).ToList();
        if (hooks.Count == 0) return;
        var now = time.GetUtcNow();
        var eventType = $"alarm.{change}";
        var payload = JsonSerializer.Serialize(new AlarmWebhookPayload(eventType, a.Id, change, a.Kind, a.Severity, a.Status,
            a.ConcernsAPerson && a.ResidentId is not null ? a.Kind.ToString() : a.Title, a.PlaceLabel, a.DistrictId, a.StreetId, a.CommunityId, a.Level,
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

using System.Text.Json;
using Linli.Application.Cases;
using Linli.Application.Common;
using Linli.Domain.Alarms;
using Linli.Domain.Cases;
using Linli.Domain.Common;
using Linli.Domain.Exchange;
using Linli.Domain.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Linli.Application.Exchange.Hierarchy;

/// <summary>The administrative codes and names of places, as the higher platform knows them.</summary>
public sealed class ExchangePlaces(ILinliDb db)
{
    public sealed record Community(int Id, string Code, string Name, string StreetCode);

    /// <summary>A community of the installation with its street's code; read past the caller's scope: codes are the shared reference.</summary>
    public async Task<Community?> CommunityAsync(int communityId, CancellationToken ct)
    {
        var community = await db.UnscopedNodes().AsNoTracking().Where(n => n.Id == communityId && n.Kind == NodeKind.Community)
            .Select(n => new { n.Id, n.Code, n.Name, n.StreetId }).FirstOrDefaultAsync(ct);
        if (community is null) return null;
        var street = await db.UnscopedNodes().AsNoTracking().Where(n => n.Id == community.StreetId).Select(n => n.Code).FirstOrDefaultAsync(ct);
        return new Community(community.Id, community.Code, community.Name, street ?? "");
    }

    /// <summary>The district, street, community or grid with this administrative code.</summary>
    public Task<HierarchyNode?> ByCodeAsync(string code, CancellationToken ct) =>
        db.UnscopedNodes().AsNoTracking().FirstOrDefaultAsync(n => n.Code == code, ct);
}

/// <summary>
/// Turns committed case and alarm changes into signed messages for the higher platform: one row of the upward outbox per
/// step that matters up there (a case created, escalated, closed; an alarm raised, escalated, acknowledged, cleared,
/// closed), sent by <see cref="UpstreamDispatcher"/>. The row's id is derived from the step, so an event delivered twice
/// (a crash between commit and delivery) queues its message once.
/// </summary>
public sealed class UpstreamOutbox(ILinliDb db, CaseRecords cases, ExchangePlaces places, UpstreamSignal signal, TimeProvider time,
    IOptions<ExchangeOptions> options) : IDomainEventHandler<CaseChanged>, IDomainEventHandler<AlarmChanged>
{
    public async Task HandleAsync(CaseChanged e, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (!options.Value.Pushes) return;
        var type = e.Kind switch
        {
            CaseEventKind.Reported => ExchangeTypes.CaseCreated,
            CaseEventKind.Escalated => ExchangeTypes.CaseEscalated,
            CaseEventKind.Closed or CaseEventKind.Rejected => ExchangeTypes.CaseClosed,
            _ => null,
        };
        if (type is null) return;
        var subject = $"case:{e.CaseId}";
        var id = ExchangeSigning.StableId(type, subject, e.At, e.Kind.ToString());
        if (await db.UpstreamPushes.AnyAsync(p => p.MessageId == id, ct)) return;
        if (await cases.FindAsync(e.CaseId, ct) is not { } c || await places.CommunityAsync(e.CommunityId, ct) is not { } community) return;
        var task = await db.InboundMessages.AsNoTracking().Where(m => m.CaseId == e.CaseId).Select(m => m.Reference).FirstOrDefaultAsync(ct);
        var closed = e.Kind is CaseEventKind.Closed or CaseEventKind.Rejected;
        // The step as it happened: status and level from the event, the rest (title, outcome, path) from the case.
        var data = new CaseData(c.Id, c.Title, c.CategoryCode, c.Kind.ToString(), c.Source.ToString(), e.Status.ToString(), e.Level.ToString(),
            community.Code, community.Name, c.Address, c.ReportedAt, c.HandledAt, closed ? c.ClosedAt ?? e.At : null,
            e.Kind == CaseEventKind.Rejected ? "Rejected" : e.Kind == CaseEventKind.Closed ? "Resolved" : null,
            closed ? c.Resolution : null, e.Kind == CaseEventKind.Rejected ? c.RejectReason : null, closed ? c.Rating : null,
            c.ResponseBreached || c.ResolutionBreached,
            c.Escalations.Where(s => s.At <= e.At).Select(s => new EscalationData(s.At, s.To.ToString(), s.Reason, s.ByPlatform)).ToList(), task);
        await QueueAsync(new PlaceKeys(e.DistrictId, e.StreetId, e.CommunityId, e.GridId), id, type, subject, e.At, data, ct);
    }

    public async Task HandleAsync(AlarmChanged a, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!options.Value.Pushes) return;
        var type = a.Kind switch
        {
            AlarmEventKind.Raised => ExchangeTypes.AlarmRaised,
            AlarmEventKind.Escalated => ExchangeTypes.AlarmEscalated,
            AlarmEventKind.Acknowledged => ExchangeTypes.AlarmAcknowledged,
            AlarmEventKind.Cleared => ExchangeTypes.AlarmCleared,
            AlarmEventKind.Closed => ExchangeTypes.AlarmClosed,
            _ => null,
        };
        if (type is null) return;
        var subject = $"alarm:{a.AlarmId}";
        var id = ExchangeSigning.StableId(type, subject, a.At, a.Kind.ToString());
        if (await db.UpstreamPushes.AnyAsync(p => p.MessageId == id, ct)) return;
        if (await places.CommunityAsync(a.CommunityId, ct) is not { } community) return;
        // As for webhooks: an alarm about a person goes by its kind, never by the title that names them.
        var title = a.ConcernsAPerson && a.ResidentId is not null ? a.AlarmKind.ToString() : a.Title;
        var data = new AlarmData(a.AlarmId, a.AlarmKind.ToString(), a.Severity.ToString(), a.Status.ToString(), title, a.PlaceLabel, community.Code,
            community.Name, a.Level.ToString(), a.RepeatCount, a.RaisedAt, a.AcknowledgedAt, a.ClearedAt, a.ClosedAt, a.CaseId);
        await QueueAsync(new PlaceKeys(a.DistrictId, a.StreetId, a.CommunityId, a.GridId), id, type, subject, a.At, data, ct);
    }

    async Task QueueAsync<T>(PlaceKeys place, string id, string type, string subject, DateTimeOffset at, T data, CancellationToken ct)
    {
        var envelope = new ExchangeEnvelope<T>(ExchangeTypes.Version, id, type, subject, options.Value.Source, at, data);
        var push = new UpstreamPush(place, id, type, subject, JsonSerializer.Serialize(envelope, ExchangeSigning.Json), time.GetUtcNow());
        db.UpstreamPushes.Add(push);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another node delivered the same event at the same moment (a lease that ran out): its row is the one.
            db.Entry(push).State = EntityState.Detached;
            if (!await db.UpstreamPushes.AnyAsync(p => p.MessageId == id, ct)) throw;
        }
        signal.Pulse();
    }
}

/// <summary>Wakes the upward dispatcher when new pushes are queued, so a push does not wait for the next poll.</summary>
public sealed class UpstreamSignal
{
    readonly SemaphoreSlim _signal = new(0, 1);

    public void Pulse()
    {
        try { _signal.Release(); }
        catch (SemaphoreFullException) { }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}

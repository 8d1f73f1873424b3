using System.Text.Json;
using Linli.Domain.Alarms;
using Linli.Domain.Common;
using Linli.Domain.Devices;
using Linli.Domain.Identity;
using Linli.Infrastructure.Persistence;
using Linli.Web.Features.Devices;
using Linli.Web.Features.Identity;
using Linli.Web.Features.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Linli.Web.Features.Alarms;

public sealed record AlarmDto(long Id, AlarmKind Kind, AlarmSeverity Severity, AlarmStatus Status, string Title, string? Detail, string PlaceLabel,
    int CommunityId, int GridId, long? DeviceId, int? ResidentId, int? RoomId, int PlanX, int PlanY, DateTimeOffset RaisedAt, DateTimeOffset LastRaisedAt,
    int RepeatCount, EscalationLevel Level, int Reminders, DateTimeOffset? AcknowledgedAt, string? AcknowledgedBy, int? AssignedUserId, string? AssignedName,
    DateTimeOffset? ClearedAt, DateTimeOffset? ClosedAt, long? CaseId, bool NeedsAcknowledgement, DateTimeOffset? NextEscalationAt);

public sealed record AlarmEventDto(DateTimeOffset At, AlarmEventKind Kind, string Actor, string? Note);

public sealed record AlarmDetailDto(AlarmDto Alarm, IReadOnlyList<AlarmEventDto> Timeline, IReadOnlyList<AlarmAction> Actions);

public sealed record AlarmRuleDto(long Id, string Name, AlarmKind Kind, AlarmSeverity Severity, DeviceType? DeviceType, long? DeviceId,
    JsonElement Condition, bool AutoClear, int AckWithinSeconds, bool OpensCase, bool Enabled, int DistrictId, int StreetId, int CommunityId, int Version);

/// <summary>A rule; it is kept at the caller's node unless a community (or street) below it is named.</summary>
public sealed record AlarmRuleRequest(string? Name, AlarmKind? Kind, AlarmSeverity? Severity, DeviceType? DeviceType, string? DeviceCode,
    JsonElement? Condition, bool? AutoClear, int? AckWithinSeconds, bool? OpensCase, int? CommunityId, bool? Enabled);

public sealed record SosRequest(string? Note);

/// <summary>Alarms, rules and the SOS call under /api/v1.</summary>
public static class AlarmsApi
{
    public static IEndpointRouteBuilder MapAlarmsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/sos", Sos).WithTags("Alarms").WithName("CallForHelp").DisableAntiforgery()
            .WithSummary("A resident's one-tap SOS call: a critical alarm about them at home, escalated until someone acknowledges.")
            .RequireAuthorization(IdentityModule.Policy(Permission.CallForHelp));

        var alarms = app.MapGroup("/api/v1/alarms").WithTags("Alarms").RequireAuthorization(IdentityModule.Policy(Permission.HandleAlarms));
        alarms.MapGet("/", List).WithName("ListAlarms").WithSummary("Alarms in the caller's area, open ones first by severity; filter by status, severity, kind, community.");
        alarms.MapGet("/{id:long}", Detail).WithName("GetAlarm").WithSummary("An alarm with its timeline and the actions the caller may take.");
        foreach (var action in Enum.GetValues<AlarmAction>())
        {
            alarms.MapPost($"/{{id:long}}/{action.ToString().ToLowerInvariant()}",
                    (long id, AlarmActionRequest? request, AlarmService service, LinliDbContext db, CancellationToken ct) => Act(id, action, request, service, db, ct))
                .WithName($"{action}Alarm").WithSummary(action switch
                {
                    AlarmAction.Acknowledge => "Someone is on it: stops the escalation.",
                    AlarmAction.Assign => "Gives the alarm to a staff member (assigneeUserId).",
                    AlarmAction.Clear => "The condition is over (by hand).",
                    AlarmAction.Close => "Dealt with; closing acknowledges it too.",
                    _ => "Adds a note to the timeline.",
                });
        }

        var rulesRead = app.MapGroup("/api/v1/alarm-rules").WithTags("Alarms").RequireAuthorization(IdentityModule.Policy(Permission.HandleAlarms));
        rulesRead.MapGet("/", Rules).WithName("ListAlarmRules").WithSummary("The rules that apply in the caller's area, its own and those of the nodes above.");
        var rules = app.MapGroup("/api/v1/alarm-rules").WithTags("Alarms").RequireAuthorization(IdentityModule.Policy(Permission.ManageAlarmRules));
        rules.MapPost("/", CreateRule).WithName("CreateAlarmRule").WithSummary("Adds a rule (condition as JSON, see ADR 0006).");
        rules.MapPut("/{id:long}", UpdateRule).WithName("UpdateAlarmRule").WithSummary("Edits a rule; takes effect at once on every device it covers.");
        return app;
    }

    static async Task<Created<AlarmDto>> Sos(SosRequest? request, AlarmService service, CancellationToken ct)
    {
        var alarm = await service.CallForHelpAsync(request?.Note, ct);
        return TypedResults.Created($"/api/v1/alarms/{alarm.Id}", ToDto(alarm, null));
    }

    static async Task<Ok<Page<AlarmDto>>> List(LinliDbContext db, AlarmStatus? status, bool? open, AlarmSeverity? severity, AlarmKind? kind,
        int? communityId, long? deviceId, int? page, int? pageSize, CancellationToken ct)
    {
        var paging = PageRequest.From(page, pageSize);
        var q = db.Alarms.AsNoTracking();
        if (status is { } s) q = q.Where(a => a.Status == s);
        if (open is { } o) q = o ? q.Where(a => a.Status != AlarmStatus.Closed) : q.Where(a => a.Status == AlarmStatus.Closed);
        if (severity is { } sev) q = q.Where(a => a.Severity == sev);
        if (kind is { } k) q = q.Where(a => a.Kind == k);
        if (communityId is { } c) q = q.Where(a => a.CommunityId == c);
        if (deviceId is { } d) q = q.Where(a => a.DeviceId == d);
        var total = await q.CountAsync(ct);
        var items = await q.OrderBy(a => a.Status == AlarmStatus.Closed).ThenBy(a => a.AcknowledgedAt != null)
            .ThenByDescending(a => a.Severity == AlarmSeverity.Critical).ThenByDescending(a => a.Severity == AlarmSeverity.Major)
            .ThenByDescending(a => a.LastRaisedAt).Skip(paging.Offset).Take(paging.PageSize).ToListAsync(ct);
        var timers = await NextTimersAsync(db, items.Select(a => a.Id).ToList(), ct);
        return TypedResults.Ok(new Page<AlarmDto>(items.Select(a => ToDto(a, timers)).ToList(), paging.Page, paging.PageSize, total));
    }

    static async Task<Ok<AlarmDetailDto>> Detail(long id, LinliDbContext db, CancellationToken ct) => TypedResults.Ok(await DetailAsync(db, id, ct));

    static async Task<Ok<AlarmDetailDto>> Act(long id, AlarmAction action, AlarmActionRequest? request, AlarmService service, LinliDbContext db, CancellationToken ct)
    {
        await service.ActAsync(id, action, request ?? new AlarmActionRequest(), ct);
        db.ChangeTracker.Clear();
        return TypedResults.Ok(await DetailAsync(db, id, ct));
    }

    public static async Task<AlarmDetailDto> DetailAsync(LinliDbContext db, long id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var alarm = await db.Alarms.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct) ?? throw new NotFoundException("No such alarm.");
        var events = await db.AlarmEvents.AsNoTracking().Where(e => e.AlarmId == id).OrderBy(e => e.At).ThenBy(e => e.Id)
            .Select(e => new AlarmEventDto(e.At, e.Kind, e.ActorName, e.Note)).ToListAsync(ct);
        var timers = await NextTimersAsync(db, [id], ct);
        return new AlarmDetailDto(ToDto(alarm, timers), events, Actions(alarm));
    }

    public static IReadOnlyList<AlarmAction> Actions(Alarm a)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (a.Status == AlarmStatus.Closed) return [AlarmAction.Comment];
        List<AlarmAction> list = [];
        if (a.AcknowledgedAt is null) list.Add(AlarmAction.Acknowledge);
        list.Add(AlarmAction.Assign);
        if (a.Open) list.Add(AlarmAction.Clear);
        list.Add(AlarmAction.Close);
        list.Add(AlarmAction.Comment);
        return list;
    }

    static async Task<Dictionary<long, DateTimeOffset>> NextTimersAsync(LinliDbContext db, List<long> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return [];
        var rows = await db.AlarmTimers.AsNoTracking().Where(t => ids.Contains(t.AlarmId)).Select(t => new { t.AlarmId, t.DueAt, t.Round }).ToListAsync(ct);
        return rows.GroupBy(r => r.AlarmId).ToDictionary(g => g.Key, g => g.OrderByDescending(r => r.Round).First().DueAt);
    }

    public static AlarmDto ToDto(Alarm a, IReadOnlyDictionary<long, DateTimeOffset>? timers)
    {
        ArgumentNullException.ThrowIfNull(a);
        DateTimeOffset? next = a.NeedsAcknowledgement && timers is not null && timers.TryGetValue(a.Id, out var due) ? due : null;
        return new(a.Id, a.Kind, a.Severity, a.Status, a.Title, a.Detail, a.PlaceLabel, a.CommunityId, a.GridId, a.DeviceId, a.ResidentId, a.RoomId,
            a.PlanX, a.PlanY, a.RaisedAt, a.LastRaisedAt, a.RepeatCount, a.Level, a.Reminders, a.AcknowledgedAt, a.AcknowledgedBy, a.AssignedUserId,
            a.AssignedName, a.ClearedAt, a.ClosedAt, a.CaseId, a.NeedsAcknowledgement, next);
    }

    static async Task<Ok<IReadOnlyList<AlarmRuleDto>>> Rules(LinliDbContext db, CancellationToken ct)
    {
        var rules = await db.AlarmRules.AsNoTracking().OrderBy(r => r.CommunityId).ThenBy(r => r.Name).ToListAsync(ct);
        return TypedResults.Ok<IReadOnlyList<AlarmRuleDto>>(rules.Select(ToDto).ToList());
    }

    public static AlarmRuleDto ToDto(AlarmRule r)
    {
        ArgumentNullException.ThrowIfNull(r);
        using var doc = JsonDocument.Parse(r.ConditionJson);
        return new(r.Id, r.Name, r.Kind, r.Severity, r.DeviceType, r.DeviceId, doc.RootElement.Clone(), r.AutoClear, r.AckWithinSeconds, r.OpensCase,
            r.Enabled, r.DistrictId, r.StreetId, r.CommunityId, r.Version);
    }

    internal static async Task<Created<AlarmRuleDto>> CreateRule(AlarmRuleRequest request, LinliDbContext db, CurrentUser user, DirectorySync sync, TimeProvider time,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var node = await RuleNodeAsync(db, user, request.CommunityId, ct);
        var (deviceType, deviceId) = await TargetAsync(db, request, ct);
        var rule = new AlarmRule(node.DistrictId, node.StreetId, node.CommunityId, request.Name ?? "", request.Kind ?? AlarmKind.Other,
            request.Severity ?? throw new DomainException("Choose a severity.", "severity"), deviceType, deviceId, ParseCondition(request),
            request.AutoClear ?? true, request.AckWithinSeconds, request.OpensCase ?? false, time.GetUtcNow());
        if (request.Enabled == false) rule.Enable(false, time.GetUtcNow());
        db.AlarmRules.Add(rule);
        await db.SaveChangesAsync(ct);
        await sync.RulesChangedAsync(ct);
        return TypedResults.Created($"/api/v1/alarm-rules/{rule.Id}", ToDto(rule));
    }

    internal static async Task<Ok<AlarmRuleDto>> UpdateRule(long id, AlarmRuleRequest request, LinliDbContext db, CurrentUser user, DirectorySync sync, TimeProvider time,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var rule = await db.AlarmRules.SingleOrDefaultAsync(r => r.Id == id, ct) ?? throw new NotFoundException("No such rule.");
        if (!Owns(user.Scope, rule)) throw new ForbiddenException("This rule is kept by a node above yours.");
        var (deviceType, deviceId) = request.DeviceType is null && request.DeviceCode is null ? (rule.DeviceType, rule.DeviceId) : await TargetAsync(db, request, ct);
        var now = time.GetUtcNow();
        rule.Update(request.Name ?? rule.Name, request.Kind ?? rule.Kind, request.Severity ?? rule.Severity, deviceType, deviceId,
            request.Condition is null ? rule.Condition : ParseCondition(request), request.AutoClear ?? rule.AutoClear,
            request.AckWithinSeconds ?? rule.AckWithinSeconds, request.OpensCase ?? rule.OpensCase, now);
        if (request.Enabled is { } enabled && enabled != rule.Enabled) rule.Enable(enabled, now);
        await db.SaveChangesAsync(ct);
        await sync.RulesChangedAsync(ct);
        return TypedResults.Ok(ToDto(rule));
    }

    static Condition ParseCondition(AlarmRuleRequest request) =>
        request.Condition is { } c && c.ValueKind == JsonValueKind.Object ? Condition.Parse(c.GetRawText()) : throw new DomainException("A condition is required.", "condition");

    static async Task<(DeviceType?, long?)> TargetAsync(LinliDbContext db, AlarmRuleRequest request, CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(request.DeviceCode))
        {
            var id = await db.Devices.Where(d => d.Code == request.DeviceCode.Trim()).Select(d => (long?)d.Id).SingleOrDefaultAsync(ct)
                ?? throw new DomainException("No such device here.", "deviceCode");
            return (null, id);
        }
        return (request.DeviceType ?? throw new DomainException("Choose a device type or a device.", "deviceType"), null);
    }

    /// <summary>Rules are kept at the caller's node, or at a community inside it.</summary>
    static async Task<(int DistrictId, int StreetId, int CommunityId)> RuleNodeAsync(LinliDbContext db, CurrentUser user, int? communityId, CancellationToken ct)
    {
        var scopeNode = await db.Nodes.AsNoTracking().SingleOrDefaultAsync(n => n.Id == user.Scope.Id, ct)
            ?? throw new ForbiddenException("Rules are kept at a community, street or district.");
        if (communityId is { } c && c != scopeNode.CommunityId)
        {
            var community = await db.Nodes.AsNoTracking().SingleOrDefaultAsync(n => n.Id == c && n.Kind == Linli.Domain.Registry.NodeKind.Community, ct)
                ?? throw new DomainException("No such community here.", "communityId");
            return (community.DistrictId, community.StreetId, community.CommunityId);
        }
        return scopeNode.Kind switch
        {
            Linli.Domain.Registry.NodeKind.Grid => throw new ForbiddenException("Rules are kept at a community, street or district."),
            _ => (scopeNode.DistrictId, scopeNode.StreetId, scopeNode.CommunityId),
        };
    }

    static bool Owns(Scope scope, AlarmRule rule) => scope.Level switch
    {
        ScopeLevel.District => rule.DistrictId == scope.Id,
        ScopeLevel.Street => rule.StreetId == scope.Id,
        ScopeLevel.Community => rule.CommunityId == scope.Id,
        ScopeLevel.System => true,
        _ => false,
    };
}

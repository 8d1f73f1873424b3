using System.Text.Json;
using Linli.Domain.Alarms;
using Linli.Domain.Common;
using Linli.Domain.Devices;
using Linli.Domain.Identity;
using Linli.Web.Features.Devices;
using Linli.Web.Features.Identity;
using Linli.Web.Features.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using static Linli.Application.Alarms.AlarmDtos;

namespace Linli.Web.Features.Alarms;

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
                    (long id, AlarmActionRequest? request, AlarmService service, ILinliDb db, CancellationToken ct) => Act(id, action, request, service, db, ct))
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

    static async Task<Ok<Page<AlarmDto>>> List(ILinliDb db, AlarmStatus? status, bool? open, AlarmSeverity? severity, AlarmKind? kind,
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
        var timers = await AlarmDetails.NextTimersAsync(db, items.Select(a => a.Id).ToList(), ct);
        return TypedResults.Ok(new Page<AlarmDto>(items.Select(a => ToDto(a, timers)).ToList(), paging.Page, paging.PageSize, total));
    }

    static async Task<Ok<AlarmDetailDto>> Detail(long id, ILinliDb db, CancellationToken ct) => TypedResults.Ok(await AlarmDetails.DetailAsync(db, id, ct));

    static async Task<Ok<AlarmDetailDto>> Act(long id, AlarmAction action, AlarmActionRequest? request, AlarmService service, ILinliDb db, CancellationToken ct)
    {
        await service.ActAsync(id, action, request ?? new AlarmActionRequest(), ct);
        db.ChangeTracker.Clear();
        return TypedResults.Ok(await AlarmDetails.DetailAsync(db, id, ct));
    }

    static async Task<Ok<IReadOnlyList<AlarmRuleDto>>> Rules(ILinliDb db, CancellationToken ct)
    {
        var rules = await db.AlarmRules.AsNoTracking().OrderBy(r => r.CommunityId).ThenBy(r => r.Name).ToListAsync(ct);
        return TypedResults.Ok<IReadOnlyList<AlarmRuleDto>>(rules.Select(ToDto).ToList());
    }

    internal static async Task<Created<AlarmRuleDto>> CreateRule(AlarmRuleRequest request, ILinliDb db, CurrentUser user, DirectorySync sync, TimeProvider time,
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

    internal static async Task<Ok<AlarmRuleDto>> UpdateRule(long id, AlarmRuleRequest request, ILinliDb db, CurrentUser user, DirectorySync sync, TimeProvider time,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var rule = await db.AlarmRules.SingleOrDefaultAsync(r => r.Id == id, ct) ?? throw new NotFoundException("No such rule.");
        if (!user.Scope.Covers(rule.Keys)) throw new ForbiddenException("This rule is kept by a node above yours.");
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

    static async Task<(DeviceType?, long?)> TargetAsync(ILinliDb db, AlarmRuleRequest request, CancellationToken ct)
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
    static async Task<(int DistrictId, int StreetId, int CommunityId)> RuleNodeAsync(ILinliDb db, CurrentUser user, int? communityId, CancellationToken ct)
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
}

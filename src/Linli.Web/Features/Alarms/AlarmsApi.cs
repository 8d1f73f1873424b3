using Linli.Domain.Alarms;
using Linli.Domain.Common;
using Linli.Domain.Identity;
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
            .RequireAuthorization(IdentityModule.Policy(Permission.CallForHelp)).ProducesAuthFailures().ProducesInputFailure();

        var alarms = app.MapGroup("/api/v1/alarms").WithTags("Alarms").RequireAuthorization(IdentityModule.Policy(Permission.HandleAlarms))
            .ProducesAuthFailures();
        alarms.MapGet("/", List).WithName("ListAlarms").WithSummary("Alarms in the caller's area, open ones first by severity; filter by status, severity, kind, community.")
            .ProducesInputFailure();
        alarms.MapGet("/{id:long}", Detail).WithName("GetAlarm").WithSummary("An alarm with its timeline and the actions the caller may take.")
            .ProducesNotFound();
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
                })
                .ProducesInputFailure().ProducesNotFound().ProducesConflict();
        }

        var rulesRead = app.MapGroup("/api/v1/alarm-rules").WithTags("Alarms").RequireAuthorization(IdentityModule.Policy(Permission.HandleAlarms))
            .ProducesAuthFailures();
        rulesRead.MapGet("/", Rules).WithName("ListAlarmRules").WithSummary("The rules that apply in the caller's area, its own and those of the nodes above.");
        var rules = app.MapGroup("/api/v1/alarm-rules").WithTags("Alarms").RequireAuthorization(IdentityModule.Policy(Permission.ManageAlarmRules))
            .ProducesAuthFailures().ProducesInputFailure();
        rules.MapPost("/", CreateRule).WithName("CreateAlarmRule").WithSummary("Adds a rule (condition as JSON, see ADR 0006).");
        rules.MapPut("/{id:long}", UpdateRule).WithName("UpdateAlarmRule").WithSummary("Edits a rule; takes effect at once on every device it covers.")
            .ProducesNotFound();
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

    static async Task<Ok<IReadOnlyList<AlarmRuleDto>>> Rules(AlarmRuleCommands rules, CancellationToken ct) => TypedResults.Ok(await rules.ListAsync(ct));

    static async Task<Created<AlarmRuleDto>> CreateRule(AlarmRuleRequest request, AlarmRuleCommands rules, CancellationToken ct)
    {
        var rule = await rules.CreateAsync(request, ct);
        return TypedResults.Created($"/api/v1/alarm-rules/{rule.Id}", rule);
    }

    static async Task<Ok<AlarmRuleDto>> UpdateRule(long id, AlarmRuleRequest request, AlarmRuleCommands rules, CancellationToken ct) =>
        TypedResults.Ok(await rules.UpdateAsync(id, request, ct));
}

using Linli.Domain.Alarms;
using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Web.Features.Identity;
using Linli.Web.Features.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
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
                    (long id, AlarmActionRequest? request, AlarmService service, AlarmQueries alarms, CancellationToken ct) => Act(id, action, request, service, alarms, ct))
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

    static async Task<Ok<Page<AlarmDto>>> List(AlarmQueries alarms, AlarmStatus? status, bool? open, AlarmSeverity? severity, AlarmKind? kind,
        int? communityId, long? deviceId, int? page, int? pageSize, CancellationToken ct) =>
        TypedResults.Ok(await alarms.ListAsync(new AlarmFilter(status, open, severity, kind, communityId, deviceId), PageRequest.From(page, pageSize), ct));

    static async Task<Ok<AlarmDetailDto>> Detail(long id, AlarmQueries alarms, CancellationToken ct) => TypedResults.Ok(await alarms.DetailAsync(id, ct));

    static async Task<Ok<AlarmDetailDto>> Act(long id, AlarmAction action, AlarmActionRequest? request, AlarmService service, AlarmQueries alarms,
        CancellationToken ct)
    {
        await service.ActAsync(id, action, request ?? new AlarmActionRequest(), ct);
        return TypedResults.Ok(await alarms.DetailAfterChangeAsync(id, ct));
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

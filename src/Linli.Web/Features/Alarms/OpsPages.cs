using Linli.Domain.Alarms;
using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Web.Features.Alarms;
using Linli.Web.Features.Identity;
using Linli.Web.Features.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Linli.Web.Features.Alarms;

/// <summary>The form posts of the operations pages (each checked for its antiforgery token) and their services.</summary>
public static class OpsPages
{
    static readonly Dictionary<string, AlarmAction> PageActions = new(StringComparer.Ordinal)
    {
        ["acknowledge"] = AlarmAction.Acknowledge,
        ["assign"] = AlarmAction.Assign,
        ["clear"] = AlarmAction.Clear,
        ["close"] = AlarmAction.Close,
        ["comment"] = AlarmAction.Comment,
    };

    public static IServiceCollection AddOpsPages(this IServiceCollection services)
    {
        services.AddScoped<OpsQueries>();
        return services;
    }

    public static IEndpointRouteBuilder MapOpsPages(this IEndpointRouteBuilder app)
    {
        app.MapPost("/alarms/{id:long}/{action}", Act).RequireAuthorization(IdentityModule.Policy(Permission.HandleAlarms)).ExcludeFromDescription();
        app.MapPost("/sos", CallForHelp).RequireAuthorization(IdentityModule.Policy(Permission.CallForHelp)).ExcludeFromDescription();
        return app;
    }

    public sealed class AlarmForm
    {
        public string? Note { get; set; }
        public string? AssigneeUserId { get; set; }
        public string? ReturnUrl { get; set; }
    }

    public sealed class SosForm
    {
        public string? Note { get; set; }
    }

    /// <summary>
    /// One alarm action from a form, then back to the page it came from. Someone else being quicker (already acknowledged)
    /// is no error for the person: the page they return to shows who did it.
    /// </summary>
    static async Task<Results<RedirectHttpResult, NotFound>> Act(long id, string action, [FromForm] AlarmForm? form, AlarmService service, CancellationToken ct)
    {
        if (!PageActions.TryGetValue(action, out var chosen)) return TypedResults.NotFound();
        form ??= new AlarmForm();
        var back = IsLocal(form.ReturnUrl) ? form.ReturnUrl! : $"/alarms/{id}";
        int? assignee = null;
        string? problem = null;
        if (chosen == AlarmAction.Assign)
        {
            if (int.TryParse(form.AssigneeUserId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var who)) assignee = who;
            else problem = "assigneeUserId";
        }
        if (problem is null)
        {
            // Forbidden goes to the error page; a conflict means someone else did it already, and the page shows the current state.
            var error = await FormAction.TryAsync(() => service.ActAsync(id, chosen, new AlarmActionRequest(form.Note, assignee), ct),
                refusal: e => e is not ForbiddenException);
            if (error is { Conflict: false }) problem = error.Field ?? "request";
        }
        return TypedResults.LocalRedirect(problem is null ? back : With(back, "problem", problem));
    }

    /// <summary>The SOS button's form. The page then shows the call and, live, who has taken it.</summary>
    static async Task<RedirectHttpResult> CallForHelp([FromForm] SosForm? form, AlarmService service, CancellationToken ct)
    {
        long alarmId = 0;
        var error = await FormAction.TryAsync(async () => alarmId = (await service.CallForHelpAsync(form?.Note, ct)).Id,
            refusal: e => e is ForbiddenException || e.Field == "note");
        return TypedResults.LocalRedirect(error switch
        {
            null => $"/sos?alarm={alarmId}",
            { Forbidden: true } => "/sos?problem=home",
            _ => "/sos?problem=note",
        });
    }

    static bool IsLocal(string? url) => !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));

    static string With(string url, string name, string value) => url.Split('#')[0] + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + $"{name}={Uri.EscapeDataString(value)}";
}

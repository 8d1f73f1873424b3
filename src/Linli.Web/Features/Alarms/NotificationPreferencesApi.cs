using Linli.Domain.Identity;
using Linli.Web.Features.Identity;
using Linli.Web.Features.Shared;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Linli.Web.Features.Alarms;

/// <summary>/api/v1/me/notification-preferences.</summary>
public static class NotificationPreferencesApi
{
    public static IEndpointRouteBuilder MapNotificationPreferencesApi(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/api/v1/me/notification-preferences").WithTags("Alarms").RequireAuthorization(IdentityModule.Policy(Permission.HandleAlarms))
            .ProducesAuthFailures();
        me.MapGet("/", Get).WithName("GetNotificationPreferences")
            .WithSummary("How alarms escalated to me reach me: live and SMS minimum severity (or Off), muted kinds.");
        me.MapPut("/", Put).WithName("SetNotificationPreferences").WithSummary("Saves my notification choices.").ProducesInputFailure();
        return app;
    }

    static async Task<Ok<NotificationPreferencesDto>> Get(NotificationPreferences prefs, CancellationToken ct) => TypedResults.Ok(await prefs.GetAsync(ct));

    static async Task<Ok<NotificationPreferencesDto>> Put(NotificationPreferencesRequest request, NotificationPreferences prefs, CancellationToken ct) =>
        TypedResults.Ok(await prefs.SaveAsync(request, ct));
}

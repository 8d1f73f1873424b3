using Linli.Domain.Identity;
using Linli.Web.Features.Identity;
using Linli.Web.Features.Shared;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Linli.Web.Features.Alarms;

/// <summary>Signed webhooks for alarms under /api/v1/webhooks.</summary>
public static class WebhooksApi
{
    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var hooks = app.MapGroup("/api/v1/webhooks").WithTags("Alarms").RequireAuthorization(IdentityModule.Policy(Permission.ManageAlarmRules))
            .ProducesAuthFailures();
        hooks.MapGet("/", List).WithName("ListWebhooks").WithSummary("Webhooks kept in the caller's area (never their secrets).");
        hooks.MapPost("/", Create).WithName("CreateWebhook")
            .WithSummary("Adds a webhook for alarms at or above minSeverity in the node; the signing secret is returned this once.")
            .ProducesInputFailure();
        hooks.MapPost("/{id:int}/deactivate", Deactivate).WithName("DeactivateWebhook").WithSummary("Stops deliveries to the webhook.")
            .ProducesNotFound();
        hooks.MapGet("/{id:int}/deliveries", Deliveries).WithName("ListWebhookDeliveries").WithSummary("The latest deliveries and their attempts.")
            .ProducesNotFound();
        return app;
    }

    static async Task<Ok<IReadOnlyList<WebhookDto>>> List(WebhookCommands hooks, CancellationToken ct) => TypedResults.Ok(await hooks.ListAsync(ct));

    static async Task<Created<WebhookCreatedDto>> Create(WebhookRequest request, WebhookCommands hooks, CancellationToken ct)
    {
        var created = await hooks.CreateAsync(request, ct);
        return TypedResults.Created($"/api/v1/webhooks/{created.Webhook.Id}", created);
    }

    static async Task<Ok<WebhookDto>> Deactivate(int id, WebhookCommands hooks, CancellationToken ct) => TypedResults.Ok(await hooks.DeactivateAsync(id, ct));

    static async Task<Ok<IReadOnlyList<WebhookDeliveryDto>>> Deliveries(int id, WebhookCommands hooks, CancellationToken ct) =>
        TypedResults.Ok(await hooks.DeliveriesAsync(id, ct));
}

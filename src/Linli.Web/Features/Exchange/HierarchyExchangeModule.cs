using Linli.Application.Exchange.Hierarchy;
using Linli.Domain.Identity;
using Linli.Web.Features.Identity;
using Linli.Web.Features.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Linli.Web.Features.Exchange;

/// <summary>
/// The links up and down the government hierarchy (docs/exchange.md): cases, alarms and statistics pushed to the higher
/// platform as signed messages through the outbox; tasks and notices taken from it at <c>/api/v1/exchange/inbound</c>;
/// the push log for those who read the audit trail.
/// </summary>
public static class HierarchyExchangeModule
{
    public static IServiceCollection AddHierarchyExchange(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ExchangeOptions>(configuration.GetSection("Linli:Exchange:Upstream"));
        services.AddHttpClient(UpstreamDispatcher.ClientName);
        services.AddSingleton<UpstreamSignal>();
        services.AddScoped<ExchangePlaces>();
        services.AddScoped<CommunityStatistics>();
        services.AddScoped<PushLog>();
        services.AddSingleton<InboundExchange>();
        // After a committed case or alarm change: the message for the higher platform, when the link pushes.
        services.AddScoped<IDomainEventHandler<Linli.Domain.Cases.CaseChanged>, UpstreamOutbox>();
        services.AddScoped<IDomainEventHandler<Linli.Domain.Alarms.AlarmChanged>, UpstreamOutbox>();
        services.AddSingleton<UpstreamDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<UpstreamDispatcher>());
        // The delivery logs (webhooks and upward pushes) kept bounded.
        services.Configure<Linli.Application.Exchange.ExchangeRetentionOptions>(configuration.GetSection("Linli:Exchange:Retention"));
        services.AddSingleton<Linli.Application.Exchange.ExchangeLogRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<Linli.Application.Exchange.ExchangeLogRetention>());
        return services;
    }

    public static IEndpointRouteBuilder MapHierarchyExchange(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/exchange/inbound", Receive).WithTags("Exchange").AllowAnonymous().DisableAntiforgery()
            .Accepts<InboundMessageBody>("application/json")
            .ProducesInputFailure().ProducesConflict().ProducesNotFound()
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(ProblemDetails), ["application/problem+json"]),
                new ProducesResponseTypeMetadata(StatusCodes.Status413PayloadTooLarge, typeof(ProblemDetails), ["application/problem+json"]),
                new ProducesResponseTypeMetadata(StatusCodes.Status415UnsupportedMediaType, typeof(ProblemDetails), ["application/problem+json"]))
            .WithName("ReceiveFromHigherPlatform")
            .WithSummary("A task or notice from the higher platform, signed with the link's key (docs/exchange.md); a repeated id gets the first answer.");

        var log = app.MapGroup("/api/v1/exchange").WithTags("Exchange").RequireAuthorization(IdentityModule.Policy(Permission.ReadAudit))
            .ProducesAuthFailures();
        log.MapGet("/pushes", Pushes).WithName("ListUpstreamPushes").ProducesInputFailure()
            .WithSummary("The push log: messages for the higher platform in the caller's area, newest first (type, delivered, page, pageSize).");
        log.MapGet("/status", Status).WithName("GetExchangeStatus").WithSummary("Whether the link is on, and what is still waiting to go up.");
        return app;
    }

    static async Task<Results<Ok<InboundAnswer>, ProblemHttpResult>> Receive(HttpRequest request,
        [FromHeader(Name = ExchangeSigning.KeyIdHeader)] string? keyId, [FromHeader(Name = ExchangeSigning.TimestampHeader)] string? timestamp,
        [FromHeader(Name = ExchangeSigning.NonceHeader)] string? nonce, [FromHeader(Name = ExchangeSigning.SignatureHeader)] string? signature,
        InboundExchange inbound, CancellationToken ct)
    {
        if (!request.HasJsonContentType())
            return TypedResults.Problem(statusCode: 415, title: "Unsupported Media Type", detail: "Send the message as application/json.");
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > InboundExchange.MaxBodyBytes)
                return TypedResults.Problem(statusCode: 413, title: "Payload Too Large", detail: $"A message is at most {InboundExchange.MaxBodyBytes / 1024} KiB.");
            buffer.Write(chunk, 0, read);
        }
        try
        {
            return TypedResults.Ok(await inbound.ReceiveAsync(new SignedRequest(keyId, timestamp, nonce, signature, buffer.ToArray()), ct));
        }
        catch (UntrustedMessageException e)
        {
            return TypedResults.Problem(statusCode: 401, title: "Unauthorized", detail: e.Message);
        }
    }

    static async Task<Ok<Linli.Application.Common.Page<PushLogEntryDto>>> Pushes(string? type, bool? delivered, int? page, int? pageSize, PushLog log,
        CancellationToken ct) =>
        TypedResults.Ok(await log.ListAsync(type, delivered, Linli.Application.Common.PageRequest.From(page, pageSize), ct));

    static async Task<Ok<ExchangeStatusDto>> Status(PushLog log, CancellationToken ct) => TypedResults.Ok(await log.StatusAsync(ct));
}

/// <summary>
/// The shape of a message sent down, for the OpenAPI document: the envelope with a task's or a notice's fields in data.
/// The published schemas (docs/exchange/v1) are the contract; this is their outline.
/// </summary>
public sealed record InboundMessageBody(string Version, string Id, string Type, string? Subject, string? Source, DateTimeOffset? OccurredAt,
    InboundDataBody Data);

/// <summary>A task's fields (communityCode …) or a notice's (placeCode …), by the envelope's type.</summary>
public sealed record InboundDataBody(string Reference, string? CommunityCode, string? PlaceCode, string? CategoryCode, string? Title, string? Description,
    string? Body, string? Address, double? Latitude, double? Longitude, bool? Urgent, bool? Pinned, DateTimeOffset? PublishAt, DateTimeOffset? ExpiresAt,
    IReadOnlyList<string>? Groups);

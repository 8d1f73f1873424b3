using Linli.Application.Access;
using Linli.Application.Common;
using Linli.Application.Devices;
using Linli.Domain.Access;
using Linli.Domain.Devices;
using Linli.Domain.Identity;
using Linli.Web.Features.Devices;
using Linli.Web.Features.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Linli.Web.Features.Access;

/// <summary>A reader's question: the gate (its code), what was read (one of card, code, plate) and which way.</summary>
public sealed record DecisionRequest(string? Gate, string? Card, string? Code, string? Plate, PassageDirection? Direction);

/// <summary>The answer: open or not, the reason (for the controller's display and voice), the holder's name when it opens.</summary>
public sealed record DecisionResponse(bool Allowed, DenyReason? Reason, string? Holder, long Version);

public sealed record AckRequest(long? Version);

public sealed record AckResponse(long Acked);

public sealed record UploadRequest(IReadOnlyList<OfflineEvent>? Events);

/// <summary>
/// Door and barrier controllers (issue 12), each authenticated by its own device secret (headers X-Device-Id and
/// X-Device-Key, like ingestion): online decisions, the offline whitelist as a command queue with acknowledgements, and
/// the upload of decisions made offline.
/// </summary>
public static class ControllerApi
{
    const int MaxEventsPerUpload = 5_000;

    public static IEndpointRouteBuilder MapControllerApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/access").WithTags("Access controllers").AllowAnonymous().DisableAntiforgery()
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(ProblemDetails), ["application/problem+json"]))
            .ProducesInputFailure();
        group.MapPost("/decisions", Decide).WithName("DecideAccess")
            .WithSummary("A controller asks whether a card, phone code, visitor pass or plate opens one of its gates; answered from memory in milliseconds.")
            .ProducesNotFound()
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status403Forbidden, typeof(ProblemDetails), ["application/problem+json"]));
        group.MapGet("/controller/commands", Commands).WithName("ControllerCommands")
            .WithSummary("The controller's whitelist commands since the version it acknowledged (put or remove, in order), its gates and the visitor pass key.");
        group.MapPost("/controller/acks", Acknowledge).WithName("ControllerAcknowledge")
            .WithSummary("The controller applied every command up to this id (the last it applied).");
        group.MapPost("/controller/events", Upload).WithName("ControllerUploadEvents")
            .WithSummary("Decisions the controller made offline, written to the access log at their own times.");
        return app;
    }

    static async Task<Results<Ok<DecisionResponse>, ProblemHttpResult>> Decide([FromHeader(Name = IngestApi.DeviceIdHeader)] string? code,
        [FromHeader(Name = IngestApi.DeviceKeyHeader)] string? key, DecisionRequest request, DeviceDirectory directory, AccessSnapshot snapshot,
        AccessDecisions decisions, TimeProvider time, CancellationToken ct)
    {
        if (Authenticate(directory, code, key, time) is not { } controller) return Unauthorized();
        var shown = new[] { (ShownKind.Card, request.Card), (ShownKind.PhoneQr, request.Code), (ShownKind.Plate, request.Plate) }
            .Where(x => !string.IsNullOrWhiteSpace(x.Item2)).ToList();
        if (shown.Count != 1) return Invalid("card", "Send exactly one of card, code and plate.");
        if (shown[0].Item2!.Length > 512) return Invalid(shown[0].Item1 == ShownKind.Card ? "card" : shown[0].Item1 == ShownKind.Plate ? "plate" : "code", "Too long.");
        if (string.IsNullOrWhiteSpace(request.Gate) || snapshot.Gate(request.Gate) is not { } gate)
            return TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["gate"] = ["No such gate."] })
            { Status = StatusCodes.Status404NotFound, Title = "Unknown gate." });
        if (gate.ControllerId != controller.Id)
            return TypedResults.Problem(title: "This gate is not wired to this controller.", statusCode: StatusCodes.Status403Forbidden);
        lock (controller.Gate) controller.Heard(time.GetUtcNow());
        var outcome = await decisions.DecideAsync(gate, controller, new Shown(shown[0].Item1, shown[0].Item2!.Trim()), request.Direction ?? PassageDirection.In, ct);
        return TypedResults.Ok(new DecisionResponse(outcome.Allowed, outcome.Reason, outcome.Holder, outcome.Version));
    }

    static async Task<Results<Ok<WhitelistPage>, ProblemHttpResult>> Commands([FromHeader(Name = IngestApi.DeviceIdHeader)] string? code,
        [FromHeader(Name = IngestApi.DeviceKeyHeader)] string? key, DeviceDirectory directory, IServiceScopeFactory scopes, TimeProvider time, CancellationToken ct)
    {
        if (Authenticate(directory, code, key, time) is not { } controller) return Unauthorized();
        await using var scope = ControllerScope(scopes, controller);
        return TypedResults.Ok(await scope.ServiceProvider.GetRequiredService<ControllerSync>().CommandsAsync(controller, ct));
    }

    static async Task<Results<Ok<AckResponse>, ProblemHttpResult>> Acknowledge([FromHeader(Name = IngestApi.DeviceIdHeader)] string? code,
        [FromHeader(Name = IngestApi.DeviceKeyHeader)] string? key, AckRequest request, DeviceDirectory directory, IServiceScopeFactory scopes, TimeProvider time,
        CancellationToken ct)
    {
        if (Authenticate(directory, code, key, time) is not { } controller) return Unauthorized();
        if (request.Version is not { } version || version < 0) return Invalid("version", "Give the id of the last command applied.");
        await using var scope = ControllerScope(scopes, controller);
        return TypedResults.Ok(new AckResponse(await scope.ServiceProvider.GetRequiredService<ControllerSync>().AcknowledgeAsync(controller, version, ct)));
    }

    static async Task<Results<Ok<UploadResult>, ProblemHttpResult>> Upload([FromHeader(Name = IngestApi.DeviceIdHeader)] string? code,
        [FromHeader(Name = IngestApi.DeviceKeyHeader)] string? key, UploadRequest request, DeviceDirectory directory, IServiceScopeFactory scopes,
        TimeProvider time, CancellationToken ct)
    {
        if (Authenticate(directory, code, key, time) is not { } controller) return Unauthorized();
        if (request.Events is not { } events) return Invalid("events", "Send {\"events\": [ … ]}.");
        if (events.Count > MaxEventsPerUpload) return Invalid("events", $"At most {MaxEventsPerUpload} events per upload; send the rest next.");
        await using var scope = ControllerScope(scopes, controller);
        return TypedResults.Ok(await scope.ServiceProvider.GetRequiredService<ControllerSync>().UploadAsync(controller, events, ct));
    }

    static DeviceEntry? Authenticate(DeviceDirectory directory, string? code, string? key, TimeProvider time) =>
        directory.Authenticate(code, key, time.GetUtcNow(), DeviceType.DoorController, DeviceType.ParkingBarrier);

    /// <summary>A controller's work sees its own community only.</summary>
    static AsyncServiceScope ControllerScope(IServiceScopeFactory scopes, DeviceEntry controller) =>
        scopes.CreateDeclaredScope(new Scope(ScopeLevel.Community, controller.CommunityId), "a door controller syncs its whitelist");

    // One answer for an unknown device, a wrong key and a device that is no controller: codes are not disclosed.
    static ProblemHttpResult Unauthorized() => TypedResults.Problem(title: "Unknown controller or wrong key.",
        detail: $"Send {IngestApi.DeviceIdHeader} and {IngestApi.DeviceKeyHeader} of a door controller or parking barrier.", statusCode: StatusCodes.Status401Unauthorized);

    static ProblemHttpResult Invalid(string field, string message) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request could not be read.",
        });
}

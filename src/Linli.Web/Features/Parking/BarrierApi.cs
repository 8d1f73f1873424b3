using Linli.Application.Common;
using Linli.Application.Devices;
using Linli.Application.Parking;
using Linli.Domain.Common;
using Linli.Domain.Devices;
using Linli.Domain.Identity;
using Linli.Domain.Parking;
using Linli.Web.Features.Devices;
using Linli.Web.Features.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Linli.Web.Features.Parking;

/// <summary>A plate read at a car park's barrier: the lot (its code), the plate as the camera read it, and which barrier (In or Out).</summary>
public sealed record BarrierRequest(string? Lot, string? Plate, BarrierDirection? Direction);

/// <summary>
/// Car park barriers, each authenticated as a parking-barrier device by its own secret (headers X-Device-Id and
/// X-Device-Key, like the door controllers): the entry opens a stay or refuses with the reason, the exit closes it with
/// its fee. The work runs under the barrier's community, so a barrier reaches its own community's lots only.
/// </summary>
public static class BarrierApi
{
    public static IEndpointRouteBuilder MapBarrierApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/parking/barrier", Pass).WithName("ParkingBarrierEvent").WithTags("Parking barriers").AllowAnonymous().DisableAntiforgery()
            .WithSummary("A barrier read a plate: at the entry the stay opens or the barrier stays down with the reason; at the exit the stay closes with its fee "
                + "(an unpaid fee keeps it down, or is recorded as due and it opens, as the car park is set). Answers {open, reason, fee, plate}.")
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(ProblemDetails), ["application/problem+json"]))
            .ProducesInputFailure().ProducesNotFound();
        return app;
    }

    static async Task<Results<Ok<BarrierAnswer>, ProblemHttpResult>> Pass([FromHeader(Name = IngestApi.DeviceIdHeader)] string? code,
        [FromHeader(Name = IngestApi.DeviceKeyHeader)] string? key, BarrierRequest request, DeviceDirectory directory, IServiceScopeFactory scopes,
        TimeProvider time, CancellationToken ct)
    {
        if (Authenticate(directory, code, key, time) is not { } barrier) return Unauthorized();
        var lot = request.Lot?.Trim();
        if (string.IsNullOrEmpty(lot)) return Invalid("lot", "Name the car park by its code.");
        if (lot.Length > ParkingLot.CodeMaxLength) return Invalid("lot", $"A car park's code is at most {ParkingLot.CodeMaxLength} characters.");
        if (request.Plate is not { Length: <= 32 } text || !LicensePlate.TryParse(text, out var plate))
            return Invalid("plate", "Send the plate as read, e.g. 浙A12345 or 浙AD12345.");
        if (request.Direction is not { } direction) return Invalid("direction", "Say which barrier read the plate: In or Out.");
        lock (barrier.Gate) barrier.Heard(time.GetUtcNow());
        await using var scope = scopes.CreateDeclaredScope(new Scope(ScopeLevel.Community, barrier.CommunityId), "a car park barrier opens or closes a stay");
        var answer = await scope.ServiceProvider.GetRequiredService<BarrierEvents>().PassAsync(lot, plate!, direction, ct);
        if (answer is null)
            return TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["lot"] = ["No such car park in the barrier's community."] })
            { Status = StatusCodes.Status404NotFound, Title = "Unknown car park." });
        return TypedResults.Ok(answer);
    }

    static DeviceEntry? Authenticate(DeviceDirectory directory, string? code, string? key, TimeProvider time) =>
        directory.Authenticate(code, key, time.GetUtcNow(), DeviceType.ParkingBarrier);

    // One answer for an unknown device, a wrong key and a device that is no barrier: codes are not disclosed.
    static ProblemHttpResult Unauthorized() => TypedResults.Problem(title: "Unknown barrier or wrong key.",
        detail: $"Send {IngestApi.DeviceIdHeader} and {IngestApi.DeviceKeyHeader} of a parking barrier.", statusCode: StatusCodes.Status401Unauthorized);

    static ProblemHttpResult Invalid(string field, string message) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request could not be read.",
        });
}

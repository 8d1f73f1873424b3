using System.Text.Json;
using Linli.Web.Features.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Linli.Web.Features.Devices;

/// <summary>What the platform did with a batch: how many it stored, and each refused message with its reason.</summary>
public sealed record IngestResult(int Accepted, IReadOnlyList<RejectedMessage> Rejected);

/// <summary>The body of a batch, for the OpenAPI document; the parser reads it message by message (<see cref="IngestParser"/>).</summary>
public sealed record IngestBody(IReadOnlyList<IngestMessage> Messages);

/// <summary>
/// One message: when it was measured (Unix milliseconds or ISO 8601), metric values (numbers or true/false), an event with
/// its text; device names another device when a gateway sends for it.
/// </summary>
public sealed record IngestMessage(string? Device, DateTimeOffset? Ts, IReadOnlyDictionary<string, double>? Values, string? Event, string? Text);

/// <summary>HTTP batch ingestion (ADR 0006): a device, or a gateway for its devices, posts up to 1,000 messages at once.</summary>
public static class IngestApi
{
    public const string DeviceIdHeader = "X-Device-Id";
    public const string DeviceKeyHeader = "X-Device-Key";
    const long MaxBodyBytes = 1024 * 1024;

    public static IEndpointRouteBuilder MapIngestApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/ingest", Ingest).AllowAnonymous().DisableAntiforgery().WithTags("Devices").WithName("IngestDeviceMessages")
            .WithSummary("Devices post telemetry and events (headers X-Device-Id and X-Device-Key); answered once stored.")
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes)).Accepts<IngestBody>("application/json")
            // An unknown device or wrong key is 401; a body it cannot read, 400; a full queue, 503 (send again later).
            .ProducesInputFailure().Produces(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    static async Task<Results<Ok<IngestResult>, ProblemHttpResult>> Ingest([FromHeader(Name = DeviceIdHeader)] string? code,
        [FromHeader(Name = DeviceKeyHeader)] string? key, HttpRequest request, DeviceDirectory directory, IngestParser parser,
        IngestionPipeline pipeline, TimeProvider time, CancellationToken ct)
    {
        var sender = string.IsNullOrEmpty(code) ? null : directory.Find(code);
        if (sender is null || !sender.Authenticates(key ?? ""))
        {
            // One answer for an unknown device and a wrong key, so the endpoint does not tell which device codes exist.
            sender?.Reject("wrong key", time.GetUtcNow());
            return TypedResults.Problem(title: "Unknown device or wrong key.", detail: $"Send {DeviceIdHeader} and {DeviceKeyHeader}.",
                statusCode: StatusCodes.Status401Unauthorized);
        }
        JsonDocument doc;
        try
        {
            doc = await JsonDocument.ParseAsync(request.Body, default, ct);
        }
        catch (JsonException e)
        {
            sender.Reject("body is not JSON", time.GetUtcNow());
            return Invalid("messages", $"The body is not JSON: {e.Message}");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("messages", out var messages)
                || messages.ValueKind != JsonValueKind.Array)
            {
                sender.Reject("no messages array", time.GetUtcNow());
                return Invalid("messages", "The body must be {\"messages\": [ … ]}.");
            }
            if (messages.GetArrayLength() > IngestParser.MaxMessagesPerRequest)
                return Invalid("messages", $"At most {IngestParser.MaxMessagesPerRequest} messages per request.");
            var (accepted, rejected) = parser.Parse(sender, messages);
            if (accepted.Count > 0)
            {
                try
                {
                    await pipeline.SubmitAsync(new IngestBatch(accepted), ct);
                }
                catch (IngestionUnavailableException)
                {
                    return TypedResults.Problem(title: "Not stored; send again.", detail: "The database did not take the readings.",
                        statusCode: StatusCodes.Status503ServiceUnavailable);
                }
            }
            return TypedResults.Ok(new IngestResult(accepted.Count, rejected));
        }
    }

    static ProblemHttpResult Invalid(string field, string message) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The messages could not be read.",
        });
}

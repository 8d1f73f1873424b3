using System.Globalization;
using Linli.Domain.Common;
using Linli.Domain.Devices;
using Linli.Domain.Identity;
using Linli.Web.Features.Identity;
using Linli.Web.Features.Shared;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Linli.Web.Features.Devices;

/// <summary>Telemetry history for charts: GET /api/v1/devices/{id}/telemetry and /metrics.</summary>
public static class TelemetryApi
{
    public static IEndpointRouteBuilder MapTelemetryApi(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/v1/devices").WithTags("Devices").RequireAuthorization(IdentityModule.Policy(Permission.ReadDevices))
            .ProducesAuthFailures().ProducesNotFound();
        read.MapGet("/{id:long}/telemetry", Telemetry).WithName("GetDeviceTelemetry")
            .WithSummary("A metric's history for a chart: raw points, or hourly count/min/max/avg; resolution=auto takes raw for ranges up to 2 days.")
            .ProducesInputFailure();
        read.MapGet("/{id:long}/metrics", Metrics).WithName("GetDeviceMetrics").WithSummary("The metrics a device has sent, with their latest values.");
        return app;
    }

    static async Task<Ok<TelemetryDto>> Telemetry(long id, string? metric, string? from, string? to, string? resolution, TelemetryQueries queries,
        TimeProvider time, CancellationToken ct)
    {
        var end = ParseTime(to, "to") ?? time.GetUtcNow();
        var start = ParseTime(from, "from") ?? end.AddHours(-24);
        TelemetryResolution? wanted = (resolution ?? "auto").Trim().ToLowerInvariant() switch
        {
            "" or "auto" => null,
            "raw" => TelemetryResolution.Raw,
            "hour" or "hourly" => TelemetryResolution.Hour,
            _ => throw new DomainException("Resolution is raw, hour or auto.", "resolution"),
        };
        return TypedResults.Ok(await queries.HistoryAsync(id, metric, start, end, wanted, ct));
    }

    static async Task<Ok<IReadOnlyList<DeviceMetricDto>>> Metrics(long id, TelemetryQueries queries, CancellationToken ct) =>
        TypedResults.Ok(await queries.MetricsAsync(id, ct));

    static DateTimeOffset? ParseTime(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? DateWindow.Check(t, field).ToUniversalTime()
            : throw new DomainException("Give a time as ISO 8601, e.g. 2026-03-01T08:00:00Z.", field);
    }
}

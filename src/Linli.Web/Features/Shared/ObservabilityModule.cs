using System.Text.Json;
using Linli.Infrastructure.Observability;
using Linli.Infrastructure.Persistence;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Linli.Web.Features.Shared;

/// <summary>
/// What an operator watches: metrics on <c>/metrics</c> (Prometheus text: ASP.NET Core, HTTP client, runtime and the
/// platform's own meter), traces over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, and readiness on
/// <c>/health/ready</c> (the database, and where configured the replica and the broker) for the load balancer.
/// <c>/health</c> stays the cheap liveness check.
/// </summary>
public static class ObservabilityModule
{
    public static IServiceCollection AddObservabilityModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddLinliOperationsMetrics(configuration);
        services.AddHealthChecks().AddCheck<ReadinessProbesCheck>("probes", tags: ["ready"]);
        var node = configuration["Linli:NodeName"] ?? Environment.MachineName;
        var otel = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("linli-web", serviceInstanceId: node))
            .WithMetrics(m => m
                .AddMeter(OperationsGauges.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter());
        if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            otel.WithTracing(t => t.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddSource("Npgsql").AddOtlpExporter());
        return services;
    }

    public static WebApplication MapObservability(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPrometheusScrapingEndpoint("/metrics");
        // Liveness: this process and its database. Readiness adds what the node needs to take work (replica, broker).
        app.MapHealthChecks("/health", new HealthCheckOptions { Predicate = c => !c.Tags.Contains("ready") });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { ResponseWriter = WriteReadinessAsync });
        // The cheapest answer a node gives, touching nothing: a door controller tells "link up" from "link down" with it before
        // it falls back to its whitelist, and the access bench measures the server's floor with it.
        app.MapGet("/ping", () => TypedResults.Text("pong")).AllowAnonymous().WithTags("Operations").WithName("Ping")
            .WithSummary("Answers \"pong\" at once: the link to this node is up.");
        return app;
    }

    /// <summary>The response header naming the database that served a request's stale-tolerant reads: <c>replica</c> or <c>primary</c>.</summary>
    public const string ReadFromHeader = "X-Linli-Read-From";

    /// <summary>
    /// Tells, on every response whose request read through <c>ILinliReadDb</c> (statistics, exports), which database served
    /// it, so operators and tests see when reads fell back to the primary (ADR 0015). A request that read nothing stale gets
    /// no header. A GET whose read found the replica gone (it has already sent later reads to the primary) runs once more,
    /// in a DI scope of its own, on the primary: the reader sees the answer, not a 500.
    /// </summary>
    public static WebApplication UseReadSourceHeader(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(async (context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                if (context.RequestServices.GetService<PooledLinliReadDb>()?.Source is { } source)
                    context.Response.Headers[ReadFromHeader] = source == ReadSource.Replica ? "replica" : "primary";
                return Task.CompletedTask;
            });
            if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
            {
                await next(context);
                return;
            }
            try
            {
                await next(context);
            }
            catch (Exception) when (!context.Response.HasStarted && ReplicaFellOver(context.RequestServices))
            {
                var original = context.RequestServices;
                await using var retry = original.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
                context.RequestServices = retry.ServiceProvider;
                try
                {
                    context.Response.Clear();
                    await next(context);
                }
                finally
                {
                    context.RequestServices = original;
                }
            }
        });
        return app;
    }

    /// <summary>This request read the replica, and the replica is no longer used: a read found it gone.</summary>
    static bool ReplicaFellOver(IServiceProvider services) =>
        services.GetService<PooledLinliReadDb>()?.Source == ReadSource.Replica && services.GetService<ReplicaReads>() is { Usable: false };

    static Task WriteReadinessAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var entries = report.Entries.ToDictionary(e => e.Key, e => new
        {
            status = e.Value.Status.ToString(),
            detail = e.Value.Description,
            data = e.Value.Data.Count == 0 ? null : e.Value.Data,
        });
        return context.Response.WriteAsync(JsonSerializer.Serialize(new { status = report.Status.ToString(), checks = entries }, JsonSerializerOptions.Web));
    }
}

/// <summary>
/// Every registered readiness probe (replica, broker), each one's state in the data: unhealthy (503) when a required one is
/// not ready; degraded (still 200, the node takes work) when only one the node can do without is not (the replica).
/// </summary>
public sealed class ReadinessProbesCheck(IEnumerable<Linli.Application.Common.IReadinessProbe> probes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>();
        var notReady = new List<string>();
        var degraded = new List<string>();
        foreach (var probe in probes)
        {
            var result = await probe.ProbeAsync(cancellationToken);
            data[probe.Name] = new { ready = result.Ready, required = probe.Required, detail = result.Detail, figures = result.Data };
            if (!result.Ready) (probe.Required ? notReady : degraded).Add($"{probe.Name}: {result.Detail}");
        }
        if (notReady.Count > 0) return HealthCheckResult.Unhealthy(string.Join("; ", notReady.Concat(degraded)), data: data);
        if (degraded.Count > 0) return HealthCheckResult.Degraded(string.Join("; ", degraded), data: data);
        return HealthCheckResult.Healthy(data.Count == 0 ? "nothing else to check" : "all ready", data);
    }
}

namespace Linli.Web.Features.Devices;

/// <summary>Registration of the telemetry history and its retention job.</summary>
public static class TelemetryModule
{
    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<TelemetryRetentionOptions>(configuration.GetSection("Linli:Devices"));
        services.AddScoped<TelemetryQueries>();
        services.AddSingleton<TelemetryRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<TelemetryRetention>());
        return services;
    }

    public static IEndpointRouteBuilder MapTelemetry(this IEndpointRouteBuilder app)
    {
        app.MapTelemetryApi();
        return app;
    }
}

using Microsoft.Extensions.Options;

namespace Linli.Web.Features.Devices;

/// <summary>
/// The device module: the in-memory directory, ingestion (HTTP here; MQTT comes with the broker), the device clock, device
/// commands and telemetry. Whoever listens to the devices registers an <see cref="IDeviceObserver"/>.
/// </summary>
public static class DevicesModule
{
    public static IServiceCollection AddDevices(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<DeviceOptions>(configuration.GetSection("Linli:Devices"));
        services.AddSingleton<DeviceDirectory>();
        services.AddSingleton<DirectorySync>();
        services.Configure<ClusterOptions>(configuration.GetSection(ClusterOptions.Section));
        services.AddSingleton(sp => new ClusterNodes(configuration["Linli:NodeName"] is { Length: > 0 } name ? name : ClusterNodes.DefaultName(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<ClusterOptions>>()));
        services.AddSingleton<OwnershipSync>();
        services.AddSingleton<DeviceOwnership>();
        services.AddSingleton<IngestParser>();
        services.AddSingleton<IngestionPipeline>();
        services.AddSingleton<DeviceTicker>();
        services.AddSingleton<DeviceFeed>();
        services.AddScoped<DeviceCommands>();
        services.AddTelemetry(configuration);
        services.AddHostedService<DirectoryLoader>();
        services.AddHostedService(sp => sp.GetRequiredService<IngestionPipeline>());
        services.AddHostedService(sp => sp.GetRequiredService<DeviceTicker>());
        return services;
    }

    public static IEndpointRouteBuilder MapDevices(this IEndpointRouteBuilder app)
    {
        app.MapIngestApi();
        app.MapDevicesApi();
        app.MapTelemetry();
        return app;
    }
}

/// <summary>Loads the device directory before the pipeline takes messages (hosted services start in order).</summary>
sealed class DirectoryLoader(DeviceDirectory directory) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => directory.LoadAsync(cancellationToken);
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

using Linli.Infrastructure.Messaging;
using Linli.Web.Features.Devices;
using Linli.Web.Features.Alarms;

namespace Linli.Web.Features.Alarms;

/// <summary>The monitoring module (一系统): devices, ingestion, rules, alarms with escalation, SOS, the live operations hub.</summary>
public static class MonitoringModule
{
    public static IServiceCollection AddMonitoringModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<DeviceOptions>(configuration.GetSection("Linli:Devices"));
        services.Configure<AlarmOptions>(configuration.GetSection("Linli:Alarms"));
        services.AddSingleton<DeviceDirectory>();
        services.AddSingleton<DirectorySync>();
        services.AddSingleton<IngestParser>();
        services.AddSingleton<AlarmWorker>();
        services.AddSingleton<IngestionPipeline>();
        services.AddSingleton<DeviceTicker>();
        services.AddSingleton<DeviceFeed>();
        services.AddSingleton<AlarmTimerService>();
        services.AddSingleton<ILocalLiveDelivery, SignalRLiveDelivery>();
        services.AddSingleton<LocalLiveBus>();
        services.AddSingleton<ILiveBus>(sp => sp.GetRequiredService<LocalLiveBus>());
        services.AddSingleton<OpsFeed>();
        // The live view hears an alarm change first, before the slower handlers registered by the notifications.
        services.AddScoped<IDomainEventHandler<Linli.Domain.Alarms.AlarmChanged>, AlarmLivePush>();
        services.AddAlarmNotifications(configuration);
        services.AddScoped<AlarmService>();
        services.AddScoped<AlarmRuleCommands>();
        services.AddScoped<AlarmQueries>();
        services.AddScoped<DeviceCommands>();
        services.AddTelemetry(configuration);
        services.AddSignalR();
        services.AddHostedService<DirectoryLoader>();
        services.AddOpsPages();
        services.AddHostedService(sp => sp.GetRequiredService<AlarmWorker>());
        services.AddHostedService(sp => sp.GetRequiredService<IngestionPipeline>());
        services.AddHostedService(sp => sp.GetRequiredService<DeviceTicker>());
        services.AddHostedService(sp => sp.GetRequiredService<AlarmTimerService>());
        services.AddRabbitMq(configuration);
        return services;
    }

    public static IEndpointRouteBuilder MapMonitoring(this IEndpointRouteBuilder app)
    {
        app.MapHub<OpsHub>(OpsHub.Path);
        app.MapOpsPages();
        app.MapIngestApi();
        app.MapDevicesApi();
        app.MapTelemetry();
        app.MapAlarmsApi();
        app.MapAlarmNotifications();
        return app;
    }
}

/// <summary>Loads the device directory before the pipeline takes messages (hosted services start in order).</summary>
sealed class DirectoryLoader(DeviceDirectory directory) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => directory.LoadAsync(cancellationToken);
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

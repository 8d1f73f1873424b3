using Linli.Infrastructure.Messaging;
using Linli.Web.Features.Devices;
using Linli.Web.Features.Alarms;

namespace Linli.Web.Features.Alarms;

/// <summary>
/// The monitoring module (一系统): the devices (<see cref="DevicesModule"/>), and on top of them rules, alarms with escalation,
/// SOS and the live operations hub. The rules watch the devices as an <see cref="IDeviceObserver"/>.
/// </summary>
public static class MonitoringModule
{
    public static IServiceCollection AddMonitoringModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<AlarmOptions>(configuration.GetSection("Linli:Alarms"));
        services.AddSingleton<AlarmWorker>();
        services.AddSingleton<RuleEvaluator>();
        services.AddSingleton<IDeviceObserver>(sp => sp.GetRequiredService<RuleEvaluator>());
        services.AddSingleton<AlarmRuleSync>();
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
        services.AddSignalR();
        services.AddOpsPages();
        // Hosted services start in order: the rules are loaded and the worker runs before the devices' pipeline and clock start.
        services.AddHostedService<RuleLoader>();
        services.AddHostedService(sp => sp.GetRequiredService<AlarmWorker>());
        services.AddDevices(configuration);
        services.AddHostedService(sp => sp.GetRequiredService<AlarmTimerService>());
        services.AddRabbitMq(configuration);
        return services;
    }

    public static IEndpointRouteBuilder MapMonitoring(this IEndpointRouteBuilder app)
    {
        app.MapHub<OpsHub>(OpsHub.Path);
        app.MapOpsPages();
        app.MapDevices();
        app.MapAlarmsApi();
        app.MapAlarmNotifications();
        return app;
    }
}

/// <summary>Loads the alarm rules before the devices' pipeline takes messages and their clock ticks.</summary>
sealed class RuleLoader(RuleEvaluator rules) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => rules.ReloadAsync(cancellationToken);
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

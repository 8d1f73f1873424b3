namespace Linli.Web.Features.Alarms;

/// <summary>
/// What alarms lead to beyond the live feed: people called on their channels, signed webhooks, cases, and the welfare
/// check for elderly residents living alone.
/// </summary>
public static class AlarmNotificationsModule
{
    public static IServiceCollection AddAlarmNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<NotificationOptions>(configuration.GetSection("Linli:Notifications"));
        services.Configure<WebhookOptions>(configuration.GetSection("Linli:Webhooks"));
        services.Configure<WelfareOptions>(configuration.GetSection("Linli:Alarms"));
        services.AddHttpClient(WebhookDispatcher.ClientName);
        services.AddSingleton<WebhookSignal>();
        // After a committed alarm change: the webhooks' deliveries, then the people to call (and the case to open).
        services.AddScoped<IDomainEventHandler<Linli.Domain.Alarms.AlarmChanged>, WebhookOutbox>();
        services.AddScoped<IDomainEventHandler<Linli.Domain.Alarms.AlarmChanged>, AlarmCalls>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddSingleton<WelfareCheck>();
        services.AddScoped<AlarmCallList>();
        services.AddScoped<AlarmCases>();
        services.AddScoped<NotificationPreferences>();
        services.AddScoped<WebhookCommands>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        services.AddHostedService(sp => sp.GetRequiredService<WelfareCheck>());
        return services;
    }

    public static IEndpointRouteBuilder MapAlarmNotifications(this IEndpointRouteBuilder app)
    {
        app.MapNotificationPreferencesApi();
        app.MapWebhooksApi();
        app.MapAlarmCasesApi();
        return app;
    }
}

using Linli.Application.Alarms;
using Linli.Application.Devices;
using Linli.Application.Common;
using Linli.Application.Live;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Linli.Infrastructure.Messaging;

/// <summary>
/// With <c>Linli:RabbitMq:ConnectionString</c> set: MQTT ingestion from the broker, and live pushes and directory edits
/// fanned out to every web node. Without it nothing changes (embedded: HTTP ingestion, one node).
/// </summary>
public static class RabbitMqModule
{
    /// <summary>Call after the monitoring services are registered: it replaces the local live bus, the directory sync and the rule sync.</summary>
    public static IServiceCollection AddRabbitMq(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(RabbitMqOptions.Section);
        services.Configure<RabbitMqOptions>(section);
        var options = section.Get<RabbitMqOptions>() ?? new RabbitMqOptions();
        if (!options.Enabled) return services;
        if (!Uri.TryCreate(options.ConnectionString, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps"))
            throw new InvalidOperationException($"{RabbitMqOptions.Section}:ConnectionString must be an amqp:// or amqps:// URL.");

        services.AddSingleton<RabbitMqLiveBus>();
        services.Replace(ServiceDescriptor.Singleton<ILiveBus>(sp => sp.GetRequiredService<RabbitMqLiveBus>()));
        services.Replace(ServiceDescriptor.Singleton<DirectorySync, BroadcastingDirectorySync>());
        services.Replace(ServiceDescriptor.Singleton<AlarmRuleSync, BroadcastingAlarmRuleSync>());
        services.Replace(ServiceDescriptor.Singleton<Linli.Application.Common.CacheSync, BroadcastingCacheSync>());
        services.Replace(ServiceDescriptor.Singleton<OwnershipSync, BroadcastingOwnershipSync>());
        services.PostConfigure<ClusterOptions>(o => o.Shared = true);
        services.AddSingleton<MqttIngestion>();
        services.AddSingleton<Linli.Application.Common.IReadinessProbe, BrokerProbe>();
        services.AddHostedService(sp => sp.GetRequiredService<RabbitMqLiveBus>());
        services.AddHostedService(sp => sp.GetRequiredService<MqttIngestion>());
        return services;
    }
}

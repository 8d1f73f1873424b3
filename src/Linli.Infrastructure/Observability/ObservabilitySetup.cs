using Linli.Application.Common;
using Linli.Infrastructure.Persistence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Infrastructure.Observability;

public static class ObservabilitySetup
{
    /// <summary>The operations gauges and, with a replica configured, its readiness probe.</summary>
    public static IServiceCollection AddLinliOperationsMetrics(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<MetricsOptions>(configuration.GetSection(MetricsOptions.Section));
        services.AddSingleton<OperationsGauges>();
        services.AddHostedService(sp => sp.GetRequiredService<OperationsGauges>());
        // The probe itself is registered with the replica's reads (AddLinliPersistence), which ask it too.
        var database = configuration.GetSection("Linli:Database").Get<DatabaseOptions>() ?? new DatabaseOptions();
        if (!string.IsNullOrWhiteSpace(database.ReplicaConnectionString))
            services.AddSingleton<IReadinessProbe>(sp => sp.GetRequiredService<ReplicaProbe>());
        return services;
    }
}

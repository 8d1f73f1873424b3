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
        var database = configuration.GetSection("Linli:Database").Get<DatabaseOptions>() ?? new DatabaseOptions();
        if (!string.IsNullOrWhiteSpace(database.ReplicaConnectionString))
        {
            if (database.Provider != DatabaseProvider.Postgres)
                throw new InvalidOperationException("Linli:Database:ReplicaConnectionString needs Linli:Database:Provider Postgres.");
            services.AddSingleton<IReadinessProbe>(new ReplicaProbe(database.ReplicaConnectionString, TimeSpan.FromSeconds(database.ReplicaMaxLagSeconds)));
        }
        return services;
    }
}

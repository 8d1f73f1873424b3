using Linli.Application.Access;
using Linli.Application.Common;
using Linli.Domain.Registry;

namespace Linli.Web.Features.Access;

/// <summary>
/// One card (一卡): the in-memory decision snapshot every node keeps, the access log's batch writer, credentials, gates,
/// visitors and the controllers' endpoints.
/// </summary>
public static class AccessModule
{
    public static IServiceCollection AddAccessModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<AccessOptions>(configuration.GetSection("Linli:Access"));
        services.AddSingleton<AccessSnapshot>();
        services.AddSingleton<VisitorPassCodes>();
        services.AddSingleton<AccessLogWriter>();
        services.AddSingleton<AccessFailures>();
        services.AddSingleton<AccessDecisions>();
        services.AddScoped<CredentialCommands>();
        services.AddScoped<GateCommands>();
        services.AddScoped<VisitorCommands>();
        services.AddScoped<ControllerSync>();
        services.AddScoped<AccessQueries>();
        services.AddScoped<ResidentPassages>();
        services.AddScoped<WorkOrderAccess>();
        services.AddScoped<IDomainEventHandler<ResidentMovedOut>, MoveOutRevocation>();
        services.AddHostedService<AccessStartup>();
        services.AddHostedService(sp => sp.GetRequiredService<AccessLogWriter>());
        services.AddHostedService<AccessSync>();
        services.AddSingleton<AccessLogRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<AccessLogRetention>());
        return services;
    }

    public static IEndpointRouteBuilder MapAccess(this IEndpointRouteBuilder app)
    {
        app.MapAccessApi();
        app.MapControllerApi();
        app.MapAccessPages();
        return app;
    }
}

/// <summary>Loads the visitor pass key and the first snapshot before the node takes requests (hosted services start in order).</summary>
sealed class AccessStartup(VisitorPassCodes passCodes, AccessSnapshot snapshot) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await passCodes.LoadAsync(cancellationToken);
        await snapshot.LoadAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

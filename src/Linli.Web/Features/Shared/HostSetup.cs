using Linli.Domain.Identity;
using Linli.Infrastructure.Persistence;
using Linli.Infrastructure.Seeding;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Linli.Web.Features.Shared;

/// <summary>Start-up work: migrate, seed on first start, print the demo sign-ins; and the health check.</summary>
public static partial class HostSetup
{
    public static async Task PrepareDatabaseAsync(this WebApplication app, string? seedOverride)
    {
        ArgumentNullException.ThrowIfNull(app);
        await using var scope = app.Services.GetRequiredService<IServiceScopeFactory>().CreateSystemScope("migrate and seed the database at start-up");
        await scope.ServiceProvider.GetRequiredService<MigrationRunner>().ApplyAsync();
        await CaseCategoryDefaults.EnsureAsync(scope.ServiceProvider.GetRequiredService<ILinliDb>());
        var seedName = seedOverride ?? app.Configuration["Linli:Seed"];
        var seeder = scope.ServiceProvider.GetRequiredService<RegistrySeeder>();
        if (SeedProfile.Named(seedName) is { } profile && !await seeder.IsSeededAsync())
        {
            Log.Seeding(app.Logger, profile.Name);
            await seeder.SeedAsync(profile);
            // After the default categories above: the demo's case history is reported in them.
            if (profile.Name == SeedProfile.Demo.Name)
            {
                await scope.ServiceProvider.GetRequiredService<CaseSeeder>().SeedAsync(profile.Seed);
                await Devices.DemoDevices.SeedAsync(app, scope.ServiceProvider.GetRequiredService<MonitoringSeeder>());
                var cards = await scope.ServiceProvider.GetRequiredService<AccessSeeder>().SeedAsync();
                await scope.ServiceProvider.GetRequiredService<ParkingSeeder>().SeedAsync();
                Console.WriteLine("Demo cards for the door controllers (linli-devicesim access-controller): "
                    + string.Join("; ", cards.Select(c => $"{c.Holder} {c.Uid}")));
                await scope.ServiceProvider.GetRequiredService<NoticeSeeder>().SeedAsync();
            }
        }
        await PlannerStatistics.OptimizeAsync(scope.ServiceProvider.GetRequiredService<Linli.Infrastructure.Persistence.LinliDbContext>());
        if (SeedProfile.Named(seedName) is not null) await PrintSignInsAsync(app, scope.ServiceProvider.GetRequiredService<Linli.Infrastructure.Persistence.LinliDbContext>());
        app.Services.GetRequiredService<DatabaseReadiness>().Ready = true;
    }

    static async Task PrintSignInsAsync(WebApplication app, Linli.Infrastructure.Persistence.LinliDbContext db)
    {
        var users = await db.Users.AsNoTracking().OrderBy(u => u.Id).Select(u => new { u.UserName, u.Role, u.DisplayName }).ToListAsync();
        if (users.Count == 0) return;
        var lines = users.Select(u => $"  {u.UserName,-10} {u.Role,-16} {u.DisplayName}");
        Console.WriteLine($"""

            Linli demo sign-ins (password for all: {RegistrySeeder.DemoPassword})
            {string.Join(Environment.NewLine, lines)}
              Residents can also sign in with their phone and a one-time code (the code is written to this log).

            """);
    }

    static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Seeding the {Profile} district; this happens once, on the first start.")]
        public static partial void Seeding(ILogger logger, string profile);
    }
}

/// <summary>Set once migrations and seeding are done.</summary>
public sealed class DatabaseReadiness
{
    public volatile bool Ready;
}

/// <summary>Healthy when start-up has prepared the database and it answers a query now.</summary>
public sealed class DatabaseHealthCheck(DatabaseReadiness readiness, Linli.Infrastructure.Persistence.LinliDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!readiness.Ready) return HealthCheckResult.Unhealthy("Database is being prepared.");
        return await db.Database.CanConnectAsync(cancellationToken) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("Database does not answer.");
    }
}

using System.Data.Common;
using Linli.Application.Common;
using Linli.Application.Devices;
using Linli.Application.Identity;
using Linli.Domain.Alarms;
using Linli.Domain.Cases;
using Linli.Domain.Common;
using Linli.Infrastructure.Persistence;
using Linli.Infrastructure.Privacy;
using Linli.Infrastructure.Seeding;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Infrastructure;

public static class DependencyInjection
{
    /// <summary>Registers the database (SQLite by default, PostgreSQL when configured), migrations, seeding, the personal-data protector and the file store.</summary>
    public static IServiceCollection AddLinliPersistence(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        var options = configuration.GetSection("Linli:Database").Get<DatabaseOptions>() ?? new DatabaseOptions();
        var dataDir = Path.Combine(contentRoot, configuration["Linli:DataDirectory"] ?? "data");
        var connectionString = options.ConnectionString;
        if (options.Provider == DatabaseProvider.Sqlite && string.IsNullOrWhiteSpace(connectionString))
        {
            Directory.CreateDirectory(dataDir);
            connectionString = $"Data Source={Path.Combine(dataDir, "linli.db")}";
        }
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new InvalidOperationException("Linli:Database:ConnectionString is required for PostgreSQL.");

        services.AddSingleton(options);
        services.Configure<OutboxOptions>(configuration.GetSection("Linli:Outbox"));
        services.AddSingleton<OutboxDispatcher>();
        services.AddSingleton<IOutboxStore, OutboxStore>();
        services.AddSingleton<OutboxInterceptor>();
        services.AddSingleton<NewCaseWriter>();
        services.AddSingleton<Application.Cases.INewCaseWriter>(sp => sp.GetRequiredService<NewCaseWriter>());
        services.AddHostedService(sp => sp.GetRequiredService<NewCaseWriter>());
        services.AddPooledDbContextFactory<LinliDbContext>((sp, db) =>
        {
            var outbox = sp.GetRequiredService<OutboxInterceptor>();
            db.AddInterceptors(outbox, outbox.Transactions);
            Configure(db, options.Provider, connectionString);
        });
        // A DI scope's context is rented from the pool and runs under the scope's caller (a request's user, a job's declared
        // scope); without one (tools, migrations) it is the system's.
        services.AddScoped<PooledLinliDbContext>();
        services.AddScoped(sp => sp.GetRequiredService<PooledLinliDbContext>().Context);
        // Stale-tolerant reads: a second, read-only context of the scope, on the replica while it is healthy (ADR 0015).
        services.AddScoped<PooledLinliReadDb>();
        services.AddScoped<ILinliReadDb>(sp => sp.GetRequiredService<PooledLinliReadDb>().Context);
        if (!string.IsNullOrWhiteSpace(options.ReplicaConnectionString))
        {
            if (options.Provider != DatabaseProvider.Postgres)
                throw new InvalidOperationException("Linli:Database:ReplicaConnectionString needs Linli:Database:Provider Postgres.");
            var replica = new DbContextOptionsBuilder<LinliDbContext>();
            Configure(replica, DatabaseProvider.Postgres, options.ReplicaConnectionString);
            var probe = new Observability.ReplicaProbe(options.ReplicaConnectionString, TimeSpan.FromSeconds(options.ReplicaMaxLagSeconds), options.ReplicaMustBeStandby);
            services.AddSingleton(probe);
            services.AddSingleton(sp => new ReplicaReads(replica.Options, probe,
                TimeSpan.FromSeconds(options.ReplicaCheckSeconds), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<ReplicaReads>>()));
            services.AddHostedService(sp => sp.GetRequiredService<ReplicaReads>());
        }
        services.AddSingleton<IPersonalDataProtector>(_ => new PersonalDataProtector(
            PersonalDataProtector.LoadOrCreateKey(configuration["Linli:Privacy:Key"], Path.Combine(dataDir, "personal-data.key"))));
        services.AddScoped<ILinliDb>(sp => sp.GetRequiredService<LinliDbContext>());
        services.AddScoped<DeclaredScope>();
        services.AddSingleton<IDueTimerClaims<CaseTimer>, CaseTimerClaims>();
        services.AddSingleton<IDueTimerClaims<AlarmTimer>, AlarmTimerClaims>();
        services.AddSingleton<IRegistryBulkWriter, RegistryBulkWriterPort>();
        services.AddSingleton<IReadingWriterFactory, ReadingWriterFactory>();
        services.AddSingleton<ITelemetryPartitions, TelemetryPartitions>();
        services.AddSingleton<Linli.Application.Access.IAccessLogStore, AccessLogStore>();
        services.AddSingleton<Linli.Application.Access.IAccessLogPartitions, AccessLogPartitions>();
        services.AddSingleton<IPasswordHasher, Identity.Pbkdf2PasswordHasher>();
        services.AddSingleton<Application.Identity.ISignInCounter, SignInCounter>();
        services.AddSingleton<ISmsSender, Sms.LoggingSmsSender>();
        services.AddSingleton<IFileStore>(new Files.SharedDirectoryFileStore(Files.SharedDirectoryFileStore.Configured(configuration, dataDir)));
        services.AddScoped<MigrationRunner>();
        services.AddScoped<RegistrySeeder>();
        services.AddScoped<CaseSeeder>();
        services.AddScoped<MonitoringSeeder>();
        services.AddScoped<AccessSeeder>();
        services.AddScoped<ParkingSeeder>();
        services.AddScoped<NoticeSeeder>();
        services.AddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>The provider and the warnings, alike for the primary's pool and the replica's.</summary>
    static void Configure(DbContextOptionsBuilder db, DatabaseProvider provider, string connectionString)
    {
        if (provider == DatabaseProvider.Postgres) db.UseNpgsql(connectionString);
        else db.UseSqlite(connectionString).AddInterceptors(SqlitePragmas.Instance);
        // Capped counts (Take(n).Count()) limit rows on purpose and need no order; everything that pages orders first.
        db.ConfigureWarnings(w => w.Ignore(CoreEventId.PossibleIncorrectRequiredNavigationWithQueryFilterInteractionWarning,
            CoreEventId.RowLimitingOperationWithoutOrderByWarning));
    }
}

/// <summary>Per-connection SQLite settings: WAL with normal sync (durable across process crashes) and a busy timeout for writers.</summary>
sealed class SqlitePragmas : DbConnectionInterceptor
{
    public static readonly SqlitePragmas Instance = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    static void Apply(DbConnection connection)
    {
        if (connection is not SqliteConnection) return;
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;";
        command.ExecuteNonQuery();
    }
}

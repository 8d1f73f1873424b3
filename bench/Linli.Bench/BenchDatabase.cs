using System.Diagnostics;
using System.Text.Json;
using Linli.Domain.Identity;
using Linli.Infrastructure;
using Linli.Infrastructure.Persistence;
using Linli.Infrastructure.Seeding;
using Linli.Web.Features.Registry;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Linli.Bench;

/// <summary>What we know about the cached large data set: when it was seeded, how long that took, and with which schema.</summary>
public sealed record SeedMarker(string Profile, DateTimeOffset SeededAt, double SeedSeconds, Dictionary<int, string> Schema);

/// <summary>
/// The large benchmark database for one provider: a file under bench/.data/ on SQLite, the database <c>linli_bench</c> on the
/// PostgreSQL test server. Seeded once and reused while its schema history matches the migrations in the build.
/// </summary>
public sealed class BenchDatabase
{
    /// <summary>A fixed personal-data key, so blind indexes and encrypted values stay readable across runs.</summary>
    public const string PrivacyKey = "bGlubGktYmVuY2gta2V5LTMyLWJ5dGVzLWxvbmctMDA=";

    /// <summary>
    /// <c>linli_bench</c>, or <c>LINLI_BENCH_DATABASE</c>: two builds whose migrations differ (a before/after comparison)
    /// each keep their own seeded copy instead of reseeding the shared one at every switch.
    /// </summary>
    public static readonly string PostgresDatabase = Environment.GetEnvironmentVariable("LINLI_BENCH_DATABASE") is { Length: > 0 } name
        && name.All(ch => char.IsAsciiLetterLower(ch) || char.IsAsciiDigit(ch) || ch == '_') ? name : "linli_bench";

    internal BenchDatabase(DatabaseProvider provider, string connectionString, string dataDirectory)
    {
        Provider = provider;
        ConnectionString = connectionString;
        DataDirectory = dataDirectory;
    }

    public DatabaseProvider Provider { get; }
    public string ConnectionString { get; }
    public string DataDirectory { get; }
    public string ProviderName => Provider == DatabaseProvider.Postgres ? "postgres" : "sqlite";

    string SqliteFile => Path.Combine(DataDirectory, "linli-large.db");
    string SqliteMarkerFile => SqliteFile + ".json";

    public static BenchDatabase For(DatabaseProvider provider, string repoRoot)
    {
        var dataDirectory = Path.Combine(repoRoot, "bench", ".data");
        Directory.CreateDirectory(dataDirectory);
        if (provider == DatabaseProvider.Sqlite)
            return new BenchDatabase(provider, $"Data Source={Path.Combine(dataDirectory, "linli-large.db")}", dataDirectory);
        return new BenchDatabase(provider, new NpgsqlConnectionStringBuilder(PostgresServer) { Database = PostgresDatabase }.ConnectionString, dataDirectory);
    }

    /// <summary>
    /// The monitoring scenarios' own small database (the demo-sized registry plus bench devices), rebuilt by each run:
    /// bench/.data/monitoring/linli-monitoring.db or the PostgreSQL database <c>linli_bench_monitoring</c>.
    /// </summary>
    public static BenchDatabase Monitoring(DatabaseProvider provider, string repoRoot)
    {
        var dataDirectory = Path.Combine(repoRoot, "bench", ".data", "monitoring");
        Directory.CreateDirectory(dataDirectory);
        if (provider == DatabaseProvider.Sqlite)
            return new BenchDatabase(provider, $"Data Source={Path.Combine(dataDirectory, "linli-monitoring.db")}", dataDirectory);
        return new BenchDatabase(provider, new NpgsqlConnectionStringBuilder(PostgresServer) { Database = "linli_bench_monitoring" }.ConnectionString, dataDirectory);
    }

    public static string PostgresServer => Environment.GetEnvironmentVariable("LINLI_TEST_POSTGRES")
        ?? throw new InvalidOperationException("--provider postgres needs LINLI_TEST_POSTGRES (run `source scripts/services.sh && linli_start_postgres`).");

    /// <summary>The same services the web host registers for persistence, plus a settable scope and the resident search.</summary>
    public ServiceProvider Services()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Linli:Database:Provider"] = Provider.ToString(),
            ["Linli:Database:ConnectionString"] = ConnectionString,
            ["Linli:Privacy:Key"] = PrivacyKey,
            ["Linli:DataDirectory"] = DataDirectory,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging(l => l.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        services.AddLinliPersistence(configuration, DataDirectory);
        services.AddScoped<BenchScope>();
        services.AddScoped<ICurrentScope>(sp => sp.GetRequiredService<BenchScope>());
        services.AddScoped<ResidentSearch>();
        return services.BuildServiceProvider();
    }

    /// <summary>Migrates and seeds the large set unless a matching seeded copy exists; returns the marker of the copy in use.</summary>
    public async Task<(SeedMarker Marker, bool Reused)> EnsureSeededAsync(bool force, TextWriter log)
    {
        var expected = MigrationRunner.Scripts(Provider).ToDictionary(s => s.Version, s => s.Checksum);
        var marker = force ? null : await ReadMarkerAsync();
        if (marker is not null && marker.Schema.All(kv => expected.TryGetValue(kv.Key, out var c) && c == kv.Value))
        {
            // Same history so far: newer migrations (an index, say) are applied on top of the seeded data.
            await using var services = Services();
            using var scope = services.CreateScope();
            var applied = await scope.ServiceProvider.GetRequiredService<MigrationRunner>().ApplyAsync();
            if (applied > 0)
            {
                log.WriteLine($"[{ProviderName}] applied {applied} new migration(s) to the cached large set");
                await AnalyzeAsync();
                marker = marker with { Schema = expected };
                await WriteMarkerAsync(marker);
            }
            return (marker, true);
        }

        log.WriteLine($"[{ProviderName}] seeding the large set (20 communities, 200,000 rooms, ~500,000 residents) …");
        await DropAsync();
        var watch = Stopwatch.StartNew();
        await using (var services = Services())
        {
            using var scope = services.CreateScope();
            await scope.ServiceProvider.GetRequiredService<MigrationRunner>().ApplyAsync();
            await scope.ServiceProvider.GetRequiredService<RegistrySeeder>().SeedAsync(SeedProfile.Large);
        }
        var seedSeconds = watch.Elapsed.TotalSeconds;
        await AnalyzeAsync();
        marker = new SeedMarker("large", DateTimeOffset.UtcNow, seedSeconds, expected);
        await WriteMarkerAsync(marker);
        log.WriteLine($"[{ProviderName}] seeded in {seedSeconds:0.0} s");
        return (marker, false);
    }

    /// <summary>
    /// Planner statistics after a bulk load: PostgreSQL's autovacuum would gather them soon anyway, so the figures should not
    /// depend on when the run started. On SQLite the seeder has run ANALYZE, as the app does; the WAL is folded in.
    /// </summary>
    async Task AnalyzeAsync()
    {
        if (Provider == DatabaseProvider.Postgres)
        {
            await using var c = new NpgsqlConnection(ConnectionString);
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand("VACUUM ANALYZE", c) { CommandTimeout = 900 };
            await cmd.ExecuteNonQueryAsync();
        }
        else
        {
            await using var c = new SqliteConnection(ConnectionString);
            await c.OpenAsync();
            await using var cmd = c.CreateCommand();
            cmd.CommandText = "ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);";
            cmd.CommandTimeout = 900;
            await cmd.ExecuteNonQueryAsync();
        }
    }

    public async Task<long> SizeBytesAsync()
    {
        if (Provider == DatabaseProvider.Sqlite)
            return new[] { SqliteFile, SqliteFile + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);
        await using var c = new NpgsqlConnection(ConnectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT pg_database_size(current_database())", c);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    async Task<SeedMarker?> ReadMarkerAsync()
    {
        string? json;
        if (Provider == DatabaseProvider.Sqlite)
        {
            if (!File.Exists(SqliteFile) || !File.Exists(SqliteMarkerFile)) return null;
            json = await File.ReadAllTextAsync(SqliteMarkerFile);
        }
        else
        {
            // The marker lives in the database's comment, so it disappears with the database.
            await using var c = new NpgsqlConnection(PostgresServer);
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = @n", c);
            cmd.Parameters.AddWithValue("n", PostgresDatabase);
            json = await cmd.ExecuteScalarAsync() as string;
        }
        if (string.IsNullOrWhiteSpace(json)) return null;
        try
        {
            return JsonSerializer.Deserialize<SeedMarker>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    async Task WriteMarkerAsync(SeedMarker marker)
    {
        var json = JsonSerializer.Serialize(marker);
        if (Provider == DatabaseProvider.Sqlite)
        {
            await File.WriteAllTextAsync(SqliteMarkerFile, json);
            return;
        }
        await using var c = new NpgsqlConnection(PostgresServer);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand($"COMMENT ON DATABASE {PostgresDatabase} IS '{json.Replace("'", "''", StringComparison.Ordinal)}'", c);
        await cmd.ExecuteNonQueryAsync();
    }

    async Task DropAsync()
    {
        if (Provider == DatabaseProvider.Sqlite)
        {
            SqliteConnection.ClearAllPools();
            foreach (var f in new[] { SqliteFile, SqliteFile + "-wal", SqliteFile + "-shm", SqliteMarkerFile })
                if (File.Exists(f)) File.Delete(f);
            return;
        }
        NpgsqlConnection.ClearAllPools();
        await using var c = new NpgsqlConnection(PostgresServer);
        await c.OpenAsync();
        await using (var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {PostgresDatabase} WITH (FORCE)", c)) await drop.ExecuteNonQueryAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {PostgresDatabase}", c);
        await create.ExecuteNonQueryAsync();
    }
}

/// <summary>The scope a benchmark query runs as; set right after the DI scope is created, before the DbContext is resolved.</summary>
public sealed class BenchScope : ICurrentScope
{
    public Scope Scope { get; set; } = Scope.System;
}

using Linli.Infrastructure.Persistence;
using Npgsql;

namespace Linli.Web.Tests;

/// <summary>
/// One fresh database per test app, copied from a template that was migrated and seeded with the demo district once per
/// test run: a file copy on SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL. LINLI_TEST_DB chooses the provider.
/// </summary>
public static class TestDatabase
{
    /// <summary>A fixed personal-data key so the template's encrypted values and blind indexes stay readable.</summary>
    public const string PrivacyKey = "bGlubGktdGVzdC1rZXktMzItYnl0ZXMtbG9uZy0wMDA=";

    static readonly SemaphoreSlim TemplateLock = new(1, 1);
    static string? _template;

    public static DatabaseProvider Provider => (Environment.GetEnvironmentVariable("LINLI_TEST_DB") ?? "sqlite").ToLowerInvariant() switch
    {
        "sqlite" => DatabaseProvider.Sqlite,
        "postgres" or "postgresql" => DatabaseProvider.Postgres,
        var other => throw new InvalidOperationException($"LINLI_TEST_DB must be 'sqlite' or 'postgres', not '{other}'."),
    };

    public static string PostgresServer => Environment.GetEnvironmentVariable("LINLI_TEST_POSTGRES")
        ?? throw new InvalidOperationException("LINLI_TEST_DB=postgres but LINLI_TEST_POSTGRES is not set: PostgreSQL is missing. Run ./test.sh, which starts it.");

    /// <summary>Creates a database for one test app and returns its connection string and a disposer.</summary>
    public static async Task<(string ConnectionString, Func<Task> Drop)> CreateAsync(bool seeded = true)
    {
        var template = seeded ? await TemplateAsync() : null;
        var name = $"linli_t_{Guid.NewGuid():N}";
        if (Provider == DatabaseProvider.Sqlite)
        {
            var dir = Path.Combine(Path.GetTempPath(), "linli-tests");
            Directory.CreateDirectory(dir);
            var file = Path.Combine(dir, name + ".db");
            if (template is not null) File.Copy(template, file);
            return ($"Data Source={file}", () =>
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                foreach (var f in new[] { file, file + "-wal", file + "-shm" }) if (File.Exists(f)) File.Delete(f);
                return Task.CompletedTask;
            });
        }
        await ExecuteAsync(template is null ? $"CREATE DATABASE {name}" : $"CREATE DATABASE {name} TEMPLATE {template}");
        var cs = new NpgsqlConnectionStringBuilder(PostgresServer) { Database = name }.ConnectionString;
        return (cs, async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        });
    }

    static async Task<string> TemplateAsync()
    {
        if (_template is not null) return _template;
        await TemplateLock.WaitAsync();
        try
        {
            if (_template is not null) return _template;
            var (cs, _) = await CreateAsync(seeded: false);
            // Starting the app once migrates and seeds the demo district into the template.
            await using (var factory = new LinliAppFactory(cs, seed: "demo"))
            {
                factory.CreateClient().Dispose();
            }
            if (Provider == DatabaseProvider.Sqlite)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                var file = cs["Data Source=".Length..];
                // Fold the WAL into the main file so that a plain copy is complete.
                await using (var c = new Microsoft.Data.Sqlite.SqliteConnection(cs))
                {
                    await c.OpenAsync();
                    await using var cmd = c.CreateCommand();
                    cmd.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
                    await cmd.ExecuteNonQueryAsync();
                }
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                _template = file;
            }
            else
            {
                NpgsqlConnection.ClearAllPools();
                _template = new NpgsqlConnectionStringBuilder(cs).Database!;
            }
            // The template lives as long as the test run; remove it when the test host exits.
            AppDomain.CurrentDomain.ProcessExit += (_, _) => DropTemplate(_template);
            return _template;
        }
        finally
        {
            TemplateLock.Release();
        }
    }

    static void DropTemplate(string template)
    {
        try
        {
            if (Provider == DatabaseProvider.Sqlite)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                foreach (var f in new[] { template, template + "-wal", template + "-shm" }) if (File.Exists(f)) File.Delete(f);
            }
            else
            {
                NpgsqlConnection.ClearAllPools();
                ExecuteAsync($"DROP DATABASE IF EXISTS {template} WITH (FORCE)").GetAwaiter().GetResult();
            }
        }
        catch (Exception e) when (e is IOException or NpgsqlException)
        {
            // Leaving a template behind is untidy, not wrong: the next run makes its own.
            Console.Error.WriteLine($"Could not remove the test template {template}: {e.Message}");
        }
    }

    static async Task ExecuteAsync(string sql)
    {
        await using var c = new NpgsqlConnection(PostgresServer);
        await c.OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }
}

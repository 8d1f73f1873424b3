using System.Data.Common;
using System.Globalization;
using Linli.Infrastructure.Persistence;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Linli.Bench;

/// <summary>Seeds the large district (or reuses the cached copy) and records how long seeding took and how big the database is.</summary>
public static class SeedScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchDatabase database, bool reseed, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(database);
        var result = new ScenarioResult("seed-large", database.ProviderName);
        var (marker, reused) = await database.EnsureSeededAsync(reseed, log);
        result.Facts["seed time (SeedProfile.Large, RegistrySeeder + RegistryBulkWriter, incl. migrations)"] = $"{marker.SeedSeconds:0.0} s";
        result.Facts["seeded at"] = $"{marker.SeededAt:yyyy-MM-dd HH:mm} UTC{(reused ? " (cached copy reused; pass --reseed to measure again)" : " (this run)")}";
        var size = await database.SizeBytesAsync();
        result.Facts["database size"] = $"{size / 1024d / 1024d:0.0} MiB";
        await using var c = Open(database);
        await c.OpenAsync();
        foreach (var (label, sql) in new[]
        {
            ("communities", "SELECT COUNT(*) FROM nodes WHERE \"Kind\" = 'Community'"),
            ("buildings", "SELECT COUNT(*) FROM buildings"),
            ("rooms", "SELECT COUNT(*) FROM rooms"),
            ("residents (all, incl. moved out)", "SELECT COUNT(*) FROM residents"),
            ("residents living in a room", "SELECT COUNT(*) FROM residents WHERE \"RoomId\" IS NOT NULL"),
            ("occupancy records", "SELECT COUNT(*) FROM room_occupancies"),
        })
        {
            await using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            result.Facts[label] = Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture).ToString("N0", CultureInfo.InvariantCulture);
        }
        return result;
    }

    public static DbConnection Open(BenchDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        return database.Provider == DatabaseProvider.Postgres ? new NpgsqlConnection(database.ConnectionString) : new SqliteConnection(database.ConnectionString);
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using Linli.DeviceSim;
using Linli.Domain.Devices;
using Linli.Domain.Registry;
using Linli.Infrastructure;
using Linli.Infrastructure.Persistence;
using Linli.Infrastructure.Seeding;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Linli.Bench;

/// <summary>
/// A fresh monitoring database: the demo-sized registry (two communities), the district's default alarm rules and
/// <c>n</c> bench devices written in one INSERT … SELECT (types mixed as a community has them, spread over the
/// communities and grids), plus gateways that send for them. Every bench device and gateway shares one secret.
/// </summary>
public sealed class MonitoringWorld
{
    public const string Secret = "bench-device-secret-0123456789abcdefghijk";
    public const int GatewaysPerCommunity = 4;

    // Smoke detectors are the most common device; every type here has a default rule except the door controllers.
    static readonly DeviceType[] Mix =
    [
        DeviceType.SmokeDetector, DeviceType.SmokeDetector, DeviceType.SmokeDetector, DeviceType.SmokeDetector, DeviceType.DoorController,
        DeviceType.GasDetector, DeviceType.WaterLeakDetector, DeviceType.BinFillSensor, DeviceType.EnvironmentSensor, DeviceType.LiftMonitor,
    ];

    public required IReadOnlyList<SimulatedDevice> Devices { get; init; }
    /// <summary>Per community: its gateways and its devices (a gateway speaks only for its own community).</summary>
    public required IReadOnlyList<(IReadOnlyList<GatewayLogin> Gateways, IReadOnlyList<SimulatedDevice> Devices)> Communities { get; init; }
    public required IReadOnlyDictionary<string, long> Ids { get; init; }
    public required double SetupSeconds { get; init; }

    /// <param name="drop">False for a database made empty by someone else (a district's), which the bench may not drop.</param>
    public static async Task<MonitoringWorld> CreateAsync(BenchDatabase database, int deviceCount, TextWriter log, bool drop = true)
    {
        ArgumentNullException.ThrowIfNull(database);
        var watch = Stopwatch.StartNew();
        if (drop) await DropAsync(database);
        await using var services = database.Services();
        using (var scope = services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<MigrationRunner>().ApplyAsync();
            await scope.ServiceProvider.GetRequiredService<RegistrySeeder>().SeedAsync(SeedProfile.Demo);
        }
        using (var scope = services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
            var nodes = await db.Nodes.IgnoreQueryFilters().AsNoTracking().OrderBy(n => n.Id).ToListAsync();
            var district = nodes.Single(n => n.Kind == NodeKind.District);
            db.AlarmRules.AddRange(MonitoringSeeder.DefaultRules(district.Id, DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();
            var communities = nodes.Where(n => n.Kind == NodeKind.Community)
                .Select(c => (Community: c, Street: nodes.Single(s => s.Id == c.ParentId), Grids: nodes.Where(g => g.ParentId == c.Id).ToList())).ToList();
            await InsertDevicesAsync(db, database.Provider, district.Id, communities, deviceCount);
            await db.Database.ExecuteSqlRawAsync("ANALYZE");
        }
        using (var scope = services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
            var rows = await db.Devices.IgnoreQueryFilters().AsNoTracking().OrderBy(d => d.Id)
                .Select(d => new { d.Id, d.Code, d.Type, d.CommunityId }).ToListAsync();
            var devices = rows.Where(r => r.Type != DeviceType.Gateway).Select(r => new SimulatedDevice(r.Code, Secret, r.Type)).ToList();
            var byCommunity = rows.GroupBy(r => r.CommunityId).OrderBy(g => g.Key)
                .Select(g => ((IReadOnlyList<GatewayLogin>)g.Where(r => r.Type == DeviceType.Gateway).Select(r => new GatewayLogin(r.Code, Secret)).ToList(),
                    (IReadOnlyList<SimulatedDevice>)g.Where(r => r.Type != DeviceType.Gateway).Select(r => new SimulatedDevice(r.Code, Secret, r.Type)).ToList()))
                .ToList();
            log.WriteLine($"[{database.ProviderName}] monitoring world: {devices.Count:N0} devices, {rows.Count - devices.Count} gateways, in {watch.Elapsed.TotalSeconds:0.0} s");
            return new MonitoringWorld { Devices = devices, Communities = byCommunity, Ids = rows.ToDictionary(r => r.Code, r => r.Id), SetupSeconds = watch.Elapsed.TotalSeconds };
        }
    }

    static async Task InsertDevicesAsync(LinliDbContext db, DatabaseProvider provider, int districtId,
        List<(HierarchyNode Community, HierarchyNode Street, List<HierarchyNode> Grids)> communities, int count)
    {
        var pg = provider == DatabaseProvider.Postgres;
        var c = communities.Count;
        string Case(string of, IEnumerable<string> values) =>
            $"CASE {of} {string.Concat(values.Select((v, i) => $"WHEN {i} THEN {v} "))}END";
        var community = Case($"(g % {c})", communities.Select(x => x.Community.Id.ToString(CultureInfo.InvariantCulture)));
        var street = Case($"(g % {c})", communities.Select(x => x.Street.Id.ToString(CultureInfo.InvariantCulture)));
        var grid = Case($"(g % {c})", communities.Select(x => Case($"((g / {c}) % {x.Grids.Count})", x.Grids.Select(gr => gr.Id.ToString(CultureInfo.InvariantCulture)))));
        var type = Case($"(g % {Mix.Length})", Mix.Select(t => $"'{t}'"));
        var now = pg ? "now()" : DateTimeOffset.UtcNow.UtcTicks.ToString(CultureInfo.InvariantCulture);
        var hash = Device.HashSecret(Secret);
        var gatewayCount = GatewaysPerCommunity * c;
        // Gateways first (g < gatewayCount), then the devices; g % c is the community either way.
        var code = pg ? $"CASE WHEN g < {gatewayCount} THEN 'GW-B-' || g ELSE 'BD-' || lpad((g - {gatewayCount})::text, 6, '0') END"
            : $"CASE WHEN g < {gatewayCount} THEN 'GW-B-' || g ELSE 'BD-' || printf('%06d', g - {gatewayCount}) END";
        var sql = new StringBuilder("""
            INSERT INTO devices ("Code", "Name", "Type", "PlanX", "PlanY", "SecretHash", "SecretIssuedAt", "Disabled", "Health",
                "RejectedMessages", "CreatedAt", "DistrictId", "StreetId", "CommunityId", "GridId")
            """);
        sql.Append(CultureInfo.InvariantCulture, $"""
             SELECT {code}, 'bench ' || g, CASE WHEN g < {gatewayCount} THEN 'Gateway' ELSE {type} END, (g * 37) % 1000, (g * 53) % 1000,
                '{hash}', {now}, {(pg ? "false" : "0")}, 'NeverSeen', 0, {now}, {districtId}, {street}, {community}, {grid}
            """);
        sql.Append(pg ? $" FROM generate_series(0, {gatewayCount + count - 1}) AS s(g)"
            : $" FROM (WITH RECURSIVE s(g) AS (SELECT 0 UNION ALL SELECT g + 1 FROM s WHERE g < {gatewayCount + count - 1}) SELECT g FROM s)");
        db.Database.SetCommandTimeout(600);
        await db.Database.ExecuteSqlRawAsync(sql.ToString());
    }

    static async Task DropAsync(BenchDatabase database)
    {
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            SqliteConnection.ClearAllPools();
            var file = new SqliteConnectionStringBuilder(database.ConnectionString).DataSource;
            foreach (var f in new[] { file, file + "-wal", file + "-shm" })
                if (File.Exists(f)) File.Delete(f);
            return;
        }
        NpgsqlConnection.ClearAllPools();
        var name = new NpgsqlConnectionStringBuilder(database.ConnectionString).Database!;
        await using var c = new NpgsqlConnection(BenchDatabase.PostgresServer);
        await c.OpenAsync();
        await using (var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", c)) await drop.ExecuteNonQueryAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", c);
        await create.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Removes the readings above <paramref name="mark"/> (a value of <see cref="CountReadingsAsync"/> on SQLite, of the
    /// highest id on PostgreSQL), so each run starts on a table of the same size: on SQLite the insert rate falls as the
    /// table grows, and runs that started on different sizes would not compare.
    /// </summary>
    public static async Task TrimReadingsAsync(BenchDatabase database, long mark)
    {
        ArgumentNullException.ThrowIfNull(database);
        if (database.Provider == DatabaseProvider.Postgres)
        {
            await using var c = new NpgsqlConnection(database.ConnectionString);
            await c.OpenAsync();
            await using (var delete = new NpgsqlCommand("""DELETE FROM device_readings WHERE "Id" > @mark""", c) { CommandTimeout = 600 })
            {
                delete.Parameters.AddWithValue("mark", mark);
                await delete.ExecuteNonQueryAsync();
            }
            await using var vacuum = new NpgsqlCommand("VACUUM device_readings", c) { CommandTimeout = 600 };
            await vacuum.ExecuteNonQueryAsync();
            return;
        }
        await using var s = new SqliteConnection(database.ConnectionString);
        await s.OpenAsync();
        // device_readings is a view over the default table, the day tables and the inbox (SqliteReadingDays): each part
        // is trimmed, and the inbox's sequence, which hands out every id, goes back to the mark.
        var parts = new List<string>();
        await using (var list = s.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'device_readings_*'";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync()) parts.Add(reader.GetString(0));
        }
        await using var q = s.CreateCommand();
        q.CommandText = string.Concat(parts.Select(p => $"DELETE FROM \"{p}\" WHERE \"Id\" > $mark; "))
            + $"UPDATE sqlite_sequence SET seq = $mark WHERE name = '{SqliteReadingDays.Inbox}'";
        q.Parameters.AddWithValue("$mark", mark);
        q.CommandTimeout = 600;
        await q.ExecuteNonQueryAsync();
    }

    /// <summary>The mark <see cref="TrimReadingsAsync"/> trims back to: the highest reading id now.</summary>
    public static async Task<long> ReadingsMarkAsync(BenchDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        if (database.Provider != DatabaseProvider.Postgres) return await CountReadingsAsync(database);
        await using var c = new NpgsqlConnection(database.ConnectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand("""SELECT coalesce(max("Id"), 0) FROM device_readings""", c);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    public static async Task<long> CountReadingsAsync(BenchDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        if (database.Provider == DatabaseProvider.Postgres)
        {
            await using var c = new NpgsqlConnection(database.ConnectionString);
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT count(*) FROM device_readings", c) { CommandTimeout = 120 };
            return (long)(await cmd.ExecuteScalarAsync())!;
        }
        await using var s = new SqliteConnection(database.ConnectionString);
        await s.OpenAsync();
        await using var q = s.CreateCommand();
        // Every id comes from the inbox's sequence, which moves in the transaction that commits the rows, so it needs no
        // scan; only rows above a mark are ever deleted (TrimReadingsAsync), so differences count rows stored.
        q.CommandText = $"SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = '{SqliteReadingDays.Inbox}'";
        return (long)(await q.ExecuteScalarAsync())!;
    }

    /// <summary>The load average now (1 minute), for the figure taken at this moment.</summary>
    public static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
}

using System.Data.Common;
using System.Globalization;
using Linli.Infrastructure.Persistence;

namespace Linli.Bench;

/// <summary>
/// The places, categories and accounts of the large set that the case scenarios need, read once over ADO.NET; and the bench's
/// own accounts (property staff per community, a grid worker per grid, a street officer per street, resident accounts), created
/// once with the demo password so that cases have realistic handlers and the load test has many different reporters.
/// </summary>
public sealed class CaseWorld
{
    public sealed record Community(int Id, string Name, int StreetId, int DistrictId, int? PropertyCompanyId, int[] GridIds);
    public sealed record Building(int Id, string Name, double Latitude, double Longitude, int DistrictId, int StreetId, int CommunityId, int GridId);
    public sealed record Room(int Id, Building Building, int UnitNo, string Number, string? ResidentName)
    {
        public string Label => $"{Building.Name}{UnitNo}单元{Number}";
    }
    public sealed record Category(int Id, string Code, string Name, string Kind, string Level, string Mode, int ResponseMinutes, int ResolutionMinutes, bool InHome);
    public sealed record Account(int Id, string UserName, string DisplayName, string Role, int NodeId, int? ResidentId);

    public const string BenchPrefix = "bench-";
    /// <summary>Resident accounts the bench creates: 20 per community.</summary>
    public const int ResidentAccountsPerCommunity = 20;

    public required IReadOnlyList<Community> Communities { get; init; }
    public required IReadOnlyDictionary<int, Community> CommunityById { get; init; }
    public required IReadOnlyDictionary<int, List<Building>> BuildingsByCommunity { get; init; }
    public required IReadOnlyDictionary<int, List<Room>> RoomsByCommunity { get; init; }
    public required IReadOnlyList<Category> Categories { get; init; }
    public required IReadOnlyList<Account> Accounts { get; init; }

    Dictionary<string, Account>? _byName;
    Dictionary<int, int>? _index;

    /// <summary>The community a grid belongs to.</summary>
    public Community CommunityOfGrid(int gridId) => Communities.First(c => c.GridIds.Contains(gridId));

    public Account User(string userName) => (_byName ??= Accounts.ToDictionary(a => a.UserName)).GetValueOrDefault(userName)
        ?? throw new InvalidOperationException($"The large set has no '{userName}' account.");

    /// <summary>Who handles a case at a level in a community (the bench's staff accounts), for assignees and actor names.</summary>
    public Account Handler(string level, Community c, int gridId) => level switch
    {
        "Property" => User($"{BenchPrefix}p{Index(c):00}"),
        "Community" => User($"{BenchPrefix}g{gridId}"),
        "Street" => User($"{BenchPrefix}s{c.StreetId}"),
        _ => User("district"),
    };

    /// <summary>1-based position of the community (the bench's property accounts are numbered by it).</summary>
    int Index(Community c) => (_index ??= Communities.Select((x, i) => (x.Id, i)).ToDictionary(x => x.Id, x => x.i + 1))[c.Id];

    public static async Task<CaseWorld> LoadAsync(BenchDatabase database, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(database);
        await using var conn = SeedScenario.Open(database);
        await conn.OpenAsync();
        await EnsureAccountsAsync(database, conn, log);

        var grids = new Dictionary<int, List<int>>();
        foreach (var r in await RowsAsync(conn, "SELECT \"Id\", \"ParentId\" FROM nodes WHERE \"Kind\" = 'Grid' ORDER BY \"Id\""))
        {
            var parent = I(r[1]);
            if (!grids.TryGetValue(parent, out var list)) grids[parent] = list = [];
            list.Add(I(r[0]));
        }
        var companies = new Dictionary<int, int>();
        foreach (var r in await RowsAsync(conn, "SELECT \"CommunityId\", MIN(\"Id\") FROM organizations WHERE \"Kind\" = 'PropertyCompany' GROUP BY \"CommunityId\""))
            companies[I(r[0])] = I(r[1]);
        var communities = (await RowsAsync(conn, "SELECT \"Id\", \"Name\", \"StreetId\", \"DistrictId\" FROM nodes WHERE \"Kind\" = 'Community' ORDER BY \"Id\""))
            .Select(r => new Community(I(r[0]), (string)r[1]!, I(r[2]), I(r[3]), companies.TryGetValue(I(r[0]), out var o) ? o : null,
                [.. grids.GetValueOrDefault(I(r[0])) ?? []]))
            .ToList();

        var buildings = new Dictionary<int, Building>();
        foreach (var r in await RowsAsync(conn, "SELECT \"Id\", \"Name\", \"Latitude\", \"Longitude\", \"DistrictId\", \"StreetId\", \"CommunityId\", \"GridId\" FROM buildings ORDER BY \"Id\""))
            buildings[I(r[0])] = new Building(I(r[0]), (string)r[1]!, D(r[2]), D(r[3]), I(r[4]), I(r[5]), I(r[6]), I(r[7]));
        // One name per household for the reporter: the first resident registered in the room.
        var names = new Dictionary<int, string>();
        foreach (var r in await RowsAsync(conn, "SELECT \"RoomId\", \"Name\" FROM residents WHERE \"RoomId\" IS NOT NULL ORDER BY \"Id\""))
            names.TryAdd(I(r[0]), (string)r[1]!);
        var rooms = new Dictionary<int, List<Room>>();
        foreach (var r in await RowsAsync(conn, "SELECT \"Id\", \"BuildingId\", \"UnitNo\", \"Number\", \"CommunityId\" FROM rooms ORDER BY \"Id\""))
        {
            var community = I(r[4]);
            if (!rooms.TryGetValue(community, out var list)) rooms[community] = list = [];
            list.Add(new Room(I(r[0]), buildings[I(r[1])], I(r[2]), (string)r[3]!, names.GetValueOrDefault(I(r[0]))));
        }
        var active = database.Provider == DatabaseProvider.Postgres ? "\"Active\"" : "\"Active\" <> 0";
        var categories = (await RowsAsync(conn,
                $"SELECT \"Id\", \"Code\", \"Name\", \"DefaultKind\", \"Level\", \"Mode\", \"ResponseMinutes\", \"ResolutionMinutes\", \"InHome\" FROM case_categories WHERE {active} ORDER BY \"Id\""))
            .Select(r => new Category(I(r[0]), (string)r[1]!, (string)r[2]!, (string)r[3]!, (string)r[4]!, (string)r[5]!, I(r[6]), I(r[7]), Convert.ToBoolean(r[8], CultureInfo.InvariantCulture)))
            .ToList();
        if (categories.Count == 0) throw new InvalidOperationException("No case categories: the app's start-up (or the bench's seed-cases) adds the defaults.");
        var accounts = (await RowsAsync(conn, "SELECT \"Id\", \"UserName\", \"DisplayName\", \"Role\", \"NodeId\", \"ResidentId\" FROM users ORDER BY \"Id\""))
            .Select(r => new Account(I(r[0]), (string)r[1]!, (string)r[2]!, (string)r[3]!, I(r[4]), r[5] is null ? null : I(r[5])))
            .ToList();
        return new CaseWorld
        {
            Communities = communities,
            CommunityById = communities.ToDictionary(c => c.Id),
            BuildingsByCommunity = buildings.Values.GroupBy(b => b.CommunityId).ToDictionary(g => g.Key, g => g.ToList()),
            RoomsByCommunity = rooms,
            Categories = categories,
            Accounts = accounts,
        };
    }

    /// <summary>
    /// The bench's accounts, added once: they share the demo password (the hash of <c>admin1</c> is reused, PBKDF2 hashes are
    /// salted per hash, not per user). Residents are the first occupants of rooms spread over each community.
    /// </summary>
    static async Task EnsureAccountsAsync(BenchDatabase database, DbConnection conn, TextWriter log)
    {
        if (await CaseBulk.ScalarAsync(conn, $"SELECT COUNT(*) FROM users WHERE \"UserName\" LIKE '{BenchPrefix}%'") > 0) return;
        await using var tx = await conn.BeginTransactionAsync();
        var hash = (string?)(await RowsAsync(conn, "SELECT \"PasswordHash\" FROM users WHERE \"UserName\" = 'admin1'", tx)).Single()[0]
            ?? throw new InvalidOperationException("admin1 has no password hash.");
        var communities = await RowsAsync(conn, "SELECT \"Id\", \"Name\", \"StreetId\" FROM nodes WHERE \"Kind\" = 'Community' ORDER BY \"Id\"", tx);
        var streets = await RowsAsync(conn, "SELECT \"Id\", \"Name\" FROM nodes WHERE \"Kind\" = 'Street' ORDER BY \"Id\"", tx);
        var grids = await RowsAsync(conn, "SELECT g.\"Id\", c.\"Name\", g.\"Name\" FROM nodes g JOIN nodes c ON c.\"Id\" = g.\"ParentId\" WHERE g.\"Kind\" = 'Grid' ORDER BY g.\"Id\"", tx);
        var added = 0;
        async Task Add(string userName, string display, string role, int node, int? residentId, int? organizationId)
        {
            await CaseBulk.ExecuteAsync(conn,
                "INSERT INTO users (\"UserName\", \"DisplayName\", \"PasswordHash\", \"Role\", \"NodeId\", \"ResidentId\", \"OrganizationId\", \"FailedSignIns\") VALUES (@u, @d, @h, @r, @n, @res, @o, 0)",
                tx, ("@u", userName), ("@d", display), ("@h", hash), ("@r", role), ("@n", node), ("@res", (object?)residentId ?? DBNull.Value),
                ("@o", (object?)organizationId ?? DBNull.Value));
            added++;
        }
        foreach (var s in streets) await Add($"{BenchPrefix}s{I(s[0])}", $"{s[1]}干部 · 测试", "StreetOfficer", I(s[0]), null, null);
        for (var i = 0; i < communities.Count; i++)
        {
            var c = communities[i];
            var company = await CaseBulk.ScalarAsync(conn, $"SELECT COALESCE(MIN(\"Id\"), 0) FROM organizations WHERE \"Kind\" = 'PropertyCompany' AND \"CommunityId\" = {I(c[0])}", tx);
            await Add($"{BenchPrefix}p{i + 1:00}", $"{c[1]}物业 · 测试", "PropertyStaff", I(c[0]), null, company == 0 ? null : (int)company);
            // Residents living in a room, spread through the community (every n-th occupied room's first resident).
            var people = await RowsAsync(conn,
                $"SELECT MIN(r.\"Id\"), MIN(r.\"Name\") FROM residents r WHERE r.\"CommunityId\" = {I(c[0])} AND r.\"RoomId\" IS NOT NULL GROUP BY r.\"RoomId\" ORDER BY r.\"RoomId\"", tx);
            var step = Math.Max(1, people.Count / ResidentAccountsPerCommunity);
            for (var k = 0; k < ResidentAccountsPerCommunity && k * step < people.Count; k++)
            {
                var p = people[k * step];
                await Add($"{BenchPrefix}r{i + 1:00}-{k + 1:00}", (string)p[1]!, "Resident", I(c[0]), I(p[0]), null);
            }
        }
        foreach (var g in grids) await Add($"{BenchPrefix}g{I(g[0])}", $"{g[1]}{g[2]}网格员 · 测试", "GridWorker", I(g[0]), null, null);
        await tx.CommitAsync();
        log.WriteLine($"[{database.ProviderName}] added {added} bench accounts (street officers, property staff, grid workers, residents)");
    }

    public static async Task<List<object?[]>> RowsAsync(DbConnection conn, string sql, DbTransaction? tx = null)
    {
        ArgumentNullException.ThrowIfNull(conn);
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.CommandTimeout = 900;
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    static int I(object? v) => Convert.ToInt32(v, CultureInfo.InvariantCulture);
    static double D(object? v) => Convert.ToDouble(v, CultureInfo.InvariantCulture);
}

using System.Data.Common;
using System.Globalization;
using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Domain.Registry;
using Linli.Infrastructure.Persistence;
using Linli.Web.Features.Registry;
using Linli.Web.Features.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Bench;

/// <summary>
/// Resident search on the large set through the real code path (<see cref="ResidentSearch.SearchAsync"/> with the scoped
/// DbContext), as a community admin and as the district officer, against hand-written SQL with the same predicate, the
/// same order and the same page size over plain ADO.NET, run alternately with the same inputs.
/// </summary>
public static class SearchScenario
{
    const int PageSize = 20;
    const int WarmUp = 15;
    static readonly TimeSpan MaxPerKind = TimeSpan.FromSeconds(30);

    /// <summary>A real resident the inputs are taken from, with their numbers in clear.</summary>
    sealed record Sample(string Name, string IdNumber, string Phone, string PhoneLast4, string Building, int Unit, string RoomNumber);

    sealed record Kind(string Name, Func<Sample, ResidentFilter> Filter, Func<Sample, Baseline> Sql, bool KeyLookup = false);

    /// <summary>A predicate on residents <c>r</c> with its parameters.</summary>
    sealed record Baseline(string Where, params (string Name, object Value)[] Parameters);

    public static async Task<ScenarioResult> RunAsync(BenchDatabase database, int runs, TextWriter log, string? only = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(log);
        var (marker, _) = await database.EnsureSeededAsync(false, log);
        var result = new ScenarioResult(only is null ? "search" : $"search-{only}", database.ProviderName);
        result.Facts["data set"] = $"SeedProfile.Large, seeded {marker.SeededAt:yyyy-MM-dd HH:mm} UTC";
        result.Facts["runs per kind and caller"] = $"{runs} after {WarmUp} warm-up (capped at {MaxPerKind.TotalSeconds:0} s per kind), ours and baseline alternating";
        result.Facts["page"] = $"count + first page of {PageSize} ordered by name, id (+ room labels of the page)";

        await using var services = database.Services();
        var protector = services.GetRequiredService<IPersonalDataProtector>();
        var today = services.GetRequiredService<TimeProvider>().Today();
        var pg = database.Provider == DatabaseProvider.Postgres;

        await using var conn = SeedScenario.Open(database);
        await conn.OpenAsync();
        var callers = new List<(string Who, Scope Scope, string ScopeColumn)>();
        foreach (var (user, column) in new[] { ("admin1", "CommunityId"), ("district", "DistrictId") })
        {
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = $"SELECT \"Role\", \"NodeId\" FROM users WHERE \"UserName\" = '{user}'";
            await using var reader = await cmd.ExecuteReaderAsync();
            if (!await reader.ReadAsync()) throw new InvalidOperationException($"The large set has no '{user}' account.");
            var role = Enum.Parse<Role>(reader.GetString(0));
            callers.Add(($"{user} ({role})", Scope.For(role, reader.GetInt32(1), null), column));
        }

        var birth80 = Ages.BirthRange(today, 80, null).BornTo;
        Kind[] kinds =
        [
            new("name prefix (surname + 1st given char)", s => new(Q: s.Name[..2]),
                s => new("r.\"Name\" >= @lo AND r.\"Name\" < @hi", ("lo", s.Name[..2]), ("hi", s.Name[..2] + "\U0010FFFF"))),
            new("full phone", s => new(Q: s.Phone), s => new("r.\"PhoneIndex\" = @ix", ("ix", protector.BlindIndex(s.Phone))), true),
            new("last 4 digits", s => new(Q: s.PhoneLast4), s => new("(r.\"PhoneLast4\" = @l4 OR r.\"IdNumberLast4\" = @l4)", ("l4", s.PhoneLast4)), true),
            new("full ID number", s => new(Q: s.IdNumber), s => new("r.\"IdNumberIndex\" = @ix", ("ix", protector.BlindIndex(s.IdNumber))), true),
            new("room text 12-2-601", s => new(Q: $"{s.Building.Replace("号楼", "", StringComparison.Ordinal)}-{s.Unit}-{s.RoomNumber}"),
                s => new("r.\"RoomId\" IN (SELECT x.\"Id\" FROM rooms x WHERE x.\"BuildingId\" IN (SELECT bb.\"Id\" FROM buildings bb WHERE bb.\"Name\" = @bname) AND x.\"UnitNo\" = @unit AND x.\"Number\" = @num)",
                    ("num", s.RoomNumber), ("unit", s.Unit), ("bname", s.Building)), true),
            new("label LivingAlone", _ => new(Label: LabelFilter.LivingAlone), _ => new("(r.\"Labels\" & 1) <> 0")),
            new("ageBand Elderly80Plus", _ => new(AgeBand: AgeBand.Elderly80Plus),
                _ => new("r.\"BirthDate\" <= @born", ("born", pg ? birth80 : (object)birth80.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)))),
        ];

        foreach (var (who, scope, column) in callers)
        {
            var samples = await SamplesAsync(conn, protector, scope, column);
            log.WriteLine($"[{database.ProviderName}] {who}: {samples.Count} sample residents");
            foreach (var kind in kinds.Where(k => only is null || k.Name.Contains(only, StringComparison.OrdinalIgnoreCase)))
            {
                var ours = new Samples();
                var baseline = new Samples();
                string? mismatch = null;
                var started = DateTime.UtcNow;
                // Slow kinds get a short warm-up and at least 10 measured runs, so the cap never leaves a row empty.
                for (var i = -WarmUp; i < runs && (DateTime.UtcNow - started < MaxPerKind || ours.Count < 10); i++)
                {
                    if (i < -2 && DateTime.UtcNow - started > TimeSpan.FromSeconds(5)) i = -2;
                    var sample = samples[(i + WarmUp) % samples.Count];
                    var filter = kind.Filter(sample);
                    var sql = kind.Sql(sample);
                    // Alternate who goes first so neither always runs on a cache the other warmed.
                    int oursTotal = 0, baseTotal = 0;
                    double oursMs = 0, baseMs = 0;
                    for (var turn = 0; turn < 2; turn++)
                    {
                        if ((turn == 0) == (i % 2 == 0)) (oursTotal, oursMs) = await OursAsync(services, scope, filter);
                        else (baseTotal, baseMs) = await BaselineAsync(database, pg, column, scope.Id, sql, kind.KeyLookup);
                    }
                    if (oursTotal != baseTotal && mismatch is null) mismatch = $"total differs for '{filter.Q ?? filter.Label?.ToString() ?? filter.AgeBand?.ToString()}': ours {oursTotal}, baseline {baseTotal}";
                    if (i < 0) continue;
                    ours.Add(oursMs);
                    baseline.Add(baseMs);
                }
                var row = Row.Of("resident search", kind.Name, who, ours, baseline, 50, mismatch);
                result.Rows.Add(row);
                log.WriteLine($"  {kind.Name,-40} p50 {ReportWriter.F(row.P50),7} p95 {ReportWriter.F(row.P95),7}  baseline p50 {ReportWriter.F(row.BaselineP50),7} p95 {ReportWriter.F(row.BaselineP95),7}  ({row.Runs} runs){(mismatch is null ? "" : "  !! " + mismatch)}");
            }
        }
        return result;
    }

    /// <summary>Every ~N-th living resident with a phone in the caller's scope: deterministic, spread over communities and buildings.</summary>
    static async Task<List<Sample>> SamplesAsync(DbConnection conn, IPersonalDataProtector protector, Scope scope, string column)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = $"""
            SELECT r."Name", r."IdNumberProtected", r."PhoneProtected", r."PhoneLast4", b."Name", x."UnitNo", x."Number"
            FROM residents r JOIN rooms x ON x."Id" = r."RoomId" JOIN buildings b ON b."Id" = x."BuildingId"
            WHERE r."{column}" = {scope.Id} AND r."PhoneProtected" IS NOT NULL AND r."Id" % {(column == "DistrictId" ? 2503 : 127)} = 7
            ORDER BY r."Id"
            """;
        var list = new List<Sample>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            list.Add(new Sample(reader.GetString(0), protector.Unprotect(reader.GetString(1)), protector.Unprotect(reader.GetString(2)), reader.GetString(3),
                reader.GetString(4), reader.GetInt32(5), reader.GetString(6)));
        if (list.Count < 20) throw new InvalidOperationException($"Only {list.Count} sample residents found; is the large set seeded?");
        // A fixed shuffle, so consecutive runs do not hit neighbouring rows of the same building.
        var rng = new Random(7);
        return list.OrderBy(_ => rng.Next()).ToList();
    }

    /// <summary>The code path the API and the pages use: a DI scope per request, the scoped DbContext, ResidentSearch.</summary>
    static async Task<(int Total, double Ms)> OursAsync(IServiceProvider services, Scope scope, ResidentFilter filter)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var di = services.CreateScope();
        di.ServiceProvider.GetRequiredService<BenchScope>().Scope = scope;
        var page = await di.ServiceProvider.GetRequiredService<ResidentSearch>().SearchAsync(filter, PageRequest.From(1, PageSize), CancellationToken.None);
        return (page.Total, Samples.Ms(started));
    }

    /// <summary>What a careful hand-written query would do: count, then one page joined to its room labels; scope as one equality.</summary>
    static async Task<(int Total, double Ms)> BaselineAsync(BenchDatabase database, bool pg, string scopeColumn, int scopeId, Baseline where, bool keyLookup)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await using var conn = SeedScenario.Open(database);
        await conn.OpenAsync();
        // For a key look-up the scope check is kept out of index choice (unary +), as a careful hand-written query would.
        var predicate = $"r.\"RoomId\" IS NOT NULL AND {(keyLookup ? "+" : "")}r.\"{scopeColumn}\" = @scope AND {where.Where}";
        int total;
        await using (var count = Command(conn, $"SELECT COUNT(*) FROM (SELECT 1 FROM residents r WHERE {predicate} LIMIT 10001) x", scopeId, where))
            total = Math.Min(10_000, Convert.ToInt32(await count.ExecuteScalarAsync(), CultureInfo.InvariantCulture)); // counted like ResidentSearch: exactly up to 10,000
        await using var page = Command(conn, $"""
            SELECT r."Id", r."Name", r."Gender", r."BirthDate", r."PhoneMasked", r."IdNumberMasked", r."RoomId", r."Relation", r."Labels", r."GridId",
                   b."Name", x."UnitNo", x."Number"
            FROM residents r LEFT JOIN rooms x ON x."Id" = r."RoomId" LEFT JOIN buildings b ON b."Id" = x."BuildingId"
            WHERE {predicate}
            ORDER BY r."Name", r."Id" LIMIT {PageSize}
            """, scopeId, where);
        await using var reader = await page.ExecuteReaderAsync();
        var rows = new List<object>(PageSize);
        while (await reader.ReadAsync())
        {
            var label = reader.IsDBNull(10) ? null : $"{reader.GetString(10)}{reader.GetInt32(11)}单元{reader.GetString(12)}";
            rows.Add((reader.GetInt32(0), reader.GetString(1), reader.GetString(2), pg ? reader.GetFieldValue<DateOnly>(3) : DateOnly.Parse(reader.GetString(3), CultureInfo.InvariantCulture),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5), reader.GetInt32(6), label, reader.GetInt32(8), reader.GetInt32(9)));
        }
        return (total, Samples.Ms(started));
    }

    static DbCommand Command(DbConnection conn, string sql, int scopeId, Baseline where)
    {
        var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        Add(cmd, "scope", scopeId);
        foreach (var (name, value) in where.Parameters) Add(cmd, name, value);
        return cmd;
    }

    static void Add(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = "@" + name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }
}

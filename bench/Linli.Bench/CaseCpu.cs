using System.Globalization;
using Linli.Infrastructure.Persistence;

namespace Linli.Bench;

/// <summary>
/// CPU time used by processes, read from /proc: on a shared machine the wall-clock rate depends on everyone else's load, the
/// CPU a case costs does not (much). Covers the app process and, on PostgreSQL, the server backends serving the bench database.
/// </summary>
public static class CaseCpu
{
    static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>User + system CPU seconds of a process so far, or 0 when it cannot be read.</summary>
    public static double Seconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) may hold spaces; the numeric fields follow its closing parenthesis.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return 0;
        }
    }

    /// <summary>
    /// CPU seconds of the runtime's background tier-up thread (".NET Tiered Compilation"): re-compiling hot methods with
    /// profile data. It dies down once a process has run for a while; on this busy machine it was a quarter of the app's CPU
    /// during a 40-second test, so the per-case figures leave it out and report it on its own.
    /// </summary>
    public static double TieringSeconds(int pid)
    {
        var total = 0.0;
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                var comm = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                if (comm.StartsWith(".NET Tiered", StringComparison.Ordinal)) total += Seconds(task);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process or thread ended.
        }
        return total;
    }

    static double Seconds(string procDirectory)
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(procDirectory, "stat"));
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return 0;
        }
    }

    /// <summary>The PostgreSQL backends connected to the bench database now (none on SQLite).</summary>
    public static async Task<int[]> DatabaseBackendsAsync(BenchDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        if (database.Provider != DatabaseProvider.Postgres) return [];
        await using var conn = SeedScenario.Open(database);
        await conn.OpenAsync();
        var rows = await CaseWorld.RowsAsync(conn, "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
        return [.. rows.Select(r => Convert.ToInt32(r[0], CultureInfo.InvariantCulture))];
    }

    /// <summary>CPU seconds so far of the app, the database backends and the bench itself.</summary>
    /// <summary>App = the app process without its tier-up thread (see <see cref="TieringSeconds"/>), which is counted apart.</summary>
    public sealed record Snapshot(double App, double Tiering, IReadOnlyDictionary<int, double> Database, double Bench)
    {
        /// <summary>CPU seconds used since <paramref name="before"/>; a backend that appeared meanwhile counts from zero.</summary>
        public (double App, double Database, double Bench) Since(Snapshot before)
        {
            ArgumentNullException.ThrowIfNull(before);
            return (App - before.App, Database.Sum(kv => kv.Value - before.Database.GetValueOrDefault(kv.Key)), Bench - before.Bench);
        }

        public double TieringSince(Snapshot before) => Tiering - (before ?? throw new ArgumentNullException(nameof(before))).Tiering;
    }

    public static async Task<Snapshot> TakeAsync(BenchDatabase database, int? appPid)
    {
        var backends = await DatabaseBackendsAsync(database);
        var tiering = appPid is { } t ? TieringSeconds(t) : 0;
        return new Snapshot(appPid is { } p ? Seconds(p) - tiering : 0, tiering, backends.ToDictionary(b => b, Seconds), Seconds(Environment.ProcessId));
    }

    /// <summary>"app 1.2 + database 0.8 + clients 0.3 ms CPU a case" and what two dedicated cores would do at that cost.</summary>
    public static string PerCase((double App, double Database, double Bench) used, int cases, bool withClients = true, string unit = "case", int cores = 2)
    {
        if (cases == 0) return $"no {unit}s";
        double Ms(double s) => s * 1000 / cases;
        var server = Ms(used.App) + Ms(used.Database);
        var text = $"CPU a {unit}: app {Ms(used.App):0.00} ms + database {Ms(used.Database):0.00} ms"
            + (withClients ? $" (+ load-generating clients {Ms(used.Bench):0.00} ms)" : "");
        return server > 0 ? text + $"; at that cost {(cores == 1 ? "one core" : $"{cores} cores")} doing nothing else would manage ≈ {cores * 1000 / server:N0} {unit}s/s" : text;
    }
}

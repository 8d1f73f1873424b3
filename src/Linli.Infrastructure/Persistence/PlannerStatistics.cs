using Microsoft.EntityFrameworkCore;

namespace Linli.Infrastructure.Persistence;

/// <summary>
/// Keeps the query planner's statistics current. Without them SQLite guesses, and on the large data set it picks the
/// (scope, name) index for a phone look-up or a label count and reads 25,000 rows instead of five.
/// </summary>
public static class PlannerStatistics
{
    /// <summary>After a bulk load (seed, import): gather statistics for every table.</summary>
    public static async Task RefreshAsync(LinliDbContext db, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        await db.Database.ExecuteSqlRawAsync("ANALYZE", ct);
    }

    /// <summary>At start-up: SQLite re-analyzes the tables whose statistics are missing or stale (cheap when they are fine).</summary>
    public static async Task OptimizeAsync(LinliDbContext db, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.IsPostgres) return; // autovacuum does this on PostgreSQL
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        await db.Database.ExecuteSqlRawAsync("PRAGMA optimize=0x10002", ct);
    }
}

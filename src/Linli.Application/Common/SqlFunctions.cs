namespace Linli.Application.Common;

/// <summary>Functions a LINQ query can use that the database computes (Infrastructure registers a translation per provider).</summary>
public static class SqlFunctions
{
    /// <summary>
    /// Minutes from <paramref name="from"/> to <paramref name="to"/>, or null when <paramref name="to"/> is null, so that
    /// averages of durations are taken by the database (EF cannot subtract instants stored as ticks on SQLite).
    /// </summary>
    public static double? MinutesBetween(DateTimeOffset from, DateTimeOffset? to) =>
        throw new InvalidOperationException($"{nameof(MinutesBetween)} can only be used in a database query.");
}

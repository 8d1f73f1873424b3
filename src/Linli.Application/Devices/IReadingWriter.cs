using Linli.Application.Common;
using Linli.Domain.Devices;

namespace Linli.Application.Devices;

/// <summary>The fast path that stores readings in batches (raw SQL per provider, in Infrastructure).</summary>
public interface IReadingWriter : IAsyncDisposable
{
    Task WriteAsync(IReadOnlyList<(long DeviceId, DateTimeOffset At, Reading Reading)> rows, CancellationToken ct);

    /// <summary>Whether the writer has work it put off (SQLite: an inbox not yet moved into its day tables).</summary>
    bool HasDeferredWork { get; }

    /// <summary>
    /// Does the work put off when it is due, in a small step when <paramref name="idle"/> (nothing is waiting to be
    /// stored, so a short pause delays nobody). Called by the pipeline after a batch's rules have run, never between a
    /// commit and its rules. Returns the rows it moved (0: nothing was due).
    /// </summary>
    ValueTask<long> MaintainAsync(bool idle, CancellationToken ct);
}

/// <summary>Opens a reading writer on the database a context is connected to; the writer holds its own connection.</summary>
public interface IReadingWriterFactory
{
    Task<IReadingWriter> OpenAsync(ILinliDb db, CancellationToken ct);
}

/// <summary>
/// The raw readings' time partitions: one per month on PostgreSQL, one table per UTC day on SQLite. The roll-up and
/// retention job creates the coming ones ahead of time, drops those wholly past retention, and deletes row by row only
/// what no partition bounds (PostgreSQL: the oldest month's early days and the default partition; SQLite: the default
/// table — a day table goes whole, so SQLite keeps raw readings to the whole day).
/// </summary>
public interface ITelemetryPartitions
{
    /// <summary>Makes sure the partitions from <paramref name="now"/>'s month or day to a few ahead exist; returns how many it created.</summary>
    Task<int> EnsureAheadAsync(ILinliDb db, DateTimeOffset now, CancellationToken ct);

    /// <summary>Drops the partitions that hold only readings older than <paramref name="cutoff"/>; returns how many it dropped.</summary>
    Task<int> DropBeforeAsync(ILinliDb db, DateTimeOffset cutoff, CancellationToken ct);

    /// <summary>
    /// The tables whose raw rows past retention go row by row, because no dropped partition takes them: PostgreSQL's
    /// partitioned table (the oldest month's early days, the default partition); SQLite's default table and inbox (a day
    /// table goes whole, and deleting from one would hold the ingestion writer up while it scans).
    /// </summary>
    IReadOnlyList<string> RowByRowTables(ILinliDb db);
}

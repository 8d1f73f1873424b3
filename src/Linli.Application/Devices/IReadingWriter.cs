using Linli.Application.Common;
using Linli.Domain.Devices;

namespace Linli.Application.Devices;

/// <summary>The fast path that stores readings in batches (raw SQL per provider, in Infrastructure).</summary>
public interface IReadingWriter : IAsyncDisposable
{
    Task WriteAsync(IReadOnlyList<(long DeviceId, DateTimeOffset At, Reading Reading)> rows, CancellationToken ct);
}

/// <summary>Opens a reading writer on the database a context is connected to; the writer holds its own connection.</summary>
public interface IReadingWriterFactory
{
    Task<IReadingWriter> OpenAsync(ILinliDb db, CancellationToken ct);
}

/// <summary>
/// The raw readings' time partitions, where the database has them (PostgreSQL: one per month). The roll-up and retention
/// job creates the coming months ahead of time and drops months wholly past retention; without partitions (SQLite) both
/// do nothing and retention deletes row by row.
/// </summary>
public interface ITelemetryPartitions
{
    /// <summary>Makes sure the partitions from <paramref name="now"/>'s month to a couple of months ahead exist; returns how many it created.</summary>
    Task<int> EnsureAheadAsync(ILinliDb db, DateTimeOffset now, CancellationToken ct);

    /// <summary>Drops the partitions that hold only readings older than <paramref name="cutoff"/>; returns how many it dropped.</summary>
    Task<int> DropBeforeAsync(ILinliDb db, DateTimeOffset cutoff, CancellationToken ct);
}

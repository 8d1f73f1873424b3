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

using Linli.Application.Access;
using Linli.Application.Common;
using Microsoft.Extensions.Logging;

namespace Linli.Infrastructure.Persistence;

/// <summary>access_log by month on PostgreSQL (migration 0023), made two months ahead; SQLite keeps one table.</summary>
public sealed partial class AccessLogPartitions(ILogger<AccessLogPartitions> logger) : IAccessLogPartitions
{
    const string Table = "access_log";

    public Task<int> EnsureAheadAsync(ILinliDb db, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.IsPostgres ? MonthlyPartitions.EnsureAheadAsync(db, Table, now, TelemetryPartitions.MonthsAhead, (name, reason) => LogNotCreated(logger, name, reason), ct)
            : Task.FromResult(0);
    }

    public Task<int> DropBeforeAsync(ILinliDb db, DateTimeOffset cutoff, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.IsPostgres ? MonthlyPartitions.DropBeforeAsync(db, Table, cutoff, name => LogDropped(logger, name), ct) : Task.FromResult(0);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Access log partition {Partition} not created: {Reason}. Its rows stay in access_log_default.")]
    static partial void LogNotCreated(ILogger logger, string partition, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Access log partition {Partition} dropped: the whole month is past keeping.")]
    static partial void LogDropped(ILogger logger, string partition);
}

using System.Text;
using Linli.Domain.Devices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Linli.Application.Common;
using Linli.Application.Devices;
using SQLitePCL;

namespace Linli.Infrastructure.Persistence;

/// <summary>
/// The telemetry fast path: stores a batch of readings in one transaction, binary COPY on PostgreSQL and prepared
/// multi-row inserts on SQLite. When <see cref="WriteAsync"/> returns the batch is durable (committed; WAL with normal
/// sync on SQLite survives a crash of the process).
/// </summary>
/// <remarks>
/// On SQLite the writer keeps a connection of its own, outside the pool, with a large page cache and a larger WAL before
/// checkpoints. Readings go into an index ordered by device, so a batch lands on pages all over it; with the default
/// 2 MB cache and a checkpoint every 1,000 pages the same pages were read and written again and again, and the rate fell
/// from 51,000 to 19,000 rows/s as the table grew (bench/README.md, "Monitoring"). A pooled connection would carry that
/// cache into every other query of the app.
/// </remarks>
public sealed class ReadingWriter : IReadingWriter
{
    const int SqliteCacheKib = 128 * 1024;
    const int SqliteCheckpointPages = 10_000;

    readonly SqliteConnection? _sqlite;
    readonly string _connectionString;
    sqlite3_stmt? _insert;
    readonly Dictionary<string, byte[]> _utf8 = new(StringComparer.Ordinal);
    readonly SemaphoreSlim _gate = new(1, 1);

    ReadingWriter(SqliteConnection? sqlite, string connectionString)
    {
        _sqlite = sqlite;
        _connectionString = connectionString;
    }

    /// <summary>A writer for the database <paramref name="db"/> is connected to. Dispose it to close its connection.</summary>
    public static async Task<ReadingWriter> OpenAsync(ILinliDb db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var connectionString = db.Database.GetConnectionString() ?? throw new InvalidOperationException("No connection string.");
        if (db.IsPostgres) return new ReadingWriter(null, connectionString);
        var sqlite = new SqliteConnection(new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        await sqlite.OpenAsync(ct);
        await using var pragmas = sqlite.CreateCommand();
        pragmas.CommandText = $"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; PRAGMA cache_size=-{SqliteCacheKib}; PRAGMA wal_autocheckpoint={SqliteCheckpointPages};";
        await pragmas.ExecuteNonQueryAsync(ct);
        return new ReadingWriter(sqlite, connectionString);
    }

    public async Task WriteAsync(IReadOnlyList<(long DeviceId, DateTimeOffset At, Reading Reading)> rows, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) return;
        await _gate.WaitAsync(ct);
        try
        {
            if (_sqlite is not null)
            {
                Insert(_sqlite, rows);
                return;
            }
            await using var pg = new NpgsqlConnection(_connectionString);
            await pg.OpenAsync(ct);
            await CopyAsync(pg, rows, ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _insert?.Dispose();
        if (_sqlite is not null) await _sqlite.DisposeAsync();
        _gate.Dispose();
    }

    static async Task CopyAsync(NpgsqlConnection connection, IReadOnlyList<(long DeviceId, DateTimeOffset At, Reading Reading)> rows, CancellationToken ct)
    {
        await using var import = await connection.BeginBinaryImportAsync(
            """COPY device_readings ("DeviceId", "At", "Metric", "Value", "Text", "IsEvent") FROM STDIN (FORMAT BINARY)""", ct);
        foreach (var (deviceId, at, r) in rows)
        {
            await import.StartRowAsync(ct);
            await import.WriteAsync(deviceId, NpgsqlDbType.Bigint, ct);
            await import.WriteAsync(at.ToUniversalTime(), NpgsqlDbType.TimestampTz, ct);
            await import.WriteAsync(r.Metric, NpgsqlDbType.Varchar, ct);
            await import.WriteAsync(r.Value, NpgsqlDbType.Double, ct);
            if (r.Text is null) await import.WriteNullAsync(ct);
            else await import.WriteAsync(r.Text, NpgsqlDbType.Varchar, ct);
            await import.WriteAsync(r.IsEvent, NpgsqlDbType.Boolean, ct);
        }
        await import.CompleteAsync(ct);
    }

    void Insert(SqliteConnection connection, IReadOnlyList<(long DeviceId, DateTimeOffset At, Reading Reading)> rows)
    {
        // Straight to SQLite's C API: one prepared single-row insert, values bound by position, metric names encoded once.
        // Binding through ADO.NET (by parameter name, strings marshalled each time) cost about as much as SQLite's own work.
        using var tx = connection.BeginTransaction();
        var db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        if (_insert is null)
            Check(raw.sqlite3_prepare_v2(db, """INSERT INTO device_readings ("DeviceId", "At", "Metric", "Value", "Text", "IsEvent") VALUES (?, ?, ?, ?, ?, ?)""", out _insert), db);
        var stmt = _insert;
        foreach (var (deviceId, at, r) in rows)
        {
            raw.sqlite3_bind_int64(stmt, 1, deviceId);
            raw.sqlite3_bind_int64(stmt, 2, at.UtcTicks);
            raw.sqlite3_bind_text(stmt, 3, Utf8(r.Metric));
            raw.sqlite3_bind_double(stmt, 4, r.Value);
            if (r.Text is null) raw.sqlite3_bind_null(stmt, 5);
            else raw.sqlite3_bind_text(stmt, 5, r.Text);
            raw.sqlite3_bind_int(stmt, 6, r.IsEvent ? 1 : 0);
            var rc = raw.sqlite3_step(stmt);
            raw.sqlite3_reset(stmt);
            if (rc != raw.SQLITE_DONE) Check(rc, db);
        }
        tx.Commit();
    }

    ReadOnlySpan<byte> Utf8(string metric)
    {
        if (_utf8.TryGetValue(metric, out var bytes)) return bytes;
        bytes = Encoding.UTF8.GetBytes(metric);
        // Metric names are few; a device inventing new ones on every message must not grow this without end.
        if (_utf8.Count < 4096) _utf8[metric] = bytes;
        return bytes;
    }

    static void Check(int rc, sqlite3 db)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_DONE)) throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc);
    }
}

/// <summary>Opens <see cref="ReadingWriter"/>s for the ingestion pipeline.</summary>
public sealed class ReadingWriterFactory : IReadingWriterFactory
{
    public async Task<IReadingWriter> OpenAsync(ILinliDb db, CancellationToken ct) => await ReadingWriter.OpenAsync(db, ct);
}

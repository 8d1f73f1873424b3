using System.Text;
using Linli.Domain.Devices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Linli.Application.Common;
using Linli.Application.Devices;
using SQLitePCL;

namespace Linli.Infrastructure.Persistence;

/// <summary>
/// The telemetry fast path: stores a batch of readings in one transaction, binary COPY on PostgreSQL and a prepared
/// insert into the inbox on SQLite. When <see cref="WriteAsync"/> returns the batch is durable (committed; WAL with normal
/// sync on SQLite survives a crash of the process). On SQLite <see cref="MaintainAsync"/> then moves the inbox into the
/// day tables (<see cref="SqliteReadingDays"/>) in large sorted batches.
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

    /// <summary>
    /// Inbox rows that make a move of the whole inbox due even while batches keep coming: large enough that a move writes
    /// each page of the day's index about once for many rows (such a move takes about half a second on a small machine).
    /// </summary>
    public const int MoveRows = 100_000;

    /// <summary>PostgreSQL: a batch is copied as up to <see cref="CopyStreams"/> streams at once, each of at least this many rows.</summary>
    public const int MinRowsPerStream = 1_000;

    /// <summary>PostgreSQL: COPY streams at most per batch, each on its own connection.</summary>
    public const int CopyStreams = 3;

    /// <summary>
    /// Rows moved per transaction when the writer has nothing queued: a few milliseconds each, so a batch arriving
    /// meanwhile waits no longer than that (alarm latency).
    /// </summary>
    public const int IdleMoveRows = 1_000;

    readonly SqliteConnection? _sqlite;
    readonly string _connectionString;
    readonly TimeProvider _time;
    readonly int _retentionDays;
    sqlite3_stmt? _insert;
    readonly Dictionary<string, byte[]> _utf8 = new(StringComparer.Ordinal);
    readonly SemaphoreSlim _gate = new(1, 1);
    long _inboxRows;

    ReadingWriter(SqliteConnection? sqlite, string connectionString, TimeProvider time, int retentionDays)
    {
        _sqlite = sqlite;
        _connectionString = connectionString;
        _time = time;
        _retentionDays = retentionDays;
    }

    /// <summary>A writer for the database <paramref name="db"/> is connected to. Dispose it to close its connection.</summary>
    public static Task<ReadingWriter> OpenAsync(ILinliDb db, CancellationToken ct) => OpenAsync(db, TimeProvider.System, new DeviceOptions().RawRetentionDays, ct);

    /// <summary>
    /// A writer for the database <paramref name="db"/> is connected to; readings of days more than
    /// <paramref name="retentionDays"/> back (or beyond the days made ahead) go to the default table on SQLite.
    /// </summary>
    public static async Task<ReadingWriter> OpenAsync(ILinliDb db, TimeProvider time, int retentionDays, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        var connectionString = db.Database.GetConnectionString() ?? throw new InvalidOperationException("No connection string.");
        if (db.IsPostgres) return new ReadingWriter(null, connectionString, time, retentionDays);
        var sqlite = new SqliteConnection(new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        await sqlite.OpenAsync(ct);
        await using var pragmas = sqlite.CreateCommand();
        pragmas.CommandText = $"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; PRAGMA cache_size=-{SqliteCacheKib}; PRAGMA wal_autocheckpoint={SqliteCheckpointPages};";
        await pragmas.ExecuteNonQueryAsync(ct);
        return new ReadingWriter(sqlite, connectionString, time, retentionDays) { _inboxRows = SqliteReadingDays.InboxRows(sqlite, null) };
    }

    /// <summary>Rows committed to the SQLite inbox and not moved into their day tables yet.</summary>
    public long InboxRows => Interlocked.Read(ref _inboxRows);

    public bool HasDeferredWork => InboxRows > 0;

    /// <summary>
    /// Moves the SQLite inbox into the day tables when that is due: all of it at <see cref="MoveRows"/> rows; its oldest
    /// <see cref="IdleMoveRows"/> when <paramref name="idle"/> (nothing queued). Returns the rows moved.
    /// </summary>
    public async ValueTask<long> MaintainAsync(bool idle, CancellationToken ct)
    {
        if (_sqlite is null || InboxRows == 0) return 0;
        if (InboxRows >= MoveRows) return await MoveInboxAsync(null, ct);
        return idle ? await MoveInboxAsync(IdleMoveRows, ct) : 0;
    }

    /// <summary>Moves whatever the SQLite inbox holds into the day tables now; returns the rows moved.</summary>
    public Task<long> MoveInboxAsync(CancellationToken ct) => MoveInboxAsync(null, ct);

    async Task<long> MoveInboxAsync(int? limit, CancellationToken ct)
    {
        if (_sqlite is null) return 0;
        await _gate.WaitAsync(ct);
        try
        {
            var today = SqliteReadingDays.DayOf(_time.GetUtcNow());
            using var tx = _sqlite.BeginTransaction();
            var moved = SqliteReadingDays.MoveInbox(_sqlite, tx, today.AddDays(-_retentionDays), today.AddDays(SqliteReadingDays.DaysAhead), limit);
            tx.Commit();
            // The oldest rows went, under the write lock: fewer than asked for means the inbox is empty now (retention may
            // have deleted some of what was counted), otherwise what is left is what was counted less what moved.
            Interlocked.Exchange(ref _inboxRows, limit is { } n && moved >= n ? Math.Max(0, InboxRows - moved) : 0);
            return moved;
        }
        finally
        {
            _gate.Release();
        }
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
            // A large batch goes as up to three COPY streams at once, each on a connection of its own: one backend copying
            // is bound by one core (bench/README.md, "Monitoring"). Each stream commits on its own; if one fails after
            // another committed, the batch is refused and sent again, and the committed part is stored twice
            // (at-least-once, ADR 0006).
            var streams = Math.Clamp(rows.Count / MinRowsPerStream, 1, CopyStreams);
            var copies = new Task[streams];
            for (var s = 0; s < streams; s++)
            {
                var from = rows.Count * s / streams;
                copies[s] = CopyAsync(rows, from, rows.Count * (s + 1) / streams - from, ct);
            }
            await Task.WhenAll(copies);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // What the inbox holds is durable already; moving it now only spares the next start the work.
        if (_sqlite is not null && InboxRows > 0)
        {
            try
            {
                await MoveInboxAsync(CancellationToken.None);
            }
            catch (SqliteException)
            {
            }
        }
        _insert?.Dispose();
        if (_sqlite is not null) await _sqlite.DisposeAsync();
        _gate.Dispose();
    }

    /// <summary>
    /// One COPY stream, written synchronously on a thread of its own: awaiting each field on the thread pool put the
    /// writer's continuations in the queue behind request parsing, so a batch took nearly twice as long in the app as
    /// alone while cores stood idle (bench/README.md, "Monitoring").
    /// </summary>
    Task CopyAsync(IReadOnlyList<(long DeviceId, DateTimeOffset At, Reading Reading)> rows, int start, int count, CancellationToken ct) =>
        Task.Factory.StartNew(() =>
        {
            using var connection = new NpgsqlConnection(_connectionString);
            connection.Open();
            using var import = connection.BeginBinaryImport(
                """COPY device_readings ("DeviceId", "At", "Metric", "Value", "Text", "IsEvent") FROM STDIN (FORMAT BINARY)""");
            for (var i = start; i < start + count; i++)
            {
                if ((i & 1023) == 0) ct.ThrowIfCancellationRequested();
                var (deviceId, at, r) = rows[i];
                import.StartRow();
                import.Write(deviceId, NpgsqlDbType.Bigint);
                import.Write(at.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                import.Write(r.Metric, NpgsqlDbType.Varchar);
                import.Write(r.Value, NpgsqlDbType.Double);
                if (r.Text is null) import.WriteNull();
                else import.Write(r.Text, NpgsqlDbType.Varchar);
                import.Write(r.IsEvent, NpgsqlDbType.Boolean);
            }
            import.Complete();
        }, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    void Insert(SqliteConnection connection, IReadOnlyList<(long DeviceId, DateTimeOffset At, Reading Reading)> rows)
    {
        // Straight to SQLite's C API: one prepared single-row insert, values bound by position, metric names encoded once.
        // Binding through ADO.NET (by parameter name, strings marshalled each time) cost about as much as SQLite's own work.
        using var tx = connection.BeginTransaction();
        var db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        if (_insert is null)
            Check(raw.sqlite3_prepare_v2(db, """INSERT INTO device_readings_inbox ("DeviceId", "At", "Metric", "Value", "Text", "IsEvent") VALUES (?, ?, ?, ?, ?, ?)""", out _insert), db);
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
        Interlocked.Add(ref _inboxRows, rows.Count);
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
public sealed class ReadingWriterFactory(TimeProvider time, IOptions<DeviceOptions> options) : IReadingWriterFactory
{
    public async Task<IReadingWriter> OpenAsync(ILinliDb db, CancellationToken ct) => await ReadingWriter.OpenAsync(db, time, options.Value.RawRetentionDays, ct);
}

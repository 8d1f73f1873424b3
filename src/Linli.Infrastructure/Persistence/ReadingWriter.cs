using System.Data.Common;
using System.Text;
using Linli.Domain.Devices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Linli.Infrastructure.Persistence;

/// <summary>
/// The telemetry fast path: stores a batch of readings in one transaction, binary COPY on PostgreSQL and prepared
/// multi-row inserts on SQLite. When it returns the batch is durable (committed; WAL on SQLite survives a process crash).
/// </summary>
public static class ReadingWriter
{
    // SQLite allows 32,766 parameters per statement; 6 per row.
    const int RowsPerStatement = 200;

    public static async Task WriteAsync(LinliDbContext db, IReadOnlyList<(long DeviceId, DateTimeOffset At, Reading Reading)> rows, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) return;
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            if (db.Database.GetDbConnection() is NpgsqlConnection pg) await CopyAsync(pg, rows, ct);
            else await InsertAsync((SqliteConnection)db.Database.GetDbConnection(), rows, ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
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

    static async Task InsertAsync(SqliteConnection connection, IReadOnlyList<(long DeviceId, DateTimeOffset At, Reading Reading)> rows, CancellationToken ct)
    {
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        var full = rows.Count / RowsPerStatement;
        if (full > 0)
        {
            await using var many = Prepare(connection, tx, RowsPerStatement);
            for (var s = 0; s < full; s++)
            {
                Bind(many, rows, s * RowsPerStatement, RowsPerStatement);
                await many.ExecuteNonQueryAsync(ct);
            }
        }
        var rest = rows.Count - full * RowsPerStatement;
        if (rest > 0)
        {
            await using var tail = Prepare(connection, tx, rest);
            Bind(tail, rows, full * RowsPerStatement, rest);
            await tail.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    static SqliteCommand Prepare(SqliteConnection connection, SqliteTransaction tx, int count)
    {
        var sql = new StringBuilder("""INSERT INTO device_readings ("DeviceId", "At", "Metric", "Value", "Text", "IsEvent") VALUES """);
        var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        for (var i = 0; i < count; i++)
        {
            if (i > 0) sql.Append(',');
            sql.Append("($d").Append(i).Append(",$a").Append(i).Append(",$m").Append(i).Append(",$v").Append(i).Append(",$t").Append(i).Append(",$e").Append(i).Append(')');
            cmd.Parameters.Add(new SqliteParameter("$d" + i, SqliteType.Integer));
            cmd.Parameters.Add(new SqliteParameter("$a" + i, SqliteType.Integer));
            cmd.Parameters.Add(new SqliteParameter("$m" + i, SqliteType.Text));
            cmd.Parameters.Add(new SqliteParameter("$v" + i, SqliteType.Real));
            cmd.Parameters.Add(new SqliteParameter("$t" + i, SqliteType.Text));
            cmd.Parameters.Add(new SqliteParameter("$e" + i, SqliteType.Integer));
        }
        cmd.CommandText = sql.ToString();
        cmd.Prepare();
        return cmd;
    }

    static void Bind(DbCommand cmd, IReadOnlyList<(long DeviceId, DateTimeOffset At, Reading Reading)> rows, int from, int count)
    {
        var p = cmd.Parameters;
        for (var i = 0; i < count; i++)
        {
            var (deviceId, at, r) = rows[from + i];
            p[i * 6].Value = deviceId;
            p[i * 6 + 1].Value = at.UtcTicks;
            p[i * 6 + 2].Value = r.Metric;
            p[i * 6 + 3].Value = r.Value;
            p[i * 6 + 4].Value = (object?)r.Text ?? DBNull.Value;
            p[i * 6 + 5].Value = r.IsEvent ? 1 : 0;
        }
    }
}

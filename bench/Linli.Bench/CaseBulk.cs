using System.Data.Common;
using Linli.Infrastructure.Persistence;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Linli.Bench;

/// <summary>A column of a bulk-written table and its PostgreSQL type (SQLite takes the value as it is, see <see cref="CaseBulk.ToSqlite"/>).</summary>
public sealed record BulkColumn(string Name, NpgsqlDbType Type);

/// <summary>
/// Writes rows fast for the case scenarios: binary COPY on PostgreSQL; on SQLite prepared multi-row INSERTs (many rows per
/// statement, one statement prepared once) inside the caller's transaction. Rows are arrays in column order.
/// </summary>
public static class CaseBulk
{
    static BulkColumn C(string name, NpgsqlDbType type) => new(name, type);

    const NpgsqlDbType Big = NpgsqlDbType.Bigint, Int = NpgsqlDbType.Integer, Text = NpgsqlDbType.Text, Bool = NpgsqlDbType.Boolean,
        Dbl = NpgsqlDbType.Double, Tz = NpgsqlDbType.TimestampTz;

    /// <summary>Every column of <c>cases</c>, in the order <see cref="CaseSeedScenario"/> fills a row.</summary>
    public static readonly BulkColumn[] Cases =
    [
        C("Id", Big), C("CategoryId", Int), C("Kind", Text), C("Source", Text), C("Title", Text), C("Description", Text), C("Status", Text),
        C("Finished", Bool), C("Level", Text), C("Mode", Text), C("OrganizationId", Int), C("AssigneeUserId", Int), C("AssigneeName", Text),
        C("Address", Text), C("BuildingId", Int), C("RoomId", Int), C("FacilityId", Int), C("Latitude", Dbl), C("Longitude", Dbl),
        C("Private", Bool), C("ReporterUserId", Int), C("ReporterRoomId", Int), C("ReporterName", Text), C("ReporterPhoneMasked", Text),
        C("ReporterPhoneProtected", Text), C("ExternalClient", Text), C("ReportedAt", Tz), C("UpdatedAt", Tz), C("AcceptedAt", Tz),
        C("HandledAt", Tz), C("ClosedAt", Tz), C("ResponseDueAt", Tz), C("ResolutionDueAt", Tz), C("OverdueSince", Tz),
        C("ResponseBreached", Bool), C("ResolutionBreached", Bool), C("SlaRound", Int), C("Resolution", Text), C("RejectReason", Text),
        C("Rating", Int), C("RatingComment", Text), C("LastRemindedAt", Tz), C("RemindCount", Int), C("EscalationCount", Int),
        C("ReopenCount", Int), C("MeTooCount", Int), C("ReportPhotos", Int), C("HandlingPhotos", Int), C("Version", Int),
        C("DistrictId", Int), C("StreetId", Int), C("CommunityId", Int), C("GridId", Int),
    ];

    public static readonly BulkColumn[] Events =
    [
        C("Id", Big), C("CaseId", Big), C("At", Tz), C("ActorUserId", Int), C("ActorName", Text), C("Kind", Text), C("FromStatus", Text),
        C("ToStatus", Text), C("Note", Text), C("DistrictId", Int), C("StreetId", Int), C("CommunityId", Int), C("GridId", Int),
    ];

    public static readonly BulkColumn[] Timers = [C("Id", Big), C("CaseId", Big), C("Kind", Text), C("DueAt", Tz), C("Round", Int)];

    public static async Task WriteAsync(DbConnection connection, DbTransaction? tx, string table, BulkColumn[] columns, IReadOnlyList<object?[]> rows, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) return;
        if (connection is NpgsqlConnection pg) await CopyAsync(pg, table, columns, rows, ct);
        else await InsertAsync((SqliteConnection)connection, (SqliteTransaction?)tx ?? throw new InvalidOperationException("SQLite bulk writes run in a transaction."), table, columns, rows, ct);
    }

    static async Task CopyAsync(NpgsqlConnection connection, string table, BulkColumn[] columns, IReadOnlyList<object?[]> rows, CancellationToken ct)
    {
        var copy = $"COPY {table} ({string.Join(", ", columns.Select(c => $"\"{c.Name}\""))}) FROM STDIN (FORMAT BINARY)";
        await using var writer = await connection.BeginBinaryImportAsync(copy, ct);
        foreach (var row in rows)
        {
            await writer.StartRowAsync(ct);
            for (var i = 0; i < columns.Length; i++)
            {
                var v = row[i];
                if (v is null) await writer.WriteNullAsync(ct);
                else if (v is DateTimeOffset t) await writer.WriteAsync(t.ToUniversalTime(), Tz, ct);
                else await writer.WriteAsync(v, columns[i].Type, ct);
            }
        }
        await writer.CompleteAsync(ct);
    }

    /// <summary>
    /// One statement of several rows, prepared once and executed per chunk: fewer calls through the SQLite API than a row at a
    /// time. Kept to about 250 parameters: Microsoft.Data.Sqlite binds each parameter by name and SQLite looks a name up by a
    /// linear search, so binding costs grow with the square of the parameter count (4,000 a statement was 2.5× slower than 100).
    /// </summary>
    static async Task InsertAsync(SqliteConnection connection, SqliteTransaction tx, string table, BulkColumn[] columns, IReadOnlyList<object?[]> rows, CancellationToken ct)
    {
        var perStatement = RowsPerStatement(columns);
        var head = $"INSERT INTO {table} ({string.Join(", ", columns.Select(c => $"\"{c.Name}\""))}) VALUES ";
        SqliteCommand Build(int rowCount, out SqliteParameter[] parameters)
        {
            var cmd = connection.CreateCommand();
            cmd.Transaction = tx;
            var sb = new System.Text.StringBuilder(head);
            parameters = new SqliteParameter[rowCount * columns.Length];
            for (var r = 0; r < rowCount; r++)
            {
                sb.Append(r == 0 ? "(" : ",(");
                for (var c = 0; c < columns.Length; c++)
                {
                    var name = $"$p{r * columns.Length + c}";
                    sb.Append(c == 0 ? name : "," + name);
                    parameters[r * columns.Length + c] = cmd.Parameters.Add(new SqliteParameter { ParameterName = name });
                }
                sb.Append(')');
            }
            cmd.CommandText = sb.ToString();
            cmd.Prepare();
            return cmd;
        }

        var full = rows.Count / perStatement;
        if (full > 0)
        {
            await using var cmd = Build(perStatement, out var ps);
            for (var chunk = 0; chunk < full; chunk++)
            {
                for (var r = 0; r < perStatement; r++)
                {
                    var row = rows[chunk * perStatement + r];
                    for (var c = 0; c < columns.Length; c++) ps[r * columns.Length + c].Value = ToSqlite(row[c]);
                }
                await cmd.ExecuteNonQueryAsync(ct);
            }
        }
        var rest = rows.Count - full * perStatement;
        if (rest > 0)
        {
            await using var cmd = Build(rest, out var ps);
            for (var r = 0; r < rest; r++)
            {
                var row = rows[full * perStatement + r];
                for (var c = 0; c < columns.Length; c++) ps[r * columns.Length + c].Value = ToSqlite(row[c]);
            }
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    public static int RowsPerStatement(BulkColumn[] columns) => Math.Max(1, 250 / columns.Length);

    /// <summary>EF Core's SQLite representations: booleans as 0/1, instants as UTC ticks (the project's convention).</summary>
    public static object ToSqlite(object? value) => value switch
    {
        null => DBNull.Value,
        bool b => b ? 1L : 0L,
        DateTimeOffset t => t.UtcTicks,
        _ => value,
    };

    /// <summary>A value as a command parameter for either provider (instants as ticks on SQLite).</summary>
    public static object Param(DatabaseProvider provider, object? value) =>
        provider == DatabaseProvider.Postgres ? value switch { null => DBNull.Value, DateTimeOffset t => t.ToUniversalTime(), _ => value } : ToSqlite(value);

    /// <summary>Keeps PostgreSQL's identity sequences after explicit ids written by COPY.</summary>
    public static async Task ResetSequencesAsync(DbConnection connection, params string[] tables)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection is not NpgsqlConnection) return;
        foreach (var table in tables)
        {
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = $"SELECT setval(pg_get_serial_sequence('{table}', 'Id'), GREATEST((SELECT MAX(\"Id\") FROM {table}), 1))";
            await cmd.ExecuteNonQueryAsync();
        }
    }

    public static async Task<long> ScalarAsync(DbConnection connection, string sql, DbTransaction? tx = null, params (string Name, object Value)[] parameters)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.CommandTimeout = 900;
        foreach (var (name, value) in parameters)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value;
            cmd.Parameters.Add(p);
        }
        var v = await cmd.ExecuteScalarAsync();
        return v is null or DBNull ? 0 : Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task<int> ExecuteAsync(DbConnection connection, string sql, DbTransaction? tx = null, params (string Name, object Value)[] parameters)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.CommandTimeout = 900;
        foreach (var (name, value) in parameters)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value;
            cmd.Parameters.Add(p);
        }
        return await cmd.ExecuteNonQueryAsync();
    }
}

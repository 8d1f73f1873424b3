using Linli.Application.Access;
using Linli.Application.Common;
using Linli.Domain.Access;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace Linli.Infrastructure.Persistence;

/// <summary>
/// The access log's bulk writes: one binary COPY into the partitioned table on PostgreSQL (the row lands in its month's
/// partition), one transaction of a prepared insert on SQLite.
/// </summary>
public sealed class AccessLogStore(IServiceScopeFactory scopes) : IAccessLogStore
{
    (string ConnectionString, bool Postgres)? _target;

    public async Task WriteAsync(IReadOnlyList<AccessLogEntry> entries, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0) return;
        var (connectionString, postgres) = _target ??= Target();
        if (postgres) await CopyAsync(connectionString, entries, ct);
        else await InsertAsync(connectionString, entries, ct);
    }

    (string, bool) Target()
    {
        using var scope = scopes.CreateSystemScope("write the access log");
        var db = scope.ServiceProvider.GetRequiredService<ILinliDb>();
        return (db.Database.GetConnectionString() ?? throw new InvalidOperationException("No connection string."), db.IsPostgres);
    }

    static async Task CopyAsync(string connectionString, IReadOnlyList<AccessLogEntry> entries, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var import = await connection.BeginBinaryImportAsync("""
            COPY access_log ("At", "GateId", "BuildingId", "ControllerId", "CredentialId", "PassId", "Kind", "Allowed", "Reason", "Direction", "Offline",
                "DistrictId", "StreetId", "CommunityId", "GridId") FROM STDIN (FORMAT BINARY)
            """, ct);
        foreach (var e in entries)
        {
            await import.StartRowAsync(ct);
            await import.WriteAsync(e.At.ToUniversalTime(), NpgsqlDbType.TimestampTz, ct);
            await import.WriteAsync(e.GateId, NpgsqlDbType.Integer, ct);
            await WriteNullableAsync(import, e.BuildingId, NpgsqlDbType.Integer, ct);
            await WriteNullableAsync(import, e.ControllerId, NpgsqlDbType.Bigint, ct);
            await WriteNullableAsync(import, e.CredentialId, NpgsqlDbType.Bigint, ct);
            await WriteNullableAsync(import, e.PassId, NpgsqlDbType.Bigint, ct);
            await import.WriteAsync(e.Kind.ToString(), NpgsqlDbType.Varchar, ct);
            await import.WriteAsync(e.Allowed, NpgsqlDbType.Boolean, ct);
            if (e.Reason is { } reason) await import.WriteAsync(reason.ToString(), NpgsqlDbType.Varchar, ct);
            else await import.WriteNullAsync(ct);
            await import.WriteAsync(e.Direction.ToString(), NpgsqlDbType.Varchar, ct);
            await import.WriteAsync(e.Offline, NpgsqlDbType.Boolean, ct);
            await import.WriteAsync(e.DistrictId, NpgsqlDbType.Integer, ct);
            await import.WriteAsync(e.StreetId, NpgsqlDbType.Integer, ct);
            await import.WriteAsync(e.CommunityId, NpgsqlDbType.Integer, ct);
            await import.WriteAsync(e.GridId, NpgsqlDbType.Integer, ct);
        }
        await import.CompleteAsync(ct);
    }

    static async Task WriteNullableAsync<T>(NpgsqlBinaryImporter import, T? value, NpgsqlDbType type, CancellationToken ct) where T : struct
    {
        if (value is { } v) await import.WriteAsync(v, type, ct);
        else await import.WriteNullAsync(ct);
    }

    static async Task InsertAsync(string connectionString, IReadOnlyList<AccessLogEntry> entries, CancellationToken ct)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA busy_timeout=10000;";
            await pragma.ExecuteNonQueryAsync(ct);
        }
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        await using var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = """
            INSERT INTO access_log ("At", "GateId", "BuildingId", "ControllerId", "CredentialId", "PassId", "Kind", "Allowed", "Reason", "Direction", "Offline",
                "DistrictId", "StreetId", "CommunityId", "GridId")
            VALUES ($at, $gate, $building, $controller, $credential, $pass, $kind, $allowed, $reason, $direction, $offline, $district, $street, $community, $grid)
            """;
        var p = new[] { "$at", "$gate", "$building", "$controller", "$credential", "$pass", "$kind", "$allowed", "$reason", "$direction", "$offline", "$district", "$street", "$community", "$grid" }
            .Select(name => insert.Parameters.Add(new SqliteParameter { ParameterName = name })).ToArray();
        insert.Prepare();
        foreach (var e in entries)
        {
            p[0].Value = e.At.UtcTicks;
            p[1].Value = e.GateId;
            p[2].Value = (object?)e.BuildingId ?? DBNull.Value;
            p[3].Value = (object?)e.ControllerId ?? DBNull.Value;
            p[4].Value = (object?)e.CredentialId ?? DBNull.Value;
            p[5].Value = (object?)e.PassId ?? DBNull.Value;
            p[6].Value = e.Kind.ToString();
            p[7].Value = e.Allowed;
            p[8].Value = (object?)e.Reason?.ToString() ?? DBNull.Value;
            p[9].Value = e.Direction.ToString();
            p[10].Value = e.Offline;
            p[11].Value = e.DistrictId;
            p[12].Value = e.StreetId;
            p[13].Value = e.CommunityId;
            p[14].Value = e.GridId;
            await insert.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }
}

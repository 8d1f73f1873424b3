using System.Data.Common;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Linli.Infrastructure.Persistence;

/// <summary>
/// Applies the versioned SQL scripts of the current provider (<c>Migrations/{Sqlite|Postgres}/NNNN_name.sql</c>) in order,
/// each in its own transaction, and records version, name and SHA-256 checksum in <c>schema_versions</c>.
/// A script that changed after it was applied stops start-up: history is never rewritten silently.
/// </summary>
public sealed class MigrationRunner(LinliDbContext db, ILogger<MigrationRunner> logger)
{
    public sealed record Script(int Version, string Name, string Sql, string Checksum);

    public static IReadOnlyList<Script> Scripts(DatabaseProvider provider)
    {
        var assembly = typeof(MigrationRunner).Assembly;
        var prefix = $"Migrations/{provider}/";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => Load(assembly, n, prefix))
            .OrderBy(s => s.Version)
            .ToList();
    }

    static Script Load(Assembly assembly, string resource, string prefix)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var sql = reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
        var file = resource[prefix.Length..^4];
        var underscore = file.IndexOf('_', StringComparison.Ordinal);
        var version = int.Parse(file[..underscore], System.Globalization.CultureInfo.InvariantCulture);
        var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
        return new Script(version, file[(underscore + 1)..], sql, checksum);
    }

    public async Task<int> ApplyAsync(CancellationToken ct = default)
    {
        var provider = db.IsPostgres ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite;
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await ExecuteAsync(connection, null, """
                CREATE TABLE IF NOT EXISTS schema_versions (
                    version INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    checksum TEXT NOT NULL,
                    applied_at TEXT NOT NULL)
                """, ct);
            var applied = 0;
            foreach (var script in Scripts(provider))
            {
                await using var tx = await connection.BeginTransactionAsync(ct);
                // Several web nodes may start at once: one applies, the others wait and then see it applied.
                if (provider == DatabaseProvider.Postgres) await ExecuteAsync(connection, tx, "SELECT pg_advisory_xact_lock(4242)", ct);
                var existing = await ScalarAsync(connection, tx, $"SELECT checksum FROM schema_versions WHERE version = {script.Version}", ct);
                if (existing is string recorded)
                {
                    if (recorded != script.Checksum)
                        throw new InvalidOperationException($"Migration {script.Version:0000}_{script.Name} was changed after it was applied (checksum {recorded} in the database, {script.Checksum} in the build). Write a new migration instead.");
                    await tx.CommitAsync(ct);
                    continue;
                }
                await ExecuteAsync(connection, tx, script.Sql, ct);
                await using (var record = connection.CreateCommand())
                {
                    record.Transaction = tx;
                    record.CommandText = "INSERT INTO schema_versions (version, name, checksum, applied_at) VALUES (@v, @n, @c, @a)";
                    AddParameter(record, "@v", script.Version);
                    AddParameter(record, "@n", script.Name);
                    AddParameter(record, "@c", script.Checksum);
                    AddParameter(record, "@a", DateTimeOffset.UtcNow.ToString("O"));
                    await record.ExecuteNonQueryAsync(ct);
                }
                await tx.CommitAsync(ct);
                logger.LogInformation("Applied migration {Version:0000}_{Name}", script.Version, script.Name);
                applied++;
            }
            return applied;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    static void AddParameter(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }

    static async Task ExecuteAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        command.CommandTimeout = 600;
        await command.ExecuteNonQueryAsync(ct);
    }

    static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(ct);
    }
}

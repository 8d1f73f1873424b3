using System.Data.Common;
using System.Globalization;
using Linli.Domain.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;

namespace Linli.Infrastructure.Persistence;

/// <summary>
/// Writes new cases with their timelines and SLA timers in bulk (binary COPY on PostgreSQL, prepared statements on
/// SQLite, one transaction), for seeding, where EF's one statement per row would take seconds. The columns and value
/// conversions come from the EF model, so a row is exactly what SaveChanges would write. Case ids are assigned after the
/// current maximum; timeline entries and timers get theirs from the database.
/// </summary>
public static class CaseBulkWriter
{
    public static async Task<IReadOnlyDictionary<Case, long>> WriteAsync(LinliDbContext db, IReadOnlyList<Case> cases, Func<CaseTimer, bool> keepTimer,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(keepTimer);
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            var ids = new Dictionary<Case, long>(ReferenceEqualityComparer.Instance);
            await using (var max = connection.CreateCommand())
            {
                max.Transaction = tx;
                max.CommandText = "SELECT COALESCE(MAX(\"Id\"), 0) FROM cases";
                var next = Convert.ToInt64(await max.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) + 1;
                foreach (var c in cases) ids[c] = next++;
            }
            long CaseIdOf(Case? c) => ids[c ?? throw new InvalidOperationException("A timeline entry or timer without its case.")];

            await WriteAsync(db, connection, tx, cases, new() { ["Id"] = c => ids[c] }, ct);
            await WriteAsync(db, connection, tx, cases.SelectMany(c => c.Events).ToList(), new() { ["CaseId"] = e => CaseIdOf(e.Case) }, ct);
            await WriteAsync(db, connection, tx, cases.SelectMany(c => c.Timers).Where(keepTimer).ToList(), new() { ["CaseId"] = t => CaseIdOf(t.Case) }, ct);
            if (db.IsPostgres)
            {
                // Explicit ids do not move the identity sequence; the next case reported live must come after them.
                await using var setval = connection.CreateCommand();
                setval.Transaction = tx;
                setval.CommandText = "SELECT setval(pg_get_serial_sequence('cases', 'Id'), GREATEST((SELECT MAX(\"Id\") FROM cases), 1))";
                await setval.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
            return ids;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// One table's rows. Every mapped property is a column, converted as the model converts it (enums to text, instants to
    /// UTC ticks on SQLite); <paramref name="given"/> supplies the values the entities do not hold yet (ids, foreign keys).
    /// An "Id" not given is left to the database.
    /// </summary>
    static async Task WriteAsync<T>(LinliDbContext db, DbConnection connection, DbTransaction tx, IReadOnlyList<T> rows,
        Dictionary<string, Func<T, object?>> given, CancellationToken ct) where T : class
    {
        if (rows.Count == 0) return;
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var table = entity.GetTableName()!;
        var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
        var columns = entity.GetProperties()
            .Where(p => p.Name != "Id" || given.ContainsKey("Id"))
            .Select(p => (Name: p.GetColumnName(store)!, Value: Reader(p, given.GetValueOrDefault(p.Name))))
            .ToList();
        var names = string.Join(", ", columns.Select(c => $"\"{c.Name}\""));

        if (db.IsPostgres)
        {
            await using var writer = await ((NpgsqlConnection)connection).BeginBinaryImportAsync($"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)", ct);
            foreach (var row in rows)
            {
                await writer.StartRowAsync(ct);
                foreach (var (name, value) in columns)
                {
                    switch (value(row))
                    {
                        case null: await writer.WriteNullAsync(ct); break;
                        case int i: await writer.WriteAsync(i, NpgsqlTypes.NpgsqlDbType.Integer, ct); break;
                        case long l: await writer.WriteAsync(l, NpgsqlTypes.NpgsqlDbType.Bigint, ct); break;
                        case bool b: await writer.WriteAsync(b, NpgsqlTypes.NpgsqlDbType.Boolean, ct); break;
                        case double d: await writer.WriteAsync(d, NpgsqlTypes.NpgsqlDbType.Double, ct); break;
                        case string s: await writer.WriteAsync(s, NpgsqlTypes.NpgsqlDbType.Text, ct); break;
                        case DateTimeOffset t: await writer.WriteAsync(t.ToUniversalTime(), NpgsqlTypes.NpgsqlDbType.TimestampTz, ct); break;
                        case var other: throw new InvalidOperationException($"No COPY mapping for {other.GetType()} in {table}.{name}.");
                    }
                }
            }
            await writer.CompleteAsync(ct);
            return;
        }

        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = $"INSERT INTO {table} ({names}) VALUES ({string.Join(", ", columns.Select((_, i) => $"$p{i}"))})";
        var parameters = columns.Select((_, i) =>
        {
            var p = command.CreateParameter();
            p.ParameterName = $"$p{i}";
            command.Parameters.Add(p);
            return p;
        }).ToArray();
        await command.PrepareAsync(ct);
        foreach (var row in rows)
        {
            for (var i = 0; i < columns.Count; i++) parameters[i].Value = columns[i].Value(row) ?? DBNull.Value;
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    static Func<T, object?> Reader<T>(IProperty property, Func<T, object?>? given)
    {
        if (given is not null) return given;
        var info = property.PropertyInfo ?? throw new InvalidOperationException($"{typeof(T).Name}.{property.Name} has no CLR property to read.");
        var converter = property.GetTypeMapping().Converter;
        return row => info.GetValue(row) is { } v ? converter is null ? v : converter.ConvertToProvider(v) : null;
    }
}

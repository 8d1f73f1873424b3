using System.Data.Common;
using Linli.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>The SQL migrations and the EF model describe the same schema, on the provider under test.</summary>
public sealed class MigrationTests
{
    sealed record DbIndex(string Table, bool Unique, string Columns);

    sealed record DbSchema(Dictionary<string, Dictionary<string, bool>> Columns, Dictionary<string, DbIndex> Indexes);

    [Fact]
    public async Task The_migrated_schema_has_every_table_column_and_index_of_the_model()
    {
        await using var app = await LinliAppFactory.StartAsync();
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        var schema = await ReadSchemaAsync(db);
        var problems = new List<string>();
        var entities = db.Model.GetEntityTypes().Where(e => e.GetTableName() is not null).ToList();
        Assert.True(entities.Count >= 11, $"only {entities.Count} mapped entity types");

        foreach (var entity in entities)
        {
            var table = entity.GetTableName()!;
            var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
            if (!schema.Columns.TryGetValue(table, out var columns))
            {
                problems.Add($"table {table} ({entity.ClrType.Name}) is missing");
                continue;
            }
            var mapped = new HashSet<string>();
            foreach (var property in entity.GetProperties())
            {
                var column = property.GetColumnName(store);
                if (column is null) continue;
                mapped.Add(column);
                if (!columns.TryGetValue(column, out var nullable)) problems.Add($"column {table}.{column} is missing");
                else if (nullable != property.IsColumnNullable(store))
                    problems.Add($"column {table}.{column} is {(nullable ? "NULL" : "NOT NULL")} in the database but {(nullable ? "required" : "optional")} in the model");
            }
            foreach (var extra in columns.Keys.Except(mapped)) problems.Add($"column {table}.{extra} is not in the model");

            foreach (var index in entity.GetIndexes())
            {
                var name = index.GetDatabaseName(store)!;
                var expectedColumns = string.Join(',', index.Properties.Select(p => p.GetColumnName(store)));
                if (!schema.Indexes.TryGetValue(name, out var found)) problems.Add($"index {name} on {table}({expectedColumns}) is missing");
                else if (found != new DbIndex(table, index.IsUnique, expectedColumns))
                    problems.Add($"index {name} is {found} in the database but {new DbIndex(table, index.IsUnique, expectedColumns)} in the model");
            }
        }
        if (TestDatabase.Provider == DatabaseProvider.Sqlite)
        {
            var parts = schema.Columns.Keys.Where(t => t.StartsWith("device_readings_", StringComparison.Ordinal) && t != SqliteReadingDays.Default).ToList();
            Assert.Contains(SqliteReadingDays.Inbox, parts);
            foreach (var part in parts)
                if (!schema.Columns[part].OrderBy(c => c.Key).SequenceEqual(schema.Columns["device_readings"].OrderBy(c => c.Key)))
                    problems.Add($"{part} does not have the columns of {SqliteReadingDays.Default}");
        }
        Assert.True(problems.Count == 0, $"{TestDatabase.Provider}: {string.Join(Environment.NewLine, problems)}");
    }

    [Fact]
    public async Task Applying_the_migrations_again_changes_nothing()
    {
        await using var app = await LinliAppFactory.StartAsync();
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        var runner = scope.ServiceProvider.GetRequiredService<MigrationRunner>();

        Assert.Equal(0, await runner.ApplyAsync());

        var scripts = MigrationRunner.Scripts(TestDatabase.Provider);
        Assert.NotEmpty(scripts);
        var recorded = await QueryAsync(db, "SELECT version, checksum FROM schema_versions ORDER BY version",
            r => (Version: Convert.ToInt32(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), Checksum: r.GetString(1)));
        Assert.Equal(scripts.Select(s => (s.Version, s.Checksum)), recorded);
    }

    [Fact]
    public async Task A_migration_changed_after_it_was_applied_stops_the_runner()
    {
        await using var app = await LinliAppFactory.StartAsync();
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        await db.Database.ExecuteSqlRawAsync("UPDATE schema_versions SET checksum = 'tampered' WHERE version = 1");

        var runner = scope.ServiceProvider.GetRequiredService<MigrationRunner>();
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => runner.ApplyAsync());
        Assert.Contains("0001", e.Message, StringComparison.Ordinal);
        Assert.Contains("changed after it was applied", e.Message, StringComparison.Ordinal);

        // Refusing touched nothing: the data is still there.
        Assert.True(await db.Residents.IgnoreQueryFilters().AnyAsync());
    }

    static async Task<DbSchema> ReadSchemaAsync(LinliDbContext db)
    {
        var columns = new Dictionary<string, Dictionary<string, bool>>();
        var indexes = new Dictionary<string, DbIndex>();
        if (db.IsPostgres)
        {
            foreach (var (table, column, nullable) in await QueryAsync(db,
                "SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = current_schema()",
                r => (r.GetString(0), r.GetString(1), r.GetString(2) == "YES")))
                (columns.TryGetValue(table, out var c) ? c : columns[table] = [])[column] = nullable;
            // pg_indexes gives names and tables; the catalog gives uniqueness and the column order.
            foreach (var (name, table, unique, cols) in await QueryAsync(db, """
                SELECT i.relname, t.relname, ix.indisunique, string_agg(a.attname, ',' ORDER BY k.ord)
                FROM pg_indexes pi
                JOIN pg_class i ON i.relname = pi.indexname
                JOIN pg_namespace n ON n.oid = i.relnamespace AND n.nspname = pi.schemaname
                JOIN pg_index ix ON ix.indexrelid = i.oid
                JOIN pg_class t ON t.oid = ix.indrelid
                CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
                JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
                WHERE pi.schemaname = current_schema()
                GROUP BY i.relname, t.relname, ix.indisunique
                """, r => (r.GetString(0), r.GetString(1), r.GetBoolean(2), r.GetString(3))))
                indexes[name] = new DbIndex(table, unique, cols);
        }
        else
        {
            var tables = await QueryAsync(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", r => r.GetString(0));
            foreach (var table in tables)
            {
                columns[table] = (await QueryAsync(db, $"SELECT name, \"notnull\" FROM pragma_table_info('{table}')", r => (r.GetString(0), r.GetInt64(1) == 0)))
                    .ToDictionary(c => c.Item1, c => c.Item2);
                foreach (var (name, unique) in await QueryAsync(db, $"SELECT name, \"unique\" FROM pragma_index_list('{table}')", r => (r.GetString(0), r.GetInt64(1) == 1)))
                {
                    var cols = await QueryAsync(db, $"SELECT name FROM pragma_index_info('{name}') ORDER BY seqno", r => r.GetString(0));
                    indexes[name] = new DbIndex(table, unique, string.Join(',', cols));
                }
            }
            // On SQLite device_readings is a view over its parts (migration 0020): the default part keeps the model's
            // columns and index, and every other part (the inbox, each day's table) has the same columns.
            if (columns.TryGetValue(SqliteReadingDays.Default, out var readings))
            {
                columns["device_readings"] = readings;
                foreach (var (name, index) in indexes.Where(i => i.Value.Table == SqliteReadingDays.Default).ToList())
                    indexes[name] = index with { Table = "device_readings" };
            }
        }
        return new DbSchema(columns, indexes);
    }

    static async Task<List<T>> QueryAsync<T>(LinliDbContext db, string sql, Func<DbDataReader, T> read)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync()) rows.Add(read(reader));
        return rows;
    }
}

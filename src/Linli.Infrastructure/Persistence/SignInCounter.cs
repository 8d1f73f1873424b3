using System.Data.Common;
using Linli.Application.Common;
using Linli.Application.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Linli.Infrastructure.Persistence;

/// <summary>One client address's sign-in attempts in one minute (table sign_in_windows).</summary>
public sealed class SignInWindow
{
    public string Client { get; private set; } = "";
    public DateTimeOffset WindowStart { get; private set; }
    public int Attempts { get; private set; }
}

/// <summary>
/// Adds an attempt with one upsert (INSERT … ON CONFLICT DO UPDATE … RETURNING, on SQLite and PostgreSQL alike), so two
/// nodes counting the same client at once both see the sum. Windows older than ten minutes are removed as new ones start.
/// </summary>
public sealed class SignInCounter : ISignInCounter
{
    public async Task<int> AddAsync(ILinliDb db, string client, DateTimeOffset window, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened) await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var cmd = connection.CreateCommand();
            cmd.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            cmd.CommandText = """
                INSERT INTO sign_in_windows ("Client", "WindowStart", "Attempts") VALUES (@client, @window, 1)
                ON CONFLICT ("Client", "WindowStart") DO UPDATE SET "Attempts" = sign_in_windows."Attempts" + 1
                RETURNING "Attempts"
                """;
            Add(cmd, "@client", client);
            Add(cmd, "@window", db.IsPostgres ? window.ToUniversalTime() : window.UtcTicks);
            var attempts = Convert.ToInt32(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
            if (attempts == 1)
            {
                await using var old = connection.CreateCommand();
                old.Transaction = cmd.Transaction;
                old.CommandText = """DELETE FROM sign_in_windows WHERE "WindowStart" < @before""";
                var before = window.AddMinutes(-10);
                Add(old, "@before", db.IsPostgres ? before.ToUniversalTime() : before.UtcTicks);
                await old.ExecuteNonQueryAsync(ct);
            }
            return attempts;
        }
        finally
        {
            if (opened) await db.Database.CloseConnectionAsync();
        }
    }

    static void Add(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }
}

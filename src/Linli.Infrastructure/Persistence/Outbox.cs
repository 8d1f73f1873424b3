using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Linli.Application.Common;
using Linli.Domain.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Linli.Infrastructure.Persistence;

/// <summary>A domain event waiting for delivery (see <see cref="OutboxInterceptor"/>).</summary>
public sealed class OutboxMessage
{
    public const int TypeMaxLength = 60;

    public long Id { get; private set; }
    public string Type { get; private set; } = "";
    public string Payload { get; private set; } = "";
    public DateTimeOffset OccurredAt { get; private set; }
    /// <summary>Until when the node that wrote (or took over) the row delivers it; after that anyone may.</summary>
    public DateTimeOffset LockedUntil { get; private set; }
    public int Attempts { get; private set; }
}

sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> b)
    {
        b.ToTable("outbox_messages");
        b.Property(m => m.Type).HasMaxLength(OutboxMessage.TypeMaxLength);
        b.HasIndex(m => m.LockedUntil);
    }
}

/// <summary>
/// Writes the domain events of every aggregate saved through the DbContext to <c>outbox_messages</c> in the same
/// transaction as the change (opening one when the caller has none), and hands them to the <see cref="OutboxDispatcher"/>
/// once that transaction commits. Events are taken after the rows are written, so a new case's event carries its id.
/// A crash after the commit leaves the rows, leased to this node: when the lease runs out another node or the restarted
/// one delivers them.
/// </summary>
public sealed class OutboxInterceptor(OutboxDispatcher dispatcher, TimeProvider time, IOptions<OutboxOptions> options) : SaveChangesInterceptor
{
    /// <summary>What one lease of a context has saved but not yet committed; kept on the context and dropped with the lease.</summary>
    internal sealed class State
    {
        public List<IHasDomainEvents>? Aggregates;
        public IDbContextTransaction? OwnTransaction;
        public List<OutboxEntry> Committing = [];
    }

    static State? StateOf(DbContext? context) => (context as LinliDbContext)?.OutboxState;

    static State Begin(DbContext context) => context is LinliDbContext db
        ? db.OutboxState ??= new State()
        : throw new InvalidOperationException($"The outbox works with {nameof(LinliDbContext)} only, not {context.GetType().Name}.");

    DbTransactionInterceptor? _transactions;

    /// <summary>The transaction half: delivery starts when the transaction holding the rows commits.</summary>
    public DbTransactionInterceptor Transactions => _transactions ??= new TransactionHook(this);

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context && Pending(context) is { } aggregates)
        {
            var state = Begin(context);
            state.Aggregates = aggregates;
            if (context.Database.CurrentTransaction is null) state.OwnTransaction = await context.Database.BeginTransactionAsync(cancellationToken);
        }
        else if (StateOf(eventData.Context) is { } idle) idle.Aggregates = null;
        return result;
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is { } context && Pending(context) is { } aggregates)
        {
            var state = Begin(context);
            state.Aggregates = aggregates;
            if (context.Database.CurrentTransaction is null) state.OwnTransaction = context.Database.BeginTransaction();
        }
        else if (StateOf(eventData.Context) is { } idle) idle.Aggregates = null;
        return result;
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is not { } context || StateOf(context) is not { } state || state.Aggregates is null) return result;
        await WriteAsync(context, state, cancellationToken);
        if (state.OwnTransaction is { } tx)
        {
            state.OwnTransaction = null;
            await tx.CommitAsync(cancellationToken);
            await tx.DisposeAsync();
        }
        return result;
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (eventData.Context is not { } context || StateOf(context) is not { } state || state.Aggregates is null) return result;
        WriteAsync(context, state, CancellationToken.None).GetAwaiter().GetResult();
        if (state.OwnTransaction is { } tx)
        {
            state.OwnTransaction = null;
            tx.Commit();
            tx.Dispose();
        }
        return result;
    }

    public override async Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context && StateOf(context) is { } state)
        {
            state.Aggregates = null;
            if (state.OwnTransaction is { } tx)
            {
                state.OwnTransaction = null;
                await tx.DisposeAsync();
            }
        }
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData)
    {
        if (eventData.Context is { } context && StateOf(context) is { } state)
        {
            state.Aggregates = null;
            state.OwnTransaction?.Dispose();
            state.OwnTransaction = null;
        }
    }

    static List<IHasDomainEvents>? Pending(DbContext context)
    {
        List<IHasDomainEvents>? found = null;
        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.Entity is IHasDomainEvents { HasPendingEvents: true } aggregate) (found ??= []).Add(aggregate);
        }
        return found;
    }

    /// <summary>The saved aggregates' events, leased to this node, written inside the current transaction.</summary>
    async Task WriteAsync(DbContext context, State state, CancellationToken ct)
    {
        var events = state.Aggregates!.SelectMany(a => a.TakeEvents()).ToList();
        state.Aggregates = null;
        if (events.Count == 0) return;
        var postgres = context.Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) == true;
        state.Committing.AddRange(await InsertAsync(context.Database.GetDbConnection(), context.Database.CurrentTransaction!.GetDbTransaction(),
            events, time.GetUtcNow().AddSeconds(options.Value.LeaseSeconds), postgres, ct));
    }

    /// <summary>One multi-row INSERT of <paramref name="events"/> into the outbox, leased until <paramref name="lockedUntil"/>.</summary>
    internal static async Task<List<OutboxEntry>> InsertAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<IDomainEvent> events,
        DateTimeOffset lockedUntil, bool postgres, CancellationToken ct)
    {
        var entries = new List<OutboxEntry>(events.Count);
        if (events.Count == 0) return entries;
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        var sql = new StringBuilder("""INSERT INTO outbox_messages ("Type", "Payload", "OccurredAt", "LockedUntil", "Attempts") VALUES """);
        for (var i = 0; i < events.Count; i++)
        {
            sql.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? "" : ", ")}(@t{i}, @p{i}, @o{i}, @l, 0)");
            Add(cmd, $"@t{i}", DomainEventTypes.NameOf(events[i]));
            Add(cmd, $"@p{i}", DomainEventTypes.Serialize(events[i]));
            Add(cmd, $"@o{i}", Instant(events[i].At, postgres));
        }
        Add(cmd, "@l", Instant(lockedUntil, postgres));
        sql.Append(""" RETURNING "Id" """);
        cmd.CommandText = sql.ToString();
        var ids = new List<long>(events.Count);
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct)) ids.Add(reader.GetInt64(0));
        }
        // Identity values follow the order of the VALUES list.
        ids.Sort();
        for (var i = 0; i < events.Count; i++) entries.Add(new OutboxEntry(ids[i], events[i]));
        return entries;
    }

    internal static object Instant(DateTimeOffset at, bool postgres) => postgres ? at.ToUniversalTime() : at.UtcTicks;

    internal static void Add(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }

    void Committed(DbContext? context)
    {
        if (context is null || StateOf(context) is not { } state || state.Committing.Count == 0) return;
        var entries = state.Committing;
        state.Committing = [];
        if (options.Value.CrashAfterCommitForTests) Environment.FailFast("Crash test: the process dies after committing outbox rows, before delivering them.");
        dispatcher.Committed(entries);
    }

    void RolledBack(DbContext? context)
    {
        if (context is not null && StateOf(context) is { } state) state.Committing = [];
    }

    sealed class TransactionHook(OutboxInterceptor outbox) : DbTransactionInterceptor
    {
        public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => outbox.Committed(eventData.Context);

        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            outbox.Committed(eventData.Context);
            return Task.CompletedTask;
        }

        public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => outbox.RolledBack(eventData.Context);

        public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            outbox.RolledBack(eventData.Context);
            return Task.CompletedTask;
        }

        public override void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => outbox.RolledBack(eventData.Context);

        public override Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
        {
            outbox.RolledBack(eventData.Context);
            return Task.CompletedTask;
        }
    }
}

/// <summary>Claims and removes outbox rows with plain SQL (SKIP LOCKED on PostgreSQL, so nodes never take the same row).</summary>
public sealed class OutboxStore(IServiceScopeFactory scopes) : IOutboxStore
{
    public async Task<IReadOnlyList<OutboxEntry>> ClaimExpiredAsync(DateTimeOffset now, TimeSpan lease, int max, CancellationToken ct)
    {
        await using var scope = scopes.CreateSystemScope("take over domain events whose lease ran out");
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        await db.Database.OpenConnectionAsync(ct);
        await using var cmd = db.Database.GetDbConnection().CreateCommand();
        var postgres = db.IsPostgres;
        cmd.CommandText = $"""
            UPDATE outbox_messages SET "LockedUntil" = @until, "Attempts" = "Attempts" + 1
            WHERE "Id" IN (SELECT "Id" FROM outbox_messages WHERE "LockedUntil" <= @now ORDER BY "Id" LIMIT @max{(postgres ? " FOR UPDATE SKIP LOCKED" : "")})
            RETURNING "Id", "Type", "Payload", "Attempts"
            """;
        OutboxInterceptor.Add(cmd, "@until", OutboxInterceptor.Instant(now + lease, postgres));
        OutboxInterceptor.Add(cmd, "@now", OutboxInterceptor.Instant(now, postgres));
        OutboxInterceptor.Add(cmd, "@max", max);
        var rows = new List<(long Id, string Type, string Payload, int Attempts)>();
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct)) rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3)));
        }
        // A type this version does not know stays for a node that does; it is not claimed again before its lease runs out.
        var entries = new List<OutboxEntry>(rows.Count);
        foreach (var row in rows.OrderBy(r => r.Id))
            if (DomainEventTypes.Deserialize(row.Type, row.Payload) is { } e) entries.Add(new OutboxEntry(row.Id, e, row.Attempts));
        return entries;
    }

    public async Task DeleteAsync(IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return;
        await using var scope = scopes.CreateSystemScope("remove delivered domain events");
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        await db.Database.OpenConnectionAsync(ct);
        await using var cmd = db.Database.GetDbConnection().CreateCommand();
        // Ids are numbers this process read from the table: written into the statement, one round trip for any count.
        cmd.CommandText = $"""DELETE FROM outbox_messages WHERE "Id" IN ({string.Join(",", ids.Select(i => i.ToString(CultureInfo.InvariantCulture)))})""";
        await cmd.ExecuteNonQueryAsync(ct);
    }
}

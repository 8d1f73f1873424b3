using System.Data.Common;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Threading.Channels;
using Linli.Application.Cases;
using Linli.Application.Common;
using Linli.Domain.Cases;
using Linli.Domain.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Linli.Infrastructure.Persistence;

/// <summary>
/// Writes new reports with group commit: whatever is waiting (up to <see cref="MaxBatch"/> cases) goes into one
/// transaction of multi-row INSERTs (cases, then their timeline entries, timers and outbox rows), so a burst of reports
/// costs one commit instead of one each. A report is answered only after its transaction committed. Columns and value
/// conversions come from the EF model, so the rows are those SaveChanges would write. When a batch fails, its cases are
/// written one by one, so a bad report fails alone.
/// </summary>
public sealed partial class NewCaseWriter(IServiceScopeFactory scopes, OutboxDispatcher dispatcher, TimeProvider time, IOptions<OutboxOptions> outbox,
    ILogger<NewCaseWriter> logger) : BackgroundService, INewCaseWriter
{
    const int MaxBatch = 100;
    static readonly PropertyInfo CaseIdProperty = typeof(Case).GetProperty(nameof(Case.Id))!;

    sealed record Pending(Case Case, ReportQuota? Quota, TaskCompletionSource<bool> Done);

    readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    int _largestBatch;

    /// <summary>The most reports one transaction has held since start: shows that reports arriving together shared a commit.</summary>
    public int LargestBatch => Volatile.Read(ref _largestBatch);

    public async Task<bool> WriteAsync(Case c, ReportQuota? quota, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(c);
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Pending(c, quota, done))) throw new InvalidOperationException("The case writer has stopped.");
        // The caller may stop waiting; the case is written all the same (it was accepted into the queue).
        return await done.Task.WaitAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var p)) batch.Add(p);
                if (batch.Count > _largestBatch) Volatile.Write(ref _largestBatch, batch.Count);
                try
                {
                    await WriteBatchAsync(batch, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    if (batch.Count == 1) { batch[0].Done.TrySetException(e); continue; }
                    LogBatchFailed(logger, batch.Count, e);
                    foreach (var one in batch)
                    {
                        try { await WriteBatchAsync([one], stoppingToken); }
                        catch (Exception single) when (single is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                        {
                            one.Done.TrySetException(single);
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        while (_queue.Reader.TryRead(out var left)) left.Done.TrySetCanceled(stoppingToken);
    }

    async Task WriteBatchAsync(IReadOnlyList<Pending> batch, CancellationToken ct)
    {
        await using var scope = scopes.CreateSystemScope("write newly reported cases");
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        var postgres = db.IsPostgres;
        await db.Database.OpenConnectionAsync(ct);
        var refused = await OverQuotaAsync(db, batch, ct);
        if (refused.Count == batch.Count)
        {
            foreach (var p in batch) p.Done.TrySetResult(false);
            return;
        }
        var connection = db.Database.GetDbConnection();
        await using var tx = await connection.BeginTransactionAsync(ct);
        var cases = batch.Where(p => !refused.Contains(p)).Select(p => p.Case).ToList();

        var ids = await InsertAsync(db, connection, tx, cases, [], returnIds: true, ct);
        for (var i = 0; i < cases.Count; i++) CaseIdProperty.SetValue(cases[i], ids[i]);
        var caseIds = new Dictionary<Case, long>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < cases.Count; i++) caseIds[cases[i]] = ids[i];
        long CaseIdOf(Case? c) => caseIds[c ?? throw new InvalidOperationException("A timeline entry or timer without its case.")];
        await InsertAsync(db, connection, tx, cases.SelectMany(c => c.Events).ToList(), new() { ["CaseId"] = e => CaseIdOf(e.Case) }, false, ct);
        await InsertAsync(db, connection, tx, cases.SelectMany(c => c.Timers).ToList(), new() { ["CaseId"] = t => CaseIdOf(t.Case) }, false, ct);

        var events = cases.SelectMany(c => c.TakeEvents()).ToList();
        var entries = await OutboxInterceptor.InsertAsync(connection, tx, events, time.GetUtcNow().AddSeconds(outbox.Value.LeaseSeconds), postgres, ct);
        await tx.CommitAsync(ct);
        dispatcher.Committed(entries);
        foreach (var p in batch) p.Done.TrySetResult(!refused.Contains(p));
    }

    /// <summary>
    /// The reports of the batch whose account is over its quota, counting what is already stored (one query per distinct
    /// day start, for all the batch's accounts) and the batch's own earlier reports.
    /// </summary>
    static async Task<HashSet<Pending>> OverQuotaAsync(LinliDbContext db, IReadOnlyList<Pending> batch, CancellationToken ct)
    {
        var refused = new HashSet<Pending>(ReferenceEqualityComparer.Instance);
        foreach (var day in batch.Where(p => p.Quota is not null).GroupBy(p => p.Quota!.Since))
        {
            var since = day.Key;
            var users = day.Select(p => (int?)p.Quota!.UserId).Distinct().ToList();
            var stored = await db.UnscopedCases().AsNoTracking()
                .Where(c => users.Contains(c.ReporterUserId) && c.ReportedAt >= since)
                .GroupBy(c => c.ReporterUserId).Select(g => new { User = g.Key!.Value, Count = g.Count() })
                .ToDictionaryAsync(x => x.User, x => x.Count, ct);
            foreach (var p in day)
            {
                var count = stored.GetValueOrDefault(p.Quota!.UserId);
                if (count >= p.Quota.Limit) refused.Add(p);
                else stored[p.Quota.UserId] = count + 1;
            }
        }
        return refused;
    }

    /// <summary>One multi-row INSERT of <paramref name="rows"/>; with <paramref name="returnIds"/> the ids the database gave them, in order.</summary>
    static async Task<List<long>> InsertAsync<T>(LinliDbContext db, DbConnection connection, DbTransaction tx, IReadOnlyList<T> rows,
        Dictionary<string, Func<T, object?>> given, bool returnIds, CancellationToken ct) where T : class
    {
        var ids = new List<long>(rows.Count);
        if (rows.Count == 0) return ids;
        var (table, columns) = Columns(db, given);
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        var sql = new StringBuilder().Append(CultureInfo.InvariantCulture, $"INSERT INTO {table} ({string.Join(", ", columns.Select(c => $"\"{c.Name}\""))}) VALUES ");
        var n = 0;
        for (var r = 0; r < rows.Count; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var i = 0; i < columns.Count; i++)
            {
                var name = $"@p{n++}";
                sql.Append(i == 0 ? name : ", " + name);
                var p = cmd.CreateParameter();
                p.ParameterName = name;
                p.Value = columns[i].Value(rows[r]) switch { null => DBNull.Value, DateTimeOffset t => t.ToUniversalTime(), var v => v };
                cmd.Parameters.Add(p);
            }
            sql.Append(')');
        }
        if (returnIds) sql.Append(""" RETURNING "Id" """);
        cmd.CommandText = sql.ToString();
        if (!returnIds)
        {
            await cmd.ExecuteNonQueryAsync(ct);
            return ids;
        }
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct)) ids.Add(reader.GetInt64(0));
        }
        // Identity values follow the order of the VALUES list.
        ids.Sort();
        return ids;
    }

    /// <summary>Every mapped property but the generated id, converted as the model converts it; <paramref name="given"/> fills foreign keys.</summary>
    static (string Table, List<(string Name, Func<T, object?> Value)> Columns) Columns<T>(LinliDbContext db, Dictionary<string, Func<T, object?>> given)
        where T : class
    {
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var table = entity.GetTableName()!;
        var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
        var columns = entity.GetProperties().Where(p => p.Name != "Id")
            .Select(p => (Name: p.GetColumnName(store)!, Value: given.GetValueOrDefault(p.Name) ?? Reader<T>(p)))
            .ToList();
        return (table, columns);
    }

    static Func<T, object?> Reader<T>(IProperty property)
    {
        var info = property.PropertyInfo ?? throw new InvalidOperationException($"{typeof(T).Name}.{property.Name} has no CLR property to read.");
        var converter = property.GetTypeMapping().Converter;
        return row => info.GetValue(row) is { } v ? converter is null ? v : converter.ConvertToProvider(v) : null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} reported cases together failed; writing them one by one.")]
    static partial void LogBatchFailed(ILogger logger, int count, Exception e);
}

using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Linli.Domain.Common;
using Microsoft.Extensions.Options;

namespace Linli.Application.Common;

/// <summary>Reacts to one kind of domain event after the change that raised it is committed. Handlers must be idempotent: a
/// delivery interrupted by a crash is delivered again.</summary>
public interface IDomainEventHandler<in TEvent> where TEvent : IDomainEvent
{
    Task HandleAsync(TEvent e, CancellationToken ct);
}

/// <summary>An event as the outbox keeps it: its row id, its type name and the event.</summary>
public sealed record OutboxEntry(long Id, IDomainEvent Event, int Attempts = 0);

/// <summary>The outbox table (raw SQL per provider in Infrastructure).</summary>
public interface IOutboxStore
{
    /// <summary>Takes up to <paramref name="max"/> events whose lease ran out (their writer did not deliver them: it crashed
    /// or failed) and leases them to the caller for <paramref name="lease"/>.</summary>
    Task<IReadOnlyList<OutboxEntry>> ClaimExpiredAsync(DateTimeOffset now, TimeSpan lease, int max, CancellationToken ct);

    /// <summary>Removes delivered events.</summary>
    Task DeleteAsync(IReadOnlyCollection<long> ids, CancellationToken ct);
}

public sealed class OutboxOptions
{
    /// <summary>How long the node that wrote an event has to deliver it before another node (or a restart) takes it over.</summary>
    public double LeaseSeconds { get; set; } = 30;

    /// <summary>How often events whose lease ran out are looked for.</summary>
    public double PollSeconds { get; set; } = 5;

    public int BatchSize { get; set; } = 200;

    /// <summary>Deliveries after which an event that keeps failing is given up (and logged).</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>For the crash test only: the process dies right after a commit that wrote events, before delivering them.</summary>
    public bool CrashAfterCommitForTests { get; set; }
}

/// <summary>The domain events the outbox knows, by a stable name, with the JSON they are stored in.</summary>
public static class DomainEventTypes
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General) { Converters = { new JsonStringEnumConverter() } };

    static readonly Dictionary<string, Type> ByName = typeof(IDomainEvent).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IDomainEvent).IsAssignableFrom(t))
        .ToDictionary(t => t.Name, StringComparer.Ordinal);

    public static string NameOf(IDomainEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.GetType().Name;
    }

    public static string Serialize(IDomainEvent e) => JsonSerializer.Serialize(e, e.GetType(), Json);

    /// <summary>The event of a stored row; null for a type this version does not know (written by a newer node).</summary>
    public static IDomainEvent? Deserialize(string name, string payload) =>
        ByName.TryGetValue(name, out var type) ? (IDomainEvent?)JsonSerializer.Deserialize(payload, type, Json) : null;
}

/// <summary>
/// Delivers committed domain events to their handlers. Events written by this node come straight from the commit (no
/// polling delay); events whose writer crashed before delivering them are found again when their lease runs out. A
/// delivered event's row is deleted. Runs under the system's declared scope: handlers act for the platform.
/// </summary>
public sealed partial class OutboxDispatcher(IServiceScopeFactory scopes, IOutboxStore store, TimeProvider time, IOptions<OutboxOptions> options,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    readonly Channel<IReadOnlyList<OutboxEntry>> _committed = Channel.CreateUnbounded<IReadOnlyList<OutboxEntry>>(
        new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Called by the persistence layer right after a transaction holding outbox rows commits.</summary>
    public void Committed(IReadOnlyList<OutboxEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count > 0) _committed.Writer.TryWrite(entries);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var poll = TimeSpan.FromSeconds(Math.Max(0.05, o.PollSeconds));
        var lastPoll = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Fresh commits first; then, at most once per poll interval, what others left behind.
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                wait.CancelAfter(poll);
                try
                {
                    if (await _committed.Reader.WaitToReadAsync(wait.Token))
                    {
                        var batch = new List<OutboxEntry>();
                        while (batch.Count < 1000 && _committed.Reader.TryRead(out var entries)) batch.AddRange(entries);
                        await DeliverAsync(batch, stoppingToken);
                    }
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested) { }

                if (time.GetUtcNow() - lastPoll >= poll)
                {
                    lastPoll = time.GetUtcNow();
                    IReadOnlyList<OutboxEntry> expired;
                    do
                    {
                        expired = await store.ClaimExpiredAsync(time.GetUtcNow(), TimeSpan.FromSeconds(o.LeaseSeconds), o.BatchSize, stoppingToken);
                        if (expired.Count > 0) LogTakenOver(logger, expired.Count);
                        await DeliverAsync(expired, stoppingToken);
                    } while (expired.Count == o.BatchSize);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogLoopFailed(logger, e);
                try { await Task.Delay(poll, stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    /// <summary>Delivers events in order; an event whose handler failed keeps its row and is tried again when its lease runs out.</summary>
    public async Task DeliverAsync(IReadOnlyList<OutboxEntry> entries, CancellationToken ct)
    {
        if (entries.Count == 0) return;
        var delivered = new List<long>(entries.Count);
        await using (var scope = scopes.CreateSystemScope("deliver committed domain events"))
        {
            foreach (var entry in entries)
            {
                if (entry.Attempts > options.Value.MaxAttempts)
                {
                    LogGivenUp(logger, DomainEventTypes.NameOf(entry.Event), entry.Id, entry.Attempts);
                    delivered.Add(entry.Id);
                }
                else if (await HandleAsync(scope.ServiceProvider, entry, ct)) delivered.Add(entry.Id);
            }
        }
        await store.DeleteAsync(delivered, ct);
    }

    async Task<bool> HandleAsync(IServiceProvider services, OutboxEntry entry, CancellationToken ct)
    {
        var handlerType = typeof(IDomainEventHandler<>).MakeGenericType(entry.Event.GetType());
        var ok = true;
        foreach (var handler in services.GetServices(handlerType))
        {
            try
            {
                await ((Task)handlerType.GetMethod(nameof(IDomainEventHandler<IDomainEvent>.HandleAsync))!.Invoke(handler, [entry.Event, ct])!);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                ok = false;
                LogHandlerFailed(logger, handler!.GetType().Name, DomainEventTypes.NameOf(entry.Event), entry.Id, e);
            }
        }
        return ok;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Took over {Count} domain events whose writer did not deliver them.")]
    static partial void LogTakenOver(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Handler} failed on {Event} (outbox row {Id}); it is delivered again when its lease runs out.")]
    static partial void LogHandlerFailed(ILogger logger, string handler, string @event, long id, Exception e);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Gave up {Event} (outbox row {Id}) after {Attempts} deliveries that failed.")]
    static partial void LogGivenUp(ILogger logger, string @event, long id, int attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "The outbox dispatcher failed; it goes on at the next interval.")]
    static partial void LogLoopFailed(ILogger logger, Exception e);
}

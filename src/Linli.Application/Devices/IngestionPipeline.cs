using System.Threading.Channels;
using Linli.Domain.Devices;
using Linli.Application.Common;
using Microsoft.Extensions.Options;

namespace Linli.Application.Devices;

/// <summary>A message that passed authentication and checks, from one device.</summary>
public readonly record struct AcceptedMessage(DeviceEntry Device, DeviceMessage Message);

/// <summary>Messages handed to the pipeline together; <see cref="Stored"/> completes once they are durable.</summary>
public sealed class IngestBatch(IReadOnlyList<AcceptedMessage> messages)
{
    public IReadOnlyList<AcceptedMessage> Messages { get; } = messages;
    public TaskCompletionSource Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public int Readings { get; } = messages.Sum(m => m.Message.Readings.Count);
}

/// <summary>
/// The ingestion pipeline (ADR 0006): a bounded channel, one writer storing many batches per transaction, acknowledgement
/// after the commit, then each message applied to its device's in-memory readings and told to the
/// <see cref="IDeviceObserver"/>s (the alarm rules). A full channel makes senders wait.
/// </summary>
public sealed partial class IngestionPipeline(IServiceScopeFactory scopes, IReadingWriterFactory writers, IEnumerable<IDeviceObserver> observers,
    DeviceOwnership ownership, TimeProvider time, IOptions<DeviceOptions> options, ILogger<IngestionPipeline> logger) : BackgroundService
{
    readonly IDeviceObserver[] _observers = [.. observers];
    readonly Channel<IngestBatch> _queue = Channel.CreateBounded<IngestBatch>(new BoundedChannelOptions(Math.Max(1, options.Value.QueueCapacity))
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    long _stored;
    long _batches;
    long _storeTicks;
    long _moved;
    readonly WriterProfile _profile = new(time);
    IReadingWriter? _writer;

    /// <summary>Readings stored since start (for the operations view's throughput figure and the benchmarks).</summary>
    public long StoredReadings => Interlocked.Read(ref _stored);
    public long StoredTransactions => Interlocked.Read(ref _batches);

    /// <summary>Time spent storing since start; over <see cref="StoredTransactions"/> it is the mean write batch time.</summary>
    public TimeSpan StoreTime => TimeSpan.FromTicks(Interlocked.Read(ref _storeTicks));

    /// <summary>Rows the writer moved after storing them (SQLite: from the inbox into the day tables).</summary>
    public long MovedReadings => Interlocked.Read(ref _moved);

    /// <summary>Batches waiting to be stored: near the queue's capacity, senders are about to wait.</summary>
    public int QueueDepth => _queue.Reader.Count;

    /// <summary>Queues a batch and waits until it is stored. Throws if storing failed; the sender should retry.</summary>
    public async Task SubmitAsync(IngestBatch batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Messages.Count == 0) return;
        await _queue.Writer.WriteAsync(batch, ct);
        await batch.Stored.Task.WaitAsync(ct);
    }

    /// <summary>Queues a batch without waiting; the caller awaits <see cref="IngestBatch.Stored"/> (the MQTT consumer acks then).</summary>
    public ValueTask EnqueueAsync(IngestBatch batch, CancellationToken ct) => _queue.Writer.WriteAsync(batch, ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _queue.Reader;
        var taken = new List<IngestBatch>();
        var rows = new List<(long, DateTimeOffset, Reading)>();
        var max = Math.Max(1, options.Value.WriteBatchSize);
        try
        {
            while (await WaitForWorkAsync(reader, stoppingToken))
            {
                if (!reader.TryPeek(out _)) continue;
                var started = time.GetTimestamp();
                taken.Clear();
                rows.Clear();
                while (rows.Count < max && reader.TryRead(out var batch))
                {
                    taken.Add(batch);
                    foreach (var m in batch.Messages)
                        foreach (var r in m.Message.Readings) rows.Add((m.Device.Id, m.Message.At, r));
                }
                if (!await StoreAsync(rows, taken, stoppingToken)) continue;
                var stored = time.GetTimestamp();
                Interlocked.Add(ref _storeTicks, time.GetElapsedTime(started, stored).Ticks);
                foreach (var b in taken) b.Stored.TrySetResult();
                Interlocked.Add(ref _stored, rows.Count);
                Interlocked.Increment(ref _batches);
                Apply(taken);
                if (logger.IsEnabled(LogLevel.Debug)) _profile.Add(rows.Count, started, stored, time.GetTimestamp(), logger);
                await MaintainAsync(reader, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        // Whatever is still queued was never acknowledged: its senders are told, and send again.
        while (reader.TryRead(out var left)) left.Stored.TrySetCanceled(CancellationToken.None);
        foreach (var b in taken) b.Stored.TrySetCanceled(CancellationToken.None);
        if (_writer is not null) await _writer.DisposeAsync();
    }

    /// <summary>
    /// Waits for the next batch. While the writer has work put off and nothing is queued, it waits at most
    /// <see cref="IdlePause"/> and then does one small step of it (returns true with nothing to read): steps with pauses
    /// between them, not back to back, so the other writers of the database (an alarm being raised) get its lock between
    /// steps instead of queueing behind a run of them.
    /// </summary>
    async Task<bool> WaitForWorkAsync(ChannelReader<IngestBatch> reader, CancellationToken ct)
    {
        if (_writer is not { HasDeferredWork: true }) return await reader.WaitToReadAsync(ct);
        using var pause = new CancellationTokenSource(IdlePause, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, pause.Token);
        try
        {
            return await reader.WaitToReadAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            await MaintainAsync(reader, ct);
            return true;
        }
    }

    static readonly TimeSpan IdlePause = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// The writer's deferred work, after a batch's rules have run (or after a pause with nothing queued): what is due under
    /// load, or one small step while nothing is queued, so that a batch arriving meanwhile waits for one step at most.
    /// </summary>
    async Task MaintainAsync(ChannelReader<IngestBatch> reader, CancellationToken ct)
    {
        if (_writer is null) return;
        try
        {
            var started = time.GetTimestamp();
            var moved = await _writer.MaintainAsync(idle: !reader.TryPeek(out _), ct);
            if (moved > 0)
            {
                Interlocked.Add(ref _moved, moved);
                if (logger.IsEnabled(LogLevel.Debug)) _profile.Moved(time.GetElapsedTime(started));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // What was put off is stored already; the next call tries again.
            LogMaintenanceFailed(logger, e);
        }
    }

    async Task<bool> StoreAsync(List<(long, DateTimeOffset, Reading)> rows, List<IngestBatch> taken, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // Several nodes: devices this node does not hold yet are rebuilt from what is stored before their messages are.
                await ownership.TakeAsync(taken.SelectMany(b => b.Messages).Select(m => m.Device), ct);
                if (_writer is null)
                {
                    await using var scope = scopes.CreateSystemScope("store device readings");
                    _writer = await writers.OpenAsync(scope.ServiceProvider.GetRequiredService<ILinliDb>(), ct);
                }
                await _writer.WriteAsync(rows, ct);
                return true;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogStoreFailed(logger, attempt, rows.Count, e);
                // A broken connection is opened afresh on the next attempt.
                if (_writer is not null) await _writer.DisposeAsync();
                _writer = null;
                if (attempt >= 3)
                {
                    // Not stored, so not acknowledged: each sender gets an error and keeps its messages to send again.
                    foreach (var b in taken) b.Stored.TrySetException(new IngestionUnavailableException(e));
                    return false;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), ct);
            }
        }
    }

    void Apply(List<IngestBatch> taken)
    {
        var now = time.GetUtcNow();
        foreach (var batch in taken)
        {
            foreach (var (device, message) in batch.Messages)
            {
                lock (device.Gate)
                {
                    device.Readings.Apply(message);
                    device.Heard(message.At);
                    foreach (var observer in _observers) observer.MessageApplied(device, message, now);
                    device.Readings.EndMessage();
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Storing {Count} readings failed (attempt {Attempt}).")]
    static partial void LogStoreFailed(ILogger logger, int attempt, int count, Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The reading writer's deferred work failed; it is tried again after the next batch.")]
    static partial void LogMaintenanceFailed(ILogger logger, Exception e);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Writer: {Rows} rows in {Transactions} transactions over {Seconds:0.0} s; storing {Store:0}% of the time, rules {Rules:0}%, moving into day tables {Move:0}%, waiting for work {Idle:0}%.")]
    static partial void LogProfile(ILogger logger, long rows, long transactions, double seconds, double store, double rules, double move, double idle);

    /// <summary>
    /// Where the writer's time goes (debug log every 10 s): a writer that is mostly waiting means the limit is upstream
    /// (HTTP, JSON, the senders); one that is mostly storing means the database is.
    /// </summary>
    sealed class WriterProfile(TimeProvider time)
    {
        long _since = time.GetTimestamp();
        long _rows, _transactions;
        double _store, _rules, _move;

        public void Moved(TimeSpan elapsed) => _move += elapsed.TotalSeconds;

        public void Add(int rows, long started, long stored, long evaluated, ILogger logger)
        {
            _rows += rows;
            _transactions++;
            _store += time.GetElapsedTime(started, stored).TotalSeconds;
            _rules += time.GetElapsedTime(stored, evaluated).TotalSeconds;
            var total = time.GetElapsedTime(_since, evaluated).TotalSeconds;
            if (total < 10) return;
            LogProfile(logger, _rows, _transactions, total, 100 * _store / total, 100 * _rules / total, 100 * _move / total, 100 * (total - _store - _rules - _move) / total);
            (_since, _rows, _transactions, _store, _rules, _move) = (evaluated, 0, 0, 0, 0, 0);
        }
    }
}

/// <summary>The database did not take a batch; the sender gets 503 and sends again.</summary>
public sealed class IngestionUnavailableException(Exception inner) : Exception("Readings could not be stored; send them again.", inner);

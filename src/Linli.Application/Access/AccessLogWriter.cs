using System.Threading.Channels;
using Linli.Domain.Access;
using Microsoft.Extensions.Options;

namespace Linli.Application.Access;

/// <summary>Writes access log entries in bulk (PostgreSQL COPY, SQLite one prepared insert per row in one transaction).</summary>
public interface IAccessLogStore
{
    Task WriteAsync(IReadOnlyList<AccessLogEntry> entries, CancellationToken ct);
}

/// <summary>
/// The access log's batch writer: a decision is answered at once and its entry queued; one loop takes what queued up
/// and writes it in one statement. An entry can be lost only with the process (a crash within one batch of answering), or
/// when the queue is full for longer than the database is away; both are counted, never silent (ADR 0017).
/// </summary>
public sealed partial class AccessLogWriter(IAccessLogStore store, IOptions<AccessOptions> options, ILogger<AccessLogWriter> logger) : BackgroundService
{
    readonly Channel<AccessLogEntry> _queue = Channel.CreateBounded<AccessLogEntry>(new BoundedChannelOptions(options.Value.LogQueueCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });
    long _appended;
    long _written;
    long _dropped;

    public long Written => Interlocked.Read(ref _written);
    /// <summary>Entries lost because the queue was full (the database away for long).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);
    public int Queued => _queue.Reader.Count;

    public void Append(AccessLogEntry entry)
    {
        Interlocked.Increment(ref _appended);
        if (!_queue.Writer.TryWrite(entry) && Interlocked.Increment(ref _dropped) % 1000 == 1) LogDropped(logger, Dropped);
    }

    /// <summary>
    /// Waits until the entries appended before the call are written (pages that show the log right after a decision,
    /// tests); entries appended meanwhile are not waited for, so a page under a stream of decisions still answers.
    /// </summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        var target = Interlocked.Read(ref _appended);
        while (Written + Dropped < target) await Task.Delay(10, ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AccessLogEntry>(options.Value.LogBatchSize);
        var failures = 0;
        while (true)
        {
            try
            {
                if (batch.Count == 0 && !await _queue.Reader.WaitToReadAsync(stoppingToken)) break;
            }
            catch (OperationCanceledException)
            {
                break;
            }
            while (batch.Count < options.Value.LogBatchSize && _queue.Reader.TryRead(out var entry)) batch.Add(entry);
            try
            {
                await store.WriteAsync(batch, CancellationToken.None);
                Interlocked.Add(ref _written, batch.Count);
                batch.Clear();
                failures = 0;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Kept and written again: the entries wait in this batch while the database is away.
                LogWriteFailed(logger, batch.Count, e);
                try { await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5_000, 100 << Math.Min(++failures, 6))), stoppingToken); }
                catch (OperationCanceledException) { break; }
            }
        }
        // Shutting down: what is queued is written once more before the process goes.
        while (_queue.Reader.TryRead(out var rest)) batch.Add(rest);
        if (batch.Count > 0)
        {
            try
            {
                await store.WriteAsync(batch, CancellationToken.None);
                Interlocked.Add(ref _written, batch.Count);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogWriteFailed(logger, batch.Count, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The access log queue is full: {Dropped} entries lost so far.")]
    static partial void LogDropped(ILogger logger, long dropped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} access log entries failed; they are written again.")]
    static partial void LogWriteFailed(ILogger logger, int count, Exception e);
}

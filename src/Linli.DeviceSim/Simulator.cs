using System.Diagnostics;

namespace Linli.DeviceSim;

/// <summary>An anomaly set off on a device a given time after the start.</summary>
public sealed record AnomalyCue(Anomaly Kind, string Code, TimeSpan At);

/// <summary>How much to send: <see cref="Rate"/> messages per second in total, until the duration or the count is reached
/// (neither: until stopped).</summary>
public sealed record RunLimits(double Rate, TimeSpan? Duration = null, long? Count = null);

/// <summary>What a run achieved. Latencies are per HTTP request, or per MQTT publish until its PUBACK.</summary>
public sealed record SimSummary(long Sent, long Accepted, long Rejected, long Errors, TimeSpan Elapsed, double? LatencyP50Ms,
    double? LatencyP99Ms, string? Fatal)
{
    /// <summary>Answered messages (accepted or rejected) per second of the whole run.</summary>
    public double MessagesPerSecond => Elapsed > TimeSpan.Zero ? (Accepted + Rejected) / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// Drives a run: takes normal messages from the generator at the paced rate and hands them to the sink; anomalies
/// (on cue, or through <see cref="TriggerAsync"/>) bypass the pacing and leave at once.
/// </summary>
public sealed class Simulator(MessageGenerator generator, IMessageSink sink, SimStats stats)
{
    /// <summary>Told about each anomaly as it is set off (for the console).</summary>
    public event Action<string>? Announce;

    public MessageGenerator Generator => generator;
    public SimStats Stats => stats;

    /// <summary>
    /// Runs until the limits are reached, <paramref name="stop"/> is cancelled or the connection is lost; then sends what
    /// is queued and waits for the answers (cut short by <paramref name="abort"/>).
    /// </summary>
    public async Task<SimSummary> RunAsync(RunLimits limits, IEnumerable<AnomalyCue>? cues = null, CancellationToken stop = default,
        CancellationToken abort = default)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var started = Stopwatch.GetTimestamp();
        using var running = CancellationTokenSource.CreateLinkedTokenSource(stop);
        if (limits.Duration is { } duration) running.CancelAfter(duration);
        var cueTask = RunCuesAsync(cues ?? [], started, running.Token);

        var bucket = new TokenBucket(limits.Rate);
        long produced = 0;
        try
        {
            while (stats.Fatal is null && (limits.Count is not { } max || produced < max))
            {
                var want = limits.Count is { } total ? (int)Math.Min(1000, total - produced) : 1000;
                var granted = await bucket.TakeAsync(want, running.Token);
                for (var i = 0; i < granted; i++)
                {
                    if (generator.Next() is not { } message)
                    {
                        await Task.Delay(100, running.Token); // every device is offline; wait for one to come back
                        break;
                    }
                    await sink.AddAsync(message, urgent: false, running.Token);
                    produced++;
                }
            }
        }
        catch (OperationCanceledException) when (running.IsCancellationRequested) { }

        await running.CancelAsync();
        await cueTask;
        try { await sink.CompleteAsync(abort); }
        catch (OperationCanceledException) when (abort.IsCancellationRequested) { }
        var elapsed = Stopwatch.GetElapsedTime(started);
        return new SimSummary(stats.Sent, stats.Accepted, stats.Rejected, stats.Errors, elapsed,
            stats.LatencyPercentileMs(0.50), stats.LatencyPercentileMs(0.99), stats.Fatal);
    }

    /// <summary>Sets off an anomaly now and sends the message announcing it ahead of the queue.</summary>
    public async Task TriggerAsync(Anomaly anomaly, string code, CancellationToken ct = default)
    {
        var message = generator.Trigger(anomaly, code);
        Announce?.Invoke($"{anomaly} on {code}");
        if (message is not null) await sink.AddAsync(message, urgent: true, ct);
    }

    async Task RunCuesAsync(IEnumerable<AnomalyCue> cues, long started, CancellationToken ct)
    {
        try
        {
            foreach (var cue in cues.OrderBy(c => c.At))
            {
                var wait = cue.At - Stopwatch.GetElapsedTime(started);
                if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);
                await TriggerAsync(cue.Kind, cue.Code, ct);
            }
        }
        catch (OperationCanceledException) { }
    }
}

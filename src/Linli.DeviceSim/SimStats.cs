namespace Linli.DeviceSim;

/// <summary>Counters shared by the senders and the progress printer; all updates are atomic.</summary>
public sealed class SimStats
{
    long sent, accepted, rejected, errors;
    readonly Lock gate = new();
    readonly List<double> latenciesMs = [];
    string? lastProblem;
    string? fatal;

    /// <summary>Messages put on the wire.</summary>
    public long Sent => Interlocked.Read(ref sent);
    /// <summary>Messages the server stored (HTTP) or the broker acknowledged (MQTT PUBACK).</summary>
    public long Accepted => Interlocked.Read(ref accepted);
    /// <summary>Messages the server refused (listed in the answer's <c>rejected</c>, or the whole batch on 401/400).</summary>
    public long Rejected => Interlocked.Read(ref rejected);
    /// <summary>Messages whose fate is unknown: the request failed, timed out or got an unexpected status.</summary>
    public long Errors => Interlocked.Read(ref errors);
    public string? LastProblem { get { lock (gate) return lastProblem; } }
    /// <summary>Set when the run cannot go on (the broker connection is gone); the simulator stops producing.</summary>
    public string? Fatal { get { lock (gate) return fatal; } }

    public void AddSent(long n) => Interlocked.Add(ref sent, n);
    public void AddAccepted(long n) => Interlocked.Add(ref accepted, n);

    public void AddRejected(long n, string? reason)
    {
        Interlocked.Add(ref rejected, n);
        if (reason is not null) lock (gate) lastProblem = reason;
    }

    public void AddErrors(long n, string problem)
    {
        Interlocked.Add(ref errors, n);
        lock (gate) lastProblem = problem;
    }

    public void Fail(string problem)
    {
        lock (gate) { fatal ??= problem; lastProblem = problem; }
    }

    /// <summary>Latency of one request (HTTP) or of one publish until its PUBACK (MQTT).</summary>
    public void RecordLatency(TimeSpan latency)
    {
        lock (gate) latenciesMs.Add(latency.TotalMilliseconds);
    }

    public int LatencyCount { get { lock (gate) return latenciesMs.Count; } }

    /// <summary>The latency below which the given fraction (0–1) of the samples fall; null without samples.</summary>
    public double? LatencyPercentileMs(double fraction)
    {
        lock (gate)
        {
            if (latenciesMs.Count == 0) return null;
            latenciesMs.Sort();
            var index = (int)Math.Ceiling(fraction * latenciesMs.Count) - 1;
            return latenciesMs[Math.Clamp(index, 0, latenciesMs.Count - 1)];
        }
    }
}

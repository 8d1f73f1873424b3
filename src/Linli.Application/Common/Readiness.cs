namespace Linli.Application.Common;

/// <summary>What a readiness probe found: ready or not, in a few words, with figures an operator reads (a replica's lag).</summary>
public sealed record ProbeResult(bool Ready, string Detail, IReadOnlyDictionary<string, object>? Data = null);

/// <summary>
/// One thing a web node needs before the load balancer sends it work (the replica, the broker); the host asks every
/// registered probe on <c>/health/ready</c>.
/// </summary>
public interface IReadinessProbe
{
    string Name { get; }

    /// <summary>
    /// False for a part the node can work without (reads fall back from the replica to the primary): its state is shown and
    /// the node reports itself degraded, but stays ready. Taking every node out because the replica lags would stop the
    /// district to protect reports.
    /// </summary>
    bool Required => true;

    Task<ProbeResult> ProbeAsync(CancellationToken ct);
}

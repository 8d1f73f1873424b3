using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Options;

namespace Linli.Application.Common;

/// <summary>Settings under <c>Linli:Cluster</c>: how web nodes of one district know each other.</summary>
public sealed class ClusterOptions
{
    public const string Section = "Linli:Cluster";

    /// <summary>How often a node says it is alive (over the broker's live exchange).</summary>
    public double HeartbeatSeconds { get; set; } = 2;
    /// <summary>Heartbeats a node may miss before the others count it gone and take over its devices.</summary>
    public int MissedHeartbeats { get; set; } = 3;
    /// <summary>Several nodes may share the database; set when a broker is configured (they hear each other through it).</summary>
    public bool Shared { get; set; }

    public TimeSpan Heartbeat => TimeSpan.FromSeconds(Math.Max(0.05, HeartbeatSeconds));
    public TimeSpan GoneAfter => Heartbeat * Math.Max(2, MissedHeartbeats);
}

/// <summary>
/// The web nodes this node knows to be alive: itself, and every node whose heartbeat it heard lately (ADR 0013), lately
/// by the monotonic clock (liveness is about time passing, not the date). Embedded
/// (no broker) there is one node and nothing is shared. The view is each node's own, so two nodes may briefly disagree;
/// what depends on it is safe under that (a partition queue has one active consumer at a time; taking a device over
/// rebuilds its state from the database).
/// </summary>
public sealed class ClusterNodes
{
    readonly ConcurrentDictionary<string, long> _heard = new(StringComparer.Ordinal);
    readonly TimeProvider _time;
    readonly ClusterOptions _options;
    readonly long _started;
    readonly Lock _gate = new();
    TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    string[] _alive;

    public ClusterNodes(string self, TimeProvider time, IOptions<ClusterOptions> options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(self);
        ArgumentNullException.ThrowIfNull(options);
        Self = self;
        _time = time;
        _options = options.Value;
        _started = time.GetTimestamp();
        _alive = [self];
    }

    /// <summary>This node's name: <c>Linli:NodeName</c>, or one made up at start (host, process and a random part).</summary>
    public string Self { get; }

    /// <summary>True when several nodes may share the database (a broker is configured): ownership of devices matters.</summary>
    public bool Shared => _options.Shared;

    public ClusterOptions Options => _options;

    /// <summary>
    /// True once this node has listened for a whole "gone" period: before that, a node it has not heard yet may well be
    /// alive, so nothing is taken from anyone.
    /// </summary>
    public bool Settled => !Shared || _time.GetElapsedTime(_started) >= _options.GoneAfter;

    /// <summary>The nodes alive as this node sees them, itself included, in name order.</summary>
    public IReadOnlyList<string> Alive
    {
        get
        {
            Refresh();
            return Volatile.Read(ref _alive);
        }
    }

    /// <summary>Completes the next time the set of live nodes changes.</summary>
    public Task Changed
    {
        get
        {
            Refresh();
            lock (_gate) return _changed.Task;
        }
    }

    public bool IsAlive(string node) => node == Self || (_heard.TryGetValue(node, out var at) && _time.GetElapsedTime(at) < _options.GoneAfter);

    /// <summary>A heartbeat from <paramref name="node"/>.</summary>
    public void Heard(string node)
    {
        if (string.IsNullOrEmpty(node) || node == Self) return;
        _heard[node] = _time.GetTimestamp();
        Refresh();
    }

    /// <summary>A node said it is stopping: it is gone now, not after its heartbeats stop.</summary>
    public void Left(string node)
    {
        if (string.IsNullOrEmpty(node) || node == Self) return;
        _heard.TryRemove(node, out _);
        Refresh();
    }

    /// <summary>Works out the live set again (heartbeats age out with time alone) and says so when it changed.</summary>
    public void Refresh()
    {
        foreach (var (node, at) in _heard)
            if (_time.GetElapsedTime(at) >= _options.GoneAfter) _heard.TryRemove(new KeyValuePair<string, long>(node, at));
        var alive = _heard.Keys.Append(Self).Order(StringComparer.Ordinal).ToArray();
        lock (_gate)
        {
            if (alive.AsSpan().SequenceEqual(_alive)) return;
            Volatile.Write(ref _alive, alive);
            var changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            changed.TrySetResult();
        }
    }

    /// <summary>
    /// Rendezvous hashing: of <paramref name="nodes"/>, the one that scores highest for <paramref name="key"/>. Every node
    /// with the same view picks the same one, and when a node goes only the keys it had move.
    /// </summary>
    public static string Pick(string key, IReadOnlyList<string> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        if (nodes.Count == 0) throw new ArgumentException("No nodes to pick from.", nameof(nodes));
        var k = Hash(key);
        string best = nodes[0];
        ulong bestScore = 0;
        foreach (var node in nodes)
        {
            var score = Mix(k ^ Hash(node));
            if (score > bestScore || (score == bestScore && string.CompareOrdinal(node, best) < 0)) (best, bestScore) = (node, score);
        }
        return best;
    }

    /// <summary>A name for this node when none is configured: unique among the nodes of one host too.</summary>
    public static string DefaultName() => $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>FNV-1a over the UTF-8 bytes: stable across processes and runtimes (string.GetHashCode is not).</summary>
    static ulong Hash(string s)
    {
        var h = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(s))
        {
            h ^= b;
            h *= 1099511628211UL;
        }
        return h;
    }

    /// <summary>splitmix64's finaliser: spreads the bits of the combined hash.</summary>
    static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
        return z ^ (z >> 31);
    }
}

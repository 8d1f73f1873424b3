using System.Collections.Concurrent;

namespace Linli.Application.Common;

/// <summary>
/// Values read from the database and kept for a short while, per key: a reference row that rarely changes and is read on
/// every request of a busy path (a building's place, a community's property company, a resident's room). A value older
/// than <paramref name="keepFor"/> is read again, so a change made elsewhere (another web node, a repair in the database)
/// shows here within that time; this node drops a key at once when it makes the change itself. Misses are not kept.
/// </summary>
public sealed class RecentLookups<TKey, TValue>(TimeProvider time, TimeSpan keepFor, int capacity = 100_000) where TKey : notnull
{
    readonly ConcurrentDictionary<TKey, (TValue Value, long At)> _kept = new();

    public async ValueTask<TValue?> GetAsync(TKey key, Func<TKey, CancellationToken, Task<TValue?>> load, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(load);
        if (_kept.TryGetValue(key, out var hit) && time.GetElapsedTime(hit.At) < keepFor) return hit.Value;
        var value = await load(key, ct);
        if (value is null)
        {
            _kept.TryRemove(key, out _);
            return value;
        }
        // A bound, not an eviction policy: past it the busy keys are simply read again.
        if (_kept.Count >= capacity) _kept.Clear();
        _kept[key] = (value, time.GetTimestamp());
        return value;
    }

    public void Forget(TKey key) => _kept.TryRemove(key, out _);

    public void ForgetAll() => _kept.Clear();
}

namespace Linli.Application.Common;

/// <summary>A copy every web node keeps in memory of rows that rarely change (the case categories), dropped by name.</summary>
public interface ISharedCache
{
    string Name { get; }

    void Drop();
}

/// <summary>
/// After a node changed what a shared cache holds (and dropped its own copy): tells the other web nodes to drop theirs.
/// Alone (embedded) there is nobody to tell; with a broker every node hears it at once instead of when its copy expires.
/// </summary>
public class CacheSync
{
    public virtual Task ChangedAsync(string cache, CancellationToken ct) => Task.CompletedTask;
}

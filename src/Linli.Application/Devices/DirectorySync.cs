namespace Linli.Application.Devices;

/// <summary>Keeps the in-memory device directory in step with edits (on this node; with a broker, on every node).</summary>
public class DirectorySync(DeviceDirectory directory)
{
    public virtual Task DeviceChangedAsync(long id, CancellationToken ct) => directory.RefreshAsync(id, ct);
}

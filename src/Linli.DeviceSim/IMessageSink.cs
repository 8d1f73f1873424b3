namespace Linli.DeviceSim;

/// <summary>Where generated messages go: the HTTP batch sender or the MQTT publishers.</summary>
public interface IMessageSink : IAsyncDisposable
{
    /// <summary>Queues a message; waits when the sender is behind (back-pressure). An urgent message leaves at once.</summary>
    ValueTask AddAsync(SimMessage message, bool urgent = false, CancellationToken ct = default);

    /// <summary>Sends everything still queued and waits for the answers.</summary>
    Task CompleteAsync(CancellationToken ct = default);
}

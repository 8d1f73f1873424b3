using System.Diagnostics;
using System.Threading.Channels;

namespace Linli.DeviceSim;

/// <summary>
/// Publishes messages over one or more MQTT connections (QoS 1). A device always uses the same connection, so its
/// messages arrive in order. The broker's PUBACK counts as accepted: MQTT has no per-message answer from the platform.
/// </summary>
public sealed class MqttSender : IMessageSink
{
    readonly IReadOnlyList<MqttPublisher> publishers;
    readonly SimStats stats;
    readonly Channel<SimMessage>[] queues;
    readonly Task[] workers;
    long unanswered;

    public MqttSender(IReadOnlyList<MqttPublisher> publishers, SimStats stats)
    {
        ArgumentNullException.ThrowIfNull(publishers);
        ArgumentNullException.ThrowIfNull(stats);
        if (publishers.Count == 0) throw new ArgumentException("At least one MQTT connection is needed.", nameof(publishers));
        this.publishers = publishers;
        this.stats = stats;
        queues = publishers.Select(_ => Channel.CreateBounded<SimMessage>(new BoundedChannelOptions(1024) { SingleReader = true })).ToArray();
        workers = publishers.Select((p, i) => Task.Run(() => WorkAsync(p, queues[i].Reader))).ToArray();
    }

    /// <summary>Opens <paramref name="connections"/> connections with client ids <c>{clientIdPrefix}-{n}</c>.</summary>
    public static async Task<MqttSender> ConnectAsync(MqttConnectOptions options, int connections, SimStats stats, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(connections);
        var opened = new List<MqttPublisher>();
        try
        {
            for (var i = 0; i < connections; i++)
                opened.Add(await MqttPublisher.ConnectAsync(options with { ClientId = $"{options.ClientId}-{i}" }, ct));
            return new MqttSender(opened, stats);
        }
        catch
        {
            foreach (var p in opened) await p.DisposeAsync();
            throw;
        }
    }

    public ValueTask AddAsync(SimMessage message, bool urgent = false, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var slot = (int)((uint)StringComparer.Ordinal.GetHashCode(message.Device.Code) % (uint)queues.Length);
        return queues[slot].Writer.WriteAsync(message, ct);
    }

    public async Task CompleteAsync(CancellationToken ct = default)
    {
        foreach (var q in queues) q.Writer.TryComplete();
        await Task.WhenAll(workers).WaitAsync(ct);
        // Disconnecting waits for the PUBACKs; then every acknowledgement (or failure) is counted.
        foreach (var p in publishers) await p.DisconnectAsync(TimeSpan.FromSeconds(30), ct);
        while (Interlocked.Read(ref unanswered) > 0) await Task.Delay(5, ct);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var q in queues) q.Writer.TryComplete();
        foreach (var p in publishers) await p.DisposeAsync();
        await Task.WhenAll(workers);
    }

    async Task WorkAsync(MqttPublisher publisher, ChannelReader<SimMessage> reader)
    {
        await foreach (var message in reader.ReadAllAsync())
        {
            if (message.Device.Secret is null)
            {
                stats.AddErrors(1, $"device {message.Device.Code} has no secret; MQTT messages carry the device's own key");
                continue;
            }
            var started = Stopwatch.GetTimestamp();
            Task ack;
            try
            {
                ack = await publisher.PublishAsync(message.MqttTopic, WireFormat.MqttPayload(message));
            }
            catch (SimConnectionException e)
            {
                stats.AddErrors(1, e.Message);
                stats.Fail(e.Message);
                continue;
            }
            stats.AddSent(1);
            Interlocked.Increment(ref unanswered);
            _ = ObserveAsync(ack, started);
        }
    }

    async Task ObserveAsync(Task ack, long started)
    {
        try
        {
            await ack;
            stats.RecordLatency(Stopwatch.GetElapsedTime(started));
            stats.AddAccepted(1);
        }
        catch (Exception e) when (e is SimConnectionException or ObjectDisposedException)
        {
            stats.AddErrors(1, e.Message);
            stats.Fail(e.Message);
        }
        finally
        {
            Interlocked.Decrement(ref unanswered);
        }
    }
}

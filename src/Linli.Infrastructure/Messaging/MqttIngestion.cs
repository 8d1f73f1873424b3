using System.Text.Json;
using System.Threading.Channels;
using Linli.Application.Common;
using Linli.Application.Devices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Linli.Infrastructure.Messaging;

/// <summary>
/// MQTT ingestion (ADR 0006, 0013): devices publish to <c>devices/{code}/telemetry|events</c> on RabbitMQ's MQTT plugin,
/// which routes them to <c>amq.topic</c> as <c>devices.{code}.telemetry|events</c>; from there a consistent-hash exchange
/// spreads them over partition queues, hashed on the routing key. Each node consumes the partitions rendezvous hashing
/// gives it among the live nodes (<see cref="ClusterNodes"/>), so each device has one owning node; when a node goes, its
/// partitions pass to the others, and their single-active-consumer flag keeps two nodes from reading one partition at once.
/// An event (<c>…events</c>) hashes elsewhere than its device's telemetry, so it is sent on once, under the telemetry
/// routing key, to the device's own partition. Each payload is authenticated by its <c>"key"</c> and handed to the one
/// ingestion pipeline; a delivery is acknowledged only after everything in it is stored, so a crash or a lost database
/// leaves it in its queue.
/// </summary>
public sealed partial class MqttIngestion(IOptions<RabbitMqOptions> options, DeviceDirectory directory, IngestParser parser,
    IngestionPipeline pipeline, ClusterNodes nodes, TimeProvider time, ILogger<MqttIngestion> logger) : BackgroundService
{
    public static readonly string[] RoutingKeys = ["devices.*.telemetry", "devices.*.events"];

    /// <summary>Deliveries taken from the queue into one pipeline batch at most.</summary>
    const int RoundSize = 500;

    readonly TaskCompletionSource _consuming = new(TaskCreationOptions.RunContinuationsAsynchronously);
    long _unknownDevice;
    long _acknowledged;
    long _forwarded;
    volatile int[] _partitions = [];

    /// <summary>Completes once the partitions are declared and this node consumes its share: from then on nothing a device publishes is missed.</summary>
    public Task Consuming => _consuming.Task;

    /// <summary>Messages on a device topic whose code no device has (dropped).</summary>
    public long UnknownDeviceMessages => Interlocked.Read(ref _unknownDevice);

    public long AcknowledgedDeliveries => Interlocked.Read(ref _acknowledged);

    /// <summary>Events sent on to their device's partition.</summary>
    public long ForwardedEvents => Interlocked.Read(ref _forwarded);

    /// <summary>The partitions this node consumes now (it may still be waiting to become their active consumer).</summary>
    public IReadOnlyList<int> Partitions => _partitions;

    public static string HashExchange(RabbitMqOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return o.DeviceQueue + ".hash";
    }

    public static string PartitionQueue(RabbitMqOptions o, int partition)
    {
        ArgumentNullException.ThrowIfNull(o);
        return $"{o.DeviceQueue}.{partition:00}";
    }

    /// <summary>
    /// The partitions <paramref name="node"/> takes when <paramref name="alive"/> are the live nodes: rendezvous hashing with
    /// a cap, so that every node takes its even share (shares differ by one at most) and a node's going moves little more
    /// than its own share. Every node with the same view works out the same answer.
    /// </summary>
    public static int[] PartitionsOf(string node, IReadOnlyList<string> alive, int partitions)
    {
        ArgumentNullException.ThrowIfNull(alive);
        // Each node takes ⌊partitions / nodes⌋; the remainder's extra places go to the first nodes that reach for them.
        var floor = partitions / alive.Count;
        var extras = partitions % alive.Count;
        var load = alive.ToDictionary(n => n, _ => 0, StringComparer.Ordinal);
        var mine = new List<int>();
        for (var p = 0; p < partitions; p++)
        {
            var key = "partition-" + p.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var open = alive.Where(n => load[n] < floor || (load[n] == floor && extras > 0)).ToList();
            var owner = ClusterNodes.Pick(key, open);
            if (load[owner]++ == floor) extras--;
            if (owner == node) mine.Add(p);
        }
        return [.. mine];
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        RabbitMqBroker.RunConnectedAsync(options.Value, $"linli-devices@{nodes.Self}", logger, ConsumeAsync, stoppingToken);

    sealed record Delivery(ulong Tag, string RoutingKey, byte[] Body);

    /// <summary>Deliveries up to <see cref="LastTag"/>, whose accepted messages (if any) are in <see cref="Batch"/>.</summary>
    sealed record Round(ulong LastTag, IngestBatch? Batch);

    async Task ConsumeAsync(IConnection connection, CancellationToken ct)
    {
        var o = options.Value;
        var count = Math.Max(1, o.DevicePartitions);
        // Confirms on: an event sent on to its device's partition is acknowledged only once the broker has the copy.
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        await channel.ExchangeDeclareAsync(HashExchange(o), "x-consistent-hash", durable: true, autoDelete: false, cancellationToken: ct);
        foreach (var key in RoutingKeys) await channel.ExchangeBindAsync(HashExchange(o), o.MqttExchange, key, cancellationToken: ct);
        for (var p = 0; p < count; p++)
        {
            // Single active consumer: while a partition changes hands, the node giving it up reads it until it lets go.
            await channel.QueueDeclareAsync(PartitionQueue(o, p), durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-single-active-consumer"] = true }, cancellationToken: ct);
            // The binding key of a consistent-hash exchange is the partition's weight: all equal.
            await channel.QueueBindAsync(PartitionQueue(o, p), HashExchange(o), "1", cancellationToken: ct);
        }
        await channel.BasicQosAsync(0, o.Prefetch, global: false, ct);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        channel.ChannelShutdownAsync += (_, _) =>
        {
            try { stop.Cancel(); } catch (ObjectDisposedException) { }
            return Task.CompletedTask;
        };
        // The client lends the body only for the duration of the callback, hence the copy; the callback must not wait
        // for the database either, or it would hold up the connection's other work.
        var inbox = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, e) =>
        {
            inbox.Writer.TryWrite(new Delivery(e.DeliveryTag, e.RoutingKey, e.Body.ToArray()));
            return Task.CompletedTask;
        };
        var rounds = Channel.CreateBounded<Round>(new BoundedChannelOptions(16) { SingleReader = true, SingleWriter = true });
        var acks = AcknowledgeAsync(channel, rounds.Reader);
        var tags = new Dictionary<int, string>();
        var assign = AssignAsync(channel, consumer, tags, count, stop.Token);
        try
        {
            await ReadAsync(channel, inbox.Reader, rounds.Writer, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
        finally
        {
            await stop.CancelAsync();
            try { await assign; } catch (OperationCanceledException) { }
            rounds.Writer.TryComplete();
            if (!channel.IsClosed)
            {
                // Stopping: no new deliveries; what is already with the pipeline is stored and acknowledged (so it is not
                // delivered twice); the rest goes back to the queue when the channel closes.
                foreach (var tag in tags.Values)
                    try { await channel.BasicCancelAsync(tag, cancellationToken: CancellationToken.None); } catch (Exception e) when (e is not OperationCanceledException) { }
            }
            _partitions = [];
            try { await acks.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None); }
            catch (TimeoutException) { }
        }
    }

    /// <summary>
    /// Consumes this node's share of the partitions and follows the live nodes: a partition another node now takes is let go
    /// (what was delivered is still stored and acknowledged), one this node now takes is consumed.
    /// </summary>
    async Task AssignAsync(IChannel channel, AsyncEventingBasicConsumer consumer, Dictionary<int, string> tags, int count, CancellationToken ct)
    {
        var o = options.Value;
        // Listen for the other nodes first: a node that has heard no one yet would take every partition.
        while (!nodes.Settled) await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        while (!ct.IsCancellationRequested)
        {
            var changed = nodes.Changed;
            var mine = PartitionsOf(nodes.Self, nodes.Alive, count);
            foreach (var p in tags.Keys.Except(mine).ToList())
            {
                await channel.BasicCancelAsync(tags[p], cancellationToken: ct);
                tags.Remove(p);
            }
            foreach (var p in mine.Except(tags.Keys).ToList())
                tags[p] = await channel.BasicConsumeAsync(PartitionQueue(o, p), autoAck: false, consumer, ct);
            int[] now = [.. tags.Keys.Order()];
            if (!now.AsSpan().SequenceEqual(_partitions)) LogPartitions(logger, now.Length, count, nodes.Alive.Count);
            _partitions = now;
            _consuming.TrySetResult();
            await Task.WhenAny(changed, Task.Delay(nodes.Options.Heartbeat, ct));
            nodes.Refresh();
        }
    }

    async Task ReadAsync(IChannel channel, ChannelReader<Delivery> inbox, ChannelWriter<Round> rounds, CancellationToken ct)
    {
        var accepted = new List<AcceptedMessage>();
        var hash = HashExchange(options.Value);
        while (await inbox.WaitToReadAsync(ct))
        {
            accepted.Clear();
            ulong last = 0;
            var now = time.GetUtcNow();
            for (var n = 0; n < RoundSize && inbox.TryRead(out var d); n++)
            {
                if (TelemetryKeyOfEvent(d.RoutingKey) is { } key)
                {
                    // Sent on to the partition of the device's telemetry (confirmed by the broker before this returns);
                    // this delivery is acknowledged with its round.
                    await channel.BasicPublishAsync(hash, key, mandatory: false, new BasicProperties { Persistent = true }, d.Body, ct);
                    Interlocked.Increment(ref _forwarded);
                }
                else
                {
                    Take(d, accepted, now);
                }
                last = d.Tag;
            }
            IngestBatch? batch = null;
            if (accepted.Count > 0)
            {
                batch = new IngestBatch([.. accepted]);
                await pipeline.EnqueueAsync(batch, ct);
            }
            await rounds.WriteAsync(new Round(last, batch), ct);
        }
    }

    /// <summary>Acknowledges each round, in order, once its batch is stored; a batch the database refused goes back to the queue.</summary>
    async Task AcknowledgeAsync(IChannel channel, ChannelReader<Round> rounds)
    {
        await Task.Yield();
        try
        {
            await foreach (var round in rounds.ReadAllAsync())
            {
                var stored = true;
                if (round.Batch is { } batch)
                {
                    try
                    {
                        await batch.Stored.Task;
                    }
                    catch (Exception e)
                    {
                        stored = false;
                        LogNotStored(logger, round.Batch.Messages.Count, e);
                    }
                }
                if (channel.IsClosed) return;
                if (stored) await channel.BasicAckAsync(round.LastTag, multiple: true);
                else await channel.BasicNackAsync(round.LastTag, multiple: true, requeue: true);
                if (stored) Interlocked.Increment(ref _acknowledged);
            }
        }
        catch (Exception e) when (channel.IsClosed && e is not OutOfMemoryException)
        {
            // The channel went while acknowledging: the broker delivers the unacknowledged messages again.
        }
    }

    /// <summary>One delivery: the device from the routing key, the payload, the key, then message by message as over HTTP.</summary>
    void Take(Delivery d, List<AcceptedMessage> accepted, DateTimeOffset now)
    {
        var code = DeviceCode(d.RoutingKey);
        var device = code is null ? null : directory.Find(code);
        if (device is null)
        {
            Interlocked.Increment(ref _unknownDevice);
            LogUnknownDevice(logger, d.RoutingKey);
            return;
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(d.Body);
        }
        catch (JsonException)
        {
            Refuse(device, "payload is not JSON", now);
            return;
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                Refuse(device, "payload must be a JSON object", now);
                return;
            }
            var key = root.TryGetProperty("key", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
            if (!device.Authenticates(key))
            {
                Refuse(device, device.Disabled ? "device is disabled" : "wrong key", now);
                return;
            }
            var messages = root;
            if (root.TryGetProperty("messages", out var list))
            {
                if (list.ValueKind != JsonValueKind.Array)
                {
                    Refuse(device, "messages must be an array", now);
                    return;
                }
                if (list.GetArrayLength() > IngestParser.MaxMessagesPerRequest)
                {
                    Refuse(device, $"at most {IngestParser.MaxMessagesPerRequest} messages per payload", now);
                    return;
                }
                messages = list;
            }
            var (ok, refused) = parser.Parse(device, messages);
            foreach (var r in refused) LogRefused(logger, r.Device ?? device.Code, r.Reason);
            accepted.AddRange(ok);
        }
    }

    void Refuse(DeviceEntry device, string reason, DateTimeOffset now)
    {
        device.Reject(reason, now);
        LogRefused(logger, device.Code, reason);
    }

    /// <summary><c>devices.{code}.events</c> → <c>devices.{code}.telemetry</c>: the key an event is sent on under; null for anything else.</summary>
    public static string? TelemetryKeyOfEvent(string routingKey)
    {
        ArgumentNullException.ThrowIfNull(routingKey);
        if (!routingKey.EndsWith(".events", StringComparison.Ordinal) || DeviceCode(routingKey) is null) return null;
        return routingKey[..^".events".Length] + ".telemetry";
    }

    /// <summary>
    /// <c>devices.{code}.telemetry</c> → code. The MQTT plugin turns the topic's "/" into "." and a "." inside a level into
    /// "/", so a code with dots arrives with slashes.
    /// </summary>
    public static string? DeviceCode(string routingKey)
    {
        ArgumentNullException.ThrowIfNull(routingKey);
        var parts = routingKey.Split('.');
        if (parts.Length != 3 || parts[0] != "devices" || parts[1].Length == 0 || parts[2] is not ("telemetry" or "events")) return null;
        return parts[1].Replace('/', '.');
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT: this node consumes {Mine} of {Count} device partitions ({Nodes} node(s) alive).")]
    static partial void LogPartitions(ILogger logger, int mine, int count, int nodes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT message for an unknown device dropped (routing key {RoutingKey}).")]
    static partial void LogUnknownDevice(ILogger logger, string routingKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT message from device {Device} refused: {Reason}.")]
    static partial void LogRefused(ILogger logger, string device, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} MQTT messages were not stored; they go back to the queue.")]
    static partial void LogNotStored(ILogger logger, int count, Exception e);
}

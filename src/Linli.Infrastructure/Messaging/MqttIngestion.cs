using System.Text.Json;
using System.Threading.Channels;
using Linli.Application.Devices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Linli.Infrastructure.Messaging;

/// <summary>
/// MQTT ingestion (ADR 0006): devices publish to <c>devices/{code}/telemetry|events</c> on RabbitMQ's MQTT plugin, which
/// routes them to <c>amq.topic</c> as <c>devices.{code}.telemetry|events</c>; this consumer reads them from a durable queue,
/// authenticates each payload by its <c>"key"</c>, and hands what it takes to the one ingestion pipeline. A delivery is
/// acknowledged only after everything in it is stored, so a crash or a lost database leaves it in the queue.
/// </summary>
public sealed partial class MqttIngestion(IOptions<RabbitMqOptions> options, DeviceDirectory directory, IngestParser parser,
    IngestionPipeline pipeline, TimeProvider time, ILogger<MqttIngestion> logger) : BackgroundService
{
    public static readonly string[] RoutingKeys = ["devices.*.telemetry", "devices.*.events"];

    /// <summary>Deliveries taken from the queue into one pipeline batch at most.</summary>
    const int RoundSize = 500;

    readonly TaskCompletionSource _consuming = new(TaskCreationOptions.RunContinuationsAsynchronously);
    long _unknownDevice;
    long _acknowledged;

    /// <summary>Completes once the queue is declared, bound and consumed from: from then on nothing a device publishes is missed.</summary>
    public Task Consuming => _consuming.Task;

    /// <summary>Messages on a device topic whose code no device has (dropped).</summary>
    public long UnknownDeviceMessages => Interlocked.Read(ref _unknownDevice);

    public long AcknowledgedDeliveries => Interlocked.Read(ref _acknowledged);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        RabbitMqBroker.RunConnectedAsync(options.Value, $"linli-devices@{Environment.MachineName}", logger, ConsumeAsync, stoppingToken);

    sealed record Delivery(ulong Tag, string RoutingKey, byte[] Body);

    /// <summary>Deliveries up to <see cref="LastTag"/>, whose accepted messages (if any) are in <see cref="Batch"/>.</summary>
    sealed record Round(ulong LastTag, IngestBatch? Batch);

    async Task ConsumeAsync(IConnection connection, CancellationToken ct)
    {
        var o = options.Value;
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        // Single active consumer: with several web nodes one of them reads the queue (and so holds the rule state of every
        // device, ADR 0006); another takes over when it goes.
        await channel.QueueDeclareAsync(o.DeviceQueue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-single-active-consumer"] = true }, cancellationToken: ct);
        foreach (var key in RoutingKeys) await channel.QueueBindAsync(o.DeviceQueue, o.MqttExchange, key, cancellationToken: ct);
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
        var tag = await channel.BasicConsumeAsync(o.DeviceQueue, autoAck: false, consumer, ct);
        _consuming.TrySetResult();
        try
        {
            await ReadAsync(inbox.Reader, rounds.Writer, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
        finally
        {
            rounds.Writer.TryComplete();
            if (!channel.IsClosed)
            {
                // Stopping: no new deliveries; what is already with the pipeline is stored and acknowledged (so it is not
                // delivered twice); the rest goes back to the queue when the channel closes.
                try { await channel.BasicCancelAsync(tag, cancellationToken: CancellationToken.None); } catch (Exception e) when (e is not OperationCanceledException) { }
            }
            try { await acks.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None); }
            catch (TimeoutException) { }
        }
    }

    async Task ReadAsync(ChannelReader<Delivery> inbox, ChannelWriter<Round> rounds, CancellationToken ct)
    {
        var accepted = new List<AcceptedMessage>();
        while (await inbox.WaitToReadAsync(ct))
        {
            accepted.Clear();
            ulong last = 0;
            var now = time.GetUtcNow();
            for (var n = 0; n < RoundSize && inbox.TryRead(out var d); n++)
            {
                Take(d, accepted, now);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT message for an unknown device dropped (routing key {RoutingKey}).")]
    static partial void LogUnknownDevice(ILogger logger, string routingKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT message from device {Device} refused: {Reason}.")]
    static partial void LogRefused(ILogger logger, string device, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} MQTT messages were not stored; they go back to the queue.")]
    static partial void LogNotStored(ILogger logger, int count, Exception e);
}

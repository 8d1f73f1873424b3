using Linli.Application.Common;
using System.Text.Json;
using Linli.Application.Alarms;
using Linli.Application.Devices;
using Linli.Application.Live;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Linli.Infrastructure.Messaging;

/// <summary>
/// The live bus across web nodes: a push goes to this node's browsers at once and, through the fan-out exchange
/// <c>linli.live</c>, to every other node, each of which reads the exchange through its own exclusive, auto-deleted queue.
/// Device and rule edits travel the same way, so every node authenticates devices and evaluates rules as edited. Live pushes
/// are a view, not a record: a push made while the broker is away reaches this node only, and the pages catch up on reload.
/// </summary>
public sealed partial class RabbitMqLiveBus(ILocalLiveDelivery local, DeviceDirectory directory, RuleEvaluator rules, IEnumerable<ISharedCache> caches,
    ClusterNodes nodes, IServiceProvider services, IOptions<RabbitMqOptions> options, ILogger<RabbitMqLiveBus> logger) : BackgroundService, ILiveBus
{
    readonly string _origin = Guid.NewGuid().ToString("N");
    DeviceOwnership? _ownership;
    readonly SemaphoreSlim _publishing = new(1, 1);
    readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    volatile IChannel? _channel;
    bool _connectedBefore;

    /// <summary>Completes once this node hears the exchange.</summary>
    public Task Connected => _connected.Task;

    /// <summary>True while this node hears the exchange (live pushes and directory edits reach it).</summary>
    public bool IsConnected => _channel is not null;

    public async Task PublishAsync(LiveMessage message, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        await local.DeliverAsync(message, ct);
        var payload = JsonSerializer.SerializeToElement(message.Payload, message.Payload.GetType(), local.PayloadOptions);
        await SendAsync(new Envelope(_origin, message.Hub, message.Groups, message.Method, payload, null), ct);
    }

    /// <summary>Tells the other nodes to re-read a device.</summary>
    public Task DeviceChangedAsync(long deviceId, CancellationToken ct = default) =>
        SendAsync(new Envelope(_origin, null, null, null, null, new DirectoryChange(deviceId, false)), ct);

    /// <summary>Tells the other nodes to drop their copy of a shared cache.</summary>
    public Task CacheChangedAsync(string cache, CancellationToken ct = default) =>
        SendAsync(new Envelope(_origin, null, null, null, null, new DirectoryChange(null, false, cache)), ct);

    /// <summary>Tells the other nodes to re-read the alarm rules.</summary>
    public Task RulesChangedAsync(CancellationToken ct = default) =>
        SendAsync(new Envelope(_origin, null, null, null, null, new DirectoryChange(null, true)), ct);

    /// <summary>Tells the other nodes this node now holds these devices.</summary>
    public Task DevicesTakenAsync(IReadOnlyList<long> devices, CancellationToken ct = default) =>
        SendAsync(new Envelope(_origin, null, null, null, null, new DirectoryChange(null, false, Taken: devices)), ct);

    /// <summary>An edit of the in-memory copies every node keeps: one device (the device directory), or the alarm rules.</summary>
    sealed record DirectoryChange(long? DeviceId, bool Rules, string? Cache = null, IReadOnlyList<long>? Taken = null);

    /// <summary>
    /// What travels on the live exchange. <see cref="Node"/> is the sender's name: every message is also a sign of life,
    /// and one with nothing else in it is a heartbeat (<see cref="Leaving"/>: the sender is stopping).
    /// </summary>
    sealed record Envelope(string Origin, string? Hub, IReadOnlyList<string>? Groups, string? Method, JsonElement? Payload, DirectoryChange? Directory,
        string? Node = null, bool Leaving = false);

    static readonly JsonSerializerOptions WireJson = new(JsonSerializerDefaults.Web);

    async Task SendAsync(Envelope envelope, CancellationToken ct)
    {
        var channel = _channel;
        if (channel is null || channel.IsClosed)
        {
            LogNotSent(logger, envelope.Method ?? "directory");
            return;
        }
        var body = JsonSerializer.SerializeToUtf8Bytes(envelope with { Node = nodes.Self }, WireJson);
        await _publishing.WaitAsync(ct);
        try
        {
            await channel.BasicPublishAsync(options.Value.LiveExchange, "", body, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The change itself is committed; only other nodes' browsers miss this push.
            LogPublishFailed(logger, envelope.Method ?? "directory", e);
        }
        finally
        {
            _publishing.Release();
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        RabbitMqBroker.RunConnectedAsync(options.Value, $"linli-live@{Environment.MachineName}", logger, ListenAsync, stoppingToken);

    async Task ListenAsync(IConnection connection, CancellationToken ct)
    {
        var o = options.Value;
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        await channel.ExchangeDeclareAsync(o.LiveExchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: ct);
        var queue = await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: ct);
        await channel.QueueBindAsync(queue.QueueName, o.LiveExchange, "", cancellationToken: ct);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, e) => ReceiveAsync(e.Body, ct);
        await channel.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer, ct);
        var closed = RabbitMqBroker.ClosedAsync(channel);
        if (_connectedBefore)
        {
            // Edits made elsewhere while this node was cut off were not heard: read the devices and the rules again.
            await directory.LoadAsync(ct);
            await rules.ReloadAsync(ct);
        }
        _connectedBefore = true;
        _channel = channel;
        _connected.TrySetResult();
        try
        {
            // A heartbeat now (the others learn of this node at once), then every HeartbeatSeconds until the channel goes.
            var heartbeat = nodes.Options.Heartbeat;
            while (!closed.IsCompleted)
            {
                await SendAsync(new Envelope(_origin, null, null, null, null, null), ct);
                nodes.Refresh();
                await Task.WhenAny(closed, Task.Delay(heartbeat, ct));
                ct.ThrowIfCancellationRequested();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping: say so, so the others take this node's devices now rather than after its heartbeats stop.
            try { await SendAsync(new Envelope(_origin, null, null, null, null, null, Leaving: true), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None); }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException) { }
        }
        finally
        {
            _channel = null;
        }
    }

    async Task ReceiveAsync(ReadOnlyMemory<byte> body, CancellationToken ct)
    {
        try
        {
            var envelope = JsonSerializer.Deserialize<Envelope>(body.Span, WireJson);
            if (envelope is null || envelope.Origin == _origin) return;
            if (envelope.Node is { Length: > 0 } node)
            {
                if (envelope.Leaving) nodes.Left(node);
                else nodes.Heard(node);
            }
            if (envelope.Directory is { } change)
            {
                if (change.Taken is { } taken && envelope.Node is { Length: > 0 } owner)
                    (_ownership ??= services.GetRequiredService<DeviceOwnership>()).Taken(owner, taken);
                if (change.DeviceId is { } id) await directory.RefreshAsync(id, ct);
                if (change.Rules) await rules.ReloadAsync(ct);
                if (change.Cache is { } name)
                    foreach (var cache in caches.Where(c => c.Name == name)) cache.Drop();
                return;
            }
            if (envelope.Hub is null || envelope.Groups is null || envelope.Method is null || envelope.Payload is null) return;
            await local.DeliverAsync(new LiveMessage(envelope.Hub, envelope.Groups, envelope.Method, envelope.Payload.Value), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // One bad message must not stop this node hearing the others.
            LogReceiveFailed(logger, e);
        }
    }

    public override void Dispose()
    {
        _publishing.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Live push {Method} reached this node only: the broker is not connected.")]
    static partial void LogNotSent(ILogger logger, string method);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live push {Method} could not be sent to the other nodes.")]
    static partial void LogPublishFailed(ILogger logger, string method, Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A live message from another node could not be delivered.")]
    static partial void LogReceiveFailed(ILogger logger, Exception e);
}

/// <summary>Device edits on this node, then on every other node through the live exchange.</summary>
public sealed class BroadcastingDirectorySync(DeviceDirectory directory, RabbitMqLiveBus bus) : DirectorySync(directory)
{
    public override async Task DeviceChangedAsync(long id, CancellationToken ct)
    {
        await base.DeviceChangedAsync(id, ct);
        await bus.DeviceChangedAsync(id, ct);
    }
}

/// <summary>Rule edits on this node, then on every other node through the live exchange.</summary>
public sealed class BroadcastingAlarmRuleSync(RuleEvaluator rules, RabbitMqLiveBus bus) : AlarmRuleSync(rules)
{
    public override async Task RulesChangedAsync(CancellationToken ct)
    {
        await base.RulesChangedAsync(ct);
        await bus.RulesChangedAsync(ct);
    }
}

public sealed class BroadcastingCacheSync(RabbitMqLiveBus bus) : CacheSync
{
    public override Task ChangedAsync(string cache, CancellationToken ct) => bus.CacheChangedAsync(cache, ct);
}

/// <summary>Devices this node took, told to every other node through the live exchange.</summary>
public sealed class BroadcastingOwnershipSync(RabbitMqLiveBus bus) : OwnershipSync
{
    public override Task TakenAsync(string node, IReadOnlyList<long> devices, CancellationToken ct) => bus.DevicesTakenAsync(devices, ct);
}

using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Linli.Infrastructure.Messaging;

/// <summary>The broker settings (<c>Linli:RabbitMq</c>). Without a connection string the platform runs embedded, without a broker.</summary>
public sealed class RabbitMqOptions
{
    public const string Section = "Linli:RabbitMq";

    /// <summary><c>amqp://user:password@host:5672/vhost</c>; empty = no broker.</summary>
    public string? ConnectionString { get; set; }
    /// <summary>
    /// The name the device partitions are made from: MQTT topics <c>devices/{code}/telemetry|events</c> are hashed on the
    /// device over <see cref="DevicePartitions"/> durable queues <c>{DeviceQueue}.00</c>, <c>.01</c> … through the
    /// consistent-hash exchange <c>{DeviceQueue}.hash</c>.
    /// </summary>
    public string DeviceQueue { get; set; } = "linli.devices";
    /// <summary>
    /// Partitions of the device traffic: the unit a node takes and gives up. Fixed for a district (a change moves devices);
    /// many more than nodes, so that a dead node's share spreads over all the others.
    /// </summary>
    public int DevicePartitions { get; set; } = 16;
    /// <summary>The exchange the MQTT plugin publishes to.</summary>
    public string MqttExchange { get; set; } = "amq.topic";
    /// <summary>The fan-out exchange every web node reads live pushes (and directory changes) from.</summary>
    public string LiveExchange { get; set; } = "linli.live";
    /// <summary>Device deliveries held unacknowledged at once; they are acknowledged after they are stored.</summary>
    public ushort Prefetch { get; set; } = 2000;
    /// <summary>Wait before connecting again after the broker was lost (doubles up to 30 s while it stays away).</summary>
    public double ReconnectSeconds { get; set; } = 1;

    public bool Enabled => !string.IsNullOrWhiteSpace(ConnectionString);
}

/// <summary>
/// Opens connections to the broker. Automatic recovery is off on purpose: delivery tags belong to one channel, so after a
/// loss the consumers start over on a fresh connection (unacknowledged deliveries come back from the queue) instead of
/// acknowledging with tags the new channel never issued.
/// </summary>
public static partial class RabbitMqBroker
{
    public static async Task<IConnection> ConnectAsync(RabbitMqOptions options, string clientName, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        var factory = new ConnectionFactory
        {
            Uri = new Uri(options.ConnectionString!),
            ClientProvidedName = clientName,
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
            RequestedHeartbeat = TimeSpan.FromSeconds(15),
        };
        return await factory.CreateConnectionAsync(ct);
    }

    /// <summary>
    /// Runs <paramref name="session"/> on a connection, and again on a new one whenever the broker goes away, until
    /// <paramref name="ct"/> is cancelled. The session returns when its work is over; the connection closing ends it too.
    /// </summary>
    public static async Task RunConnectedAsync(RabbitMqOptions options, string clientName, ILogger logger,
        Func<IConnection, CancellationToken, Task> session, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(session);
        var wait = TimeSpan.FromSeconds(Math.Max(0.1, options.ReconnectSeconds));
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = await ConnectAsync(options, clientName, ct);
                using var lost = CancellationTokenSource.CreateLinkedTokenSource(ct);
                connection.ConnectionShutdownAsync += (_, e) =>
                {
                    if (e.Initiator != ShutdownInitiator.Application) LogLost(logger, clientName, e.ReplyText);
                    lost.Cancel();
                    return Task.CompletedTask;
                };
                LogConnected(logger, clientName);
                wait = TimeSpan.FromSeconds(Math.Max(0.1, options.ReconnectSeconds));
                await session(connection, lost.Token);
                if (ct.IsCancellationRequested) return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                LogFailed(logger, clientName, wait.TotalSeconds, e);
            }
            try
            {
                await Task.Delay(wait, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            wait = TimeSpan.FromSeconds(Math.Min(30, wait.TotalSeconds * 2));
        }
    }

    /// <summary>Completes when the channel closes (the broker refused something, or the connection went).</summary>
    public static Task ClosedAsync(IChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        channel.ChannelShutdownAsync += (_, _) =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        if (channel.IsClosed) closed.TrySetResult();
        return closed.Task;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "RabbitMQ ({Client}): connected.")]
    static partial void LogConnected(ILogger logger, string client);

    [LoggerMessage(Level = LogLevel.Warning, Message = "RabbitMQ ({Client}): connection lost ({Reason}); connecting again.")]
    static partial void LogLost(ILogger logger, string client, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "RabbitMQ ({Client}): unavailable; trying again in {Seconds} s.")]
    static partial void LogFailed(ILogger logger, string client, double seconds, Exception e);
}

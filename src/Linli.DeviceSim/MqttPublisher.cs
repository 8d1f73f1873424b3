using System.Buffers;
using System.Net.Sockets;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Linli.DeviceSim;

/// <summary>How to reach and log in to the MQTT broker.</summary>
public sealed record MqttConnectOptions(string Host, int Port, string ClientId)
{
    public string? UserName { get; init; }
    public string? Password { get; init; }
    /// <summary>The broker drops a client silent for 1.5 × this; the client pings when it has sent nothing for this long.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>QoS 1 publishes awaiting their PUBACK at most; a publish waits for a free slot beyond that.</summary>
    public int MaxInFlight { get; init; } = 256;
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>A PUBACK later than this means the broker is stuck: the connection is closed and the run fails.</summary>
    public TimeSpan AckTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// One MQTT 3.1.1 connection (MQTTnet's client) that publishes with QoS 1: a clean session, the CONNACK checked, up to
/// <see cref="MqttConnectOptions.MaxInFlight"/> publishes awaiting their PUBACK at once, written in the order
/// <see cref="PublishAsync"/> was called. It does not subscribe and does not reconnect: a lost connection fails what was
/// in flight, and every later publish.
/// </summary>
public sealed class MqttPublisher : IAsyncDisposable
{
    readonly MqttConnectOptions options;
    readonly IMqttClient client;
    readonly SemaphoreSlim window;
    readonly string where;
    int inFlight;
    volatile string? lostBecause;
    volatile bool disconnecting;

    MqttPublisher(MqttConnectOptions options, IMqttClient client)
    {
        this.options = options;
        this.client = client;
        window = new SemaphoreSlim(options.MaxInFlight);
        where = $"mqtt://{options.Host}:{options.Port}";
        client.DisconnectedAsync += e =>
        {
            if (e.ClientWasConnected && !disconnecting)
                lostBecause ??= e.Exception?.GetBaseException().Message ?? e.ReasonString ?? "the broker closed the connection";
            return Task.CompletedTask;
        };
    }

    public bool IsConnected => client.IsConnected;
    public int InFlightCount => Volatile.Read(ref inFlight);

    /// <summary>Connects and logs in; throws <see cref="SimConnectionException"/> saying why when that fails.</summary>
    public static async Task<MqttPublisher> ConnectAsync(MqttConnectOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxInFlight);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxInFlight, ushort.MaxValue);
        if (options.Password is not null && options.UserName is null)
            throw new ArgumentException("MQTT 3.1.1 sends a password only with a user name.", nameof(options));

        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(options.Host, options.Port)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId(options.ClientId)
            .WithCleanSession()
            .WithTimeout(options.ConnectTimeout)
            // A publish leaves in one write (fixed header and payload together), not two.
            .WithoutPacketFragmentation();
        builder = options.KeepAlive > TimeSpan.Zero ? builder.WithKeepAlivePeriod(options.KeepAlive) : builder.WithNoKeepAlive();
        if (options.UserName is not null) builder = builder.WithCredentials(options.UserName, options.Password);

        var where = $"mqtt://{options.Host}:{options.Port}";
        var client = new MqttClientFactory().CreateMqttClient();
        var publisher = new MqttPublisher(options, client);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            var result = await client.ConnectAsync(builder.Build(), timeout.Token);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                var why = result.ResultCode switch
                {
                    MqttClientConnectResultCode.UnsupportedProtocolVersion => "unacceptable protocol version",
                    MqttClientConnectResultCode.ClientIdentifierNotValid => "client identifier rejected",
                    MqttClientConnectResultCode.ServerUnavailable => "server unavailable",
                    MqttClientConnectResultCode.BadUserNameOrPassword => "bad user name or password",
                    MqttClientConnectResultCode.NotAuthorized => "not authorized",
                    var code => code.ToString(),
                };
                throw new SimConnectionException($"{where} refused the login: {why}");
            }
            return publisher;
        }
        catch (Exception e)
        {
            await publisher.DisposeAsync();
            SimConnectionException? translated = e switch
            {
                SimConnectionException => null,
                // MQTTnet reports the time running out as a cancellation, or as a failed login wrapping one.
                _ when timeout.IsCancellationRequested && !ct.IsCancellationRequested =>
                    new($"Cannot connect to {where}: no CONNACK within {options.ConnectTimeout.TotalSeconds:0} s", e),
                MqttConnectingFailedException => new($"{where} closed the connection during login (is it an MQTT listener?)", e),
                MqttCommunicationException { InnerException: SocketException s } => new($"Cannot connect to {where}: {s.Message}", e),
                MqttCommunicationException => new($"Cannot connect to {where}: {e.Message}", e),
                _ => null,
            };
            if (translated is null) throw;
            throw translated;
        }
    }

    /// <summary>
    /// Publishes with QoS 1. Returns once the publish is handed to the client (after waiting for a free in-flight slot;
    /// publishes go on the wire in the order of these calls); the returned task completes when the broker's PUBACK arrives,
    /// or fails with <see cref="SimConnectionException"/> when the connection is lost first or no PUBACK comes in time.
    /// </summary>
    public async Task<Task> PublishAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ThrowIfLost();
        await window.WaitAsync(ct);
        if (lostBecause is not null)
        {
            window.Release(); // the slot came free because the connection failed; pass it on
            throw Lost(null);
        }
        var message = new MqttApplicationMessage
        {
            Topic = topic,
            Payload = new ReadOnlySequence<byte>(payload),
            QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce,
        };
        var ackTimeout = new CancellationTokenSource(options.AckTimeout);
        Task<MqttClientPublishResult> publish;
        try
        {
            // The client takes the packet id and queues the write before it first yields, so calls keep their order.
            publish = client.PublishAsync(message, ackTimeout.Token);
        }
        catch (Exception e)
        {
            ackTimeout.Dispose();
            window.Release();
            if (e is MqttCommunicationException or ObjectDisposedException) throw Lost(e);
            throw;
        }
        Interlocked.Increment(ref inFlight);
        return AwaitAckAsync(publish, ackTimeout);
    }

    /// <summary>Publishes with QoS 1 and waits for the PUBACK.</summary>
    public async Task PublishAndWaitAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken ct = default) =>
        await await PublishAsync(topic, payload, ct);

    /// <summary>Waits (up to <paramref name="drain"/>) for the outstanding PUBACKs, then sends DISCONNECT and closes.</summary>
    public async Task DisconnectAsync(TimeSpan drain, CancellationToken ct = default)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (InFlightCount > 0 && client.IsConnected && TimeProvider.System.GetElapsedTime(started) < drain) await Task.Delay(10, ct);
        disconnecting = true;
        if (!client.IsConnected) return;
        try { await client.DisconnectAsync(cancellationToken: ct); }
        catch (MqttCommunicationException) { } // the connection went down first; nothing is left to close
    }

    public ValueTask DisposeAsync()
    {
        disconnecting = true;
        client.Dispose(); // fails whatever is still in flight
        return ValueTask.CompletedTask;
    }

    async Task AwaitAckAsync(Task<MqttClientPublishResult> publish, CancellationTokenSource ackTimeout)
    {
        try
        {
            var result = await publish;
            if (!result.IsSuccess) throw new SimConnectionException($"{where} refused a publish: {result.ReasonCode}");
        }
        catch (Exception e) when (ackTimeout.IsCancellationRequested)
        {
            // MQTTnet reports the wait cut short as a timeout (MqttCommunicationTimedOutException) or a cancellation.
            lostBecause ??= $"no PUBACK within {options.AckTimeout.TotalSeconds:0} s";
            var failure = Lost(e);
            _ = client.TryDisconnectAsync(); // fails the rest in flight, and every later publish
            throw failure;
        }
        catch (Exception e) when (e is MqttCommunicationException or ObjectDisposedException)
        {
            throw Lost(e);
        }
        finally
        {
            ackTimeout.Dispose();
            Interlocked.Decrement(ref inFlight);
            window.Release();
        }
    }

    void ThrowIfLost()
    {
        if (lostBecause is not null || !client.IsConnected) throw Lost(null);
    }

    SimConnectionException Lost(Exception? e)
    {
        var text = lostBecause is { } why ? $"MQTT connection to {where} lost: {why}"
            : disconnecting ? $"{where}: disconnected"
            : $"MQTT connection to {where} lost: {e?.GetBaseException().Message ?? "not connected"}";
        return e is null ? new SimConnectionException(text) : new SimConnectionException(text, e);
    }
}

using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Linli.DeviceSim;

/// <summary>How to reach and log in to the MQTT broker.</summary>
public sealed record MqttConnectOptions(string Host, int Port, string ClientId)
{
    public string? UserName { get; init; }
    public string? Password { get; init; }
    /// <summary>The broker drops a client silent for 1.5 × this; we ping after half of it without traffic.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>QoS 1 publishes awaiting their PUBACK at most; a publish waits for a free slot beyond that.</summary>
    public int MaxInFlight { get; init; } = 256;
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>A PUBACK later than this means the broker is stuck: the connection is closed and the run fails.</summary>
    public TimeSpan AckTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// A minimal MQTT 3.1.1 publisher (OASIS MQTT Version 3.1.1): CONNECT with a clean session and CONNACK check, QoS 1
/// PUBLISH pipelined up to <see cref="MqttConnectOptions.MaxInFlight"/> unacknowledged packets, PINGREQ keep-alive and
/// DISCONNECT. It does not subscribe and does not resend after a reconnect: a lost connection fails what was in flight.
/// </summary>
public sealed class MqttPublisher : IAsyncDisposable
{
    // Control packet types (fixed header, high nibble) — spec section 2.2.1.
    const byte Connect = 0x10, ConnAck = 0x20, PublishQos1 = 0x32, PubAck = 0x40, PingReq = 0xC0, PingResp = 0xD0, Disconnect = 0xE0;
    const int MaxRemainingLength = 268_435_455;

    readonly MqttConnectOptions options;
    readonly TcpClient tcp;
    readonly NetworkStream stream;
    readonly PacketReader reader;
    readonly SemaphoreSlim writeLock = new(1, 1);
    readonly SemaphoreSlim window;
    readonly Lock gate = new();
    readonly Dictionary<ushort, InFlight> inFlight = [];
    readonly CancellationTokenSource life = new();
    ushort lastId;
    long lastWrite;
    long pingSentAt;
    Exception? closed;
    bool disconnecting;
    Task readLoop = Task.CompletedTask;
    Task keepAliveLoop = Task.CompletedTask;

    MqttPublisher(MqttConnectOptions options, TcpClient tcp)
    {
        this.options = options;
        this.tcp = tcp;
        stream = tcp.GetStream();
        reader = new PacketReader(stream);
        window = new SemaphoreSlim(options.MaxInFlight);
    }

    public bool IsConnected { get { lock (gate) return closed is null; } }
    public int InFlightCount { get { lock (gate) return inFlight.Count; } }

    /// <summary>Connects and logs in; throws <see cref="SimConnectionException"/> saying why when that fails.</summary>
    public static async Task<MqttPublisher> ConnectAsync(MqttConnectOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxInFlight);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxInFlight, ushort.MaxValue);
        var where = $"mqtt://{options.Host}:{options.Port}";
        var tcp = new TcpClient { NoDelay = true };
        MqttPublisher? client = null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            await tcp.ConnectAsync(options.Host, options.Port, timeout.Token);
            client = new MqttPublisher(options, tcp);
            await client.HandshakeAsync(timeout.Token);
            client.readLoop = Task.Run(client.ReadLoopAsync, CancellationToken.None);
            client.keepAliveLoop = Task.Run(client.KeepAliveAsync, CancellationToken.None);
            return client;
        }
        catch (Exception e)
        {
            if (client is not null) await client.DisposeAsync();
            else tcp.Dispose();
            SimConnectionException? translated = e switch
            {
                SocketException => new($"Cannot connect to {where}: {e.Message}", e),
                OperationCanceledException when !ct.IsCancellationRequested =>
                    new($"Cannot connect to {where}: no CONNACK within {options.ConnectTimeout.TotalSeconds:0} s", e),
                EndOfStreamException or IOException => new($"{where} closed the connection during login (is it an MQTT listener?)", e),
                _ => null,
            };
            if (translated is null) throw;
            throw translated;
        }
    }

    async Task HandshakeAsync(CancellationToken ct)
    {
        // CONNECT (3.1): protocol name "MQTT", level 4, flags, keep-alive; payload client id, user name, password.
        var clientId = Encoding.UTF8.GetBytes(options.ClientId);
        var user = options.UserName is null ? null : Encoding.UTF8.GetBytes(options.UserName);
        var password = options.Password is null ? null : Encoding.UTF8.GetBytes(options.Password);
        if (password is not null && user is null) throw new ArgumentException("MQTT 3.1.1 sends a password only with a user name.", nameof(options));
        byte flags = 0x02; // clean session
        if (user is not null) flags |= 0x80;
        if (password is not null) flags |= 0x40;
        var keepAlive = (ushort)Math.Clamp(options.KeepAlive.TotalSeconds, 0, ushort.MaxValue);

        var body = new ArrayBufferWriter<byte>(64);
        WriteString(body, "MQTT"u8);
        body.Write([(byte)4, flags, (byte)(keepAlive >> 8), (byte)keepAlive]);
        WriteString(body, clientId);
        if (user is not null) WriteString(body, user);
        if (password is not null) WriteString(body, password);
        await WriteAsync(Packet(Connect, body.WrittenSpan), ct);

        var (type, payload) = await reader.ReadPacketAsync(ct);
        if ((type & 0xF0) != ConnAck || payload.Length != 2)
            throw new SimConnectionException($"mqtt://{options.Host}:{options.Port} answered CONNECT with packet type {type >> 4}, not CONNACK");
        var code = payload[1];
        if (code != 0)
        {
            var why = code switch
            {
                1 => "unacceptable protocol version",
                2 => "client identifier rejected",
                3 => "server unavailable",
                4 => "bad user name or password",
                5 => "not authorized",
                _ => $"return code {code}",
            };
            throw new SimConnectionException($"mqtt://{options.Host}:{options.Port} refused the login: {why}");
        }
    }

    /// <summary>
    /// Publishes with QoS 1. Returns once the packet is written (after waiting for a free in-flight slot); the returned
    /// task completes when the broker's PUBACK arrives, or fails when the connection is lost first.
    /// </summary>
    public async Task<Task> PublishAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ThrowIfClosed();
        await window.WaitAsync(ct);
        InFlight entry;
        ushort id;
        lock (gate)
        {
            if (closed is not null)
            {
                window.Release(); // pass the wake-up on to the next waiter
                throw new SimConnectionException("MQTT connection closed: " + closed.Message, closed);
            }
            id = NextFreeId();
            entry = new InFlight(Stopwatch.GetTimestamp());
            inFlight[id] = entry;
        }
        try
        {
            var topicBytes = Encoding.UTF8.GetBytes(topic);
            var body = new ArrayBufferWriter<byte>(topicBytes.Length + payload.Length + 4);
            WriteString(body, topicBytes);
            body.Write([(byte)(id >> 8), (byte)id]);
            body.Write(payload.Span);
            await WriteAsync(Packet(PublishQos1, body.WrittenSpan), ct);
        }
        catch (Exception e)
        {
            if (Settle(id) is { } lost) lost.Done.TrySetException(e);
            throw;
        }
        return entry.Done.Task;
    }

    /// <summary>Publishes with QoS 1 and waits for the PUBACK.</summary>
    public async Task PublishAndWaitAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken ct = default) =>
        await await PublishAsync(topic, payload, ct);

    /// <summary>Waits (up to <paramref name="drain"/>) for the outstanding PUBACKs, then sends DISCONNECT and closes.</summary>
    public async Task DisconnectAsync(TimeSpan drain, CancellationToken ct = default)
    {
        var deadline = Stopwatch.GetTimestamp();
        while (InFlightCount > 0 && IsConnected && Stopwatch.GetElapsedTime(deadline) < drain) await Task.Delay(10, ct);
        lock (gate)
        {
            if (closed is not null) return;
            disconnecting = true;
        }
        try { await WriteAsync(Packet(Disconnect, []), ct); }
        catch (IOException) { }
        Close(new SimConnectionException("disconnected"));
        await Task.WhenAll(readLoop, keepAliveLoop);
    }

    public async ValueTask DisposeAsync()
    {
        Close(new ObjectDisposedException(nameof(MqttPublisher)));
        await Task.WhenAll(readLoop, keepAliveLoop);
        life.Dispose();
        writeLock.Dispose();
        window.Dispose();
        tcp.Dispose();
    }

    ushort NextFreeId()
    {
        // Packet ids are 1–65535; the window keeps fewer than that in flight, so a free one is always found.
        do { lastId = (ushort)(lastId == ushort.MaxValue ? 1 : lastId + 1); } while (inFlight.ContainsKey(lastId));
        return lastId;
    }

    InFlight? Settle(ushort id)
    {
        lock (gate)
        {
            if (!inFlight.Remove(id, out var entry)) return null;
            window.Release();
            return entry;
        }
    }

    async Task ReadLoopAsync()
    {
        try
        {
            while (!life.IsCancellationRequested)
            {
                var (type, payload) = await reader.ReadPacketAsync(life.Token);
                switch (type & 0xF0)
                {
                    case PubAck when payload.Length >= 2:
                        var id = BinaryPrimitives.ReadUInt16BigEndian(payload);
                        Settle(id)?.Done.TrySetResult();
                        break;
                    case PingResp:
                        Interlocked.Exchange(ref pingSentAt, 0);
                        break;
                    // A publisher subscribes to nothing; anything else is ignored.
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e) when (e is IOException or EndOfStreamException or SocketException or ObjectDisposedException or InvalidDataException)
        {
            Close(new SimConnectionException($"mqtt://{options.Host}:{options.Port} closed the connection ({e.Message})", e));
        }
    }

    async Task KeepAliveAsync()
    {
        var keepAlive = options.KeepAlive;
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(keepAlive.TotalMilliseconds / 4, 50, 1000));
        try
        {
            while (!life.IsCancellationRequested)
            {
                await Task.Delay(tick, life.Token);
                var now = Stopwatch.GetTimestamp();
                if (OldestInFlight() is { } oldest && Stopwatch.GetElapsedTime(oldest, now) > options.AckTimeout)
                {
                    Close(new SimConnectionException($"no PUBACK within {options.AckTimeout.TotalSeconds:0} s"));
                    return;
                }
                if (keepAlive <= TimeSpan.Zero) continue;
                var ping = Interlocked.Read(ref pingSentAt);
                if (ping != 0 && Stopwatch.GetElapsedTime(ping, now) > keepAlive)
                {
                    Close(new SimConnectionException($"no PINGRESP within {keepAlive.TotalSeconds:0} s"));
                    return;
                }
                if (ping == 0 && Stopwatch.GetElapsedTime(Interlocked.Read(ref lastWrite), now) >= keepAlive / 2)
                {
                    Interlocked.Exchange(ref pingSentAt, now);
                    await WriteAsync(Packet(PingReq, []), life.Token);
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Close(new SimConnectionException($"mqtt://{options.Host}:{options.Port}: {e.Message}", e));
        }
    }

    long? OldestInFlight()
    {
        lock (gate) return inFlight.Count == 0 ? null : inFlight.Values.Min(f => f.SentAt);
    }

    void Close(Exception reason)
    {
        List<InFlight> lost;
        lock (gate)
        {
            if (closed is not null) return;
            closed = reason;
            lost = [.. inFlight.Values];
            inFlight.Clear();
        }
        life.Cancel();
        tcp.Client.Close();
        var failure = disconnecting ? reason : new SimConnectionException("MQTT connection lost: " + reason.Message, reason);
        foreach (var f in lost) f.Done.TrySetException(failure);
        window.Release(); // wakes a publisher waiting for a slot; it sees the connection closed and passes the wake-up on
    }

    void ThrowIfClosed()
    {
        lock (gate)
            if (closed is not null) throw new SimConnectionException("MQTT connection closed: " + closed.Message, closed);
    }

    async Task WriteAsync(byte[] packet, CancellationToken ct)
    {
        await writeLock.WaitAsync(ct);
        try
        {
            await stream.WriteAsync(packet, ct);
            Interlocked.Exchange(ref lastWrite, Stopwatch.GetTimestamp());
        }
        finally { writeLock.Release(); }
    }

    /// <summary>Fixed header (type and flags, then the remaining length as a variable byte integer, 2.2.3) and body.</summary>
    static byte[] Packet(byte typeAndFlags, ReadOnlySpan<byte> body)
    {
        if (body.Length > MaxRemainingLength) throw new ArgumentException("MQTT packet too large.", nameof(body));
        Span<byte> length = stackalloc byte[4];
        var n = 0;
        var remaining = body.Length;
        do
        {
            var digit = (byte)(remaining % 128);
            remaining /= 128;
            if (remaining > 0) digit |= 0x80;
            length[n++] = digit;
        } while (remaining > 0);
        var packet = new byte[1 + n + body.Length];
        packet[0] = typeAndFlags;
        length[..n].CopyTo(packet.AsSpan(1));
        body.CopyTo(packet.AsSpan(1 + n));
        return packet;
    }

    /// <summary>A UTF-8 string: two-byte big-endian length, then the bytes (1.5.3).</summary>
    static void WriteString(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > ushort.MaxValue) throw new ArgumentException("MQTT string longer than 65,535 bytes.", nameof(utf8));
        output.Write([(byte)(utf8.Length >> 8), (byte)utf8.Length]);
        output.Write(utf8);
    }

    sealed class InFlight(long sentAt)
    {
        public long SentAt { get; } = sentAt;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Reads whole control packets through its own buffer: a PUBACK is four bytes, one socket read per ack would be wasteful.</summary>
    sealed class PacketReader(Stream stream)
    {
        readonly byte[] buffer = new byte[16 * 1024];
        int start, end;

        public async Task<(byte Type, byte[] Body)> ReadPacketAsync(CancellationToken ct)
        {
            var type = await ReadByteAsync(ct);
            int length = 0, multiplier = 1;
            for (var i = 0; ; i++)
            {
                if (i == 4) throw new InvalidDataException("malformed remaining length");
                var digit = await ReadByteAsync(ct);
                length += (digit & 0x7F) * multiplier;
                if ((digit & 0x80) == 0) break;
                multiplier *= 128;
            }
            var body = new byte[length];
            var filled = 0;
            while (filled < length)
            {
                if (start == end) await FillAsync(ct);
                var n = Math.Min(length - filled, end - start);
                buffer.AsSpan(start, n).CopyTo(body.AsSpan(filled));
                start += n;
                filled += n;
            }
            return (type, body);
        }

        async ValueTask<byte> ReadByteAsync(CancellationToken ct)
        {
            if (start == end) await FillAsync(ct);
            return buffer[start++];
        }

        async ValueTask FillAsync(CancellationToken ct)
        {
            start = 0;
            end = await stream.ReadAsync(buffer, ct);
            if (end == 0) throw new EndOfStreamException("connection closed by the broker");
        }
    }
}

using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Channels;

namespace Linli.DeviceSim;

/// <summary>How the HTTP sender batches and how many requests it keeps going.</summary>
public sealed record HttpSenderOptions
{
    /// <summary>The ingest endpoint takes at most 1,000 messages per request.</summary>
    public const int MaxBatch = 1000;

    public int BatchSize { get; init; } = 100;
    public int Concurrency { get; init; } = 4;
    /// <summary>How long a device's partial batch may wait for more messages before it is sent anyway.</summary>
    public TimeSpan Linger { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>A gateway that sends for the devices behind it: one login, each message names its device.</summary>
public sealed record GatewayLogin(string Code, string Secret);

/// <summary>
/// Sends messages to <c>POST {url}/api/v1/ingest</c> in batches. Without a gateway each device sends its own batches
/// under its own credentials (X-Device-Id/X-Device-Key); with one, every message goes in the gateway's batches and
/// carries <c>"device"</c>. A batch leaves when it is full, when it has waited <see cref="HttpSenderOptions.Linger"/>,
/// or at once when an urgent message (an alarm) joins it.
/// </summary>
public sealed class HttpIngestSender : IMessageSink
{
    public const string IngestPath = "api/v1/ingest";

    readonly HttpClient http;
    readonly bool ownsClient;
    readonly Uri endpoint;
    readonly HttpSenderOptions options;
    readonly GatewayLogin? gateway;
    readonly SimStats stats;
    readonly TimeProvider time;
    readonly Lock gate = new();
    readonly Dictionary<string, Batch> pending = new(StringComparer.Ordinal);
    readonly Channel<Batch> queue;
    readonly Task[] workers;
    readonly CancellationTokenSource lingerStop = new();
    readonly Task lingerLoop;

    /// <summary>Sends through <paramref name="client"/> when given (e.g. a test server's client; not disposed here).</summary>
    public HttpIngestSender(Uri baseUrl, SimStats stats, HttpSenderOptions? options = null, GatewayLogin? gateway = null,
        HttpClient? client = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentNullException.ThrowIfNull(stats);
        this.options = options ?? new HttpSenderOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(this.options.BatchSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(this.options.BatchSize, HttpSenderOptions.MaxBatch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(this.options.Concurrency);
        this.stats = stats;
        this.gateway = gateway;
        this.time = time ?? TimeProvider.System;
        endpoint = new Uri(baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/"), IngestPath);
        ownsClient = client is null;
        http = client ?? new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = this.options.Concurrency,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        { Timeout = this.options.RequestTimeout };

        queue = Channel.CreateBounded<Batch>(new BoundedChannelOptions(this.options.Concurrency * 2) { SingleReader = false });
        workers = Enumerable.Range(0, this.options.Concurrency).Select(_ => Task.Run(WorkAsync)).ToArray();
        lingerLoop = Task.Run(LingerAsync);
    }

    public Uri Endpoint => endpoint;

    /// <summary>Opens (and closes) a TCP connection to the server, so an unreachable server is reported before the run.</summary>
    public static async Task CheckReachableAsync(Uri baseUrl, TimeSpan timeout, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        using var tcp = new TcpClient();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try { await tcp.ConnectAsync(baseUrl.Host, baseUrl.Port, cts.Token); }
        catch (SocketException e) { throw new SimConnectionException($"Cannot connect to {baseUrl.GetLeftPart(UriPartial.Authority)}: {e.Message}", e); }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        { throw new SimConnectionException($"Cannot connect to {baseUrl.GetLeftPart(UriPartial.Authority)}: no answer within {timeout.TotalSeconds:0} s", e); }
    }

    public ValueTask AddAsync(SimMessage message, bool urgent = false, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        Batch? ready = null;
        lock (gate)
        {
            var key = gateway?.Code ?? message.Device.Code;
            if (!pending.TryGetValue(key, out var batch))
            {
                var secret = gateway?.Secret ?? message.Device.Secret
                    ?? throw new InvalidOperationException($"Device {key} has no secret; give one in the device list or send through a gateway.");
                pending[key] = batch = new Batch(key, secret, time.GetTimestamp());
            }
            batch.Messages.Add(message);
            if (urgent || batch.Messages.Count >= options.BatchSize)
            {
                pending.Remove(key);
                ready = batch;
            }
        }
        return ready is null ? ValueTask.CompletedTask : queue.Writer.WriteAsync(ready, ct);
    }

    public async Task CompleteAsync(CancellationToken ct = default)
    {
        await lingerStop.CancelAsync();
        await lingerLoop;
        foreach (var batch in TakeBatches(_ => true)) await queue.Writer.WriteAsync(batch, ct);
        queue.Writer.TryComplete();
        await Task.WhenAll(workers).WaitAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await lingerStop.CancelAsync();
        try { await Task.WhenAll(workers.Append(lingerLoop)); }
        catch (OperationCanceledException) { }
        lingerStop.Dispose();
        if (ownsClient) http.Dispose();
    }

    List<Batch> TakeBatches(Func<Batch, bool> which)
    {
        lock (gate)
        {
            var taken = pending.Values.Where(which).ToList();
            foreach (var b in taken) pending.Remove(b.Key);
            return taken;
        }
    }

    async Task LingerAsync()
    {
        var period = TimeSpan.FromMilliseconds(Math.Clamp(options.Linger.TotalMilliseconds / 4, 10, 250));
        try
        {
            while (!lingerStop.IsCancellationRequested)
            {
                await Task.Delay(period, time, lingerStop.Token);
                foreach (var batch in TakeBatches(b => time.GetElapsedTime(b.StartedAt) >= options.Linger))
                    await queue.Writer.WriteAsync(batch, lingerStop.Token);
            }
        }
        catch (OperationCanceledException) { }
    }

    async Task WorkAsync()
    {
        await foreach (var batch in queue.Reader.ReadAllAsync()) await SendAsync(batch);
    }

    async Task SendAsync(Batch batch)
    {
        var count = batch.Messages.Count;
        var body = new ArrayBufferWriter<byte>(count * 96 + 32);
        WireFormat.WriteIngestBody(body, batch.Messages, withDevice: gateway is not null);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ReadOnlyMemoryContent(body.WrittenMemory) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Device-Id", batch.Key);
        request.Headers.Add("X-Device-Key", batch.Secret);

        stats.AddSent(count);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(request);
            var answer = await response.Content.ReadAsByteArrayAsync();
            stats.RecordLatency(Stopwatch.GetElapsedTime(started));
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    Tally(batch, answer);
                    break;
                case HttpStatusCode.Unauthorized:
                    stats.AddRejected(count, $"401 for {batch.Key}: wrong device id or key");
                    break;
                case HttpStatusCode.BadRequest:
                    stats.AddRejected(count, $"400 for {batch.Key}: {Shorten(answer)}");
                    break;
                default:
                    stats.AddErrors(count, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}: {Shorten(answer)}");
                    break;
            }
        }
        catch (HttpRequestException e)
        {
            stats.AddErrors(count, $"{endpoint}: {e.Message}{(e.InnerException is { } inner ? " " + inner.Message : "")}");
        }
        catch (TaskCanceledException)
        {
            stats.AddErrors(count, $"{endpoint}: no answer within {options.RequestTimeout.TotalSeconds:0} s");
        }
    }

    /// <summary>Reads <c>{"accepted":n,"rejected":[{index,device,reason}]}</c>; what the answer does not account for is an error.</summary>
    void Tally(Batch batch, byte[] answer)
    {
        var count = batch.Messages.Count;
        try
        {
            using var doc = JsonDocument.Parse(answer);
            var root = doc.RootElement;
            var accepted = root.TryGetProperty("accepted", out var a) && a.TryGetInt64(out var n) ? n : 0;
            long rejected = 0;
            string? reason = null;
            if (root.TryGetProperty("rejected", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                rejected = list.GetArrayLength();
                if (rejected > 0)
                {
                    var first = list[0];
                    var device = first.TryGetProperty("device", out var d) ? d.ToString() : batch.Key;
                    var why = first.TryGetProperty("reason", out var r) ? r.ToString() : "no reason given";
                    reason = $"rejected ({device}): {why}";
                }
            }
            stats.AddAccepted(accepted);
            stats.AddRejected(rejected, reason);
            if (accepted + rejected != count)
                stats.AddErrors(Math.Max(0, count - accepted - rejected), $"answer counts {accepted} accepted + {rejected} rejected of {count} sent");
        }
        catch (JsonException)
        {
            stats.AddErrors(count, $"200 with a body that is not the ingest answer: {Shorten(answer)}");
        }
    }

    static string Shorten(byte[] body)
    {
        var text = System.Text.Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 300)).ReplaceLineEndings(" ");
        return text.Length == 0 ? "(empty body)" : text;
    }

    sealed class Batch(string key, string secret, long startedAt)
    {
        public string Key { get; } = key;
        public string Secret { get; } = secret;
        public long StartedAt { get; } = startedAt;
        public List<SimMessage> Messages { get; } = [];
    }
}

/// <summary>The server or broker cannot be reached or refused the login; the message says which and why.</summary>
public sealed class SimConnectionException : Exception
{
    public SimConnectionException() { }
    public SimConnectionException(string message) : base(message) { }
    public SimConnectionException(string message, Exception inner) : base(message, inner) { }
}

using System.Diagnostics;
using System.Text.Json;
using Linli.Infrastructure.Persistence;
using Linli.Web.Features.Alarms;
using Linli.Web.Features.Devices;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace Linli.Web.Tests;

/// <summary>
/// The test RabbitMQ node (started by test.sh with the MQTT plugin): its addresses, settings for an app that uses it, a
/// device publishing through <c>mosquitto_pub</c>, and a SignalR listener. Each test gets its own device queue and live
/// exchange, so tests running at once on one broker never take each other's messages; they are deleted afterwards.
/// </summary>
sealed class BrokerKit : IAsyncDisposable
{
    public static string Amqp => Environment.GetEnvironmentVariable("LINLI_TEST_RABBITMQ") is { Length: > 0 } url ? url
        : throw new InvalidOperationException("LINLI_TEST_RABBITMQ is not set: RabbitMQ is missing. Run ./test.sh, which starts it (AMQP and MQTT).");

    /// <summary>The MQTT listener as (host, port), from <c>LINLI_TEST_MQTT</c> (<c>mqtt://host:port</c> or <c>host:port</c>).</summary>
    public static (string Host, int Port) Mqtt
    {
        get
        {
            var value = Environment.GetEnvironmentVariable("LINLI_TEST_MQTT") is { Length: > 0 } v ? v
                : throw new InvalidOperationException("LINLI_TEST_MQTT is not set: RabbitMQ's MQTT listener is missing. Run ./test.sh, which starts it.");
            var uri = new Uri(value.Contains("://", StringComparison.Ordinal) ? value : "mqtt://" + value);
            return (uri.Host, uri.Port);
        }
    }

    readonly string _suffix = Guid.NewGuid().ToString("N")[..12];

    public string DeviceQueue => $"linli.devices.test-{_suffix}";
    public string LiveExchange => $"linli.live.test-{_suffix}";

    /// <summary>Settings for every node of one test app: the broker, this test's queue and exchange.</summary>
    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Linli:RabbitMq:ConnectionString"] = Amqp,
        ["Linli:RabbitMq:DeviceQueue"] = DeviceQueue,
        ["Linli:RabbitMq:LiveExchange"] = LiveExchange,
        ["Linli:RabbitMq:ReconnectSeconds"] = "0.2",
        ["Linli:RabbitMq:DevicePartitions"] = Partitions.ToString(System.Globalization.CultureInfo.InvariantCulture),
        // Nodes of a test hear each other five times a second, and count one gone after a second of silence.
        ["Linli:Cluster:HeartbeatSeconds"] = "0.2",
        ["Linli:Cluster:MissedHeartbeats"] = "5",
    };

    public const int Partitions = 8;

    /// <summary>Waits until a node reads its device queue and hears the live exchange (a device publishing earlier would be lost).</summary>
    public static async Task ReadyAsync(LinliAppFactory node)
    {
        await node.Services.GetRequiredService<MqttIngestion>().Consuming.WaitAsync(TimeSpan.FromSeconds(30));
        await node.Services.GetRequiredService<RabbitMqLiveBus>().Connected.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Publishes one MQTT message (QoS 1) the way a device does, with the Debian mosquitto client.</summary>
    public static async Task PublishAsync(string topic, string payload)
    {
        var (host, port) = Mqtt;
        var user = new Uri(Amqp).UserInfo.Split(':');
        var start = new ProcessStartInfo("mosquitto_pub") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-h", host, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-u", Uri.UnescapeDataString(user[0]),
            "-P", Uri.UnescapeDataString(user.ElementAtOrDefault(1) ?? ""), "-q", "1", "-t", topic, "-m", payload })
            start.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("mosquitto_pub is missing (Debian package mosquitto-clients; test.sh installs it).", e);
        }
        using (process)
        {
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(process.ExitCode == 0, $"mosquitto_pub failed ({process.ExitCode}): {await error}");
        }
    }

    public static Task PublishAsync(string code, object payload, string kind = "telemetry") =>
        PublishAsync($"devices/{code}/{kind}", JsonSerializer.Serialize(payload));

    /// <summary>Readings of a device in the database (what survived, not what a node holds in memory).</summary>
    public static async Task<int> StoredReadingsAsync(LinliAppFactory node, long deviceId)
    {
        using var scope = node.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        return await db.Readings.IgnoreQueryFilters().CountAsync(r => r.DeviceId == deviceId);
    }

    /// <summary>A browser's SignalR connection to one node's hub, signed in as <paramref name="userName"/>, keeping what it hears.</summary>
    public static async Task<HubListener> ListenAsync(LinliAppFactory node, string hubPath, string userName, params string[] methods)
    {
        using var client = await node.ClientAsAsync(userName);
        var token = client.DefaultRequestHeaders.Authorization!.Parameter;
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(node.Server.BaseAddress, hubPath), o =>
            {
                // WebSockets, as a browser connects (the hubs read the user when the connection opens, from its request).
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                o.WebSocketFactory = async (context, ct) =>
                {
                    var ws = node.Server.CreateWebSocketClient();
                    ws.ConfigureRequest = r => r.Headers.Authorization = "Bearer " + token;
                    return await ws.ConnectAsync(context.Uri, ct);
                };
            })
            .Build();
        var listener = new HubListener(connection);
        foreach (var method in methods) connection.On<JsonElement>(method, payload => listener.Add(method, payload));
        await connection.StartAsync();
        // StartAsync returns on the handshake, before the hub puts the connection into its groups; invocations are answered
        // only after that. The hub has no method of this name: its refusal is the answer that says the groups are joined.
        try { await connection.InvokeAsync("joined"); }
        catch (HubException) { }
        return listener;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            var factory = new ConnectionFactory { Uri = new Uri(Amqp) };
            await using var connection = await factory.CreateConnectionAsync();
            await using var channel = await connection.CreateChannelAsync();
            for (var p = 0; p < Partitions; p++) await channel.QueueDeleteAsync($"{DeviceQueue}.{p:00}", ifUnused: false, ifEmpty: false);
            await channel.ExchangeDeleteAsync($"{DeviceQueue}.hash", ifUnused: false);
            await channel.ExchangeDeleteAsync(LiveExchange, ifUnused: false);
        }
        catch (InvalidOperationException)
        {
            // No broker configured: the test has already failed saying so.
        }
    }
}

sealed class HubListener(HubConnection connection) : IAsyncDisposable
{
    readonly System.Threading.Channels.Channel<(string Method, JsonElement Payload)> _heard =
        System.Threading.Channels.Channel.CreateUnbounded<(string, JsonElement)>();

    public void Add(string method, JsonElement payload) => _heard.Writer.TryWrite((method, payload.Clone()));

    /// <summary>The first message matching <paramref name="match"/> heard within <paramref name="within"/>.</summary>
    public async Task<JsonElement> WaitForAsync(string method, Func<JsonElement, bool> match, TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(15));
        try
        {
            while (true)
            {
                var heard = await _heard.Reader.ReadAsync(timeout.Token);
                if (heard.Method == method && match(heard.Payload)) return heard.Payload;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No matching \"{method}\" message arrived.");
        }
    }

    public ValueTask DisposeAsync() => connection.DisposeAsync();
}

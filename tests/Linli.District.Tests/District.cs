using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Linli.Infrastructure.Seeding;
using Npgsql;

namespace Linli.District.Tests;

/// <summary>
/// A small district started with <c>scripts/district.sh up</c> for the tests of this project, on ports of its own: a
/// PostgreSQL primary with a streaming replica, RabbitMQ (AMQP, MQTT, consistent hash), three Linli web nodes as their own
/// processes and HAProxy in front, all on 127.0.0.1. Torn down and removed afterwards. A part that does not come up fails
/// the run and says which (the script's own message, and the tail of its log).
/// </summary>
public sealed class District : IAsyncLifetime
{
    public const int Nodes = 3;
    const int LoadBalancerPort = 5180;
    const int FirstNodePort = 5181;
    const int PrimaryPort = 55532;
    public const int MqttPort = 1993;
    public const int CityPort = 5190;
    public const string CityUrl = "http://127.0.0.1:5190/linli/";
    public const string CityKeyId = "city-test";
    public const string CityKey = "district-test-shared-key-0123456789abcdef";

    readonly string _dir = Path.Combine(Path.GetTempPath(), "linli-district-test-" + Guid.NewGuid().ToString("N")[..8]);
    readonly Dictionary<string, string> _environment;

    public District()
    {
        _environment = new()
        {
            ["LINLI_DISTRICT_DIR"] = _dir,
            ["LINLI_DISTRICT_PORT"] = LoadBalancerPort.ToString(CultureInfo.InvariantCulture),
            ["LINLI_DISTRICT_NODE_PORT"] = FirstNodePort.ToString(CultureInfo.InvariantCulture),
            ["LINLI_DISTRICT_PG_PORT"] = PrimaryPort.ToString(CultureInfo.InvariantCulture),
            ["LINLI_DISTRICT_AMQP_PORT"] = "5783",
            ["LINLI_DISTRICT_MQTT_PORT"] = MqttPort.ToString(CultureInfo.InvariantCulture),
            ["LINLI_DISTRICT_DIST_PORT"] = "25783",
            ["LINLI_DISTRICT_EPMD_PORT"] = "43801",
            ["LINLI_DISTRICT_NO_BUILD"] = "1",
            ["LINLI_CONFIGURATION"] = Configuration,
            // Nodes hear each other twice a second and count one gone after two seconds of silence.
            ["Linli__Cluster__HeartbeatSeconds"] = "0.5",
            ["Linli__Cluster__MissedHeartbeats"] = "4",
            // The tests report more cases as one resident than a resident may in a day.
            ["Linli__Cases__DailyLimitPerResident"] = "1000",
            // The link with a higher platform: the simulated city of the tests listens here (or, on purpose, does not).
            ["Linli__Exchange__Upstream__Url"] = CityUrl,
            ["Linli__Exchange__Upstream__KeyId"] = CityKeyId,
            ["Linli__Exchange__Upstream__Key"] = CityKey,
            ["Linli__Exchange__Upstream__Source"] = "330199",
            ["Linli__Exchange__Upstream__RetrySeconds"] = "1",
            ["Linli__Exchange__Upstream__MaxRetrySeconds"] = "2",
            ["Linli__Exchange__Upstream__PollSeconds"] = "0.5",
        };
    }

    static string Configuration =>
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    public Uri LoadBalancer { get; } = new($"http://127.0.0.1:{LoadBalancerPort}");

    public static Uri Node(int i) => new($"http://127.0.0.1:{FirstNodePort + i - 1}");

    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = PrimaryPort, Username = "linli", Database = "linli",
        Password = File.ReadAllText(Path.Combine(_dir, "db.password")).Trim(), Pooling = false,
    }.ConnectionString;

    public async Task InitializeAsync() => await ScriptAsync(TimeSpan.FromMinutes(15), "up", "--nodes", Nodes.ToString(CultureInfo.InvariantCulture), "--seed", "demo");

    public async Task DisposeAsync() => await ScriptAsync(TimeSpan.FromMinutes(2), "down", "--purge");

    /// <summary>SIGKILL: no shutdown, no goodbye to the other nodes.</summary>
    public Task KillAsync(int node) => ScriptAsync(TimeSpan.FromMinutes(1), "kill", node.ToString(CultureInfo.InvariantCulture));

    public Task StartAsync(int node) => ScriptAsync(TimeSpan.FromMinutes(3), "start", node.ToString(CultureInfo.InvariantCulture));

    async Task ScriptAsync(TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Root };
        start.ArgumentList.Add(Path.Combine(Root, "scripts", "district.sh"));
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (k, v) in _environment) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"district.sh {string.Join(' ', args)} did not finish within {timeout}: {await error}");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"district.sh {string.Join(' ', args)} failed ({process.ExitCode}): {await output}\n{await error}");
    }

    /// <summary>The repository: where Linli.slnx is, above this test's binaries.</summary>
    static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Linli.slnx"))) return dir.FullName;
            throw new InvalidOperationException("Linli.slnx not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>An API client through the load balancer (or one node), signed in as a demo account.</summary>
    public async Task<HttpClient> ClientAsAsync(string userName, Uri? at = null)
    {
        var client = new HttpClient { BaseAddress = at ?? LoadBalancer, Timeout = TimeSpan.FromSeconds(30) };
        using var token = await client.PostAsJsonAsync("/api/v1/auth/token", new { userName, password = RegistrySeeder.DemoPassword });
        token.EnsureSuccessStatusCode();
        var body = await token.Content.ReadFromJsonAsync<JsonElement>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.GetProperty("accessToken").GetString());
        return client;
    }

    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        return (T)Convert.ChangeType((await cmd.ExecuteScalarAsync())!, typeof(T), CultureInfo.InvariantCulture);
    }

    public async Task<List<T>> ColumnAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        await using var reader = await cmd.ExecuteReaderAsync();
        var list = new List<T>();
        while (await reader.ReadAsync()) list.Add(reader.IsDBNull(0) ? default! : reader.GetFieldValue<T>(0));
        return list;
    }

    /// <summary>Publishes each payload as one MQTT message (QoS 1) with the Debian mosquitto client; returns once every one is acknowledged by the broker.</summary>
    public static async Task PublishAsync(string topic, IEnumerable<string> payloads)
    {
        var start = new ProcessStartInfo("mosquitto_pub") { RedirectStandardInput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-h", "127.0.0.1", "-p", MqttPort.ToString(CultureInfo.InvariantCulture), "-u", "guest", "-P", "guest", "-q", "1", "-t", topic, "-l" })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("mosquitto_pub could not start (Debian package mosquitto-clients).");
        foreach (var p in payloads) await process.StandardInput.WriteLineAsync(p);
        process.StandardInput.Close();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(process.ExitCode == 0, $"mosquitto_pub failed ({process.ExitCode}): {await error}");
    }

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Waited {within.TotalSeconds:0} s: {what}");
            await Task.Delay(250);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DistrictCollection : ICollectionFixture<District>
{
    public const string Name = "district";
}

using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Linli.Infrastructure.Seeding;
using Linli.Web.Features.Identity;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>
/// The real app on its own fresh database (see <see cref="TestDatabase"/>), with the SMS adapter captured.
/// <paramref name="settings"/> override the test defaults, e.g. <c>Linli:Cases:DailyLimitPerResident</c>;
/// <paramref name="services"/> adds to the app's services (a probe on a port).
/// </summary>
public sealed class LinliAppFactory(string connectionString, string seed = "demo", IReadOnlyDictionary<string, string>? settings = null,
    Action<IServiceCollection>? services = null, string? filesPath = null)
    : WebApplicationFactory<Program>
{
    readonly ConcurrentDictionary<string, string> _tokens = new();
    readonly string _dataDir = Path.Combine(Path.GetTempPath(), "linli-tests", "data-" + Guid.NewGuid().ToString("N"));

    public CapturingSmsSender Sms { get; } = new();

    /// <summary>The app's <see cref="TimeProvider"/>: move it forward to reach deadlines and schedules.</summary>
    public TestClock Clock { get; } = new();

    /// <summary>The database this app runs on, for another app on the same one (a restart, a second web node).</summary>
    public string ConnectionString => connectionString;

    public IReadOnlyDictionary<string, string> Settings { get; } = settings ?? new Dictionary<string, string>();

    /// <summary>The file store's directory (<c>Linli:Files:Path</c>), shared by the nodes of one <see cref="TestApp"/> as a district's are.</summary>
    public string? FilesPath => filesPath;

    /// <summary>A new app on a fresh copy of the seeded demo district.</summary>
    public static async Task<TestApp> StartAsync(IReadOnlyDictionary<string, string>? settings = null, Action<IServiceCollection>? services = null)
    {
        var (cs, drop) = await TestDatabase.CreateAsync();
        var files = Path.Combine(Path.GetTempPath(), "linli-tests", "files-" + Guid.NewGuid().ToString("N"));
        return new TestApp(new LinliAppFactory(cs, settings: settings, services: services, filesPath: files), async () =>
        {
            await drop();
            if (Directory.Exists(files)) Directory.Delete(files, recursive: true);
        });
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Linli:Database:Provider", TestDatabase.Provider.ToString());
        builder.UseSetting("Linli:Database:ConnectionString", connectionString);
        builder.UseSetting("Linli:Seed", seed);
        builder.UseSetting("Linli:Privacy:Key", TestDatabase.PrivacyKey);
        builder.UseSetting("Linli:DataDirectory", _dataDir);
        if (filesPath is not null) builder.UseSetting("Linli:Files:Path", filesPath);
        builder.UseSetting("Linli:SignIn:PermitPerMinute", "1000");
        builder.UseSetting("Linli:Cases:TimerPollSeconds", "0.2");
        builder.UseSetting("Linli:Alarms:TimerPollSeconds", "0.2");
        builder.UseSetting("Linli:Devices:TickSeconds", "0.2");
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        builder.ConfigureTestServices(s =>
        {
            s.AddSingleton<ISmsSender>(Sms);
            s.AddSingleton<TimeProvider>(Clock);
            services?.Invoke(s);
        });
    }

    /// <summary>An API client signed in as one of the demo accounts with a bearer token.</summary>
    public async Task<HttpClient> ClientAsAsync(string userName)
    {
        var token = _tokens.GetValueOrDefault(userName) ?? await TokenAsync(userName);
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    async Task<string> TokenAsync(string userName)
    {
        using var anonymous = CreateClient();
        var response = await anonymous.PostAsJsonAsync("/api/v1/auth/token", new { userName, password = RegistrySeeder.DemoPassword });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<TokenResponse>();
        return _tokens[userName] = body!.AccessToken;
    }

    sealed record TokenResponse(string AccessToken);

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (Directory.Exists(_dataDir)) Directory.Delete(_dataDir, recursive: true);
    }
}

/// <summary>A started test app and its database; disposing drops the database.</summary>
public sealed class TestApp(LinliAppFactory factory, Func<Task> drop) : IAsyncDisposable
{
    readonly List<LinliAppFactory> _nodes = [];

    public LinliAppFactory Factory { get; } = factory;

    /// <summary>
    /// Another app process on the same database: a restart after <see cref="StopAsync"/>, or a second web node next to
    /// this one. It shares nothing in memory with the first, only the database and the file store's directory; its clock
    /// starts <paramref name="clockAhead"/> ahead of real time.
    /// </summary>
    public LinliAppFactory StartNode(TimeSpan clockAhead = default, IReadOnlyDictionary<string, string>? settings = null,
        Action<IServiceCollection>? services = null)
    {
        var node = new LinliAppFactory(Factory.ConnectionString, settings: settings ?? Factory.Settings, services: services, filesPath: Factory.FilesPath);
        node.Clock.Advance(clockAhead);
        lock (_nodes) _nodes.Add(node);
        _ = node.Services; // starts the host: migrations, hosted services, timers
        return node;
    }

    /// <summary>Shuts this app down as a process would be stopped; the database stays for <see cref="StartNode"/>.</summary>
    public ValueTask StopAsync() => Factory.DisposeAsync();

    public Task<HttpClient> ClientAsAsync(string userName) => Factory.ClientAsAsync(userName);

    public HttpClient Anonymous() => Factory.CreateClient();

    public TestClock Clock => Factory.Clock;

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
        await Factory.DisposeAsync();
        await drop();
    }
}

/// <summary>The SMS adapter for tests: keeps what would have been sent, so a test can read the one-time code.</summary>
public sealed class CapturingSmsSender : ISmsSender
{
    public ConcurrentQueue<(string Phone, string Message)> Sent { get; } = new();

    public Task SendAsync(string phone, string message, CancellationToken ct)
    {
        Sent.Enqueue((phone, message));
        return Task.CompletedTask;
    }
}

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

/// <summary>The real app on its own fresh database (see <see cref="TestDatabase"/>), with the SMS adapter captured.</summary>
public sealed class LinliAppFactory(string connectionString, string seed = "demo") : WebApplicationFactory<Program>
{
    readonly ConcurrentDictionary<string, string> _tokens = new();
    readonly string _dataDir = Path.Combine(Path.GetTempPath(), "linli-tests", "data-" + Guid.NewGuid().ToString("N"));

    public CapturingSmsSender Sms { get; } = new();

    /// <summary>The app's TimeProvider; tests move it forward.</summary>
    public TestClock Clock { get; } = new();

    /// <summary>A new app on a fresh copy of the seeded demo district.</summary>
    public static async Task<TestApp> StartAsync()
    {
        var (cs, drop) = await TestDatabase.CreateAsync();
        return new TestApp(new LinliAppFactory(cs), drop);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Linli:Database:Provider", TestDatabase.Provider.ToString());
        builder.UseSetting("Linli:Database:ConnectionString", connectionString);
        builder.UseSetting("Linli:Seed", seed);
        builder.UseSetting("Linli:Privacy:Key", TestDatabase.PrivacyKey);
        builder.UseSetting("Linli:DataDirectory", _dataDir);
        builder.UseSetting("Linli:SignIn:PermitPerMinute", "1000");
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<ISmsSender>(Sms);
            services.AddSingleton<TimeProvider>(Clock);
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
    public LinliAppFactory Factory { get; } = factory;

    public Task<HttpClient> ClientAsAsync(string userName) => Factory.ClientAsAsync(userName);

    public HttpClient Anonymous() => Factory.CreateClient();

    public TestClock Clock => Factory.Clock;

    public async ValueTask DisposeAsync()
    {
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

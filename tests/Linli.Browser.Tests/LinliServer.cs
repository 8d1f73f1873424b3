using System.Net;
using Linli.Infrastructure.Persistence;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Browser.Tests;

/// <summary>
/// The real app behind Kestrel on 127.0.0.1 (a browser cannot reach the in-memory test server), on a fresh SQLite file
/// seeded with the demo district.
/// </summary>
public sealed class LinliServer : WebApplicationFactory<Program>
{
    /// <summary>A fixed personal-data key, so the run does not depend on a key file from an earlier run.</summary>
    const string PrivacyKey = "bGlubGktdGVzdC1rZXktMzItYnl0ZXMtbG9uZy0wMDA=";

    readonly string _dir = Path.Combine(Path.GetTempPath(), "linli-browser-tests", Guid.NewGuid().ToString("N"));

    public LinliServer()
    {
        Directory.CreateDirectory(_dir);
        UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            ?? throw new InvalidOperationException("Kestrel did not report its address.");
        BaseAddress = new Uri(addresses.Single());
    }

    /// <summary>Where the browser finds the app, e.g. http://127.0.0.1:41234.</summary>
    public Uri BaseAddress { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Linli:Database:Provider", nameof(DatabaseProvider.Sqlite));
        builder.UseSetting("Linli:Database:ConnectionString", $"Data Source={Path.Combine(_dir, "linli.db")}");
        builder.UseSetting("Linli:Seed", "demo");
        builder.UseSetting("Linli:Privacy:Key", PrivacyKey);
        builder.UseSetting("Linli:DataDirectory", Path.Combine(_dir, "data"));
        // Every test signs in through the page; the per-minute sign-in limit is for people, not for this suite.
        builder.UseSetting("Linli:SignIn:PermitPerMinute", "1000");
        // Request logs of a whole browser session would bury the test output.
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { /* a file still held open is left for the OS temp cleaner */ }
    }
}

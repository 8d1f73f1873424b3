using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using Linli.Infrastructure.Seeding;

namespace Linli.Web.Tests;

/// <summary>
/// The built Linli.Web running as its own operating-system process on 127.0.0.1, so that a test can kill it the hard way
/// (SIGKILL: no shutdown, no flushing) and start it again on the same database. Disposing always kills what is left.
/// </summary>
sealed class ServerProcess : IAsyncDisposable
{
    // If the test host itself goes away (a hang timeout), no server may outlive it.
    static readonly ConcurrentDictionary<int, Process> Running = new();

    static ServerProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var p in Running.Values) TryKill(p);
    };

    readonly Process _process;
    readonly ConcurrentQueue<string> _output = new();
    readonly string _dataDir;

    ServerProcess(Process process, Uri address, string dataDir)
    {
        _process = process;
        Address = address;
        _dataDir = dataDir;
    }

    public Uri Address { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Starts the server on <paramref name="connectionString"/> and returns once it reports healthy.</summary>
    public static async Task<ServerProcess> StartAsync(string connectionString, TimeSpan within, IReadOnlyDictionary<string, string>? settings = null)
    {
        var dll = WebAssembly();
        var port = FreePort();
        var dataDir = Path.Combine(Path.GetTempPath(), "linli-tests", "data-" + Guid.NewGuid().ToString("N"));
        var info = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { dll, "--urls", $"http://127.0.0.1:{port}", "--contentRoot", Path.GetDirectoryName(dll)! }) info.ArgumentList.Add(arg);
        // Settings the test host may carry in its own environment must not leak into the server.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("Linli__", StringComparison.OrdinalIgnoreCase)
            || k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)).ToList()) info.Environment.Remove(key);
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Linli__Database__Provider"] = TestDatabase.Provider.ToString();
        info.Environment["Linli__Database__ConnectionString"] = connectionString;
        // The template already holds the demo district; nothing more is seeded.
        info.Environment["Linli__Seed"] = "none";
        info.Environment["Linli__Privacy__Key"] = TestDatabase.PrivacyKey;
        info.Environment["Linli__DataDirectory"] = dataDir;
        info.Environment["Linli__SignIn__PermitPerMinute"] = "1000";
        // The test measures durability, not the per-device rate limit.
        info.Environment["Linli__Devices__RatePerSecond"] = "1000000";
        info.Environment["Linli__Devices__RateBurst"] = "1000000";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;

        var process = new Process { StartInfo = info };
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}"), dataDir);
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        if (!process.Start()) throw new InvalidOperationException($"Could not start {dll}.");
        Running[process.Id] = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitHealthyAsync(within);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    async Task WaitHealthyAsync(TimeSpan within)
    {
        using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The server exited with code {_process.ExitCode} while starting.{Output()}");
            try
            {
                using var health = await client.GetAsync("/health");
                if (health.StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The server did not become healthy within {within.TotalSeconds:0} s.{Output()}");
            await Task.Delay(100);
        }
    }

    /// <summary>A client for this server signed in as a demo account with a bearer token.</summary>
    public async Task<HttpClient> ClientAsAsync(string userName)
    {
        var client = Anonymous();
        using var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { userName, password = RegistrySeeder.DemoPassword });
        await response.ExpectAsync(HttpStatusCode.OK);
        var token = await response.Content.ReadFromJsonAsync<TokenAnswer>(Api.Json);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token!.AccessToken);
        return client;
    }

    public HttpClient Anonymous() => new() { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>SIGKILL for the server: it gets no chance to finish anything.</summary>
    public void Kill()
    {
        TryKill(_process);
        _process.WaitForExit(10_000);
    }

    /// <summary>The last lines the server printed, for failure messages.</summary>
    public string Output() => _output.IsEmpty ? "" : Environment.NewLine + "Server output (last lines):" + Environment.NewLine + string.Join(Environment.NewLine, _output);

    void Keep(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > 60) _output.TryDequeue(out _);
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            Kill();
        }
        finally
        {
            Running.TryRemove(_process.Id, out _);
            _process.Dispose();
            try
            {
                if (Directory.Exists(_dataDir)) Directory.Delete(_dataDir, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder left behind is untidy, not wrong.
            }
        }
        return ValueTask.CompletedTask;
    }

    static void TryKill(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It has already gone.
        }
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Linli.Web.dll as built for this test run: the test project references the web project, so it sits next to the test
    /// assembly with its runtimeconfig; otherwise the web project's own output for the same configuration.
    /// </summary>
    static string WebAssembly()
    {
        var here = AppContext.BaseDirectory;
        var candidates = new List<string> { here };
        var framework = new DirectoryInfo(here.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent;
        for (var dir = framework; dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Linli.slnx"))) continue;
            if (configuration is not null)
                candidates.Add(Path.Combine(dir.FullName, "src", "Linli.Web", "bin", configuration.Name, framework.Name));
            break;
        }
        foreach (var dir in candidates)
        {
            var dll = Path.Combine(dir, "Linli.Web.dll");
            if (File.Exists(dll) && File.Exists(Path.Combine(dir, "Linli.Web.runtimeconfig.json"))) return dll;
        }
        throw new InvalidOperationException($"Linli.Web.dll with its runtimeconfig was not found in: {string.Join(", ", candidates)}. Build the solution first.");
    }

    /// <summary>The dotnet host that runs this test run (the CLI passes it down), else the one on PATH.</summary>
    static string DotnetHost()
    {
        var fromCli = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromCli) && File.Exists(fromCli)) return fromCli;
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        return "dotnet";
    }

    sealed record TokenAnswer(string AccessToken);
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Linli.Bench;

/// <summary>
/// The real Linli.Web, started as a child process on a free loopback port against a given database, with no seeding.
/// Requests go over loopback one at a time, so client time is server time plus a fraction of a millisecond; the app's
/// own <c>Server-Timing</c> header is recorded as well.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    readonly Process _process;
    readonly HttpClient _http;

    AppProcess(Process process, HttpClient http)
    {
        _process = process;
        _http = http;
    }

    public Uri BaseAddress => _http.BaseAddress!;

    public int ProcessId => _process.Id;

    public static async Task<AppProcess> StartAsync(BenchDatabase database, string repoRoot, string connectionString, TextWriter log, string seed = "none",
        IReadOnlyDictionary<string, string>? settings = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(log);
        var dll = Path.Combine(repoRoot, "src", "Linli.Web", "bin", "Release", "net10.0", "Linli.Web.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is missing: build with `dotnet build -c Release bench/Linli.Bench` first.");
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        var appData = Path.Combine(database.DataDirectory, "app");
        Directory.CreateDirectory(appData);
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(url);
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Linli__Database__Provider"] = database.Provider.ToString();
        info.Environment["Linli__Database__ConnectionString"] = connectionString;
        info.Environment["Linli__Seed"] = seed;
        info.Environment["Linli__Privacy__Key"] = BenchDatabase.PrivacyKey;
        info.Environment["Linli__DataDirectory"] = appData;
        info.Environment["Linli__SignIn__PermitPerMinute"] = "100";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) info.Environment[key] = value;
        var logFile = Path.Combine(database.DataDirectory, $"app-{database.ProviderName}.log");
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start Linli.Web.");
        var sink = new StreamWriter(logFile) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (sink) sink.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (sink) sink.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var http = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(120) };
        var app = new AppProcess(process, http);
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"Linli.Web exited with {process.ExitCode} during start-up; see {logFile}.");
            try
            {
                using var health = await http.GetAsync(new Uri("/health", UriKind.Relative));
                if (health.StatusCode == HttpStatusCode.OK) break;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            if (DateTime.UtcNow > deadline)
            {
                await app.DisposeAsync();
                throw new TimeoutException($"Linli.Web did not become healthy within 5 minutes; see {logFile}.");
            }
            await Task.Delay(500);
        }
        log.WriteLine($"[{database.ProviderName}] Linli.Web is up on {url} (log: {Path.GetFileName(logFile)})");
        return app;
    }

    /// <summary>Signs in with the demo password and returns the bearer token.</summary>
    public async Task<string> TokenAsync(string userName)
    {
        using var response = await _http.PostAsJsonAsync(new Uri("/api/v1/auth/token", UriKind.Relative), new { userName, password = "Linli@2026" });
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Sign-in as {userName} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("accessToken").GetString()!;
    }

    public sealed record Timed(HttpStatusCode Status, double ClientMs, double? ServerMs, int Bytes, string Body);

    /// <summary>One request, timed from send until the whole body is read.</summary>
    public async Task<Timed> GetAsync(string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var started = Stopwatch.GetTimestamp();
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
        var body = await response.Content.ReadAsStringAsync();
        var ms = Samples.Ms(started);
        return new Timed(response.StatusCode, ms, ServerMs(response), body.Length, body);
    }

    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string token)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _http.SendAsync(request);
    }

    static double? ServerMs(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Server-Timing", out var values)) return null;
        foreach (var part in string.Join(',', values).Split([',', ';'], StringSplitOptions.TrimEntries))
            if (part.StartsWith("dur=", StringComparison.Ordinal) && double.TryParse(part[4..], NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return d;
        return null;
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

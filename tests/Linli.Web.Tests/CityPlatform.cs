using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Json.Schema;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Linli.Web.Tests;

/// <summary>
/// A simulated city platform on 127.0.0.1 (a free port), written from docs/exchange.md rather than from the app's code:
/// it checks each push's signature with its own HMAC and the timestamp against its own clock, keeps each message id once
/// (as the documentation asks a receiver to), can be taken down (it answers 503) and brought back, and sends signed
/// tasks and notices down.
/// </summary>
sealed class CityPlatform : IAsyncDisposable
{
    public const string KeyId = "city-2026";
    public const string Key = "a-shared-key-of-the-link-at-least-32-characters";

    readonly WebApplication _app;

    /// <summary>Every call, in the order it came, with whether its signature checked out.</summary>
    public ConcurrentQueue<Arrival> Calls { get; } = new();

    /// <summary>The messages kept: each id once, in the order first taken.</summary>
    public ConcurrentQueue<Arrival> Kept { get; } = new();

    readonly ConcurrentDictionary<string, bool> _ids = new();

    /// <summary>While true, every call is answered 503 and nothing is kept.</summary>
    public volatile bool Down;

    /// <summary>The city's clock, for the timestamp window: the app's when a test moves the app's clock on.</summary>
    public Func<DateTimeOffset> Now { get; set; } = () => DateTimeOffset.UtcNow;

    /// <summary>How long each call takes to answer.</summary>
    public TimeSpan Thinking { get; set; }

    public sealed record Arrival(string MessageId, string Type, string Body, bool SignatureOk, int Status)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement;
        public JsonElement Data => Json.GetProperty("data");
        public string Subject => Json.GetProperty("subject").GetString()!;
    }

    CityPlatform(WebApplication app) => _app = app;

    public string Url => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/exchange/v1/messages";

    /// <summary>The settings that link an app to this platform, with retries fast enough for a test.</summary>
    public Dictionary<string, string> Settings(Dictionary<string, string>? more = null)
    {
        var s = new Dictionary<string, string>
        {
            ["Linli:Exchange:Upstream:Url"] = Url,
            ["Linli:Exchange:Upstream:KeyId"] = KeyId,
            ["Linli:Exchange:Upstream:Key"] = Key,
            ["Linli:Exchange:Upstream:Source"] = "330199",
            ["Linli:Exchange:Upstream:Name"] = "明州市城市运行平台",
            ["Linli:Exchange:Upstream:PollSeconds"] = "0.2",
            ["Linli:Exchange:Upstream:RetrySeconds"] = "0.5",
            ["Linli:Exchange:Upstream:MaxRetrySeconds"] = "1",
            ["Linli:Exchange:Upstream:TimeoutSeconds"] = "2",
        };
        foreach (var (k, v) in more ?? []) s[k] = v;
        return s;
    }

    public static async System.Threading.Tasks.Task<CityPlatform> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        CityPlatform? self = null;
        app.MapPost("/exchange/v1/messages", async (HttpContext ctx) =>
        {
            using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var h = ctx.Request.Headers;
            var timestamp = h["X-Linli-Timestamp"].ToString();
            var nonce = h["X-Linli-Nonce"].ToString();
            var fresh = long.TryParse(timestamp, CultureInfo.InvariantCulture, out var ts)
                && Math.Abs(self!.Now().ToUnixTimeSeconds() - ts) <= 300;
            var ok = fresh && h["X-Linli-Key-Id"].ToString() == KeyId && nonce.Length >= 16
                && h["X-Linli-Signature"].ToString() == "sha256=" + IndependentHmac.Sha256Hex(Key, $"{timestamp}\n{nonce}\n{body}");
            var id = "";
            var type = h["X-Linli-Message-Type"].ToString();
            try { id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString() ?? ""; }
            catch (JsonException) { ok = false; }
            if (self!.Thinking > TimeSpan.Zero) await System.Threading.Tasks.Task.Delay(self.Thinking);
            var status = self.Down ? 503 : ok ? 200 : 401;
            var arrival = new Arrival(id, type, body, ok, status);
            self.Calls.Enqueue(arrival);
            if (status == 200 && self._ids.TryAdd(id, true)) self.Kept.Enqueue(arrival);
            return Results.StatusCode(status);
        });
        self = new CityPlatform(app);
        await app.StartAsync();
        return self;
    }

    public IEnumerable<Arrival> OfSubject(string subject) => Kept.Where(a => a.Subject == subject);

    /// <summary>Waits until a kept message matches, or fails saying what did arrive.</summary>
    public async System.Threading.Tasks.Task<Arrival> WaitForAsync(Func<Arrival, bool> match, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            if (Kept.FirstOrDefault(match) is { } found) return found;
            await System.Threading.Tasks.Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException("Not arrived. Kept: " + string.Join(", ", Kept.Select(a => $"{a.Type} {a.Subject}")));
    }

    /// <summary>A signed message sent down to the app, as the city's own client would send it.</summary>
    public static HttpRequestMessage Signed(object message, string key = Key, string keyId = KeyId, DateTimeOffset? at = null, string? nonce = null)
    {
        var body = JsonSerializer.Serialize(message);
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        nonce ??= Guid.NewGuid().ToString("N");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/exchange/inbound") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add("X-Linli-Key-Id", keyId);
        request.Headers.Add("X-Linli-Timestamp", timestamp);
        request.Headers.Add("X-Linli-Nonce", nonce);
        request.Headers.Add("X-Linli-Signature", "sha256=" + IndependentHmac.Sha256Hex(key, $"{timestamp}\n{nonce}\n{body}"));
        return request;
    }

    public static object TaskMessage(string id, string communityCode, string title, string reference, string? categoryCode = null) => new
    {
        version = "1", id, type = "task", subject = $"task:{reference}", source = "3302", occurredAt = DateTimeOffset.UtcNow,
        data = new { reference, communityCode, categoryCode, title, description = "市民热线12345转办", address = "3号楼东侧" },
    };

    public static object NoticeMessage(string id, string placeCode, string title, string reference) => new
    {
        version = "1", id, type = "notice", subject = $"notice:{reference}", source = "3302", occurredAt = DateTimeOffset.UtcNow,
        data = new { reference, placeCode, title, body = "本周六上午开展消防安全检查，请居民配合。", urgent = true },
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>The published schemas of docs/exchange/v1, read from the repository, and a message checked against its type's.</summary>
static class ExchangeSchemas
{
    static readonly Lazy<Dictionary<string, JsonSchema>> Schemas = new(() =>
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Linli.slnx"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("No Linli.slnx above the tests.");
        var options = new BuildOptions();
        return Directory.EnumerateFiles(Path.Combine(root, "docs", "exchange", "v1"), "*.schema.json")
            .ToDictionary(f => Path.GetFileName(f)[..^".schema.json".Length], f => JsonSchema.FromText(File.ReadAllText(f), options));
    });

    /// <summary>The schema a message type is published under: <c>case.closed</c> → case, <c>statistics.community</c> → itself.</summary>
    public static string FileOf(string type) => Schemas.Value.ContainsKey(type) ? type : type.Split('.')[0];

    public static void AssertValid(string name, string json)
    {
        var result = Schemas.Value[name].Evaluate(JsonDocument.Parse(json).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        var errors = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).ToList();
        Assert.True(result.IsValid, $"{name}: {string.Join("; ", errors)}\n{json}");
    }
}

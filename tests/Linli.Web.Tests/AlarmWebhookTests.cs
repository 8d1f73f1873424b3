using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Linli.Domain.Devices;
using Linli.Web.Features.Alarms;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Linli.Web.Tests;

/// <summary>A small HTTP receiver on 127.0.0.1 (a free port) standing in for a street platform's webhook endpoint.</summary>
sealed class Receiver : IAsyncDisposable
{
    readonly WebApplication _app;
    public ConcurrentQueue<(string Event, string Body, bool SignatureOk, DateTime At)> Received { get; } = new();
    /// <summary>The X-Linli-Delivery id of every call, in the order the calls came.</summary>
    public ConcurrentQueue<long> DeliveryIds { get; } = new();
    public int Calls;

    Receiver(WebApplication app) => _app = app;

    public string Url => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hook";

    /// <summary><paramref name="answer"/> gets the call number (1, 2, …) and returns the status, or null to hang.</summary>
    public static async Task<Receiver> StartAsync(Func<string> secret, Func<int, int?> answer, TimeSpan? thinking = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        Receiver? self = null;
        app.MapPost("/hook", async (HttpContext ctx) =>
        {
            var n = Interlocked.Increment(ref self!.Calls);
            using var reader = new StreamReader(ctx.Request.Body);
            var body = await reader.ReadToEndAsync();
            // What a receiver written from the documentation does: the header names and the format as the README states
            // them, the MAC computed by the receiver's own HMAC, never the app's Sign.
            var timestamp = ctx.Request.Headers["X-Linli-Timestamp"].ToString();
            var ok = long.TryParse(timestamp, System.Globalization.CultureInfo.InvariantCulture, out _)
                && ctx.Request.Headers["X-Linli-Signature"].ToString() == "sha256=" + IndependentHmac.Sha256Hex(secret(), timestamp + "." + body);
            self.Received.Enqueue((ctx.Request.Headers["X-Linli-Event"].ToString(), body, ok, DateTime.UtcNow));
            if (long.TryParse(ctx.Request.Headers["X-Linli-Delivery"].ToString(), System.Globalization.CultureInfo.InvariantCulture, out var delivery))
                self.DeliveryIds.Enqueue(delivery);
            if (thinking is { } t) await Task.Delay(t);
            if (answer(n) is not { } status)
            {
                await Task.Delay(Timeout.Infinite, ctx.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return Results.StatusCode(500);
            }
            return ok ? Results.StatusCode(status) : Results.Unauthorized();
        });
        self = new Receiver(app);
        await app.StartAsync();
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Signed webhooks: the outbox, a good receiver served at once, a bad one retried without holding up the good one.</summary>
public sealed class AlarmWebhookTests
{
    static readonly Dictionary<string, string> Fast = new() { ["Linli:Webhooks:PollSeconds"] = "0.2", ["Linli:Webhooks:TimeoutSeconds"] = "2" };

    [Theory]
    // RFC 4231 test cases 2 and 6 (a key longer than the block): the receiver's own HMAC is the standard one, so a
    // signature it accepts is one any receiver following the documentation accepts.
    [InlineData("Jefe", "what do ya want for nothing?", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")]
    [InlineData(null, "Test Using Larger Than Block-Size Key - Hash Key First", "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")]
    public void The_receivers_check_is_standard_HMAC_SHA256(string? key, string message, string expected)
    {
        // Test case 6's key is 131 bytes of 0xaa, which is not valid UTF-8 text: the receiver takes text secrets, so it is
        // checked through the same code with the bytes the definition uses.
        var mac = key is null ? IndependentHmac.Sha256Hex(Enumerable.Repeat((byte)0xaa, 131).ToArray(), message) : IndependentHmac.Sha256Hex(key, message);
        Assert.Equal(expected, mac);
    }

    [Fact]
    public async Task Two_nodes_with_deliveries_for_the_same_receiver_send_each_one_once()
    {
        const int detectors = 10;
        await using var app = await LinliAppFactory.StartAsync(Fast);
        await MonitoringKit.WithoutDemoRulesAsync(app);
        var admin = await app.ClientAsAsync("admin1");
        var (buildingId, _) = await AlarmNotificationTests.GridOfAsync(app, "grid1");
        var secret = "";
        // A receiver that takes its time over each call, so deliveries are still going out while the other node looks.
        await using var receiver = await Receiver.StartAsync(() => secret, _ => 200, thinking: TimeSpan.FromMilliseconds(150));
        using (var created = await admin.PostJsonAsync("/api/v1/webhooks", new { name = "街道平台", url = receiver.Url, minSeverity = "Warning" }))
            secret = (await created.OkAsync<WebhookCreatedDto>()).Secret;
        await MonitoringKit.RuleAsync(admin, new
        {
            name = "燃气泄漏", kind = "Gas", severity = "Major", deviceType = "GasDetector",
            condition = new { type = "threshold", metric = "gas", op = "Above", value = 0.2 },
        });
        var devices = new List<DeviceWithSecret>();
        for (var i = 0; i < detectors; i++) devices.Add(await MonitoringKit.RegisterAsync(admin, DeviceType.GasDetector, new { buildingId, unit = 1 }));
        // The second node knows the devices and the rule from the database; each node raises half the alarms, so each has
        // deliveries of its own to send to the same receiver, at the same time.
        var second = app.StartNode(settings: Fast);
        using var toFirst = app.Anonymous();
        using var toSecond = second.CreateClient();
        await Task.WhenAll(devices.Select((d, i) => MonitoringKit.SendOkAsync(i % 2 == 0 ? toFirst : toSecond, d, new { values = new { gas = 0.9 } })));
        foreach (var d in devices) await MonitoringKit.WaitForAlarmAsync(admin, a => a.DeviceId == d.Device.Id);

        var hookId = (await admin.GetOkAsync<List<WebhookDto>>("/api/v1/webhooks")).Single(w => w.Name == "街道平台").Id;
        List<WebhookDeliveryDto> deliveries = [];
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            deliveries = await admin.GetOkAsync<List<WebhookDeliveryDto>>($"/api/v1/webhooks/{hookId}/deliveries");
            if (deliveries.Count >= detectors && deliveries.All(d => d.DeliveredAt is not null)) break;
            await Task.Delay(100);
        }
        await Task.Delay(TimeSpan.FromSeconds(1)); // more polls on both nodes: nothing may go out again
        Assert.True(deliveries.Count >= detectors && deliveries.All(d => d.DeliveredAt is not null), $"not all delivered: {deliveries.Count(d => d.DeliveredAt is not null)} of {deliveries.Count}");

        var ids = receiver.DeliveryIds.ToList();
        Assert.True(ids.Count == ids.Distinct().Count(), $"a delivery went out twice: {string.Join(", ", ids)}");
        Assert.Equal(deliveries.Select(d => d.Id).Order(), ids.Order());
        Assert.All(receiver.Received, r => Assert.True(r.SignatureOk));
    }

    [Fact]
    public async Task A_good_receiver_gets_a_signed_delivery_at_once_while_a_hanging_one_is_retried_with_back_off()
    {
        await using var app = await LinliAppFactory.StartAsync(Fast);
        await MonitoringKit.WithoutDemoRulesAsync(app);
        var admin = await app.ClientAsAsync("admin1");
        var (buildingId, _) = await AlarmNotificationTests.GridOfAsync(app, "grid1");
        string goodSecret = "", badSecret = "", quietSecret = "";
        await using var good = await Receiver.StartAsync(() => goodSecret, _ => 200);
        await using var bad = await Receiver.StartAsync(() => badSecret, n => n == 1 ? null : 500);
        await using var quiet = await Receiver.StartAsync(() => quietSecret, _ => 200);

        async Task<WebhookCreatedDto> Create(string name, string url, string minSeverity)
        {
            using var response = await admin.PostJsonAsync("/api/v1/webhooks", new { name, url, minSeverity });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return await response.OkAsync<WebhookCreatedDto>();
        }
        var badHook = await Create("坏的接收方", bad.Url, "Warning");
        badSecret = badHook.Secret;
        var goodHook = await Create("街道平台", good.Url, "Major");
        goodSecret = goodHook.Secret;
        var quietHook = await Create("只要紧急", quiet.Url, "Critical");
        quietSecret = quietHook.Secret;
        Assert.True(goodSecret.Length >= 40);
        var listed = await admin.GetStringAsync("/api/v1/webhooks");
        Assert.DoesNotContain(goodSecret, listed, StringComparison.Ordinal);
        Assert.Contains("街道平台", listed, StringComparison.Ordinal);
        await (await admin.PostJsonAsync("/api/v1/webhooks", new { name = "x", url = "ftp://example.org", minSeverity = "Major" })).ExpectFieldErrorAsync("url");
        var grid = await app.ClientAsAsync("grid1");
        Assert.Equal(HttpStatusCode.Forbidden, await grid.GetAsync("/api/v1/webhooks").StatusOfAsync());

        var detector = await MonitoringKit.RegisterAsync(admin, DeviceType.GasDetector, new { buildingId, unit = 1 });
        await MonitoringKit.RuleAsync(admin, new
        {
            name = "燃气泄漏", kind = "Gas", severity = "Major", deviceType = "GasDetector",
            condition = new { type = "threshold", metric = "gas", op = "Above", value = 0.2 },
        });
        var sentAt = DateTime.UtcNow;
        await MonitoringKit.SendOkAsync(app.Anonymous(), detector, new { values = new { gas = 0.9 } });
        var alarm = await MonitoringKit.WaitForAlarmAsync(admin, a => a.DeviceId == detector.Device.Id);

        // The good receiver has it within a couple of seconds, although the bad one is hanging on the same alarm.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (good.Received.IsEmpty && DateTime.UtcNow < deadline) await Task.Delay(50);
        var (evt, body, signatureOk, at) = Assert.Single(good.Received);
        Assert.True(signatureOk);
        Assert.Equal("alarm.raised", evt);
        // The bad receiver got the same alarm and is still hanging (it is cut off after 2 s); the good one did not wait for it.
        deadline = DateTime.UtcNow.AddSeconds(10);
        while (bad.Received.IsEmpty && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.True(bad.Received.Count == 1, "bad: " + await admin.GetStringAsync($"/api/v1/webhooks/{badHook.Webhook.Id}/deliveries")
            + " good: " + await admin.GetStringAsync($"/api/v1/webhooks/{goodHook.Webhook.Id}/deliveries") + $" good at {at:HH:mm:ss.fff}, sent {sentAt:HH:mm:ss.fff}, now {DateTime.UtcNow:HH:mm:ss.fff}");
        var badFirst = Assert.Single(bad.Received).At;
        Assert.True(at - badFirst < TimeSpan.FromSeconds(1.5), $"the good receiver got it {(at - badFirst).TotalSeconds:0.0} s after the bad one started hanging");
        Assert.True(at - sentAt < TimeSpan.FromSeconds(15));
        using (var doc = JsonDocument.Parse(body))
        {
            Assert.Equal(alarm.Id, doc.RootElement.GetProperty("alarmId").GetInt64());
            Assert.Equal("Major", doc.RootElement.GetProperty("severity").GetString());
            Assert.Equal("燃气泄漏", doc.RootElement.GetProperty("title").GetString());
            Assert.False(doc.RootElement.TryGetProperty("detail", out _));
        }
        Assert.Equal(1, bad.Calls);
        Assert.Equal(0, quiet.Calls);

        // The hanging receiver timed out; its delivery waits 5 s (back-off) and is then tried again and answered 500.
        var failed = await WaitAsync(() => admin.GetOkAsync<List<WebhookDeliveryDto>>($"/api/v1/webhooks/{badHook.Webhook.Id}/deliveries"),
            d => d.Count == 1 && d[0].Attempts == 1);
        Assert.Null(failed[0].DeliveredAt);
        Assert.Contains("no answer", failed[0].LastError, StringComparison.Ordinal);
        app.Clock.Advance(TimeSpan.FromSeconds(6));
        var retried = await WaitAsync(() => admin.GetOkAsync<List<WebhookDeliveryDto>>($"/api/v1/webhooks/{badHook.Webhook.Id}/deliveries"),
            d => d[0].Attempts == 2);
        Assert.Equal(500, retried[0].LastStatus);
        Assert.Equal(2, bad.Calls);
        var hooks = await admin.GetOkAsync<List<WebhookDto>>("/api/v1/webhooks");
        Assert.Equal(2, hooks.Single(h => h.Id == badHook.Webhook.Id).ConsecutiveFailures);
        Assert.NotNull(hooks.Single(h => h.Id == goodHook.Webhook.Id).LastDeliveredAt);

        // Acknowledging is a change too; a deactivated webhook hears nothing more.
        await (await admin.PostJsonAsync($"/api/v1/webhooks/{badHook.Webhook.Id}/deactivate", new { })).OkAsync<WebhookDto>();
        await (await grid.PostJsonAsync($"/api/v1/alarms/{alarm.Id}/acknowledge", new { })).OkAsync<AlarmDetailDto>();
        deadline = DateTime.UtcNow.AddSeconds(10);
        while (good.Received.Count < 2 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Contains(good.Received, r => r.Event == "alarm.acknowledged" && r.SignatureOk);
        app.Clock.Advance(TimeSpan.FromSeconds(30));
        await Task.Delay(600);
        Assert.Equal(2, bad.Calls);
    }

    internal static async Task<T> WaitAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Still not there: {JsonSerializer.Serialize(value)}");
            await Task.Delay(100);
        }
    }
}

/// <summary>
/// HMAC-SHA256 written out from its definition (RFC 2104: H((K ^ opad) || H((K ^ ipad) || m)), 64-byte blocks), so the
/// receiver's check shares nothing with the sender's code but the hash function.
/// </summary>
static class IndependentHmac
{
    public static string Sha256Hex(string secret, string message) => Sha256Hex(System.Text.Encoding.UTF8.GetBytes(secret), message);

    public static string Sha256Hex(byte[] key, string message)
    {
        const int block = 64;
        if (key.Length > block) key = System.Security.Cryptography.SHA256.HashData(key);
        var inner = new byte[block];
        var outer = new byte[block];
        for (var i = 0; i < block; i++)
        {
            var k = i < key.Length ? key[i] : (byte)0;
            inner[i] = (byte)(k ^ 0x36);
            outer[i] = (byte)(k ^ 0x5c);
        }
        var innerHash = System.Security.Cryptography.SHA256.HashData([.. inner, .. System.Text.Encoding.UTF8.GetBytes(message)]);
        var mac = System.Security.Cryptography.SHA256.HashData([.. outer, .. innerHash]);
        return string.Concat(mac.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
    }
}

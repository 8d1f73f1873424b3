using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Linli.Domain.Alarms;
using Linli.Domain.Common;
using Linli.Application.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Linli.Application.Exchange;

public sealed class WebhookOptions
{
    /// <summary>How often due deliveries (retries) are looked for when nothing new woke the dispatcher.</summary>
    public double PollSeconds { get; set; } = 2;
    public double TimeoutSeconds { get; set; } = 5;
    public int BatchSize { get; set; } = 50;
}

/// <summary>
/// Delivers the webhook outbox: each webhook on its own task, so a receiver that hangs or fails only delays itself.
/// A webhook's rows go out in the order they were written; a failed row is retried with back-off and holds the rows
/// behind it only until its next attempt is due. With several web nodes, a node first claims the receiver (a conditional
/// UPDATE of its row, renewed before every send): one node at a time delivers to it, so each delivery goes out once.
/// A node that dies mid-send loses its claim when it runs out; that one delivery may then go out again, which its
/// <c>X-Linli-Delivery</c> id lets the receiver recognise.
/// </summary>
public sealed partial class WebhookDispatcher(IServiceScopeFactory scopes, IHttpClientFactory http, WebhookSignal signal, TimeProvider time,
    IOptions<WebhookOptions> options, ILogger<WebhookDispatcher> logger) : PeriodicJob(logger)
{
    public const string ClientName = "webhooks";
    public const string SignatureHeader = "X-Linli-Signature";
    public const string TimestampHeader = "X-Linli-Timestamp";
    public const string EventHeader = "X-Linli-Event";
    public const string DeliveryHeader = "X-Linli-Delivery";

    readonly ConcurrentDictionary<int, Task> _busy = new();

    /// <summary>This process among the web nodes, for its claims on receivers.</summary>
    readonly string _node = Cut($"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}", Webhook.NodeMaxLength);

    static string Cut(string s, int max) => s.Length <= max ? s : s[^max..];

    /// <summary>How long a claim holds without renewal: longer than one send may take.</summary>
    TimeSpan Claim => TimeSpan.FromSeconds(options.Value.TimeoutSeconds * 2 + 5);

    /// <summary>sha256=hex(HMAC-SHA256(secret, timestamp + "." + body)): what the receiver recomputes to trust a message.</summary>
    public static string Sign(string secret, string timestamp, string body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}"));
        return "sha256=" + Convert.ToHexStringLower(mac);
    }

    protected override TimeSpan Interval => TimeSpan.FromSeconds(Math.Max(0.05, options.Value.PollSeconds));

    protected override async Task<bool> PassAsync(CancellationToken ct)
    {
        await StartDueAsync(ct);
        return false;
    }

    /// <summary>New deliveries wake the dispatcher at once instead of waiting for the next poll.</summary>
    protected override Task WaitAsync(TimeSpan interval, CancellationToken ct) => signal.WaitAsync(interval, ct);

    protected override Task OnStoppedAsync() => Task.WhenAll(_busy.Values);

    async Task StartDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateSystemScope("deliver webhooks of every district");
        var db = scope.ServiceProvider.GetRequiredService<ILinliDb>();
        var now = time.GetUtcNow();
        var due = await (from d in db.WebhookDeliveries.AsNoTracking()
                         join w in db.Webhooks on d.WebhookId equals w.Id
                         where w.Active && d.DeliveredAt == null && d.Attempts < WebhookDelivery.MaxAttempts && d.NextAttemptAt <= now
                         select d.WebhookId).Distinct().ToListAsync(ct);
        foreach (var webhookId in due)
        {
            if (_busy.ContainsKey(webhookId)) continue;
            var task = Task.Run(() => DeliverWebhookAsync(webhookId, ct), ct);
            if (_busy.TryAdd(webhookId, task))
                _ = task.ContinueWith(_ => _busy.TryRemove(webhookId, out Task? _), TaskScheduler.Default);
        }
    }

    async Task DeliverWebhookAsync(int webhookId, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateSystemScope("deliver webhooks of every district");
            var db = scope.ServiceProvider.GetRequiredService<ILinliDb>();
            var protector = scope.ServiceProvider.GetRequiredService<IPersonalDataProtector>();
            // Another node delivering to this receiver now: it carries on, this one leaves it alone.
            if (!await ClaimAsync(db, webhookId, ct)) return;
            try
            {
                var hook = await db.Webhooks.SingleOrDefaultAsync(w => w.Id == webhookId, ct);
                if (hook is null || !hook.Active) return;
                var secret = protector.Unprotect(hook.SecretProtected);
                var client = http.CreateClient(ClientName);
                client.Timeout = TimeSpan.FromSeconds(options.Value.TimeoutSeconds);
                while (!ct.IsCancellationRequested)
                {
                    var now = time.GetUtcNow();
                    var rows = await db.WebhookDeliveries
                        .Where(d => d.WebhookId == webhookId && d.DeliveredAt == null && d.Attempts < WebhookDelivery.MaxAttempts && d.NextAttemptAt <= now)
                        .OrderBy(d => d.CreatedAt).ThenBy(d => d.Id).Take(options.Value.BatchSize).ToListAsync(ct);
                    if (rows.Count == 0) return;
                    foreach (var row in rows)
                    {
                        // Renewed before each send; lost (this node stalled past it), the row is another node's now.
                        if (!await ClaimAsync(db, webhookId, ct)) return;
                        var ok = await SendAsync(client, hook, secret, row, ct);
                        await db.SaveChangesAsync(ct);
                        if (!ok) return; // the receiver is down: try again when the back-off says so
                    }
                }
            }
            finally
            {
                await db.Webhooks.Where(w => w.Id == webhookId && w.DeliveringBy == _node)
                    .ExecuteUpdateAsync(u => u.SetProperty(w => w.DeliveringBy, (string?)null).SetProperty(w => w.DeliveringUntil, (DateTimeOffset?)null), CancellationToken.None);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogWebhookFailed(logger, webhookId, e);
        }
    }

    /// <summary>Takes or renews this node's claim on the receiver; false when another node holds an unexpired one.</summary>
    async Task<bool> ClaimAsync(ILinliDb db, int webhookId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        DateTimeOffset? until = now + Claim;
        return await db.Webhooks
            .Where(w => w.Id == webhookId && (w.DeliveringBy == _node || w.DeliveringUntil == null || w.DeliveringUntil < now))
            .ExecuteUpdateAsync(u => u.SetProperty(w => w.DeliveringBy, _node).SetProperty(w => w.DeliveringUntil, until), ct) == 1;
    }

    async Task<bool> SendAsync(HttpClient client, Webhook hook, string secret, WebhookDelivery row, CancellationToken ct)
    {
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, hook.Url)
        {
            Content = new StringContent(row.Payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(TimestampHeader, timestamp);
        request.Headers.Add(EventHeader, row.EventType);
        request.Headers.Add(DeliveryHeader, row.Id.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(SignatureHeader, Sign(secret, timestamp, row.Payload));
        int? status = null;
        string error;
        try
        {
            using var response = await client.SendAsync(request, ct);
            status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                var now = time.GetUtcNow();
                row.Succeeded(status.Value, now);
                hook.Delivered(now);
                return true;
            }
            error = $"HTTP {status}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            error = e is TaskCanceledException ? $"no answer within {options.Value.TimeoutSeconds:0.#} s" : e.Message;
        }
        row.FailedAttempt(status, error, time.GetUtcNow());
        hook.Failed(error);
        LogDeliveryFailed(logger, hook.Id, row.Id, row.Attempts, error);
        return false;
    }


    [LoggerMessage(Level = LogLevel.Error, Message = "Delivering webhook {WebhookId} failed.")]
    static partial void LogWebhookFailed(ILogger logger, int webhookId, Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId} delivery {DeliveryId} attempt {Attempt} failed: {Error}")]
    static partial void LogDeliveryFailed(ILogger logger, int webhookId, long deliveryId, int attempt, string error);
}

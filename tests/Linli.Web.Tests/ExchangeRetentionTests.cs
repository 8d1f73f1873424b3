using Linli.Application.Exchange;
using Linli.Domain.Alarms;
using Linli.Domain.Common;
using Linli.Domain.Exchange;
using Linli.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>The delivery logs stay bounded: what was delivered long ago goes, what is still to be delivered stays.</summary>
public sealed class ExchangeRetentionTests
{
    [Fact]
    public async Task Deliveries_and_pushes_delivered_or_given_up_past_the_keeping_are_deleted_and_nothing_still_to_deliver_is()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin = await app.ClientAsAsync("admin1");
        int webhookId;
        using (var created = await admin.PostJsonAsync("/api/v1/webhooks", new { name = "街道平台", url = "http://127.0.0.1:9/hook", minSeverity = "Critical" }))
            webhookId = (await created.OkAsync<WebhookCreatedDto>()).Webhook.Id;

        var now = app.Clock.GetUtcNow();
        var old = now.AddDays(-100);
        using (var scope = app.Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
            WebhookDelivery Delivery(string name, DateTimeOffset at, Action<WebhookDelivery> then)
            {
                var d = new WebhookDelivery(webhookId, name, "{}", at);
                then(d);
                db.WebhookDeliveries.Add(d);
                return d;
            }
            Delivery("old-delivered", old, d => d.Succeeded(200, old));
            Delivery("old-given-up", old, d => { for (var i = 0; i < WebhookDelivery.MaxAttempts; i++) d.FailedAttempt(500, "down", old); });
            Delivery("old-still-trying", old, d => d.FailedAttempt(500, "down", now.AddDays(1)));
            Delivery("recent-delivered", now.AddDays(-10), d => d.Succeeded(200, now.AddDays(-10)));
            var place = new PlaceKeys(1, 2, 3, 4);
            UpstreamPush Push(string id, DateTimeOffset at, bool delivered)
            {
                var p = new UpstreamPush(place, id, "case", "case-" + id, "{}", at);
                if (delivered) p.Succeeded(200, at);
                db.UpstreamPushes.Add(p);
                return p;
            }
            Push("00000000-0000-0000-0000-000000000001", old, delivered: true);
            Push("00000000-0000-0000-0000-000000000002", old, delivered: false);
            Push("00000000-0000-0000-0000-000000000003", now.AddDays(-1), delivered: true);
            await db.SaveChangesAsync();
        }

        // The job's own first pass, at start, may meet these rows too: what counts is what is left afterwards.
        await app.Factory.Services.GetRequiredService<ExchangeLogRetention>().RunOnceAsync(default);

        using (var scope = app.Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
            var deliveries = await db.WebhookDeliveries.IgnoreQueryFilters().Where(d => d.WebhookId == webhookId).Select(d => d.EventType).OrderBy(e => e).ToListAsync();
            Assert.Equal(["old-still-trying", "recent-delivered"], deliveries);
            var pushes = await db.UpstreamPushes.IgnoreQueryFilters().Select(p => p.MessageId).OrderBy(m => m).ToListAsync();
            Assert.Equal(["00000000-0000-0000-0000-000000000002", "00000000-0000-0000-0000-000000000003"], pushes);
        }
        // Again: nothing more to delete.
        Assert.Equal(new ExchangeRetentionRun(0, 0), await app.Factory.Services.GetRequiredService<ExchangeLogRetention>().RunOnceAsync(default));
    }
}

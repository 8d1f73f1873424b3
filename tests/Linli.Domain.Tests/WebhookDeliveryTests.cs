using Linli.Domain.Alarms;
using Linli.Domain.Common;
using static Linli.Domain.Tests.MonitoringTestKit;

namespace Linli.Domain.Tests;

/// <summary>
/// Alarms sent to outside systems: the address must be a web address, the signing secret is kept protected, and a
/// failing receiver is retried with growing pauses until the platform gives up.
/// </summary>
public sealed class WebhookDeliveryTests
{
    static readonly FakeProtector Protector = new();

    static Webhook NewWebhook(string url = "https://street.example.cn/alarms", string name = "街道平台") =>
        new(1, 2, 0, name, url, AlarmSeverity.Major, "s3cret-signing-key", Protector, T0);

    [Fact]
    public void A_new_delivery_is_due_at_once()
    {
        var d = new WebhookDelivery(3, "alarm.raised", "{}", T0);
        Assert.Equal((0, T0, false), (d.Attempts, d.NextAttemptAt, d.GaveUp));
    }

    [Fact]
    public void Backs_off_five_ten_twenty_seconds_and_so_on_after_each_failure()
    {
        var d = new WebhookDelivery(3, "alarm.raised", "{}", T0);
        var pauses = new List<double>();
        var now = T0;
        for (var i = 0; i < WebhookDelivery.MaxAttempts; i++)
        {
            d.FailedAttempt(503, "Service Unavailable", now);
            pauses.Add((d.NextAttemptAt - now).TotalSeconds);
            now = d.NextAttemptAt;
        }

        Assert.Equal([5, 10, 20, 40, 80, 160, 320, 640], pauses);
        Assert.Equal((503, "Service Unavailable"), (d.LastStatus, d.LastError));
    }

    [Fact]
    public void Never_waits_more_than_an_hour_between_attempts()
    {
        var d = new WebhookDelivery(3, "alarm.raised", "{}", T0);
        for (var i = 0; i < 10; i++) d.FailedAttempt(null, "timeout", T0);
        Assert.Equal(T0.AddSeconds(2560), d.NextAttemptAt);

        d.FailedAttempt(null, "timeout", T0);
        Assert.Equal(T0.AddHours(1), d.NextAttemptAt);
        d.FailedAttempt(null, "timeout", T0);
        Assert.Equal(T0.AddHours(1), d.NextAttemptAt);
    }

    [Fact]
    public void Gives_up_after_the_last_allowed_attempt_fails()
    {
        var d = new WebhookDelivery(3, "alarm.raised", "{}", T0);
        for (var i = 1; i < WebhookDelivery.MaxAttempts; i++) d.FailedAttempt(500, "error", T0);
        Assert.False(d.GaveUp);

        d.FailedAttempt(500, "error", T0);
        Assert.True(d.GaveUp);
    }

    [Fact]
    public void A_delivery_that_got_through_has_not_given_up()
    {
        var d = new WebhookDelivery(3, "alarm.raised", "{}", T0);
        for (var i = 1; i < WebhookDelivery.MaxAttempts; i++) d.FailedAttempt(500, "error", T0);
        d.Succeeded(200, Min(5));

        Assert.Equal((WebhookDelivery.MaxAttempts, 200, Min(5), null, false), (d.Attempts, d.LastStatus, d.DeliveredAt, d.LastError, d.GaveUp));
    }

    [Fact]
    public void Keeps_a_short_error()
    {
        var d = new WebhookDelivery(3, "alarm.raised", "{}", T0);
        d.FailedAttempt(null, new string('e', 1000), T0);
        Assert.Equal(200, d.LastError!.Length);
    }

    [Theory]
    [InlineData("https://street.example.cn/alarms")]
    [InlineData("http://10.0.0.5:8080/hook")]
    public void Takes_an_http_or_https_address(string url)
    {
        var w = NewWebhook(url);
        Assert.Equal(url, w.Url);
        Assert.True(w.Active);
    }

    [Theory]
    [InlineData("")]
    [InlineData("street.example.cn/alarms")]
    [InlineData("/alarms")]
    [InlineData("ftp://street.example.cn/alarms")]
    [InlineData("file:///etc/passwd")]
    [InlineData("javascript:alert(1)")]
    public void Refuses_an_address_that_is_not_an_absolute_web_address(string url)
    {
        Assert.Equal("url", Assert.Throws<DomainException>(() => NewWebhook(url)).Field);
    }

    [Fact]
    public void Refuses_an_address_longer_than_it_can_store()
    {
        var url = "https://street.example.cn/" + new string('a', Webhook.UrlMaxLength);
        Assert.Equal("url", Assert.Throws<DomainException>(() => NewWebhook(url)).Field);
    }

    [Fact]
    public void Needs_a_name()
    {
        Assert.Equal("name", Assert.Throws<DomainException>(() => NewWebhook(name: "  ")).Field);
    }

    [Fact]
    public void Keeps_the_signing_secret_protected_and_readable()
    {
        var w = NewWebhook();
        Assert.DoesNotContain("s3cret-signing-key", w.SecretProtected, StringComparison.Ordinal);
        Assert.Equal("s3cret-signing-key", Protector.Unprotect(w.SecretProtected));
    }

    [Fact]
    public void Counts_consecutive_failures_until_a_delivery_gets_through()
    {
        var w = NewWebhook();
        w.Failed("timeout");
        w.Failed(new string('x', 300));
        Assert.Equal((2, 200), (w.ConsecutiveFailures, w.LastError!.Length));

        w.Delivered(Min(1));
        Assert.Equal((0, null, Min(1)), (w.ConsecutiveFailures, w.LastError, w.LastDeliveredAt));
    }
}

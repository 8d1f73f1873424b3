using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Linli.Domain.Devices;
using Linli.Web.Features.Alarms;
using Linli.Web.Features.Devices;
using Linli.Infrastructure.Persistence;
using Linli.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>What monitoring tests do again and again: register a device, add a rule, send as a device, wait for an alarm.</summary>
static class MonitoringKit
{
    public static async Task<DeviceWithSecret> RegisterAsync(HttpClient staff, DeviceType type, object place, string? code = null)
    {
        code ??= $"{type.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}"[..40];
        var body = JsonSerializer.SerializeToElement(place, Api.Json);
        var request = new Dictionary<string, object?> { ["code"] = code, ["name"] = $"{type} {code[^4..]}", ["type"] = type.ToString() };
        foreach (var p in body.EnumerateObject()) request[p.Name] = p.Value;
        using var response = await staff.PostJsonAsync("/api/v1/devices", request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.OkAsync<DeviceWithSecret>();
    }

    /// <summary>
    /// Switches the demo's default district rules off, for a test that defines its own rules for the same devices: two
    /// rules about one reading would raise two alarms. Call it before starting a second node (which loads rules at start).
    /// </summary>
    public static async Task WithoutDemoRulesAsync(TestApp app)
    {
        using (var scope = app.Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
            var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
            foreach (var rule in await db.AlarmRules.IgnoreQueryFilters().Where(r => r.Enabled).ToListAsync()) rule.Enable(false, now);
            await db.SaveChangesAsync();
        }
        await app.Factory.Services.GetRequiredService<RuleEvaluator>().ReloadAsync(CancellationToken.None);
    }

    public static async Task<AlarmRuleDto> RuleAsync(HttpClient admin, object rule)
    {
        using var response = await admin.PostJsonAsync("/api/v1/alarm-rules", rule);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.OkAsync<AlarmRuleDto>();
    }

    /// <summary>Posts messages as a device; returns the answer (the caller checks its status).</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient anonymous, string code, string secret, params object[] messages)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/ingest") { Content = JsonContent.Create(new { messages }) };
        request.Headers.Add(IngestApi.DeviceIdHeader, code);
        request.Headers.Add(IngestApi.DeviceKeyHeader, secret);
        return await anonymous.SendAsync(request);
    }

    public static async Task<IngestResult> SendOkAsync(HttpClient anonymous, DeviceWithSecret device, params object[] messages)
    {
        using var response = await SendAsync(anonymous, device.Device.Code, device.Secret, messages);
        return await response.OkAsync<IngestResult>();
    }

    /// <summary>Polls the alarm list until an alarm matching <paramref name="match"/> shows (alarms are raised just after the write).</summary>
    public static async Task<AlarmDto> WaitForAlarmAsync(HttpClient staff, Func<AlarmDto, bool> match, string query = "", TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var page = await staff.GetOkAsync<Page<AlarmDto>>($"/api/v1/alarms?pageSize=200{query}");
            if (page.Items.FirstOrDefault(match) is { } found) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The expected alarm did not appear.");
            await Task.Delay(100);
        }
    }
}

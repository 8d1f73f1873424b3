using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Linli.Domain.Alarms;
using Linli.Domain.Devices;
using Linli.Web.Features.Alarms;
using Linli.Web.Features.Devices;
using Linli.Web.Features.Shared;

namespace Linli.Web.Tests;

/// <summary>The device list and detail pages, the register form, and the alarm-rule builder, as staff use them.</summary>
public sealed partial class DevicePageTests
{
    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    [GeneratedRegex("id=\"secret\" readonly value=\"([^\"]+)\"")]
    private static partial Regex SecretPattern();

    static async Task<HttpResponseMessage> PostFormAsync(HttpClient browser, string url, string handler, Dictionary<string, string> fields)
    {
        var page = await browser.GetStringAsync(url);
        var form = new Dictionary<string, string>(fields)
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(TokenPattern().Match(page).Groups[1].Value),
            ["_handler"] = handler,
        };
        return await browser.PostAsync(url, new FormUrlEncodedContent(form));
    }

    static string PathOf(HttpResponseMessage response) =>
        response.Headers.Location is { IsAbsoluteUri: true } u ? u.PathAndQuery : response.Headers.Location!.OriginalString;

    static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task Readers_see_devices_with_health_and_charts_and_only_managers_rotate_the_secret()
    {
        await using var app = await LinliAppFactory.StartAsync();
        await MonitoringKit.WithoutDemoRulesAsync(app);
        var places = await DemoPlaces.LoadAsync(app);
        var admin = await app.ClientAsAsync("admin1");
        var sensor = await MonitoringKit.RegisterAsync(admin, DeviceType.EnvironmentSensor, new { buildingId = places.C1.BuildingIds[0] });
        var device = app.Anonymous();
        var now = app.Clock.GetUtcNow();
        await MonitoringKit.SendOkAsync(device, sensor,
            new { ts = now.AddHours(-30).ToUnixTimeMilliseconds(), values = new { temperature = 18.5 } },
            new { ts = now.AddMinutes(-3).ToUnixTimeMilliseconds(), values = new { temperature = 21.5 } });
        var code = sensor.Device.Code;
        var url = $"/devices/{Id(sensor.Device.Id)}";

        var grid1 = await CaseStaffPageTests.BrowserAsync(app, "grid1");
        var list = await grid1.GetStringAsync($"/devices?search={code}");
        Assert.Contains(code, list, StringComparison.Ordinal);
        Assert.Contains("health-Online", list, StringComparison.Ordinal);
        Assert.Matches("[34] min ago", list);
        Assert.Contains("href=\"/devices\"", list, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/alarm-rules\"", list, StringComparison.Ordinal);
        Assert.DoesNotContain(code, await grid1.GetStringAsync("/devices?type=SmokeDetector"), StringComparison.Ordinal);

        var detail = await grid1.GetStringAsync(url);
        Assert.Contains("<svg class=\"telemetry\"", detail, StringComparison.Ordinal);
        Assert.Contains("<polyline class=\"line\"", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("class=\"band\"", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("Issue a new secret", detail, StringComparison.Ordinal);
        Assert.Contains("class=\"band\"", await grid1.GetStringAsync(url + "?range=7d"), StringComparison.Ordinal);

        // A crafted post from a reader changes nothing: the old secret still works.
        using (var crafted = await PostFormAsync(grid1, url, "rotate", []))
            Assert.DoesNotContain("secret-box", await crafted.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await MonitoringKit.SendOkAsync(device, sensor, new { values = new { temperature = 22 } });

        // The community admin rotates it: the new secret is shown once and the old one stops working.
        var admin1 = await CaseStaffPageTests.BrowserAsync(app, "admin1");
        Assert.Contains("Issue a new secret", await admin1.GetStringAsync(url), StringComparison.Ordinal);
        using (var rotated = await PostFormAsync(admin1, url, "rotate", []))
        {
            var html = await rotated.Content.ReadAsStringAsync();
            var secret = WebUtility.HtmlDecode(SecretPattern().Match(html).Groups[1].Value);
            Assert.NotEmpty(secret);
            using var old = await MonitoringKit.SendAsync(device, code, sensor.Secret, new { values = new { temperature = 23 } });
            Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
            await MonitoringKit.SendOkAsync(device, sensor with { Secret = secret }, new { values = new { temperature = 23 } });
            Assert.DoesNotContain(secret, await admin1.GetStringAsync(url), StringComparison.Ordinal);
        }
        using (var disabled = await PostFormAsync(admin1, url, "disable", []))
            Assert.Contains("health-Disabled", await disabled.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True((await admin.GetOkAsync<DeviceDto>($"/api/v1/devices/{Id(sensor.Device.Id)}")).Disabled);

        // Another community's admin finds nothing; residents and strangers do not get in.
        var admin2 = await CaseStaffPageTests.BrowserAsync(app, "admin2");
        await CaseStaffPageTests.NotInAreaAsync(admin2, url);
        Assert.DoesNotContain(code, await admin2.GetStringAsync("/devices"), StringComparison.Ordinal);
        var resident = await CaseStaffPageTests.BrowserAsync(app, "resident1");
        foreach (var page in new[] { "/devices", url, "/devices/new", "/alarm-rules" })
        {
            using var denied = await resident.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
            Assert.StartsWith("/denied", PathOf(denied), StringComparison.Ordinal);
        }
        foreach (var page in new[] { "/devices/new", "/alarm-rules" })
        {
            using var denied = await grid1.GetAsync(page);
            Assert.StartsWith("/denied", PathOf(denied), StringComparison.Ordinal);
        }
        using var stranger = app.Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var anonymous = await stranger.GetAsync("/devices");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith("/signin", PathOf(anonymous), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Property_staff_register_a_device_and_see_its_secret_once()
    {
        await using var app = await LinliAppFactory.StartAsync();
        await MonitoringKit.WithoutDemoRulesAsync(app);
        var places = await DemoPlaces.LoadAsync(app);
        var property1 = await CaseStaffPageTests.BrowserAsync(app, "property1");
        var code = $"leak-{Guid.NewGuid():N}"[..20];

        using (var bad = await PostFormAsync(property1, "/devices/new", "device", new()
        {
            ["Form.Type"] = "WaterLeakDetector", ["Form.PlaceKind"] = "building", ["Form.BuildingId"] = Id(places.C1.BuildingIds[0]),
            ["Form.Code"] = "bad code!", ["Form.Name"] = "厨房漏水",
        }))
        {
            var html = await bad.Content.ReadAsStringAsync();
            Assert.Contains("id=\"code-err\"", html, StringComparison.Ordinal);
            Assert.DoesNotContain("secret-box", html, StringComparison.Ordinal);
        }
        using (var noBuilding = await PostFormAsync(property1, "/devices/new", "device", new()
        {
            ["Form.Type"] = "WaterLeakDetector", ["Form.PlaceKind"] = "room", ["Form.Code"] = code, ["Form.Name"] = "厨房漏水",
        }))
            Assert.Contains("id=\"buildingId-err\"", await noBuilding.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var ok = await PostFormAsync(property1, "/devices/new", "device", new()
        {
            ["Form.Type"] = "WaterLeakDetector", ["Form.PlaceKind"] = "building", ["Form.BuildingId"] = Id(places.C1.BuildingIds[0]),
            ["Form.Unit"] = "1", ["Form.Code"] = code, ["Form.Name"] = "1单元水泵漏水",
        });
        var created = await ok.Content.ReadAsStringAsync();
        var secret = WebUtility.HtmlDecode(SecretPattern().Match(created).Groups[1].Value);
        Assert.NotEmpty(secret);

        var api = await app.ClientAsAsync("property1");
        var listed = Assert.Single((await api.GetOkAsync<Page<DeviceDto>>($"/api/v1/devices?search={code}")).Items);
        Assert.Equal((DeviceType.WaterLeakDetector, places.C1.BuildingIds[0], (int?)1), (listed.Type, listed.BuildingId!.Value, listed.Unit));
        using var sent = await MonitoringKit.SendAsync(app.Anonymous(), code, secret, new { values = new { leak = false } });
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
    }

    [Fact]
    public async Task A_rule_built_in_the_form_is_stored_as_its_json_condition_and_raises_alarms()
    {
        await using var app = await LinliAppFactory.StartAsync();
        await MonitoringKit.WithoutDemoRulesAsync(app);
        var places = await DemoPlaces.LoadAsync(app);
        var admin1 = await CaseStaffPageTests.BrowserAsync(app, "admin1");
        var api = await app.ClientAsAsync("admin1");
        var before = (await api.GetOkAsync<List<AlarmRuleDto>>("/api/v1/alarm-rules")).Count;

        var fields = new Dictionary<string, string>
        {
            ["Form.Name"] = "机房过热", ["Form.Kind"] = "Environment", ["Form.Severity"] = "Major", ["Form.DeviceType"] = "EnvironmentSensor",
            ["Form.Join"] = "any",
            ["Form.Parts[0].Kind"] = "threshold", ["Form.Parts[0].Metric"] = "temperature", ["Form.Parts[0].Op"] = "Above", ["Form.Parts[0].Value"] = "abc",
            ["Form.Parts[1].Kind"] = "noData", ["Form.Parts[1].Minutes"] = "30",
            ["Form.AutoClear"] = "true", ["Form.Enabled"] = "true",
        };
        using (var bad = await PostFormAsync(admin1, "/alarm-rules/new", "rule", fields))
        {
            var html = await bad.Content.ReadAsStringAsync();
            Assert.Contains("id=\"p0-value-err\"", html, StringComparison.Ordinal);
            Assert.Contains("value=\"机房过热\"", html, StringComparison.Ordinal);
        }
        Assert.Equal(before, (await api.GetOkAsync<List<AlarmRuleDto>>("/api/v1/alarm-rules")).Count);

        fields["Form.Parts[0].Value"] = "60";
        using (var saved = await PostFormAsync(admin1, "/alarm-rules/new", "rule", fields))
        {
            Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
            Assert.Equal("/alarm-rules", PathOf(saved));
        }
        var rule = (await api.GetOkAsync<List<AlarmRuleDto>>("/api/v1/alarm-rules")).Single(r => r.Name == "机房过热");
        Assert.Equal((AlarmKind.Environment, AlarmSeverity.Major, DeviceType.EnvironmentSensor), (rule.Kind, rule.Severity, rule.DeviceType!.Value));
        var expected = JsonDocument.Parse("""
            {"type":"any","conditions":[{"type":"threshold","metric":"temperature","op":"Above","value":60},{"type":"noData","minutes":30}]}
            """).RootElement;
        Assert.True(JsonElement.DeepEquals(expected, rule.Condition), rule.Condition.GetRawText());

        // The list shows it readably, and the edit form shows the parts again.
        Assert.Contains("temperature &gt; 60 OR no data 30 min", await admin1.GetStringAsync("/alarm-rules"), StringComparison.Ordinal);
        var edit = await admin1.GetStringAsync($"/alarm-rules/{Id(rule.Id)}/edit");
        Assert.Contains("name=\"Form.Parts[0].Value\" value=\"60\"", edit, StringComparison.Ordinal);

        // A sensor over the threshold raises the alarm.
        var sensor = await MonitoringKit.RegisterAsync(api, DeviceType.EnvironmentSensor, new { buildingId = places.C1.BuildingIds[0] });
        await MonitoringKit.SendOkAsync(app.Anonymous(), sensor, new { values = new { temperature = 75 } });
        var alarm = await MonitoringKit.WaitForAlarmAsync(api, a => a.DeviceId == sensor.Device.Id);
        Assert.Equal(("机房过热", AlarmSeverity.Major), (alarm.Title, alarm.Severity));

        // Advanced: JSON replaces the parts; a bad JSON is named at the condition field.
        fields["Form.UseJson"] = "true";
        fields["Form.ConditionJson"] = "{\"type\":\"threshold\",\"metric\":\"temperature\"";
        using (var badJson = await PostFormAsync(admin1, $"/alarm-rules/{Id(rule.Id)}/edit", "rule", fields))
            Assert.Contains("id=\"condition-err\"", await badJson.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        fields["Form.ConditionJson"] = "{\"type\":\"threshold\",\"metric\":\"temperature\",\"op\":\"AtLeast\",\"value\":50}";
        using (var json = await PostFormAsync(admin1, $"/alarm-rules/{Id(rule.Id)}/edit", "rule", fields))
            Assert.Equal(HttpStatusCode.Redirect, json.StatusCode);
        var updated = (await api.GetOkAsync<List<AlarmRuleDto>>("/api/v1/alarm-rules")).Single(r => r.Id == rule.Id);
        Assert.Equal(50, updated.Condition.GetProperty("value").GetDouble());
    }
}

using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Linli.Browser.Tests;

/// <summary>Staff read timelines in their page's language: roles, levels and channels as words, never the code's names.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class StaffLanguageTests(BrowserFixture app)
{
    /// <summary>Any run of Latin letters: on the Chinese page the timelines (Chinese names, Chinese notes) have none.</summary>
    [GeneratedRegex("[A-Za-z]{2,}")]
    private static partial Regex LatinWord();

    [Fact]
    public async Task The_alarm_timeline_names_roles_and_channels_in_the_pages_language()
    {
        using var admin = await app.ApiAsAsync("admin1");
        await CloseOpenSosCallsAsync(admin);
        using var resident = await app.ApiAsAsync("resident1");
        using var sos = await resident.PostAsJsonAsync("/api/v1/sos", new { });
        Assert.True(sos.IsSuccessStatusCode, $"SOS: {(int)sos.StatusCode} {await sos.Content.ReadAsStringAsync()}");
        var alarmId = (await sos.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        // The calls go out just after the alarm is stored (grid worker, property duty room at once); they add no live update.
        for (var tries = 0; ; tries++)
        {
            var detail = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/alarms/{alarmId}");
            if (detail.GetProperty("timeline").EnumerateArray().Any(e => e.GetProperty("kind").GetString() == "Notified")) break;
            Assert.True(tries < 60, "nobody was called for the SOS within 15 s");
            await Task.Delay(250);
        }

        var page = await app.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "property1");
        var timeline = page.Locator("#alarm-timeline ol");
        await page.GotoAsync($"/alarms/{alarmId}");
        await Expect(timeline.Locator("li.ev-Notified").First).ToBeVisibleAsync();
        await Expect(timeline).ToContainTextAsync("站内推送");
        await Expect(page.Locator("#alarm-facts")).Not.ToContainTextAsync(LatinWord());
        var text = await timeline.InnerTextAsync();
        Assert.False(LatinWord().IsMatch(text), $"the Chinese alarm timeline shows internal names: {text}");

        await page.GetByRole(AriaRole.Link, new() { Name = "English", Exact = true }).ClickAsync();
        await Expect(timeline).ToContainTextAsync("in the app");
        await Expect(timeline).Not.ToContainTextAsync(" · live");
        await page.Context.CloseAsync();
        await CloseOpenSosCallsAsync(admin);
    }

    [Fact]
    public async Task An_alarm_that_climbed_a_level_names_the_level_in_the_pages_language()
    {
        // Where a building's grid has no grid worker there is nobody to call at the first level, and the alarm climbs to the
        // property's duty room at once: an escalation in the timeline without waiting for the acknowledge time to run out.
        using var admin = await app.ApiAsAsync("admin1");
        var buildings = (await admin.GetFromJsonAsync<JsonElement>("/api/v1/buildings?pageSize=100")).GetProperty("items").EnumerateArray()
            .Select(b => b.GetProperty("id").GetInt32()).ToList();
        long? climbed = null;
        foreach (var buildingId in buildings)
        {
            var code = $"smoke-lang-{Guid.NewGuid():N}"[..24];
            using var created = await admin.PostAsJsonAsync("/api/v1/devices", new { code, name = "楼道烟感 " + code[^4..], type = "SmokeDetector", buildingId, unit = 1 });
            Assert.True(created.IsSuccessStatusCode, $"device: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
            var device = await created.Content.ReadFromJsonAsync<JsonElement>();
            var deviceId = device.GetProperty("device").GetProperty("id").GetInt64();
            using var wire = new HttpClient { BaseAddress = admin.BaseAddress };
            using var post = new HttpRequestMessage(HttpMethod.Post, "/api/v1/ingest") { Content = JsonContent.Create(new { messages = new[] { new { values = new { smoke = 0.35 } } } }) };
            post.Headers.Add("X-Device-Id", code);
            post.Headers.Add("X-Device-Key", device.GetProperty("secret").GetString());
            using (var sent = await wire.SendAsync(post)) Assert.True(sent.IsSuccessStatusCode, $"ingest: {(int)sent.StatusCode}");

            // The first calls (or the climb past an empty level) come just after the alarm is stored.
            JsonElement timeline = default;
            for (var tries = 0; tries < 60; tries++)
            {
                var alarms = (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/alarms?deviceId={deviceId}&pageSize=5")).GetProperty("items");
                if (alarms.GetArrayLength() > 0)
                {
                    var id = alarms[0].GetProperty("id").GetInt64();
                    timeline = (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/alarms/{id}")).GetProperty("timeline");
                    if (timeline.EnumerateArray().Any(e => e.GetProperty("kind").GetString() == "Notified"))
                    {
                        if (timeline.EnumerateArray().Any(e => e.GetProperty("kind").GetString() == "Escalated")) climbed = id;
                        break;
                    }
                }
                await Task.Delay(250);
            }
            if (climbed is not null) break;
        }
        Assert.True(climbed is not null, "no demo building lacks a grid worker: no alarm climbed a level at once");

        var page = await app.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "property1");
        await page.GotoAsync($"/alarms/{climbed}");
        var steps = page.Locator("#alarm-timeline ol");
        await Expect(steps.Locator("li.ev-Escalated").First).ToBeVisibleAsync();
        await Expect(steps.Locator("li.ev-Escalated").First).ToContainTextAsync("物业值班室");
        var text = await steps.InnerTextAsync();
        Assert.False(LatinWord().IsMatch(text), $"the Chinese alarm timeline shows internal names: {text}");

        await page.GetByRole(AriaRole.Link, new() { Name = "English", Exact = true }).ClickAsync();
        await Expect(steps.Locator("li.ev-Escalated").First).Not.ToContainTextAsync("PropertyDutyRoom");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_staff_case_timeline_names_the_levels_a_case_passed_in_the_pages_language()
    {
        using var district = await app.ApiAsAsync("district");
        var escalated = (await district.GetFromJsonAsync<JsonElement>("/api/v1/cases?escalated=true&pageSize=5")).GetProperty("items");
        Assert.True(escalated.GetArrayLength() > 0, "the demo district has no escalated case");
        var caseId = escalated[0].GetProperty("id").GetInt64();

        var page = await app.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "district");
        await page.GotoAsync($"/cases/{caseId}");
        var timeline = page.Locator("#case-timeline ol");
        await Expect(timeline.Locator("li.ev-Escalated").First).ToBeVisibleAsync();
        var text = await timeline.InnerTextAsync();
        Assert.False(LatinWord().IsMatch(text), $"the Chinese case timeline shows internal names: {text}");
        await page.Context.CloseAsync();
    }

    static async Task CloseOpenSosCallsAsync(HttpClient admin)
    {
        var open = await admin.GetFromJsonAsync<JsonElement>("/api/v1/alarms?kind=Sos&open=true&pageSize=100");
        foreach (var alarm in open.GetProperty("items").EnumerateArray())
        {
            if (alarm.GetProperty("status").GetString() == "Closed") continue;
            using var closed = await admin.PostAsJsonAsync($"/api/v1/alarms/{alarm.GetProperty("id").GetInt64()}/close", new { note = "test reset" });
            closed.EnsureSuccessStatusCode();
        }
    }
}

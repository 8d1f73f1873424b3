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

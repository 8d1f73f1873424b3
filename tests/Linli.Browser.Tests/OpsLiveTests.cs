using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Linli.Browser.Tests;

[Collection(BrowserCollection.Name)]
public sealed class OpsLiveTests(BrowserFixture app)
{
    /// <summary>resident1 may have an SOS call open from another test: pressing again would only count a repeat.</summary>
    async Task CloseOpenSosCallsAsync()
    {
        using var admin = await app.ApiAsAsync("admin1");
        var page = await admin.GetFromJsonAsync<JsonElement>("/api/v1/alarms?kind=Sos&open=true&pageSize=100");
        foreach (var alarm in page.GetProperty("items").EnumerateArray())
        {
            if (alarm.GetProperty("status").GetString() == "Closed") continue;
            using var closed = await admin.PostAsJsonAsync($"/api/v1/alarms/{alarm.GetProperty("id").GetInt64()}/close", new { note = "test reset" });
            closed.EnsureSuccessStatusCode();
        }
    }

    static Task WaitForLiveAsync(IPage page) => Expect(page.Locator("[data-ops-live][data-live-state=connected]")).ToHaveCountAsync(1);

    static List<string> ConsoleErrors(IPage page)
    {
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        return errors;
    }

    [Fact]
    public async Task A_residents_SOS_press_flashes_on_the_open_operations_view_and_the_acknowledgement_reaches_the_resident()
    {
        await CloseOpenSosCallsAsync();
        var operatorPage = await app.NewPageAsync();
        var operatorErrors = ConsoleErrors(operatorPage);
        await BrowserFixture.SignInAsync(operatorPage, "property1");
        await operatorPage.Locator("header nav a[href='/ops']").ClickAsync();
        await operatorPage.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/ops");
        await WaitForLiveAsync(operatorPage);
        await operatorPage.EvaluateAsync("() => window.stillTheSamePage = true");
        var title = await operatorPage.TitleAsync();

        // The resident, on a phone in another browser, presses the SOS button on their home page and confirms.
        var residentPage = await app.NewPageAsync(390, 844);
        var residentErrors = ConsoleErrors(residentPage);
        await BrowserFixture.SignInAsync(residentPage, "resident1");
        await residentPage.Locator("[data-testid=sos-button]").ClickAsync();
        await residentPage.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/sos");
        await residentPage.Locator("[data-testid=sos-confirm]").ClickAsync();
        await residentPage.WaitForURLAsync(url => new Uri(url).Query.StartsWith("?alarm=", StringComparison.Ordinal));
        var alarmId = new Uri(residentPage.Url).Query["?alarm=".Length..];
        await Expect(residentPage.Locator("[data-testid=sos-sent]")).ToBeVisibleAsync();
        await Expect(residentPage.Locator("#sos-status")).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex("taken"));
        await WaitForLiveAsync(residentPage);
        Assert.True(await residentPage.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the SOS page scrolls sideways on a phone");
        await residentPage.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.OutputDirectory, "sos-sent-phone.png"), FullPage = true });

        // Without a reload the call is in the operator's feed, flashing on the plan, with a banner and a flashing title.
        var item = operatorPage.Locator($"#ops-feed li[data-alarm-id='{alarmId}']");
        await Expect(item).ToBeVisibleAsync(new() { Timeout = 5_000 });
        await Expect(item).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("needs-ack"));
        await Expect(item.Locator(".sev-badge")).Not.ToBeEmptyAsync();
        await Expect(operatorPage.Locator($"#ops-plan .alarm-mark.flashing[data-alarm-id='{alarmId}']")).ToHaveCountAsync(1);
        await Expect(operatorPage.Locator("#ops-alert")).ToBeVisibleAsync();
        await Expect(operatorPage.Locator("#ops-kpis [data-kpi=critical] .kpi-n")).Not.ToHaveTextAsync("0");
        await operatorPage.WaitForFunctionAsync("() => document.title.startsWith('‼')");
        Assert.True(await operatorPage.EvaluateAsync<bool>("() => window.stillTheSamePage === true"), "the operations view reloaded instead of updating");
        await operatorPage.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.OutputDirectory, "ops-sos.png"), FullPage = true });

        // The operator acknowledges: the flashing stops and the resident's page says who is coming.
        await item.Locator("button[data-action=acknowledge]").ClickAsync();
        await Expect(item).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex("needs-ack"));
        await Expect(item.Locator(".acked")).ToContainTextAsync("物业客服 · 赵敏");
        await Expect(operatorPage.Locator($"#ops-plan .alarm-mark.flashing[data-alarm-id='{alarmId}']")).ToHaveCountAsync(0);
        await operatorPage.WaitForFunctionAsync("t => document.title === t", title);
        Assert.True(await operatorPage.EvaluateAsync<bool>("() => window.stillTheSamePage === true"), "acknowledging reloaded the operations view");

        var status = residentPage.Locator("#sos-status");
        await Expect(status).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("taken"), new() { Timeout = 5_000 });
        await Expect(status).ToContainTextAsync("物业客服 · 赵敏");
        await residentPage.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.OutputDirectory, "sos-taken-phone.png"), FullPage = true });

        Assert.Empty(operatorErrors);
        Assert.Empty(residentErrors);
        await operatorPage.Context.CloseAsync();
        await residentPage.Context.CloseAsync();
        await CloseOpenSosCallsAsync();
    }

    [Theory]
    [InlineData(1280)]
    [InlineData(390)]
    public async Task On_the_site_plan_no_device_marker_covers_a_building_name(int width)
    {
        var page = await app.NewPageAsync(width, 900);
        await BrowserFixture.SignInAsync(page, "property1");
        await page.GotoAsync("/ops");
        await Expect(page.Locator("#ops-plan .device").First).ToBeVisibleAsync();
        var counts = await page.EvaluateAsync<int[]>("() => [document.querySelectorAll('#ops-plan .plan-building text').length, document.querySelectorAll('#ops-plan .device').length]");
        Assert.True(counts[0] > 0 && counts[1] > 0, $"the plan shows {counts[0]} building names and {counts[1]} devices");
        var covered = await page.EvaluateAsync<string[]>("""
            () => {
              const labels = [...document.querySelectorAll('#ops-plan .plan-building text')].map(t => [t.textContent, t.getBoundingClientRect()]);
              const found = [];
              for (const d of document.querySelectorAll('#ops-plan .device')) {
                const m = d.getBoundingClientRect();
                for (const [name, r] of labels)
                  if (m.left < r.right && m.right > r.left && m.top < r.bottom && m.bottom > r.top)
                    found.push(`${d.querySelector('title')?.textContent.split(' · ')[0]} on ${name}`);
              }
              return found;
            }
            """);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.OutputDirectory, $"ops-plan-{width}.png") });
        await page.Context.CloseAsync();
        Assert.True(covered.Length == 0, $"{covered.Length} device markers cover building names:\n" + string.Join("\n", covered.Take(30)));
    }

    [Fact]
    public async Task The_operations_alarm_and_SOS_pages_have_no_serious_or_critical_axe_violations()
    {
        await CloseOpenSosCallsAsync();
        var problems = new List<string>();
        var resident = await app.NewPageAsync(390, 844);
        await BrowserFixture.SignInAsync(resident, "resident1");
        problems.AddRange(await Axe.SeriousViolationsAsync(resident));
        await resident.GotoAsync("/sos");
        await Expect(resident.Locator("main h1")).ToBeVisibleAsync();
        problems.AddRange(await Axe.SeriousViolationsAsync(resident));
        await resident.Locator("[data-testid=sos-confirm]").ClickAsync();
        await Expect(resident.Locator("[data-testid=sos-sent]")).ToBeVisibleAsync();
        problems.AddRange(await Axe.SeriousViolationsAsync(resident));
        var alarmId = new Uri(resident.Url).Query["?alarm=".Length..];
        await resident.Context.CloseAsync();

        var staff = await app.NewPageAsync();
        await BrowserFixture.SignInAsync(staff, "admin1");
        foreach (var path in new[] { "/ops", $"/alarms/{alarmId}" })
        {
            await staff.GotoAsync(path);
            await Expect(staff.Locator("main h1")).ToBeVisibleAsync();
            problems.AddRange(await Axe.SeriousViolationsAsync(staff));
        }
        await staff.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.OutputDirectory, "alarm-sos.png"), FullPage = true });
        await staff.Context.CloseAsync();

        var street = await app.NewPageAsync();
        await BrowserFixture.SignInAsync(street, "street");
        await street.GotoAsync("/ops");
        await Expect(street.Locator("main h1")).ToBeVisibleAsync();
        problems.AddRange(await Axe.SeriousViolationsAsync(street));
        await street.Context.CloseAsync();

        await CloseOpenSosCallsAsync();
        Assert.True(problems.Count == 0, "axe-core found serious or critical problems:\n" + string.Join("\n", problems));
    }
}

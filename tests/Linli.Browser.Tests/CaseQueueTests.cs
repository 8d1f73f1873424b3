using System.Net.Http.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Linli.Browser.Tests;

[Collection(BrowserCollection.Name)]
public sealed class CaseQueueTests(BrowserFixture app)
{
    /// <summary>A 1×1 PNG: the photo of the finished work.</summary>
    static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

    sealed record Category(int Id, string Code);

    sealed record CreatedCase(long Id, string Title);

    async Task<CreatedCase> ReportAsync(string title)
    {
        using var resident = await app.ApiAsAsync("resident1");
        var plumbing = (await resident.GetFromJsonAsync<List<Category>>("/api/v1/case-categories"))!.Single(c => c.Code == "plumbing");
        using var response = await resident.PostAsJsonAsync("/api/v1/cases", new { categoryId = plumbing.Id, title, description = "水槽下面一直滴水" });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<CreatedCase>())!;
    }

    static Task WaitForLiveAsync(IPage page) =>
        Expect(page.Locator("[data-case-live][data-live-state=connected]")).ToHaveCountAsync(1);

    /// <summary>htmx reports a bad attribute only on the console; a page with such an error half-works.</summary>
    static List<string> ConsoleErrors(IPage page)
    {
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error" || m.Text.StartsWith("htmx:", StringComparison.Ordinal)) errors.Add(m.Text); };
        return errors;
    }

    [Fact]
    public async Task A_new_report_appears_on_the_open_queue_and_the_property_clerk_works_it_through_the_forms()
    {
        // A phone: the clerk is out on the estate.
        var page = await app.NewPageAsync(390, 844);
        var consoleErrors = ConsoleErrors(page);
        await BrowserFixture.SignInAsync(page, "property1");
        await page.Locator("header nav a[href='/cases']").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/cases");
        await WaitForLiveAsync(page);
        // A reload would drop this marker; the live update must not reload.
        await page.EvaluateAsync("() => window.stillTheSamePage = true");

        var title = "厨房水管漏水 " + Guid.NewGuid().ToString("N")[..6];
        var leak = await ReportAsync(title);

        var card = page.Locator($"#case-queue [data-case-id='{leak.Id}']");
        await Expect(card).ToBeVisibleAsync();
        await Expect(card).ToContainTextAsync(title);
        await Expect(page.Locator("#case-live-status")).ToContainTextAsync("1");
        Assert.True(await page.EvaluateAsync<bool>("() => window.stillTheSamePage === true"), "the queue reloaded the page instead of updating the list");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the queue scrolls sideways on a phone");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.OutputDirectory, "cases-phone.png"), FullPage = true });

        await card.Locator($"a[href='/cases/{leak.Id}']").ClickAsync();
        await page.WaitForURLAsync($"**/cases/{leak.Id}", new() { WaitUntil = WaitUntilState.DOMContentLoaded });
        var timeline = page.Locator("#case-timeline li");
        await Expect(timeline).ToHaveCountAsync(1);

        await page.Locator("#action-accept button").ClickAsync();
        await Expect(page.Locator("#case-timeline li.ev-Accepted")).ToHaveCountAsync(1);
        await page.Locator("#action-grab button").ClickAsync();
        await Expect(page.Locator("#case-timeline li.ev-Grabbed")).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-testid=assignee]")).ToHaveTextAsync("物业客服 · 赵敏");

        await page.Locator("#handle-note").FillAsync("更换了角阀，已不再滴水");
        await page.Locator("#handle-photos").SetInputFilesAsync(new FilePayload { Name = "after.png", MimeType = "image/png", Buffer = Png });
        await page.Locator("#action-handle button[type=submit]").ClickAsync();
        await Expect(page.Locator("#case-timeline li.ev-Handled")).ToContainTextAsync("更换了角阀，已不再滴水");
        await Expect(page.Locator($"#case-facts img[src^='/api/v1/cases/{leak.Id}/photos/']")).ToHaveCountAsync(1);

        // Each step on the timeline, in order, with who did it.
        await Expect(timeline).ToHaveCountAsync(5);
        var kinds = await timeline.EvaluateAllAsync<string[]>("items => items.map(li => li.className)");
        Assert.Equal(["ev-Reported", "ev-Accepted", "ev-Grabbed", "ev-Handled", "ev-PhotoAdded"], kinds);
        foreach (var step in new[] { "ev-Accepted", "ev-Grabbed", "ev-Handled" })
            await Expect(page.Locator($"#case-timeline li.{step} .who")).ToHaveTextAsync("物业客服 · 赵敏");

        // Someone else's note appears on the open case page without a reload.
        await WaitForLiveAsync(page);
        await page.EvaluateAsync("() => window.stillTheSamePage = true");
        using (var admin = await app.ApiAsAsync("admin1"))
        {
            using var comment = await admin.PostAsJsonAsync($"/api/v1/cases/{leak.Id}/comment", new { note = "已电话回访，居民满意" });
            comment.EnsureSuccessStatusCode();
        }
        await Expect(page.Locator("#case-timeline li.ev-Commented")).ToContainTextAsync("已电话回访，居民满意");
        Assert.True(await page.EvaluateAsync<bool>("() => window.stillTheSamePage === true"), "the case page reloaded instead of updating its timeline");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.OutputDirectory, "case-phone.png"), FullPage = true });

        // The board on a phone scrolls sideways inside its own box; the page itself does not.
        await page.GotoAsync("/cases?view=board&status=all");
        var board = page.Locator(".board");
        await Expect(board.Locator($"[data-case-id='{leak.Id}']")).ToBeVisibleAsync();
        Assert.True(await board.EvaluateAsync<bool>("b => b.scrollWidth > b.clientWidth"), "the board's columns do not scroll sideways");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.OutputDirectory, "cases-board-phone.png"), FullPage = true });
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the board page scrolls sideways as a whole");

        // The filters (folded away on a phone) update the list in place.
        await page.Locator(".case-filters .more-filters summary").ClickAsync();
        await page.Locator(".case-filters input[name=overdue]").CheckAsync();
        await page.WaitForURLAsync(url => url.Contains("overdue=true", StringComparison.Ordinal));
        await Expect(board.Locator($"[data-case-id='{leak.Id}']")).ToHaveCountAsync(0);
        Assert.Empty(consoleErrors);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_case_pages_have_no_serious_or_critical_axe_violations()
    {
        var leak = await ReportAsync("楼道水管漏水 " + Guid.NewGuid().ToString("N")[..6]);
        var page = await app.NewPageAsync();
        var problems = new List<string>();

        await BrowserFixture.SignInAsync(page, "property1");
        foreach (var path in new[] { "/cases", "/cases?view=board", $"/cases/{leak.Id}" })
        {
            await page.GotoAsync(path);
            await Expect(page.Locator("main h1")).ToBeVisibleAsync();
            problems.AddRange(await Axe.SeriousViolationsAsync(page));
        }
        // The secondary actions open, as someone rejecting the case would see them.
        foreach (var details in await page.Locator("details.case-action").AllAsync()) await details.Locator("summary").ClickAsync();
        problems.AddRange(await Axe.SeriousViolationsAsync(page));
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.OutputDirectory, "case-desktop.png"), FullPage = true });
        await page.Context.CloseAsync();

        var admin = await app.NewPageAsync();
        await BrowserFixture.SignInAsync(admin, "admin1");
        await admin.GotoAsync("/cases/supervision");
        await Expect(admin.Locator("main h1")).ToBeVisibleAsync();
        problems.AddRange(await Axe.SeriousViolationsAsync(admin));
        await admin.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.OutputDirectory, "case-supervision.png"), FullPage = true });
        await admin.Context.CloseAsync();

        Assert.True(problems.Count == 0, "axe-core found serious or critical problems:\n" + string.Join("\n", problems));
    }
}

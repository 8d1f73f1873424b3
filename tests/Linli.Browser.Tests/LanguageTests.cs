using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Linli.Browser.Tests;

[Collection(BrowserCollection.Name)]
public sealed partial class LanguageTests(BrowserFixture app)
{
    /// <summary>Chinese characters (the CJK unified ideographs and their extension A) and CJK punctuation.</summary>
    [GeneratedRegex(@"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")]
    private static partial Regex Chinese();

    [Fact]
    public async Task Pages_are_in_Chinese_until_English_is_chosen_and_stay_English_afterwards()
    {
        var page = await app.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "grid1");
        var nav = page.Locator("header nav");
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "居民", Exact = true })).ToBeVisibleAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");

        await page.GetByRole(AriaRole.Link, new() { Name = "English", Exact = true }).ClickAsync();
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Residents", Exact = true })).ToBeVisibleAsync();
        await Expect(nav).Not.ToContainTextAsync("居民");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");

        await nav.GetByRole(AriaRole.Link, new() { Name = "Residents", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/residents");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Residents");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "中文", Exact = true })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "中文", Exact = true }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("居民");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task In_English_a_resident_reads_the_report_forms_categories_groups_and_hints_in_English()
    {
        using var self = await app.ApiAsAsync("resident1");
        var categories = (await self.GetFromJsonAsync<List<CategoryRow>>("/api/v1/case-categories"))!;
        var lift = categories.Single(c => c.Code == "lift");
        var plumbing = categories.Single(c => c.Code == "plumbing");

        var page = await app.NewPageAsync(390, 844);
        await BrowserFixture.SignInAsync(page, "resident1");
        await page.GotoAsync("/language?culture=en&returnUrl=/cases/report");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        var main = page.Locator("main");
        // Step 1: what is wrong. Every category, group heading and hint is in English.
        await Expect(main.Locator("h2").First).ToBeVisibleAsync();
        await Expect(main.Locator("a.pick", new() { HasText = "Lift fault" })).ToContainTextAsync("emergency phone");
        await NoChineseAsync(main, "the categories");
        Assert.Equal(await main.Locator("a.pick").CountAsync(), categories.Count(c => c.Code is not ("patrol" or "device-alarm")));

        // Step 2: where. The chosen category in English (the places keep their own names).
        await main.Locator($"a.pick[href='/cases/report?category={lift.Id}']").ClickAsync();
        await NoChineseAsync(main.Locator("p.chosen"), "the chosen category");
        await NoChineseAsync(main.Locator(".step-hint"), "the step");

        // Step 3: the form: the chosen category, every label, hint and button.
        await page.GotoAsync($"/cases/report?category={plumbing.Id}");
        await Expect(main.Locator("#title")).ToBeVisibleAsync();
        await Expect(main.Locator("dl.chosen dd").First).ToContainTextAsync("Water and power at home");
        await NoChineseAsync(main.Locator("dl.chosen dd").First, "the chosen category");
        await NoChineseAsync(main.Locator("form.report-form"), "the report form");
        await NoChineseAsync(main.Locator(".step-hint"), "the step");
        var problems = (await Axe.SeriousViolationsAsync(page)).ToList();

        // The case it becomes names its category in English too, in the list and on its page.
        await main.Locator("#title").FillAsync("Kitchen tap drips");
        await main.Locator("form.report-form button[type=submit]").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath.StartsWith("/cases/reported/", StringComparison.Ordinal));
        await Expect(main).ToContainTextAsync("(Water and power at home)");
        await page.GotoAsync("/cases/mine");
        await Expect(main.Locator(".case-list li").First).ToContainTextAsync("Water and power at home");
        await main.Locator(".case-list li a").First.ClickAsync();
        await Expect(main.Locator("p.muted").First).ToContainTextAsync("Water and power at home");
        await page.Context.CloseAsync();
        Assert.True(problems.Count == 0, "axe-core found serious or critical problems:\n" + string.Join("\n", problems));
    }

    static async Task NoChineseAsync(ILocator where, string what)
    {
        foreach (var text in await where.AllInnerTextsAsync())
            Assert.False(Chinese().IsMatch(text), $"{what} shows Chinese on the English page: {text}");
        Assert.True(await where.CountAsync() > 0, $"{what} is not on the page");
    }

    sealed record CategoryRow(int Id, string Code);
}

using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Linli.Browser.Tests;

[Collection(BrowserCollection.Name)]
public sealed class LanguageTests(BrowserFixture app)
{
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
}

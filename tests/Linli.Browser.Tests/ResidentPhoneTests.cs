using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Linli.Browser.Tests;

[Collection(BrowserCollection.Name)]
public sealed class ResidentPhoneTests(BrowserFixture app)
{
    [Fact]
    public async Task A_resident_on_a_phone_sees_their_household_and_nobody_else()
    {
        using var self = await app.ApiAsAsync("resident1");
        var me = await self.GetFromJsonAsync<Me>("/api/v1/me");
        using var admin = await app.ApiAsAsync("admin1");
        var home = await admin.GetFromJsonAsync<HouseholdRoom>($"/api/v1/rooms/{me!.ScopeId}");
        var stranger = (await admin.GetFromJsonAsync<PageOf<ResidentRow>>("/api/v1/residents?pageSize=50"))!.Items
            .First(r => r.RoomId is not null && r.RoomId != me.ScopeId);

        var page = await app.NewPageAsync(390, 844);
        await BrowserFixture.SignInAsync(page, "resident1");
        await Expect(page.Locator("h1")).ToHaveTextAsync("我的家");
        var household = page.Locator("section[aria-labelledby=household]");
        await Expect(household.Locator("h2")).ToHaveTextAsync(home!.Label);
        foreach (var person in home.Household)
            await Expect(household.Locator("li strong", new() { HasTextRegex = new Regex("^" + Regex.Escape(person.Name) + "$") })).ToHaveCountAsync(1);
        // Phone layout: nothing wider than the screen.
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the home page scrolls sideways on a phone");

        await page.GotoAsync($"/residents/{stranger.Id}");
        await Expect(page.Locator("main")).ToContainTextAsync("在您的辖区内未找到");
        await Expect(page.Locator("main")).Not.ToContainTextAsync(stranger.Name);

        await page.GotoAsync("/audit");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/denied");
        await page.Context.CloseAsync();
    }

    sealed record HouseholdRoom(int Id, string Label, IReadOnlyList<ResidentRow> Household);
}

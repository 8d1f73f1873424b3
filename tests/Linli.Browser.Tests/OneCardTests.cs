using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Linli.Browser.Tests;

/// <summary>
/// The one card in a real browser (issue 12): an older resident with large text opens "my card" on a phone, sees the door
/// code change by itself, invites a visitor and reports a card lost; the staff page reads the controllers and the log.
/// Every page is checked with axe.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class OneCardTests(BrowserFixture app)
{
    [Fact]
    public async Task A_resident_with_large_text_sees_the_door_code_change_by_itself_invites_a_visitor_and_reports_a_card_lost()
    {
        var page = await app.NewPageAsync(390, 844);
        await BrowserFixture.SignInAsync(page, "resident1");
        await page.GotoAsync("/display?large=true&returnUrl=/");
        await Expect(page.Locator("html")).ToHaveClassAsync("large");
        await page.GetByRole(AriaRole.Link, new() { Name = "一卡通" }).First.ClickAsync();
        await Expect(page.Locator("main h1")).ToHaveTextAsync("我的一卡通");

        var code = page.GetByTestId("phone-code");
        await Expect(code.Locator(".qr svg")).ToBeVisibleAsync();
        var first = await code.GetAttributeAsync("data-code");
        Assert.StartsWith("LQ1.", first, StringComparison.Ordinal);
        // The QR fills most of the phone's width: held up to a reader at arm's length.
        var box = await code.Locator(".qr").BoundingBoxAsync();
        Assert.True(box!.Width >= 300, $"the code is {box.Width} px wide on a 390 px phone");
        var problems = new List<string>(await Axe.SeriousViolationsAsync(page));

        // The code rotates every 30 s; the page fetches it without the resident touching anything.
        await Expect(page.GetByTestId("phone-code")).Not.ToHaveAttributeAsync("data-code", first!, new() { Timeout = 45_000 });

        await page.Locator("#visitorName").FillAsync("张阿姨");
        await page.Locator("#entries").SelectOptionAsync("2");
        await page.GetByTestId("invite").ClickAsync();
        var pass = page.GetByTestId("visitor-pass");
        await Expect(pass.Locator(".qr svg")).ToBeVisibleAsync();
        Assert.StartsWith("LV1.", await pass.GetAttributeAsync("data-code"), StringComparison.Ordinal);
        await Expect(page.Locator("#visitors-h")).ToBeVisibleAsync();
        await Expect(page.Locator("section[aria-labelledby=visitors-h]")).ToContainTextAsync("张阿姨");

        var card = page.Locator("[data-testid^=credential-]").Filter(new() { HasText = "门禁卡" }).First;
        await card.GetByRole(AriaRole.Button, new() { Name = "我丢了" }).ClickAsync();
        await Expect(page.GetByTestId("card-message")).ToContainTextAsync("已挂失");
        await Expect(page.Locator("[data-testid^=credential-]").Filter(new() { HasText = "门禁卡" }).First).ToContainTextAsync("已挂失");
        problems.AddRange(await Axe.SeriousViolationsAsync(page));
        await page.Context.CloseAsync();
        Assert.True(problems.Count == 0, "axe-core found serious or critical problems:\n" + string.Join("\n", problems));
    }

    [Fact]
    public async Task Staff_read_the_controllers_and_passages_and_the_page_is_the_same_in_English()
    {
        var page = await app.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "admin1");
        await page.GetByRole(AriaRole.Link, new() { Name = "门禁道闸" }).ClickAsync();
        await Expect(page.Locator("main h1")).ToHaveTextAsync("门禁道闸");
        // The demo's controllers are listed with their gates, link and whitelist version.
        await Expect(page.Locator("[data-testid^=controller-DC-]").First).ToBeVisibleAsync();
        await Expect(page.Locator("#credentials-h")).ToBeVisibleAsync();
        var problems = new List<string>(await Axe.SeriousViolationsAsync(page));

        // The office gives a holder daytime hours on one building's doors.
        var firstRow = page.Locator("tr[data-testid^=credential-]").First;
        var credentialId = (await firstRow.GetAttributeAsync("data-testid"))!["credential-".Length..];
        var buildingId = await FirstBuildingAsync(page);
        await page.Locator("#rightsId").FillAsync(credentialId);
        await page.Locator("#rightsScope").SelectOptionAsync("Building");
        await page.Locator("#rightsPlace").FillAsync(buildingId);
        await page.Locator("#rightsFrom").FillAsync("06:00");
        await page.Locator("#rightsUntil").FillAsync("20:00");
        await page.GetByTestId("set-rights").ClickAsync();
        await Expect(page.GetByTestId("access-message")).ToContainTextAsync("权限已修改");
        await Expect(page.GetByTestId($"credential-{credentialId}")).ToContainTextAsync($"楼栋 #{buildingId} 06:00–20:00");

        // The guard registers a walk-in visitor to a resident and shows the pass on the screen.
        using (var api = await app.ApiAsAsync("admin1"))
        {
            var host = (await api.GetFromJsonAsync<PageOf<ResidentRow>>("/api/v1/residents?pageSize=5"))!.Items.First(r => r.RoomId is not null);
            await page.Locator("summary", new() { HasText = "登记来访人员" }).ClickAsync();
            await page.Locator("#hostId").FillAsync(host.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await page.Locator("#walkInName").FillAsync("快递 小王");
            await page.GetByTestId("walk-in").ClickAsync();
            await Expect(page.GetByTestId("walk-in-pass").Locator(".qr svg")).ToBeVisibleAsync();
            Assert.StartsWith("LV1.", await page.GetByTestId("walk-in-pass").GetAttributeAsync("data-code"), StringComparison.Ordinal);
        }

        await page.GotoAsync("/access?building=" + await FirstBuildingAsync(page));
        await Expect(page.Locator("#inside-h")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "English" }).ClickAsync();
        await Expect(page.Locator("main h1")).ToHaveTextAsync("Doors and gates");
        problems.AddRange(await Axe.SeriousViolationsAsync(page));
        await page.Context.CloseAsync();
        Assert.True(problems.Count == 0, "axe-core found serious or critical problems:\n" + string.Join("\n", problems));
    }

    [Fact]
    public async Task Staff_see_each_car_parks_free_visitor_spaces_on_the_parking_page_and_on_the_site_plan()
    {
        var page = await app.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "admin1");
        await page.GetByRole(AriaRole.Link, new() { Name = "停车" }).ClickAsync();
        await Expect(page.Locator("main h1")).ToHaveTextAsync("停车");
        var lot = page.GetByTestId("lots").Locator("tbody tr").First;
        await Expect(lot).ToContainTextAsync("/ 30");
        var problems = new List<string>(await Axe.SeriousViolationsAsync(page));
        var code = await lot.GetAttributeAsync("data-lot");

        using var api = await app.ApiAsAsync("admin1");
        var me = await api.GetFromJsonAsync<JsonElement>("/api/v1/me");
        await page.GotoAsync($"/registry/communities/{me.GetProperty("scopeId").GetInt32()}");
        await Expect(page.Locator($"text.parking-free[data-lot='{code}']")).ToContainTextAsync("空位");
        problems.AddRange(await Axe.SeriousViolationsAsync(page));
        await page.Context.CloseAsync();
        Assert.True(problems.Count == 0, "axe-core found serious or critical problems:\n" + string.Join("\n", problems));
    }

    static async Task<string> FirstBuildingAsync(IPage page) =>
        await page.Locator("select[name=building] option").Nth(1).GetAttributeAsync("value") ?? "";
}

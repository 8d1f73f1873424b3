using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Linli.Browser.Tests;

[Collection(BrowserCollection.Name)]
public sealed partial class RegistryJourneyTests(BrowserFixture app)
{
    [Fact]
    public async Task Move_out_asks_first_cancelling_keeps_the_resident_and_confirming_moves_them_out()
    {
        using var admin = await app.ApiAsAsync("admin1");
        using var self = await app.ApiAsAsync("resident1");
        var home = (await self.GetFromJsonAsync<Me>("/api/v1/me"))!.ScopeId;
        // Someone from the middle of the list, not of resident1's household, whom the other tests do not pick.
        var candidates = (await admin.GetFromJsonAsync<PageOf<ResidentRow>>("/api/v1/residents?pageSize=200"))!.Items
            .Where(r => r.RoomId is not null && r.RoomId != home).OrderBy(r => r.Id).ToList();
        var target = candidates[candidates.Count / 2];

        var page = await app.NewPageAsync(390, 844);
        await BrowserFixture.SignInAsync(page, "admin1");
        await page.GotoAsync($"/residents/{target.Id}");
        await page.GetByRole(AriaRole.Button, new() { Name = "登记迁出" }).ClickAsync();

        // The question, with whom and where, and nothing recorded yet.
        var question = page.Locator("#confirm-move-out");
        await Expect(question.Locator("h2")).ToContainTextAsync(target.Name);
        await Expect(question.Locator("h2")).ToContainTextAsync(target.RoomLabel!);
        var problems = (await Axe.SeriousViolationsAsync(page)).ToList();
        Assert.Equal(target.RoomId, (await admin.GetFromJsonAsync<ResidentRow>($"/api/v1/residents/{target.Id}"))!.RoomId);

        await question.GetByRole(AriaRole.Link, new() { Name = "不迁出，返回" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == $"/residents/{target.Id}");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "登记迁出" })).ToBeVisibleAsync();
        await Expect(page.Locator("main")).Not.ToContainTextAsync("已登记迁出");
        Assert.Equal(target.RoomId, (await admin.GetFromJsonAsync<ResidentRow>($"/api/v1/residents/{target.Id}"))!.RoomId);

        await page.GetByRole(AriaRole.Button, new() { Name = "登记迁出" }).ClickAsync();
        await question.GetByRole(AriaRole.Button, new() { Name = "确认迁出" }).ClickAsync();
        await Expect(page.Locator("main [role=status]")).ToHaveTextAsync("已登记迁出。");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "登记迁出" })).ToHaveCountAsync(0);
        Assert.Null((await admin.GetFromJsonAsync<ResidentRow>($"/api/v1/residents/{target.Id}"))!.RoomId);
        await page.Context.CloseAsync();
        Assert.True(problems.Count == 0, "axe-core found serious or critical problems:\n" + string.Join("\n", problems));
    }

    [Fact]
    public async Task Grid_worker_finds_a_resident_unmasks_the_numbers_and_the_admin_sees_it_in_the_audit_log()
    {
        using var api = await app.ApiAsAsync("grid1");
        var residents = await api.GetFromJsonAsync<PageOf<ResidentRow>>("/api/v1/residents?pageSize=200");
        // Not the first names on the unfiltered list, so the search has to change the table; and a name whose matches fit on
        // the first page of results, so the link is there to click.
        ResidentRow? target = null;
        foreach (var candidate in residents!.Items.Where(r => r.PhoneMasked is not null).OrderByDescending(r => r.Id))
        {
            var matches = await api.GetFromJsonAsync<PageOf<ResidentRow>>($"/api/v1/residents?pageSize=20&q={Uri.EscapeDataString(candidate.Name)}");
            if (matches!.Total <= 20) { target = candidate; break; }
        }
        Assert.NotNull(target);

        var page = await app.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "grid1");
        await Expect(page.Locator("header .who")).ToContainTextAsync("张丽");
        await Expect(page.Locator("h1")).ToContainTextAsync("张丽");

        await page.Locator("header nav").GetByRole(AriaRole.Link, new() { Name = "居民" }).ClickAsync();
        await page.WaitForURLAsync("**/residents");
        var caption = page.Locator("#results caption");
        var before = await caption.InnerTextAsync();
        // A full page load would drop this marker; htmx swapping the table keeps it.
        await page.EvaluateAsync("() => window.stillTheSamePage = true");

        await page.Locator("#q").PressSequentiallyAsync(target.Name, new() { Delay = 30 });
        await page.WaitForURLAsync(url => url.Contains("q=", StringComparison.Ordinal));
        await Expect(caption).Not.ToHaveTextAsync(before);
        var names = page.Locator("#results tbody tr td:first-child a");
        await Expect(names.First).ToHaveTextAsync(new Regex("^" + Regex.Escape(target.Name)));
        foreach (var name in await names.AllInnerTextsAsync())
            Assert.StartsWith(target.Name, name, StringComparison.Ordinal);
        Assert.True(await page.EvaluateAsync<bool>("() => window.stillTheSamePage === true"), "the search reloaded the whole page instead of updating the table");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.OutputDirectory, "residents.png"), FullPage = true });
        Assert.True(File.Exists(Path.Combine(BrowserFixture.OutputDirectory, "residents.png")));

        await page.Locator($"#results a[href='/residents/{target.Id}']").ClickAsync();
        await page.WaitForURLAsync($"**/residents/{target.Id}");
        await Expect(page.Locator("h1")).ToHaveTextAsync(target.Name);
        var idNumber = page.Locator("[data-testid=id-number]");
        var phone = page.Locator("[data-testid=phone]");
        await Expect(idNumber).ToContainTextAsync("********");
        await Expect(phone).ToContainTextAsync("****");

        await page.GetByRole(AriaRole.Button, new() { Name = "查看完整号码" }).ClickAsync();
        await Expect(idNumber).ToHaveTextAsync(FullIdNumber());
        await Expect(phone).ToHaveTextAsync(FullPhone());
        await page.Context.CloseAsync();

        var admin = await app.NewPageAsync();
        await BrowserFixture.SignInAsync(admin, "admin1");
        await admin.GotoAsync("/audit");
        var entry = admin.Locator("tbody tr").Filter(new() { Has = admin.Locator($"a[href='/residents/{target.Id}']") })
            .Filter(new() { HasText = "grid1" });
        await Expect(entry.First).ToBeVisibleAsync();
        await admin.Context.CloseAsync();
    }

    [Fact]
    // A community admin: the site plan is a community page, and a grid worker's scope does not include the community node.
    public async Task A_household_opens_from_the_resident_and_the_site_plan_leads_to_the_building()
    {
        using var api = await app.ApiAsAsync("admin1");
        var resident = (await api.GetFromJsonAsync<PageOf<ResidentRow>>("/api/v1/residents?pageSize=20"))!.Items.First(r => r.RoomId is not null);
        var room = await api.GetFromJsonAsync<RoomBrief>($"/api/v1/rooms/{resident.RoomId}");
        var building = await api.GetFromJsonAsync<BuildingDetail>($"/api/v1/buildings/{room!.BuildingId}");

        var page = await app.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "admin1");
        await page.GotoAsync($"/residents/{resident.Id}");
        await page.Locator("dl.facts").GetByRole(AriaRole.Link, new() { Name = resident.RoomLabel! }).ClickAsync();
        await page.WaitForURLAsync($"**/registry/rooms/{room.Id}");
        await Expect(page.Locator("h1")).ToHaveTextAsync(room.Label);
        var household = page.Locator("section[aria-labelledby=hh] table");
        await Expect(household.GetByRole(AriaRole.Link, new() { Name = resident.Name, Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "历任住户" })).ToBeVisibleAsync();
        await Expect(page.Locator("section[aria-labelledby=hist] li").Filter(new() { HasText = resident.Name }).First).ToBeVisibleAsync();

        await page.GotoAsync($"/registry/buildings/{building!.Building.Id}");
        var units = building.Rooms.GroupBy(r => r.UnitNo).ToList();
        await Expect(page.Locator("section.card h2")).ToHaveCountAsync(units.Count);
        foreach (var unit in units)
        {
            var section = page.Locator($"section[aria-labelledby='unit-{unit.Key}']");
            foreach (var floor in unit.GroupBy(r => r.Floor))
                await Expect(section.Locator(".floors > span", new() { HasTextRegex = new Regex($"^{floor.Key} F$") })).ToHaveCountAsync(1);
            await Expect(section.Locator(".floors > a")).ToHaveCountAsync(unit.Count());
        }
        // The room cell of this household sits in its unit's section and leads back to the room.
        var cell = page.Locator($"section[aria-labelledby='unit-{units.First(u => u.Any(r => r.Id == room.Id)).Key}'] a[href='/registry/rooms/{room.Id}']");
        await Expect(cell).ToBeVisibleAsync();

        await page.GotoAsync($"/registry/communities/{building.Building.CommunityId}");
        var plan = page.Locator("svg.plan");
        await Expect(plan).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.OutputDirectory, "site-plan.png"), FullPage = true });
        Assert.True(File.Exists(Path.Combine(BrowserFixture.OutputDirectory, "site-plan.png")));
        await plan.Locator($"a[href='/registry/buildings/{building.Building.Id}'] rect").ClickAsync();
        await page.WaitForURLAsync($"**/registry/buildings/{building.Building.Id}");
        await Expect(page.Locator("h1")).ToContainTextAsync(building.Building.Name);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Registering_a_resident_refuses_a_wrong_id_check_digit_and_saves_a_right_one()
    {
        using var api = await app.ApiAsAsync("grid1");
        var roomId = (await api.GetFromJsonAsync<PageOf<ResidentRow>>("/api/v1/residents?pageSize=5"))!.Items.First(r => r.RoomId is not null).RoomId!.Value;
        var countBefore = await ResidentCountAsync(api);
        var body = $"{DateTime.UtcNow.Ticks % 900 + 100}";
        var valid = IdNumbers.WithCheckDigit("99010119850315" + body[..3]);
        var wrong = valid[..17] + (valid[17] == '1' ? '2' : '1');
        var name = "测试" + body[..3];

        var page = await app.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "grid1");
        await page.GotoAsync($"/residents/new?roomId={roomId}");
        await page.Locator("#name").FillAsync(name);
        await page.Locator("#idNumber").FillAsync(wrong);
        await page.Locator("#phone").FillAsync("13912345678");
        await page.Locator("form.card button[type=submit]").ClickAsync();

        var error = page.Locator("#idNumber-err");
        await Expect(error).ToBeVisibleAsync();
        await Expect(error).ToContainTextAsync("校验码"); // the reason, in the page's language
        await Expect(page.Locator("#idNumber")).ToHaveAttributeAsync("aria-invalid", "true");
        // The message sits right after the ID field (and its hint), not somewhere else on the page.
        Assert.True(await page.EvaluateAsync<bool>("() => { const f = document.getElementById('idNumber'); const e = document.getElementById('idNumber-err'); return f.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING && e.previousElementSibling.id === 'id-hint'; }"));
        Assert.Equal(countBefore, await ResidentCountAsync(api));

        await page.Locator("#name").FillAsync(name);
        await page.Locator("#idNumber").FillAsync(valid);
        await page.Locator("#phone").FillAsync("13912345678");
        await page.Locator("form.card button[type=submit]").ClickAsync();
        await page.WaitForURLAsync(new Regex(@"/residents/\d+$"));
        await Expect(page.Locator("h1")).ToHaveTextAsync(name);
        await Expect(page.Locator("[data-testid=id-number]")).ToHaveTextAsync(valid[..6] + "********" + valid[14..]);
        Assert.Equal(countBefore + 1, await ResidentCountAsync(api));
        await page.Context.CloseAsync();
    }

    static async Task<int> ResidentCountAsync(HttpClient api) =>
        (await api.GetFromJsonAsync<PageOf<ResidentRow>>("/api/v1/residents?pageSize=1"))!.Total;

    [GeneratedRegex(@"^\d{17}[\dX]$")]
    private static partial Regex FullIdNumber();

    [GeneratedRegex(@"^1\d{10}$")]
    private static partial Regex FullPhone();
}

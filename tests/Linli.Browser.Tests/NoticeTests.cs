using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Linli.Browser.Tests;

[Collection(BrowserCollection.Name)]
public sealed class NoticeTests(BrowserFixture app)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    [Fact]
    public async Task A_resident_on_a_phone_opens_an_urgent_notice_from_the_home_page_and_it_counts_as_read()
    {
        using var admin = await app.ApiAsAsync("admin1");
        var title = $"燃气管道检修 {Guid.NewGuid():N}"[..14];
        using var created = await admin.PostAsJsonAsync("/api/v1/notices", new
        {
            title,
            body = "**今天 14:00–17:00** 燃气检修。\n\n- 关闭燃气阀门\n- 开窗通风\n\n<script>document.title='hacked'</script>",
            urgent = true,
        }, Json);
        created.EnsureSuccessStatusCode();
        var notice = (await created.Content.ReadFromJsonAsync<NoticeRow>(Json))!;

        var page = await app.NewPageAsync(390, 844);
        await BrowserFixture.SignInAsync(page, "resident1");
        var urgentBox = page.Locator("section.urgent-box");
        await Expect(urgentBox).ToContainTextAsync(title);
        await urgentBox.GetByRole(AriaRole.Link, new() { Name = title }).ClickAsync();

        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == $"/notices/{notice.Id}");
        await Expect(page.Locator("main h1")).ToHaveTextAsync(title);
        await Expect(page.Locator(".urgent-banner")).ToBeVisibleAsync();
        await Expect(page.Locator(".notice-body strong")).ToHaveTextAsync("今天 14:00–17:00");
        await Expect(page.Locator(".notice-body li")).ToHaveCountAsync(2);
        // The script in the text is shown as text and never runs.
        await Expect(page.Locator(".notice-body")).ToContainTextAsync("<script>");
        Assert.NotEqual("hacked", await page.TitleAsync());
        // Large type on a small screen, and nothing wider than the screen.
        Assert.True(await page.EvaluateAsync<double>("() => parseFloat(getComputedStyle(document.querySelector('.notice-body')).fontSize)") >= 18,
            "the notice text is smaller than 18px on a phone");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the notice page scrolls sideways on a phone");
        var problems = (await Axe.SeriousViolationsAsync(page)).ToList();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.OutputDirectory, "notice-phone.png"), FullPage = true });

        // Read: no longer marked unread in the list, gone from the home page's urgent box, counted in the receipt.
        await page.GotoAsync("/notices");
        var item = page.Locator("li.notice-item", new() { HasText = title });
        await Expect(item).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\burgent\b"));
        await Expect(item.Locator(".badge.unread")).ToHaveCountAsync(0);
        problems.AddRange(await Axe.SeriousViolationsAsync(page));
        await page.GotoAsync("/");
        await Expect(page.Locator("main h1")).ToBeVisibleAsync();
        await Expect(page.Locator("main")).Not.ToContainTextAsync(title);
        var receipt = await admin.GetFromJsonAsync<ReceiptRow>($"/api/v1/notices/{notice.Id}/receipts", Json);
        Assert.Equal(1, receipt!.ReachedHouseholds);
        await page.Context.CloseAsync();
        Assert.True(problems.Count == 0, "axe-core found serious or critical problems:\n" + string.Join("\n", problems));
    }

    [Fact]
    public async Task A_demo_resident_finds_current_notices_from_their_community_street_and_district()
    {
        var page = await app.NewPageAsync(390, 844);
        await BrowserFixture.SignInAsync(page, "resident2");
        await page.Locator("main a[href='/notices']").First.ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/notices");
        var items = page.Locator("li.notice-item");
        await Expect(items.First).ToBeVisibleAsync();
        Assert.True(await items.CountAsync() >= 5, $"resident2 finds {await items.CountAsync()} notices");
        await Expect(page.Locator("main")).Not.ToContainTextAsync("暂时没有发给您的通知");
        // From each level above the home: the community's office, the street and the district (明湖区).
        var from = (await page.Locator("li.notice-item .notice-meta").AllInnerTextsAsync()).Select(m => m.Split(" · ")[0]).Distinct().ToList();
        Assert.True(from.Count >= 3 && from.Contains("明湖区") && from.Any(f => f.EndsWith("社区", StringComparison.Ordinal)),
            "the notices come from " + string.Join(", ", from));
        var problems = (await Axe.SeriousViolationsAsync(page)).ToList();

        await items.Filter(new() { HasText = "社区便民服务电话" }).Locator("a").First.ClickAsync();
        await Expect(page.Locator("main h1")).ToHaveTextAsync("社区便民服务电话");
        await Expect(page.Locator(".notice-body li")).ToHaveCountAsync(3);
        await page.Context.CloseAsync();
        Assert.True(problems.Count == 0, "axe-core found serious or critical problems:\n" + string.Join("\n", problems));
    }

    [Fact]
    public async Task A_community_admin_publishes_with_the_form_and_prints_the_door_knocking_list()
    {
        var page = await app.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "admin1");
        await page.GotoAsync("/notices/new");
        var problems = (await Axe.SeriousViolationsAsync(page)).ToList();
        var title = $"电梯年检 {Guid.NewGuid():N}"[..12];
        await page.Locator("#title").FillAsync(title);
        await page.Locator("#body").FillAsync("明天上午 1 号楼电梯年检，请走楼梯。");
        var firstBuilding = page.Locator("#buildings input[type=checkbox]").First;
        await firstBuilding.CheckAsync();
        await page.Locator("form.notice-form button[type=submit]").ClickAsync();

        await page.WaitForURLAsync(url => System.Text.RegularExpressions.Regex.IsMatch(new Uri(url).AbsolutePath, @"^/notices/\d+$"));
        await Expect(page.Locator("main h1")).ToHaveTextAsync(title);
        await page.Locator("a[href$='/receipts']").ClickAsync();
        await Expect(page.Locator("[data-testid=read-percent]")).ToHaveTextAsync("0%");
        problems.AddRange(await Axe.SeriousViolationsAsync(page));
        var rows = page.Locator("section[aria-labelledby=per-building] tbody tr");
        await Expect(rows).ToHaveCountAsync(1);
        await rows.First.Locator("td a").ClickAsync();
        var doors = page.Locator("table.door-list tbody tr");
        await Expect(doors.First).ToBeVisibleAsync();
        var unread = await page.Locator("[data-testid=unread-households]").TextContentAsync();
        Assert.Equal(int.Parse(unread!.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture), await doors.CountAsync());
        await page.EmulateMediaAsync(new() { Media = Media.Print });
        await Expect(page.Locator("header.topbar")).ToBeHiddenAsync();
        await Expect(page.Locator("table.door-list")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.OutputDirectory, "notice-door-list-print.png"), FullPage = true });
        await page.Context.CloseAsync();
        Assert.True(problems.Count == 0, "axe-core found serious or critical problems:\n" + string.Join("\n", problems));
    }

    sealed record NoticeRow(int Id, string Title);

    sealed record ReceiptRow(int TargetedHouseholds, int ReachedHouseholds);
}

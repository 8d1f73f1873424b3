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

    /// <summary>
    /// Large text on a phone: the header stays a strip at the top (the page is what the resident came for), and no menu or
    /// account word breaks over two lines (我的 / 家 reads as two words).
    /// </summary>
    [Theory]
    [InlineData("resident1", 390)]
    [InlineData("resident1", 360)]
    [InlineData("grid1", 390)]
    public async Task Large_text_keeps_the_header_compact_and_every_word_in_it_whole(string user, int width)
    {
        var page = await app.NewPageAsync(width, 844);
        await BrowserFixture.SignInAsync(page, user);
        await page.GotoAsync("/display?large=true&returnUrl=/");
        await Expect(page.Locator("html")).ToHaveClassAsync("large");
        var header = await page.Locator("header.topbar").BoundingBoxAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.OutputDirectory, $"header-large-{user}-{width}.png") });
        var broken = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('header.topbar a, header.topbar button, header.topbar .who')]
              .filter(e => e.getClientRects().length > 0)
              .filter(e => {
                // One line: a single box whose height is about one line of its text (padding aside).
                const cs = getComputedStyle(e), line = parseFloat(cs.lineHeight) || parseFloat(cs.fontSize) * 1.7;
                const inner = e.getBoundingClientRect().height - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom);
                return e.getClientRects().length !== 1 || inner > line * 1.5;
              })
              .map(e => `"${e.textContent.trim()}" (${Math.round(e.getBoundingClientRect().height)}px)`)
            """);
        await page.Context.CloseAsync();
        Console.WriteLine($"{user} at {width}×844 in large text: header {header!.Height}px");
        Assert.True(broken.Length == 0, $"header words wrap in large text at {width}px: {string.Join(", ", broken)}");
        if (user.StartsWith("resident", StringComparison.Ordinal))
            Assert.True(header.Height <= 844 * 0.2, $"the header is {header.Height}px high in large text at {width}×844, more than a fifth of the screen");
    }

    /// <summary>
    /// The SOS button stays on screen over the page; on the phones residents use it must never sit on a control. Checked
    /// with the page scrolled to its end (the report form's send button is the last thing on it), wherever the browser
    /// brings a control into view (tabbing to it), and at the top, where a control may pass behind the button only as it
    /// passes below the screen's edge: across its whole width, never half-covered with the rest showing beside it.
    /// </summary>
    [Fact]
    public async Task The_SOS_button_never_covers_a_control_on_a_phone()
    {
        using var self = await app.ApiAsAsync("resident1");
        var categories = (await self.GetFromJsonAsync<List<CategoryRow>>("/api/v1/case-categories"))!;
        var plumbing = categories.Single(c => c.Code == "plumbing");
        var lighting = categories.Single(c => c.Code == "lighting");
        using var created = await self.PostAsJsonAsync("/api/v1/cases", new { categoryId = plumbing.Id, title = "阳台地漏返水" });
        created.EnsureSuccessStatusCode();
        var caseId = (await created.Content.ReadFromJsonAsync<CaseRow>())!.Id;
        var building = (await self.GetFromJsonAsync<HouseholdRoom>($"/api/v1/rooms/{(await self.GetFromJsonAsync<Me>("/api/v1/me"))!.ScopeId}"))!;
        string[] paths =
        [
            "/", "/cases/report", $"/cases/report?category={lighting.Id}", $"/cases/report?category={plumbing.Id}",
            $"/cases/report?category={lighting.Id}&building={building.BuildingId}&new=true",
            "/cases/mine", $"/my/cases/{caseId}", $"/cases/reported/{caseId}", "/notices", "/facilities",
        ];

        var overlaps = new List<string>();
        foreach (var large in new[] { false, true })
        {
            foreach (var width in new[] { 360, 390, 414, 430 })
            {
                var page = await app.NewPageAsync(width, 780);
                await BrowserFixture.SignInAsync(page, "resident1");
                if (large) await page.GotoAsync("/display?large=true&returnUrl=/");
                foreach (var path in paths)
                {
                    await page.GotoAsync(path);
                    await Expect(page.Locator("[data-testid=sos-button]")).ToBeVisibleAsync();
                    var found = await page.EvaluateAsync<string[]>(CoveredControls);
                    overlaps.AddRange(found.Select(f => $"{width}px{(large ? " large" : "")} {path}: {f}"));
                }
                await page.Context.CloseAsync();
            }
        }
        Assert.True(overlaps.Count == 0, $"the SOS button covers {overlaps.Count} controls:\n" + string.Join("\n", overlaps.Distinct().Take(40)));
    }

    /// <summary>
    /// The controls the SOS button overlaps: all visible ones with the page at its top and at its bottom, and each one
    /// when the browser has brought it into view by focusing it.
    /// </summary>
    const string CoveredControls = """
        async () => {
          const sos = document.querySelector('[data-testid=sos-button]');
          const controls = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')]
            .filter(c => !sos.contains(c));
          const name = c => `${c.tagName.toLowerCase()}${c.id ? '#' + c.id : ''}${c.getAttribute('href') ? '[' + c.getAttribute('href') + ']' : ''} "${(c.innerText || c.value || '').trim().slice(0, 20)}"`;
          const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
          const covered = (c, besideOnly) => {
            const r = c.getBoundingClientRect(), s = sos.getBoundingClientRect();
            // Visually hidden inputs (1px, clipped) stand for the labels drawn over them; off-screen ones are not seen.
            if (r.width <= 1 || r.height <= 1 || getComputedStyle(c).visibility === 'hidden') return false;
            if (r.bottom <= 0 || r.top >= innerHeight || r.right <= 0 || r.left >= innerWidth) return false;
            const overlaps = r.left < s.right && r.right > s.left && r.top < s.bottom && r.bottom > s.top;
            return overlaps && !(besideOnly && s.left <= Math.max(r.left, 0) && s.right >= Math.min(r.right, innerWidth));
          };
          const found = new Set();
          for (const at of ['top', 'bottom']) {
            window.scrollTo(0, at === 'top' ? 0 : document.documentElement.scrollHeight);
            await frame();
            for (const c of controls.filter(c => covered(c, at === 'top'))) found.add(`${name(c)} at the ${at}`);
          }
          for (const c of controls) {
            if (c.getClientRects().length === 0) continue;
            window.scrollTo(0, 0);
            c.focus();
            await frame();
            if (document.activeElement === c && covered(c, false))
              found.add(`${name(c)} when focused (${Math.round(c.getBoundingClientRect().top)}–${Math.round(c.getBoundingClientRect().bottom)}px, the button from ${Math.round(sos.getBoundingClientRect().top)}px)`);
          }
          document.activeElement?.blur();
          return [...found];
        }
        """;

    sealed record CategoryRow(int Id, string Code);

    sealed record CaseRow(long Id);

    sealed record HouseholdRoom(int Id, string Label, int BuildingId, IReadOnlyList<ResidentRow> Household);
}

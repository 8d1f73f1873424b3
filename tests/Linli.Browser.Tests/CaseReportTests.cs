using System.Net.Http.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Linli.Browser.Tests;

/// <summary>A resident on a phone reports a problem with a photo, watches it being handled, and rates the work.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CaseReportTests(BrowserFixture app)
{
    [Fact]
    public async Task A_resident_reports_a_leak_with_a_photo_sees_it_handled_live_and_rates_it()
    {
        using var self = await app.ApiAsAsync("resident1");
        var plumbing = await CategoryAsync(self, "plumbing");
        var photo = TinyPng();

        var page = await app.NewPageAsync(390, 844);
        await BrowserFixture.SignInAsync(page, "resident1");

        // Tap 1: the big button on the home page, then what is wrong. An in-home problem is at home: no "where" step.
        await page.Locator("main a[href='/cases/report']").ClickAsync();
        await page.Locator($"a.pick[href='/cases/report?category={plumbing.Id}']").ClickAsync();
        // Tap 2 and 3: a few words, a photo from the phone, send.
        await page.Locator("#title").FillAsync("厨房水龙头漏水");
        await page.Locator("#description").FillAsync("水槽下面一直在滴水");
        await page.Locator("#photos").SetInputFilesAsync(photo);
        await NoSidewaysScrollAsync(page, "the report form");
        await page.Locator("form[enctype='multipart/form-data'] button[type=submit]").ClickAsync();

        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath.StartsWith("/cases/reported/", StringComparison.Ordinal));
        var caseId = long.Parse(await page.Locator("#case-number").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
        await Expect(page.Locator("#handled-by")).ToHaveTextAsync("安居物业服务有限公司");
        await Expect(page.Locator("#answer-by")).Not.ToBeEmptyAsync();
        await Expect(page.Locator("#photo-count")).ToHaveTextAsync("1");

        await page.Locator($"a[href='/my/cases/{caseId}']").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == $"/my/cases/{caseId}");
        var status = page.Locator("#case-status [data-status]");
        await Expect(status).ToHaveAttributeAsync("data-status", "Reported");
        var img = page.Locator("#case-status .photos img");
        await Expect(img).ToHaveCountAsync(1);
        await img.ScrollIntoViewIfNeededAsync();
        Assert.True(await img.EvaluateAsync<bool>("i => i.complete && i.naturalWidth === 4"), "the photo sent with the report is not shown");
        // The live connection is up before the property company acts, and the page is never reloaded after this.
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-case-live", "on");
        await page.EvaluateAsync("() => { window.sameDocument = true; }");

        using var property = await app.ApiAsAsync("property1");
        foreach (var (action, body) in new (string, object)[] { ("accept", new { }), ("grab", new { }), ("handle", new { note = "更换了水龙头阀芯" }) })
        {
            using var response = await property.PostAsJsonAsync($"/api/v1/cases/{caseId}/{action}", body);
            Assert.True(response.IsSuccessStatusCode, $"{action}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        await Expect(status).ToHaveAttributeAsync("data-status", "Handled");
        await Expect(page.Locator("#case-status .resolution")).ToHaveTextAsync("更换了水龙头阀芯");
        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"), "the page was reloaded instead of updated in place");

        // The rating form arrived with the update: five big stars, a word, send.
        await page.Locator("label[for=star-5]").ClickAsync();
        await page.Locator("#rate-note").FillAsync("很及时");
        await page.Locator("form:has(#rate-note) button[type=submit]").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).Query.Contains("done=rate", StringComparison.Ordinal));
        await Expect(page.Locator("#case-rating")).ToHaveAttributeAsync("data-rating", "5");
        await Expect(page.Locator("#case-rating")).ToContainTextAsync("★★★★★");
        await Expect(page.Locator("#case-rating")).ToContainTextAsync("很及时");
        await Expect(status).ToHaveAttributeAsync("data-status", "Verified");
        await NoSidewaysScrollAsync(page, "the case page");

        // The list has it, newest first, with its status.
        await page.GotoAsync("/cases/mine");
        var first = page.Locator(".case-list li a").First;
        await Expect(first).ToHaveAttributeAsync("href", $"/my/cases/{caseId}");
        await Expect(first.Locator("[data-status]")).ToHaveAttributeAsync("data-status", "Verified");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_resident_case_pages_have_no_serious_axe_violations_and_fit_a_phone_in_large_text()
    {
        using var self = await app.ApiAsAsync("resident1");
        var plumbing = await CategoryAsync(self, "plumbing");
        var lighting = await CategoryAsync(self, "lighting");
        using var created = await self.PostAsJsonAsync("/api/v1/cases", new { categoryId = plumbing.Id, title = "卫生间下水慢" });
        created.EnsureSuccessStatusCode();
        var caseId = (await created.Content.ReadFromJsonAsync<CaseRow>())!.Id;

        var page = await app.NewPageAsync(390, 844);
        await BrowserFixture.SignInAsync(page, "resident1");
        var problems = new List<string>();
        string[] paths = ["/cases/report", $"/cases/report?category={lighting.Id}", $"/cases/report?category={plumbing.Id}", "/cases/mine", $"/my/cases/{caseId}"];
        foreach (var large in new[] { false, true })
        {
            await page.GotoAsync($"/display?large={(large ? "true" : "false")}&returnUrl=/");
            foreach (var (path, n) in paths.Select((p, n) => (p, n)))
            {
                await page.GotoAsync(path);
                await Expect(page.Locator("main h1")).ToBeVisibleAsync();
                await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.OutputDirectory, $"resident-case-{n}{(large ? "-large" : "")}.png"), FullPage = true });
                if (large) await NoSidewaysScrollAsync(page, path + " in large text");
                else problems.AddRange(await Axe.SeriousViolationsAsync(page));
            }
        }
        await page.Context.CloseAsync();
        Assert.True(problems.Count == 0, "axe-core found serious or critical problems:\n" + string.Join("\n", problems));
    }

    [Fact]
    public async Task Here_takes_the_place_from_the_phones_location()
    {
        using var self = await app.ApiAsAsync("resident1");
        var lighting = await CategoryAsync(self, "lighting");
        // Standing at one of the community's own facilities: inside the community, among its buildings.
        var spot = (await self.GetFromJsonAsync<PageOf<FacilityRow>>("/api/v1/facilities?surrounding=false&pageSize=50"))!.Items.First();
        var context = await app.Browser.NewContextAsync(new()
        {
            BaseURL = app.BaseAddress.ToString(),
            ViewportSize = new() { Width = 390, Height = 844 },
            Locale = "zh-CN",
            Geolocation = new() { Latitude = (float)spot.Latitude, Longitude = (float)spot.Longitude },
            Permissions = ["geolocation"],
        });
        var page = await context.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "resident1");

        await page.GotoAsync($"/cases/report?category={lighting.Id}");
        var here = page.Locator("button[data-locate]");
        await Expect(here).ToBeVisibleAsync();
        await here.ClickAsync();

        await page.WaitForURLAsync(url => new Uri(url).Query.Contains("lat=", StringComparison.Ordinal));
        await Expect(page.Locator("dl.chosen dd").Nth(1)).ToContainTextAsync("附近");
        await context.CloseAsync();
    }

    [Fact]
    public async Task The_resident_reads_who_was_sent_and_never_the_dispatchers_note()
    {
        using var self = await app.ApiAsAsync("resident1");
        var lift = await CategoryAsync(self, "lift");
        using var created = await self.PostAsJsonAsync("/api/v1/cases", new { categoryId = lift.Id, title = "电梯按钮不亮" });
        created.EnsureSuccessStatusCode();
        var caseId = (await created.Content.ReadFromJsonAsync<CaseRow>())!.Id;
        using var property = await app.ApiAsAsync("property1");
        using (var accepted = await property.PostAsJsonAsync($"/api/v1/cases/{caseId}/accept", new { })) accepted.EnsureSuccessStatusCode();
        var sent = (await property.GetFromJsonAsync<List<AssigneeRow>>($"/api/v1/cases/{caseId}/assignees"))!.First();
        const string note = "内部：此户上月投诉过物业，注意态度";
        using (var dispatched = await property.PostAsJsonAsync($"/api/v1/cases/{caseId}/dispatch", new { assigneeUserId = sent.UserId, note }))
            Assert.True(dispatched.IsSuccessStatusCode, $"dispatch: {(int)dispatched.StatusCode} {await dispatched.Content.ReadAsStringAsync()}");

        var page = await app.NewPageAsync(390, 844);
        await BrowserFixture.SignInAsync(page, "resident1");
        await page.GotoAsync($"/my/cases/{caseId}");
        await Expect(page.Locator("#case-status .timeline li", new() { HasText = $"已派 {sent.Name} 处理" })).ToHaveCountAsync(1);
        await Expect(page.Locator("body")).Not.ToContainTextAsync("注意态度");
        // Nor hidden in the markup for a screen reader or a curious look at the source.
        Assert.DoesNotContain("注意态度", await page.ContentAsync(), StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    static async Task<CategoryRow> CategoryAsync(HttpClient client, string code) =>
        (await client.GetFromJsonAsync<List<CategoryRow>>("/api/v1/case-categories"))!.Single(c => c.Code == code);

    /// <summary>Nothing wider than the screen; the message names the widest offenders.</summary>
    static async Task NoSidewaysScrollAsync(IPage page, string what)
    {
        var offenders = await page.EvaluateAsync<string>("""
            () => document.documentElement.scrollWidth <= window.innerWidth ? '' :
              [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .slice(-6).map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className ? '.' + e.className : ''}`).join(', ')
            """);
        Assert.True(offenders.Length == 0, $"{what} scrolls sideways on a phone: {offenders}");
    }

    /// <summary>A real 4×4 red PNG, written with its checksums, as a phone would send a photo.</summary>
    static FilePayload TinyPng()
    {
        static byte[] Chunk(string type, byte[] data)
        {
            var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
            var crc = Crc32([.. typeBytes, .. data]);
            return [.. BigEndian((uint)data.Length), .. typeBytes, .. data, .. BigEndian(crc)];
        }
        static uint Crc32(byte[] bytes)
        {
            var crc = 0xFFFFFFFFu;
            foreach (var b in bytes)
            {
                crc ^= b;
                for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
            return ~crc;
        }
        static byte[] BigEndian(uint v) => [(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v];

        var rows = Enumerable.Range(0, 4).SelectMany(_ => new byte[] { 0 }.Concat(Enumerable.Repeat(new byte[] { 0xD0, 0x20, 0x20 }, 4).SelectMany(p => p))).ToArray();
        using var compressed = new MemoryStream();
        using (var z = new System.IO.Compression.ZLibStream(compressed, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true)) z.Write(rows);
        byte[] header = [.. BigEndian(4), .. BigEndian(4), 8, 2, 0, 0, 0];
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. Chunk("IHDR", header), .. Chunk("IDAT", compressed.ToArray()), .. Chunk("IEND", [])];
        return new FilePayload { Name = "leak.png", MimeType = "image/png", Buffer = png };
    }

    sealed record CategoryRow(int Id, string Code);

    sealed record FacilityRow(int Id, string Name, double Latitude, double Longitude);

    sealed record CaseRow(long Id);

    sealed record AssigneeRow(int UserId, string Name);
}

using System.Net;
using System.Text.RegularExpressions;
using Linli.Domain.Cases;
using Linli.Infrastructure.Seeding;
using Linli.Web.Features.Cases;
using Linli.Web.Features.Registry;
using Linli.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Linli.Web.Tests;

/// <summary>The resident's report form as a browser posts it: errors next to the field, nothing half-stored, "me too" joins.</summary>
public sealed partial class CaseResidentPageTests
{
    /// <summary>The first bytes of a PNG: enough for the photo check, which reads content, not names.</summary>
    static readonly byte[] PngBytes = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0];

    [Fact]
    public async Task A_report_without_a_title_shows_the_error_at_the_title_and_creates_nothing()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var api = await app.ClientAsAsync("resident1");
        var plumbing = await CaseFlowTests.CategoryAsync(api, "plumbing");
        var before = await CountAsync(api);
        using var browser = await SignedInBrowserAsync(app, "resident1");
        var url = $"/cases/report?category={plumbing.Id}";

        using var response = await PostFormAsync(browser, url, "report", ("Form.Title", "  "), ("Form.Description", "水槽下面一直滴水"), ("photos", ("leak.png", PngBytes)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Matches("<p id=\"title-err\" class=\"validation-message\" role=\"alert\">[^<]+</p>", html);
        Assert.Matches("<input id=\"title\"[^>]*aria-invalid=\"true\"", html);
        // What was typed stays in the form; the photo has to be chosen again, and the page says so.
        Assert.Contains("水槽下面一直滴水</textarea>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"photos-err\"", html, StringComparison.Ordinal);
        Assert.Equal(before, await CountAsync(api));
    }

    [Fact]
    public async Task A_file_that_is_not_a_photo_is_refused_with_a_message_and_nothing_is_stored_then_a_photo_goes_through()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var api = await app.ClientAsAsync("resident1");
        var plumbing = await CaseFlowTests.CategoryAsync(api, "plumbing");
        var before = await CountAsync(api);
        using var browser = await SignedInBrowserAsync(app, "resident1");
        var url = $"/cases/report?category={plumbing.Id}";

        // A photo first and a text file named like a photo second: the whole report waits, the good photo included.
        using var refused = await PostFormAsync(browser, url, "report", ("Form.Title", "厨房水管漏水"),
            ("photos", ("leak.png", PngBytes)), ("photos", ("leak.jpg", "just some text, not a picture"u8.ToArray())));

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var html = await refused.Content.ReadAsStringAsync();
        Assert.Matches("<p id=\"photos-err\" class=\"validation-message\" role=\"alert\">[^<]*JPEG[,、] ?PNG[^<]*</p>", html);
        Assert.Contains("value=\"厨房水管漏水\"", html, StringComparison.Ordinal);
        Assert.Equal(before, await CountAsync(api));

        using var sent = await PostFormAsync(browser, url, "report", ("Form.Title", "厨房水管漏水"), ("photos", ("leak.png", PngBytes)));

        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        var id = long.Parse(ReportedPattern().Match(Local(sent)).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var created = await api.GetOkAsync<CaseDetailDto>($"/api/v1/cases/{id}");
        Assert.Equal("厨房水管漏水", created.Title);
        Assert.Equal(CaseStatus.Reported, created.Status);
        var photo = Assert.Single(created.Photos);
        Assert.Equal("image/png", photo.ContentType);
        Assert.Equal(before + 1, await CountAsync(api));

        // The receipt names the number and who handles it.
        var receipt = await browser.GetStringAsync($"/cases/reported/{id}");
        Assert.Contains($"id=\"case-number\">{id}<", receipt, StringComparison.Ordinal);
        Assert.Contains("安居物业服务有限公司", receipt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Me_too_joins_the_neighbours_open_report_instead_of_creating_another()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var resident = await app.ClientAsAsync("resident1");
        var admin = await app.ClientAsAsync("admin1");
        var lighting = await CaseFlowTests.CategoryAsync(resident, "lighting");
        var me = await resident.MeAsync();
        var home = await resident.GetOkAsync<RoomDto>($"/api/v1/rooms/{me.ScopeId}");
        var existing = await (await admin.PostJsonAsync("/api/v1/cases",
            new { categoryId = lighting.Id, title = "楼道灯不亮", buildingId = home.BuildingId })).OkAsync<CaseDetailDto>();
        var casesBefore = await CountAsync(admin);
        using var browser = await SignedInBrowserAsync(app, "resident1");
        var url = $"/cases/report?category={lighting.Id}&building={home.BuildingId}";

        // Before the form: the neighbour's report, with "me too" and a way to report a new one anyway.
        var page = await browser.GetStringAsync(url);
        Assert.Contains($"name=\"MeTooCaseId\" value=\"{existing.Id}\"", page, StringComparison.Ordinal);
        Assert.Contains("楼道灯不亮", page, StringComparison.Ordinal);
        Assert.Contains("new=true", page, StringComparison.Ordinal);
        Assert.DoesNotContain("name=\"Form.Title\"", page, StringComparison.Ordinal);

        using var joined = await PostFormAsync(browser, url, "metoo", ("MeTooCaseId", existing.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal(HttpStatusCode.Redirect, joined.StatusCode);
        Assert.Equal($"/my/cases/{existing.Id}?done=me-too", Local(joined));
        var after = await admin.GetOkAsync<CaseDetailDto>($"/api/v1/cases/{existing.Id}");
        Assert.Equal(1, after.MeTooCount);
        Assert.Contains(after.Timeline, e => e.Kind == CaseEventKind.JoinedByNeighbour);
        Assert.Equal(casesBefore, await CountAsync(admin));
        // The household follows it now: it is in their list and its page opens for them.
        var mine = await resident.GetOkAsync<Page<CaseListItemDto>>("/api/v1/cases");
        Assert.Contains(mine.Items, c => c.Id == existing.Id);
        var followed = await browser.GetStringAsync($"/my/cases/{existing.Id}?done=me-too");
        Assert.Contains("data-status=\"Reported\"", followed, StringComparison.Ordinal);

        // "No, report a new one" shows the form instead.
        var anyway = await browser.GetStringAsync(url + "&new=true");
        Assert.Contains("name=\"Form.Title\"", anyway, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rating_without_stars_is_refused_next_to_the_stars_and_five_stars_are_kept()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var resident = await app.ClientAsAsync("resident1");
        var property = await app.ClientAsAsync("property1");
        var plumbing = await CaseFlowTests.CategoryAsync(resident, "plumbing");
        var c = await (await resident.PostJsonAsync("/api/v1/cases", new { categoryId = plumbing.Id, title = "下水道堵了" })).OkAsync<CaseDetailDto>();
        foreach (var (action, body) in new (string, object)[] { ("accept", new { }), ("grab", new { }), ("handle", new { note = "疏通了下水道" }) })
            await (await property.PostJsonAsync($"/api/v1/cases/{c.Id}/{action}", body)).OkAsync<CaseDetailDto>();
        using var browser = await SignedInBrowserAsync(app, "resident1");
        var url = $"/my/cases/{c.Id}";

        using var noStars = await PostFormAsync(browser, url, "rate", ("RateForm.Note", "还行"));
        var html = await noStars.Content.ReadAsStringAsync();
        Assert.Matches("<p id=\"rate-rating-err\" class=\"validation-message\" role=\"alert\">[^<]+</p>", html);
        Assert.Null((await resident.GetOkAsync<CaseDetailDto>($"/api/v1/cases/{c.Id}")).Rating);

        using var rated = await PostFormAsync(browser, url, "rate", ("RateForm.Rating", "5"), ("RateForm.Note", "很快"));
        Assert.Equal(HttpStatusCode.Redirect, rated.StatusCode);
        var stored = await resident.GetOkAsync<CaseDetailDto>($"/api/v1/cases/{c.Id}");
        Assert.Equal(5, stored.Rating);
        Assert.Equal(CaseStatus.Verified, stored.Status);
        var shown = await browser.GetStringAsync(Local(rated));
        Assert.Contains("data-rating=\"5\"", shown, StringComparison.Ordinal);
        // Rated once: the stars are not offered again.
        Assert.DoesNotContain("RateForm.Rating", shown, StringComparison.Ordinal);
    }

    /// <summary>Where a redirect goes, as a path on this site.</summary>
    static string Local(HttpResponseMessage redirect) =>
        redirect.Headers.Location is { IsAbsoluteUri: true } absolute ? absolute.PathAndQuery : redirect.Headers.Location!.OriginalString;

    static async Task<int> CountAsync(HttpClient client) =>
        (await client.GetOkAsync<Page<CaseListItemDto>>("/api/v1/cases?status=all&pageSize=1")).Total;

    [Fact]
    public async Task The_resident_reads_who_was_sent_and_never_the_dispatchers_note()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var resident1 = await app.ClientAsAsync("resident1");
        var property1 = await app.ClientAsAsync("property1");
        var lift = await CaseKit.ReportAsync(resident1, "lift", "电梯按钮失灵");
        await CaseKit.ActOkAsync(property1, lift.Id, CaseAction.Accept);
        await CaseKit.AddPropertyWorkerAsync(app, "repair1");
        var sent = await (await app.ClientAsAsync("repair1")).MeAsync();
        const string note = "内部：此户上月投诉过物业，注意态度";
        await CaseKit.ActOkAsync(property1, lift.Id, CaseAction.Dispatch, new { assigneeUserId = sent.Id, note });

        // The staff keep their note and see whom it went to.
        var staff = (await CaseKit.DetailAsync(property1, lift.Id)).Timeline.Single(e => e.Kind == CaseEventKind.Dispatched);
        Assert.Equal((note, sent.DisplayName), (staff.Note, staff.Subject));
        // The household reads the name, through the API and on its page, and the note nowhere.
        var theirs = (await CaseKit.DetailAsync(resident1, lift.Id)).Timeline.Single(e => e.Kind == CaseEventKind.Dispatched);
        Assert.Equal(((string?)null, sent.DisplayName), (theirs.Note, theirs.Subject));
        using var browser = await SignedInBrowserAsync(app, "resident1");
        var page = WebUtility.HtmlDecode(await browser.GetStringAsync($"/my/cases/{lift.Id}"));
        Assert.Contains($"已派 {sent.DisplayName} 处理", page, StringComparison.Ordinal);
        Assert.DoesNotContain("注意态度", page, StringComparison.Ordinal);
    }

    /// <summary>A cookie session through the sign-in form, as a browser has; redirects are left for the test to read.</summary>
    static async Task<HttpClient> SignedInBrowserAsync(TestApp app, string userName)
    {
        var browser = app.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var token = await TokenAsync(browser, "/signin");
        using var signedIn = await browser.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "password",
            ["__RequestVerificationToken"] = token,
            ["Form.UserName"] = userName,
            ["Form.Password"] = RegistrySeeder.DemoPassword,
        }));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return browser;
    }

    static async Task<string> TokenAsync(HttpClient browser, string url)
    {
        var html = await browser.GetStringAsync(url);
        var token = TokenPattern().Match(html).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(token), $"{url} has no antiforgery token");
        return WebUtility.HtmlDecode(token);
    }

    /// <summary>Posts one of the page's forms as multipart (as the report form does), with its antiforgery token.</summary>
    static async Task<HttpResponseMessage> PostFormAsync(HttpClient browser, string url, string form, params (string Name, object Value)[] fields)
    {
        using var content = new MultipartFormDataContent
        {
            { new StringContent(form), "_handler" },
            { new StringContent(await TokenAsync(browser, url)), "__RequestVerificationToken" },
        };
        foreach (var (name, value) in fields)
        {
            if (value is ValueTuple<string, byte[]> file)
            {
                var part = new ByteArrayContent(file.Item2);
                part.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/jpeg");
                content.Add(part, name, file.Item1);
            }
            else content.Add(new StringContent((string)value), name);
        }
        return await browser.PostAsync(url, content);
    }

    [GeneratedRegex("<input[^>]*name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    [GeneratedRegex("^/cases/reported/([0-9]+)$")]
    private static partial Regex ReportedPattern();
}

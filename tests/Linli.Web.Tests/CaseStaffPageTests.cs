using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Linli.Domain.Cases;
using Linli.Infrastructure.Seeding;
using Linli.Web.Features.Cases;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Linli.Web.Tests;

/// <summary>The staff pages of cases as a browser sees them: the queue and its filters, the case page's forms, supervision.</summary>
public sealed partial class CaseStaffPageTests
{
    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    [GeneratedRegex("data-case-id=\"(\\d+)\"")]
    private static partial Regex CaseIdPattern();

    /// <summary>A 1×1 PNG, as a phone's camera would not produce but any image decoder accepts.</summary>
    static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

    /// <summary>
    /// A client that behaves like a browser: signed in through the sign-in form, cookies kept, English pages, and
    /// redirects not followed so the test sees where they go.
    /// </summary>
    internal static async Task<HttpClient> BrowserAsync(TestApp app, string userName)
    {
        var browser = app.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        browser.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        (await browser.GetAsync("/language?culture=en&returnUrl=/")).Dispose();
        var form = await browser.GetStringAsync("/signin");
        using var response = await browser.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "password",
            ["__RequestVerificationToken"] = Token(form),
            ["Form.UserName"] = userName,
            ["Form.Password"] = RegistrySeeder.DemoPassword,
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return browser;
    }

    static string Token(string html) => WebUtility.HtmlDecode(TokenPattern().Match(html).Groups[1].Value);

    static HashSet<long> CaseIds(string html) => CaseIdPattern().Matches(html).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();

    static async Task<CaseDetailDto> ReportAsync(TestApp app, string categoryCode, string title)
    {
        var resident = await app.ClientAsAsync("resident1");
        var category = await CaseFlowTests.CategoryAsync(resident, categoryCode);
        return await (await resident.PostJsonAsync("/api/v1/cases", new { categoryId = category.Id, title })).OkAsync<CaseDetailDto>();
    }

    static async Task<string> PageAsync(HttpClient browser, string url)
    {
        using var response = await browser.GetAsync(url);
        await response.ExpectAsync(HttpStatusCode.OK);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>A page for something outside the caller's area: 404, with the friendly text a person reads.</summary>
    internal static async Task<string> NotInAreaAsync(HttpClient browser, string url)
    {
        using var response = await browser.GetAsync(url);
        await response.ExpectAsync(HttpStatusCode.NotFound);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("Not found in your area.", page, StringComparison.Ordinal);
        return page;
    }

    /// <summary>Posts one action's form from the case page (with the page's antiforgery token) and follows the redirect back.</summary>
    static async Task<string> PostActionAsync(HttpClient browser, long id, string action, HttpContent? content = null, Dictionary<string, string>? fields = null)
    {
        var page = await PageAsync(browser, $"/cases/{id}");
        Assert.Contains($"action=\"/cases/{id}/{action}\"", page, StringComparison.Ordinal);
        if (content is MultipartFormDataContent multipart) multipart.Add(new StringContent(Token(page)), "__RequestVerificationToken");
        else content = new FormUrlEncodedContent(new Dictionary<string, string>(fields ?? []) { ["__RequestVerificationToken"] = Token(page) });
        using var response = await browser.PostAsync($"/cases/{id}/{action}", content);
        await response.ExpectAsync(HttpStatusCode.Redirect);
        var location = response.Headers.Location!.OriginalString;
        Assert.StartsWith($"/cases/{id}", location, StringComparison.Ordinal);
        return await PageAsync(browser, location.Split('#')[0]);
    }

    /// <summary>A bearer client with a token issued now (the factory keeps the first token per user, which a clock jump expires).</summary>
    internal static async Task<HttpClient> FreshApiAsync(TestApp app, string userName)
    {
        var token = await (await app.Anonymous().PostJsonAsync("/api/v1/auth/token", new { userName, password = RegistrySeeder.DemoPassword })).OkAsync<Api.Token>();
        var client = app.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        return client;
    }

    static async Task<CaseDetailDto> WaitForAsync(HttpClient api, long id, Func<CaseDetailDto, bool> done)
    {
        var seen = await api.GetOkAsync<CaseDetailDto>($"/api/v1/cases/{id}");
        for (var i = 0; i < 100 && !done(seen); i++)
        {
            await Task.Delay(100);
            seen = await api.GetOkAsync<CaseDetailDto>($"/api/v1/cases/{id}");
        }
        Assert.True(done(seen), $"case {id} did not reach the expected state; it is {seen.Status} at {seen.Level}");
        return seen;
    }

    [Fact]
    public async Task A_new_report_is_on_the_property_companys_queue_and_not_on_the_other_communitys()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var leak = await ReportAsync(app, "plumbing", "厨房水管漏水");

        var property1 = await BrowserAsync(app, "property1");
        var queue = await PageAsync(property1, "/cases");
        Assert.Contains(leak.Id, CaseIds(queue));
        Assert.Contains("厨房水管漏水", queue, StringComparison.Ordinal);
        Assert.Contains("due in 30 min", queue, StringComparison.Ordinal);
        Assert.Contains("<nav class=\"tabs\"", queue, StringComparison.Ordinal);

        var admin2 = await BrowserAsync(app, "admin2");
        var other = await PageAsync(admin2, "/cases?myTeam=false&status=all");
        Assert.DoesNotContain(leak.Id, CaseIds(other));
        Assert.DoesNotContain("厨房水管漏水", other, StringComparison.Ordinal);
        using var detail = await admin2.GetAsync($"/cases/{leak.Id}");
        Assert.Equal(HttpStatusCode.NotFound, detail.StatusCode);
        Assert.Contains("Not found in your area.", await detail.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var board = await PageAsync(property1, "/cases?view=board");
        Assert.Contains("class=\"board\"", board, StringComparison.Ordinal);
        Assert.Contains(leak.Id, CaseIds(board));
    }

    [Fact]
    public async Task Filters_in_the_address_narrow_the_queue()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var leak = await ReportAsync(app, "plumbing", "厨房水管漏水");
        var lamp = await ReportAsync(app, "lighting", "楼道灯不亮");
        var property = await app.ClientAsAsync("property1");
        await (await property.PostJsonAsync($"/api/v1/cases/{lamp.Id}/accept", new { })).OkAsync<CaseDetailDto>();
        var browser = await BrowserAsync(app, "property1");
        // The demo district has cases of its own; the board (up to 200 cards) shows every match, and only this test's
        // two cases are compared.
        async Task<long[]> Ours(string url) => [.. CaseIds(await PageAsync(browser, url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "view=board"))
            .Where(id => id == leak.Id || id == lamp.Id).Order()];

        Assert.Equal([leak.Id, lamp.Id], await Ours("/cases"));
        Assert.Equal([leak.Id], await Ours($"/cases?categoryId={leak.CategoryId}"));
        Assert.Equal([lamp.Id], await Ours("/cases?q=" + Uri.EscapeDataString("楼道灯")));
        Assert.Equal([leak.Id], await Ours($"/cases?q=%23{leak.Id}"));
        Assert.Equal([lamp.Id], await Ours("/cases?status=accepted"));
        Assert.Equal([leak.Id], await Ours("/cases?status=reported"));
        Assert.Empty(await Ours("/cases?assignedToMe=true"));
        Assert.Empty(await Ours("/cases?status=closed"));

        // The filters the page shows are the ones in the address, so a bookmark reopens the same view.
        var bookmarked = await PageAsync(browser, $"/cases?status=accepted&categoryId={lamp.CategoryId}&escalated=true");
        Assert.Matches($"<option value=\"{lamp.CategoryId}\" selected", bookmarked);
        Assert.Matches("name=\"escalated\" value=\"true\" checked", bookmarked);
        Assert.Contains("<input type=\"hidden\" name=\"status\" value=\"accepted\"", bookmarked, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_case_nobody_accepts_moves_up_and_shows_as_escalated_then_overdue_at_the_top()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var manhole = await ReportAsync(app, "public-facility", "小区门口井盖破损");
        Assert.Equal(HandlingLevel.Street, manhole.Level);
        var category = await CaseFlowTests.CategoryAsync(await app.ClientAsAsync("district"), "public-facility");

        // Tokens and sign-in cookies expire as the clock moves on: everyone signs in again after each jump.
        app.Clock.Advance(TimeSpan.FromMinutes(category.ResponseMinutes + 1));
        await WaitForAsync(await FreshApiAsync(app, "district"), manhole.Id, c => c.Level == HandlingLevel.District);
        var street = await BrowserAsync(app, "street");
        Assert.Contains(manhole.Id, CaseIds(await PageAsync(street, "/cases?escalated=true")));
        Assert.DoesNotContain(manhole.Id, CaseIds(await PageAsync(street, "/cases?overdue=true")));

        // The district is the top: a missed deadline there leaves the case overdue, in red, on the overdue list, and the
        // district's open pages hear of it.
        await using var districtFeed = await LiveFeed.ConnectAsync(app, "district");
        using (var note = await (await FreshApiAsync(app, "district")).PostJsonAsync($"/api/v1/cases/{manhole.Id}/comment", new { note = "已通知市政" }))
            await note.ExpectAsync(HttpStatusCode.OK);
        await districtFeed.WaitForAsync(manhole.Id, nameof(CaseAction.Comment));
        app.Clock.Advance(TimeSpan.FromMinutes(category.ResponseMinutes + 1));
        await WaitForAsync(await FreshApiAsync(app, "district"), manhole.Id, c => c.Timeline.Count(e => e.Kind == CaseEventKind.ResponseOverdue) == 2);
        Assert.True((await districtFeed.WaitForAsync(manhole.Id, "overdue")).GetProperty("overdue").GetBoolean());
        var officer = await BrowserAsync(app, "district");
        var overdue = await PageAsync(officer, "/cases?overdue=true");
        // The demo district has overdue cases of its own at the top; this one is among them, overdue by a minute.
        Assert.Contains(manhole.Id, CaseIds(overdue));
        Assert.Matches("class=\"due due-overdue\"[^>]*>overdue 1 min<", overdue);

        street = await BrowserAsync(app, "street");
        var supervision = await PageAsync(street, "/cases/supervision");
        Assert.Contains(manhole.Id, CaseIds(supervision));
        Assert.Contains("桂花苑", supervision, StringComparison.Ordinal);
        Assert.Contains("<svg class=\"chart\"", supervision, StringComparison.Ordinal);
        var admin2 = await BrowserAsync(app, "admin2");
        Assert.DoesNotContain(manhole.Id, CaseIds(await PageAsync(admin2, "/cases/supervision")));

        using var denied = await (await BrowserAsync(app, "property1")).GetAsync("/cases/supervision");
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.StartsWith("/denied", denied.Headers.Location!.AbsolutePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_forms_move_the_case_along_and_a_refused_action_says_why()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var leak = await ReportAsync(app, "plumbing", "厨房水管漏水");
        var browser = await BrowserAsync(app, "property1");
        var api = await app.ClientAsAsync("property1");

        // A reason is required to reject: the form comes back with the message next to the box, and nothing changed.
        var refused = await PostActionAsync(browser, leak.Id, "reject", fields: new() { ["note"] = "  " });
        Assert.Matches("id=\"reject-note-err\"[^>]*>Please write a few words.<", refused);
        Assert.Matches("<details[^>]*id=\"action-reject\"[^>]*open", refused);
        Assert.Equal(CaseStatus.Reported, (await api.GetOkAsync<CaseDetailDto>($"/api/v1/cases/{leak.Id}")).Status);

        var stalePage = await PageAsync(browser, $"/cases/{leak.Id}");
        var accepted = await PostActionAsync(browser, leak.Id, "accept");
        Assert.Contains("Done: Accept", accepted, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"status\">Accepted<", accepted, StringComparison.Ordinal);
        Assert.Contains($"action=\"/cases/{leak.Id}/grab\"", accepted, StringComparison.Ordinal);

        // The accept form of a page opened before: the case moved on, so the person is told and shown where it stands.
        using (var again = await browser.PostAsync($"/cases/{leak.Id}/accept",
                   new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = Token(stalePage) })))
        {
            await again.ExpectAsync(HttpStatusCode.Redirect);
        }
        var conflict = await PageAsync(browser, $"/cases/{leak.Id}");
        Assert.Contains("someone else took this case or changed it just now", conflict, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"status\">Accepted<", conflict, StringComparison.Ordinal);
        // Said once: the next visit shows the case without the old message.
        Assert.DoesNotContain("someone else took this case", await PageAsync(browser, $"/cases/{leak.Id}"), StringComparison.Ordinal);

        var grabbed = await PostActionAsync(browser, leak.Id, "grab");
        Assert.Contains("data-testid=\"assignee\">物业客服 · 赵敏<", grabbed, StringComparison.Ordinal);

        // Something that is not a photo is refused before the case is marked handled.
        using (var notPhoto = new MultipartFormDataContent())
        {
            notPhoto.Add(new StringContent("更换了角阀"), "note");
            notPhoto.Add(new ByteArrayContent("not an image"u8.ToArray()), "photos", "fake.jpg");
            var page = await PostActionAsync(browser, leak.Id, "handle", notPhoto);
            Assert.Matches("id=\"handle-photos-err\"[^>]*>This is not a photo", page);
            Assert.Contains(">更换了角阀</textarea>", page, StringComparison.Ordinal);
        }
        Assert.Equal(CaseStatus.Dispatched, (await api.GetOkAsync<CaseDetailDto>($"/api/v1/cases/{leak.Id}")).Status);

        using (var handle = new MultipartFormDataContent())
        {
            handle.Add(new StringContent("更换了角阀"), "note");
            var photo = new ByteArrayContent(Png);
            photo.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            handle.Add(photo, "photos", "after.png");
            var handled = await PostActionAsync(browser, leak.Id, "handle", handle);
            Assert.Contains("data-testid=\"status\">Handled<", handled, StringComparison.Ordinal);
            Assert.Contains("更换了角阀", handled, StringComparison.Ordinal);
            Assert.Matches($"<img src=\"/api/v1/cases/{leak.Id}/photos/\\d+\"", handled);
        }
        var stored = await api.GetOkAsync<CaseDetailDto>($"/api/v1/cases/{leak.Id}");
        Assert.Equal(
            [CaseEventKind.Reported, CaseEventKind.Accepted, CaseEventKind.Grabbed, CaseEventKind.Handled, CaseEventKind.PhotoAdded],
            stored.Timeline.Select(e => e.Kind).ToArray());
        Assert.Equal(PhotoStage.Handling, Assert.Single(stored.Photos).Stage);
    }

    [Fact]
    public async Task An_sla_escalation_is_pushed_to_the_staff_pages_of_that_community_only()
    {
        await using var app = await LinliAppFactory.StartAsync();
        await using var admin1 = await LiveFeed.ConnectAsync(app, "admin1");
        await using var admin2 = await LiveFeed.ConnectAsync(app, "admin2");
        var lift = await ReportAsync(app, "lift", "电梯异响");
        // The report itself arrives first: from here on the connection is surely in its community's group.
        await admin1.WaitForAsync(lift.Id, "created");

        var category = await CaseFlowTests.CategoryAsync(await app.ClientAsAsync("resident1"), "lift");
        app.Clock.Advance(TimeSpan.FromMinutes(category.ResponseMinutes + 1));
        var escalated = await admin1.WaitForAsync(lift.Id, "escalated");

        // The other community's feed hears its own community (so its silence below is not a dead connection): a report
        // there, sent after the escalation, arrives; by then anything about the first case would have arrived before it.
        var resident2 = await app.ClientAsAsync("resident2");
        var leak = await (await resident2.PostJsonAsync("/api/v1/cases",
            new { categoryId = (await CaseFlowTests.CategoryAsync(resident2, "plumbing")).Id, title = "厨房水管漏水" })).OkAsync<CaseDetailDto>();
        await admin2.WaitForAsync(leak.Id, "created");

        Assert.Equal(nameof(HandlingLevel.Community), Enum.GetName((HandlingLevel)escalated.GetProperty("level").GetInt32()));
        Assert.DoesNotContain(admin2.Received, m => m.GetProperty("caseId").GetInt64() == lift.Id);
        Assert.DoesNotContain(admin1.Received, m => m.GetProperty("caseId").GetInt64() == leak.Id);
        admin1.AssertStillConnected();
        admin2.AssertStillConnected();
    }

    [Fact]
    public async Task An_action_form_without_its_antiforgery_token_is_refused_and_a_resident_is_sent_to_their_own_page()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var leak = await ReportAsync(app, "plumbing", "厨房水管漏水");
        var browser = await BrowserAsync(app, "property1");

        using var forged = await browser.PostAsync($"/cases/{leak.Id}/accept", new FormUrlEncodedContent(new Dictionary<string, string> { ["note"] = "x" }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        var api = await app.ClientAsAsync("property1");
        Assert.Equal(CaseStatus.Reported, (await api.GetOkAsync<CaseDetailDto>($"/api/v1/cases/{leak.Id}")).Status);

        var resident = await BrowserAsync(app, "resident1");
        using var own = await resident.GetAsync($"/cases/{leak.Id}");
        Assert.Equal(HttpStatusCode.Redirect, own.StatusCode);
        Assert.Equal($"/my/cases/{leak.Id}", own.Headers.Location!.IsAbsoluteUri ? own.Headers.Location.AbsolutePath : own.Headers.Location.OriginalString);
    }
}

/// <summary>The queue's address is its filter: a bad value gets a page naming it, never a 500.</summary>
public sealed class CaseQueueAddressTests(SharedDemoApp shared) : IClassFixture<SharedDemoApp>
{
    [Theory]
    [InlineData("/cases?status=bogus", "status")]
    [InlineData("/cases?view=grid", "view")]
    [InlineData("/cases?overdue=yes", "Overdue")]
    [InlineData("/cases?categoryId=x", "CategoryId")]
    [InlineData("/cases?page=0", "page")]
    [InlineData("/cases/supervision?communityId=abc", "CommunityId")]
    public async Task A_bad_filter_value_gets_a_400_page_naming_it(string url, string field)
    {
        var browser = await CaseStaffPageTests.BrowserAsync(shared.App, "admin1");

        using var response = await browser.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(field + ":", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

/// <summary>
/// A staff page's live connection to /hubs/cases, spoken in the SignalR JSON protocol over a WebSocket (what the page's
/// script does through the SignalR client), collecting every "caseChanged" it hears.
/// </summary>
sealed class LiveFeed : IAsyncDisposable
{
    const char RecordSeparator = '\u001e';
    readonly WebSocket _socket;
    readonly CancellationTokenSource _stop = new();
    readonly Task _reading;
    readonly List<JsonElement> _received = [];
    readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);

    LiveFeed(WebSocket socket)
    {
        _socket = socket;
        _reading = Task.Run(ReadAsync);
    }

    public IReadOnlyList<JsonElement> Received { get { lock (_received) return [.. _received]; } }

    public static async Task<LiveFeed> ConnectAsync(TestApp app, string userName)
    {
        var token = (await CaseStaffPageTests.FreshApiAsync(app, userName)).DefaultRequestHeaders.Authorization!.Parameter;
        var client = app.Factory.Server.CreateWebSocketClient();
        client.ConfigureRequest = r => r.Headers.Authorization = "Bearer " + token;
        var socket = await client.ConnectAsync(new Uri(app.Factory.Server.BaseAddress, "hubs/cases"), CancellationToken.None);
        await socket.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}" + RecordSeparator), WebSocketMessageType.Text, true, CancellationToken.None);
        var feed = new LiveFeed(socket);
        // The handshake is answered before the hub puts the connection into its groups; invocations are answered only after.
        // So the answer to any invocation (here one the hub does not have) says the connection now hears its groups.
        await socket.SendAsync(Encoding.UTF8.GetBytes("{\"type\":1,\"invocationId\":\"joined\",\"target\":\"joined\",\"arguments\":[]}" + RecordSeparator),
            WebSocketMessageType.Text, true, CancellationToken.None);
        await feed._joined.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return feed;
    }

    async Task ReadAsync()
    {
        var buffer = new byte[16 * 1024];
        var text = new StringBuilder();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _failure = new WebSocketException($"the server closed the feed: {result.CloseStatus} {result.CloseStatusDescription}");
                    return;
                }
                text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
                var all = text.ToString();
                var end = all.LastIndexOf(RecordSeparator);
                if (end < 0) continue;
                text.Clear().Append(all[(end + 1)..]);
                foreach (var record in all[..end].Split(RecordSeparator, StringSplitOptions.RemoveEmptyEntries))
                {
                    using var doc = JsonDocument.Parse(record);
                    var m = doc.RootElement;
                    // Type 1 is an invocation; the handshake answer and pings carry no target.
                    if (m.TryGetProperty("type", out var type) && type.GetInt32() == 1 && m.GetProperty("target").GetString() == "caseChanged")
                        lock (_received) _received.Add(m.GetProperty("arguments")[0].Clone());
                    // Type 3 is an invocation's completion.
                    else if (type.ValueKind == JsonValueKind.Number && type.GetInt32() == 3) _joined.TrySetResult();
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested) { }
        catch (Exception e) when (e is WebSocketException or JsonException or OperationCanceledException)
        {
            // Kept, not swallowed: a feed that died hears nothing, and a test reading its silence must know.
            _failure = e;
        }
    }

    Exception? _failure;

    /// <summary>Fails if the connection broke or the server closed it: only a live feed's silence means anything.</summary>
    public void AssertStillConnected()
    {
        Assert.True(_failure is null, $"the live feed broke: {_failure}");
        Assert.True(_socket.State == WebSocketState.Open && !_reading.IsCompleted, $"the live feed is no longer open ({_socket.State})");
    }

    public async Task<JsonElement> WaitForAsync(long caseId, string change)
    {
        for (var i = 0; i < 150; i++)
        {
            var hit = Received.FirstOrDefault(m => m.GetProperty("caseId").GetInt64() == caseId && m.GetProperty("change").GetString() == change);
            if (hit.ValueKind != JsonValueKind.Undefined) return hit;
            await Task.Delay(100);
        }
        Assert.Fail($"no '{change}' for case {caseId} on the live feed{(_failure is null ? "" : $" (it broke: {_failure.Message})")}; heard: {string.Join(", ", Received.Select(m => m.GetRawText()))}");
        return default;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _reading; } catch (OperationCanceledException) { }
        _socket.Dispose();
        _stop.Dispose();
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Linli.Application.Exchange.Open311;
using Linli.Domain.Devices;
using Linli.Domain.Notices;
using Linli.Web.Features.Devices;
using static Linli.Web.Tests.CaseKit;

namespace Linli.Web.Tests;

/// <summary>
/// The families of broken input the fuzz test (<see cref="FuzzTests"/>) found, one behaviour each: refused where the text,
/// the date, the coordinate, the list or the envelope comes in, naming the field, with nothing stored.
/// </summary>
public sealed class RequestInputTests
{
    [Fact]
    public async Task A_body_in_a_charset_the_server_does_not_read_is_refused_naming_the_content_type()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var resident1 = await app.ClientAsAsync("resident1");
        var lighting = await CategoryAsync(resident1, "lighting");
        var before = await CountAllAsync(app);

        using var content = new StringContent(JsonSerializer.Serialize(new { categoryId = lighting.Id, title = "楼道灯不亮" }));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=klingon");
        using var response = await resident1.PostAsync("/api/v1/cases", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<Api.ValidationProblem>(Api.Json);
        Assert.Equal(415, problem!.Status);
        Assert.Contains("Content-Type", problem.Errors!.Keys);
        Assert.Equal(before, await CountAllAsync(app));
    }

    [Fact]
    public async Task A_NUL_character_in_a_report_is_refused_naming_the_field_and_nothing_is_stored()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var resident1 = await app.ClientAsAsync("resident1");
        var lighting = await CategoryAsync(resident1, "lighting");
        var before = await CountAllAsync(app);

        using (var nul = await resident1.PostJsonAsync("/api/v1/cases", new { categoryId = lighting.Id, title = "楼道灯\0不亮" }))
            await nul.ExpectFieldErrorAsync("title");
        using (var bell = await resident1.PostJsonAsync("/api/v1/cases", new { categoryId = lighting.Id, title = "楼道灯不亮", description = "响\u0007铃" }))
            await bell.ExpectFieldErrorAsync("description");
        // Half of a surrogate pair, escaped: what bytes that are not UTF-8 become.
        using (var half = await resident1.PostAsync("/api/v1/cases", Json($"{{\"categoryId\":{lighting.Id},\"title\":\"灯\\ud800\"}}")))
            await half.ExpectFieldErrorAsync("title");
        Assert.Equal(before, await CountAllAsync(app));

        // Line breaks and tabs are text.
        await ReportAsync(resident1, new { categoryId = lighting.Id, title = "楼道灯不亮", description = "三楼\n\t四楼也是" });
    }

    [Fact]
    public async Task Signing_in_with_a_NUL_in_the_user_name_is_refused_naming_it()
    {
        await using var app = await LinliAppFactory.StartAsync();
        using var response = await app.Anonymous().PostJsonAsync("/api/v1/auth/token", new { userName = "admin1\0", password = "x" });
        await response.ExpectFieldErrorAsync("userName");
    }

    [Fact]
    public async Task Text_that_is_not_UTF_8_or_holds_a_NUL_in_the_query_string_is_refused_naming_the_parameter()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin = await app.ClientAsAsync("admin1");

        using (var bad = await admin.GetAsync("/api/v1/cases?search=%E7%81%AF%FF%FE"))
            await bad.ExpectFieldErrorAsync("search");
        using (var half = await admin.GetAsync("/api/v1/residents?q=%ED%A0%80"))
            await half.ExpectFieldErrorAsync("q");
        using (var nul = await admin.GetAsync("/api/v1/cases?search=a%00b"))
            await nul.ExpectFieldErrorAsync("search");
        // Chinese, percent-encoded as UTF-8, is what a browser sends.
        using (var good = await admin.GetAsync("/api/v1/cases?search=%E7%81%AF"))
            await good.ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Dates_at_the_calendar_edges_are_refused_naming_the_field_before_anything_computes_with_them()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin = await app.ClientAsAsync("admin1");
        var district = await app.ClientAsAsync("district");
        var device = await MonitoringKit.RegisterAsync(admin, DeviceType.SmokeDetector, new { buildingId = (await DemoPlaces.LoadAsync(app)).C1.BuildingIds[0], unit = 1 });

        using (var to = await admin.GetAsync($"/api/v1/devices/{device.Device.Id}/telemetry?metric=smoke&to=0001-01-01"))
            await to.ExpectFieldErrorAsync("to");
        using (var from = await admin.GetAsync($"/api/v1/devices/{device.Device.Id}/telemetry?metric=smoke&from=9999-12-31T23:59:59Z"))
            await from.ExpectFieldErrorAsync("from");
        using (var statistics = await district.GetAsync("/api/v1/statistics/cases?from=0001-01-01"))
            await statistics.ExpectFieldErrorAsync("from");
        using (var notice = await district.PostJsonAsync("/api/v1/notices", new { title = "停水通知", body = "明天停水", expiresAt = "9999-12-31T23:59:59Z" }))
            await notice.ExpectFieldErrorAsync("expiresAt");
        using (var open311 = await app.Anonymous().GetAsync("/open311/v2/requests.json?end_date=0001-01-01"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, open311.StatusCode);
            Assert.StartsWith("end_date:", (await open311.Content.ReadFromJsonAsync<JsonElement>())[0].GetProperty("description").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_report_at_a_coordinate_off_the_earth_is_refused_naming_it_even_when_a_building_says_where()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var admin = await app.ClientAsAsync("admin1");
        var lighting = await CategoryAsync(admin, "lighting");
        var before = await CountAllAsync(app);

        using (var far = await admin.PostJsonAsync("/api/v1/cases",
                   new { categoryId = lighting.Id, title = "路灯不亮", buildingId = places.C1.BuildingIds[0], latitude = 1e308, longitude = 120.1 }))
            await far.ExpectFieldErrorAsync("latitude");
        using (var similar = await admin.PostJsonAsync("/api/v1/cases/similar", new { categoryId = lighting.Id, title = "路灯不亮", latitude = 30.2, longitude = -1e308 }))
            await similar.ExpectFieldErrorAsync("longitude");
        Assert.Equal(before, await CountAllAsync(app));
    }

    [Fact]
    public async Task A_notice_aimed_at_more_buildings_than_allowed_is_refused_naming_the_field()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var admin = await app.ClientAsAsync("admin1");
        var buildingIds = Enumerable.Repeat(places.C1.BuildingIds[0], NoticeAudience.MaxBuildings + 1).ToArray();
        // The demo board has notices of its own: nothing may be added to them.
        var before = (await admin.GetOkAsync<Page<JsonElement>>("/api/v1/notices/managed?pageSize=100")).Total;

        using var response = await admin.PostJsonAsync("/api/v1/notices", new { title = "停水通知", body = "明天停水", buildingIds });
        await response.ExpectFieldErrorAsync("buildingIds");
        Assert.Equal(before, (await admin.GetOkAsync<Page<JsonElement>>("/api/v1/notices/managed?pageSize=100")).Total);
    }

    [Fact]
    public async Task A_device_update_that_would_change_its_code_or_type_is_refused_naming_the_field()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var admin = await app.ClientAsAsync("admin1");
        var device = await MonitoringKit.RegisterAsync(admin, DeviceType.SmokeDetector, new { buildingId = places.C1.BuildingIds[0], unit = 1 });

        using (var code = await admin.PutJsonAsync($"/api/v1/devices/{device.Device.Id}", new { code = "another-code", name = "烟感" }))
            await code.ExpectFieldErrorAsync("code");
        using (var type = await admin.PutJsonAsync($"/api/v1/devices/{device.Device.Id}", new { type = "WaterLeakDetector", name = "烟感" }))
            await type.ExpectFieldErrorAsync("type");
        Assert.Equal(device.Device.Name, (await admin.GetOkAsync<DeviceDto>($"/api/v1/devices/{device.Device.Id}")).Name);

        // Sent as they are, with a new name, they are fine.
        using var rename = await admin.PutJsonAsync($"/api/v1/devices/{device.Device.Id}", new { code = device.Device.Code, type = "SmokeDetector", name = "三楼烟感" });
        Assert.Equal("三楼烟感", (await rename.OkAsync<DeviceDto>()).Name);
    }

    [Fact]
    public async Task A_page_too_far_to_count_is_refused_naming_the_page()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin = await app.ClientAsAsync("admin1");
        using (var far = await admin.GetAsync("/api/v1/residents?page=2147483647&pageSize=200"))
            await far.ExpectFieldErrorAsync("page");
        using (var last = await admin.GetAsync($"/api/v1/residents?page={PageRequest.MaxPage}&pageSize=200"))
            Assert.Empty((await last.OkAsync<Page<JsonElement>>()).Items);
    }

    [Fact]
    public async Task A_broken_multipart_envelope_is_refused_naming_the_photo_field()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var resident1 = await app.ClientAsAsync("resident1");
        var lighting = await CategoryAsync(resident1, "lighting");
        var created = await ReportAsync(resident1, new { categoryId = lighting.Id, title = "楼道灯不亮" });

        foreach (var body in new[]
        {
            "--b\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.png\"\r\n\r\nno end",
            "not a multipart body at all",
        })
        {
            using var content = new StringContent(body);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");
            using var response = await resident1.PostAsync($"/api/v1/cases/{created.Id}/photos", content);
            await response.ExpectFieldErrorAsync("photo");
        }
        Assert.Empty((await resident1.GetOkAsync<CaseDetailDto>($"/api/v1/cases/{created.Id}")).Photos);
    }

    [Fact]
    public async Task An_Open311_report_with_text_that_is_not_UTF_8_or_a_coordinate_off_the_earth_is_refused_in_Open311s_words()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var district = await app.ClientAsAsync("district");
        using var issued = await district.PostJsonAsync("/api/v1/open311/clients", new { name = "市民通", dailyLimit = 100 });
        var key = (await issued.OkAsync<IssuedOpen311ClientDto>()).ApiKey;
        var before = await CountAllAsync(app);
        var anyone = app.Anonymous();
        string Form(string extra) => $"api_key={Uri.EscapeDataString(key)}&service_code=lighting&address_id={places.C1.BuildingIds[0]}&{extra}";

        await ExpectOpen311Async(await anyone.PostAsync("/open311/v2/requests.json", FormContent(Form("description=%E7%81%AF%FF%FE"))), "description");
        await ExpectOpen311Async(await anyone.PostAsync("/open311/v2/requests.json", FormContent(Form("first_name=a%00b"))), "first_name");
        await ExpectOpen311Async(await anyone.PostAsync("/open311/v2/requests.json", FormContent(Form("lat=1e308&long=120"))), "lat");
        await ExpectOpen311Async(await anyone.PostAsync("/open311/v2/requests.json", FormContent(Form("description=x"), "klingon")), "Content-Type",
            HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(before, await CountAllAsync(app));

        // The same report, with its text in UTF-8, is filed.
        using var good = await anyone.PostAsync("/open311/v2/requests.json", FormContent(Form("description=%E7%81%AF%E5%9D%8F%E4%BA%86")));
        await good.ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task One_broken_message_is_refused_alone_and_the_rest_of_the_batch_is_stored()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin = await app.ClientAsAsync("admin1");
        var places = await DemoPlaces.LoadAsync(app);
        var device = await MonitoringKit.RegisterAsync(admin, DeviceType.SmokeDetector, new { buildingId = places.C1.BuildingIds[0], unit = 1 });

        // Written by hand: a serializer would not write a NUL unescaped nor bytes that are not UTF-8.
        var body = new List<byte>();
        body.AddRange(Encoding.UTF8.GetBytes("""{"messages":[{"values":{"smoke":0.01}},{"event":"note","text":"a\u0000b"},{"event":"note","text":"a"""));
        body.AddRange([0xFF, 0xFE]);
        body.AddRange(Encoding.UTF8.GetBytes("""b"},{"values":{"smoke":1e400}},{"device":"x\u0001","values":{"smoke":0.02}},{"values":{"smoke":0.03}}]}"""));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/ingest") { Content = new ByteArrayContent([.. body]) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        request.Headers.Add(IngestApi.DeviceIdHeader, device.Device.Code);
        request.Headers.Add(IngestApi.DeviceKeyHeader, device.Secret);
        using var response = await app.Anonymous().SendAsync(request);

        var result = await response.OkAsync<IngestResult>();
        Assert.Equal(2, result.Accepted);
        Assert.Equal([1, 2, 3, 4], result.Rejected.Select(r => r.Index).Order());
        var metrics = await admin.GetOkAsync<List<JsonElement>>($"/api/v1/devices/{device.Device.Id}/metrics");
        Assert.Equal(0.03, metrics.Single(m => m.GetProperty("metric").GetString() == "smoke").GetProperty("value").GetDouble());
    }

    static ByteArrayContent Json(string text)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        return content;
    }

    static ByteArrayContent FormContent(string text, string charset = "utf-8")
    {
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes(text));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"application/x-www-form-urlencoded; charset={charset}");
        return content;
    }

    static async Task ExpectOpen311Async(HttpResponseMessage response, string field, HttpStatusCode status = HttpStatusCode.BadRequest)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
            var error = JsonDocument.Parse(text).RootElement[0];
            Assert.Equal((int)status, error.GetProperty("code").GetInt32());
            Assert.StartsWith(field + ":", error.GetProperty("description").GetString(), StringComparison.Ordinal);
        }
    }
}

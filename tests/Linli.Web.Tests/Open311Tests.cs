using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Linli.Application.Exchange.Open311;
using Linli.Domain.Cases;
using Linli.Domain.Common;
using Linli.Domain.Registry;
using Linli.Infrastructure.Persistence;
using Linli.Web.Features.Cases;
using Linli.Web.Features.Exchange.Open311;
using Linli.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>Open311 GeoReport v2 as a civic app sees it: discovery, services, filing a report, following it, and the refusals.</summary>
public sealed class Open311Tests
{
    const string V2 = "/open311/v2";

    /// <summary>The element names of one request, in the spec's order.</summary>
    static readonly string[] RequestFields =
    [
        "service_request_id", "status", "status_notes", "service_name", "service_code", "description", "agency_responsible",
        "service_notice", "requested_datetime", "updated_datetime", "expected_datetime", "address", "address_id", "zipcode",
        "lat", "long", "media_url",
    ];

    [Fact]
    public async Task Discovery_services_and_definitions_answer_in_json_and_xml_with_the_specs_names()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var anyone = app.Anonymous();

        using var discoveryJson = await anyone.GetAsync($"{V2}/discovery.json");
        Assert.Equal("application/json", discoveryJson.Content.Headers.ContentType?.MediaType);
        var discovery = await JsonAsync(discoveryJson);
        Assert.False(string.IsNullOrEmpty(discovery.GetProperty("changeset").GetString()));
        Assert.False(string.IsNullOrEmpty(discovery.GetProperty("key_service").GetString()));
        var endpoint = discovery.GetProperty("endpoints").EnumerateArray().Single();
        Assert.Equal("http://wiki.open311.org/GeoReport_v2", endpoint.GetProperty("specification").GetString());
        Assert.EndsWith("/open311/v2", endpoint.GetProperty("url").GetString(), StringComparison.Ordinal);
        Assert.Equal(["text/xml", "application/json"], endpoint.GetProperty("formats").EnumerateArray().Select(f => f.GetString()!).ToArray());

        var (discoveryXml, xmlType) = await XmlAsync(anyone, $"{V2}/discovery.xml");
        Assert.Equal("text/xml", xmlType);
        Assert.Equal("discovery", discoveryXml.Root!.Name.LocalName);
        Assert.Equal("utf-8", discoveryXml.Declaration?.Encoding, ignoreCase: true);
        Assert.Equal(["changeset", "contact", "key_service", "endpoints"], discoveryXml.Root.Elements().Select(e => e.Name.LocalName).ToArray());
        Assert.Equal(["text/xml", "application/json"], discoveryXml.Root.Element("endpoints")!.Element("endpoint")!.Element("formats")!.Elements("format").Select(e => e.Value).ToArray());

        var services = (await JsonAsync(await anyone.GetAsync($"{V2}/services.json"))).EnumerateArray().ToList();
        var lighting = services.Single(s => s.GetProperty("service_code").GetString() == "lighting");
        Assert.Equal("公共照明", lighting.GetProperty("service_name").GetString());
        Assert.Equal("realtime", lighting.GetProperty("type").GetString());
        Assert.True(lighting.GetProperty("metadata").GetBoolean());
        Assert.Equal("报修", lighting.GetProperty("group").GetString());
        // In-home repairs stay on the platform; patrol findings and device alarms are the staff's own.
        var codes = services.Select(s => s.GetProperty("service_code").GetString()).ToList();
        Assert.DoesNotContain("plumbing", codes);
        Assert.DoesNotContain("patrol", codes);
        Assert.DoesNotContain("device-alarm", codes);
        Assert.Contains("sanitation", codes);

        var (servicesXml, _) = await XmlAsync(anyone, $"{V2}/services.xml");
        Assert.Equal("services", servicesXml.Root!.Name.LocalName);
        Assert.Equal(codes.Count, servicesXml.Root.Elements("service").Count());
        var lightingXml = servicesXml.Root.Elements("service").Single(s => s.Element("service_code")!.Value == "lighting");
        Assert.Equal(["service_code", "service_name", "description", "metadata", "type", "keywords", "group"], lightingXml.Elements().Select(e => e.Name.LocalName).ToArray());
        Assert.Equal("true", lightingXml.Element("metadata")!.Value);

        var definition = await JsonAsync(await anyone.GetAsync($"{V2}/services/lighting.json"));
        Assert.Equal("lighting", definition.GetProperty("service_code").GetString());
        var attributes = definition.GetProperty("attributes").EnumerateArray().ToList();
        Assert.Equal(["title", "place_detail"], attributes.Select(a => a.GetProperty("code").GetString()!).ToArray());
        Assert.All(attributes, a => Assert.False(a.GetProperty("required").GetBoolean()));
        var (definitionXml, _) = await XmlAsync(anyone, $"{V2}/services/lighting.xml");
        Assert.Equal("service_definition", definitionXml.Root!.Name.LocalName);
        var attribute = definitionXml.Root.Element("attributes")!.Elements("attribute").First();
        Assert.Equal(["variable", "code", "datatype", "required", "datatype_description", "order", "description", "values"], attribute.Elements().Select(e => e.Name.LocalName).ToArray());
        Assert.Equal("string", attribute.Element("datatype")!.Value);

        await ExpectErrorAsync(await anyone.GetAsync($"{V2}/services/no-such-thing.json"), HttpStatusCode.NotFound, "service_code");
        await ExpectErrorAsync(await anyone.GetAsync($"{V2}/services/plumbing.json"), HttpStatusCode.NotFound, "service_code");
        await ExpectXmlErrorAsync(await anyone.GetAsync($"{V2}/services/no-such-thing.xml"), HttpStatusCode.NotFound, "service_code");
    }

    [Fact]
    public async Task A_report_from_an_app_reaches_the_property_company_and_the_app_reads_it_back_without_the_reporters_details()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var key = await IssueKeyAsync(app, "城市随手拍");
        var building = await BuildingAsync(app, "桂花苑社区", "3号楼");
        var anyone = app.Anonymous();

        using var posted = await anyone.PostAsync($"{V2}/requests.json", Form(
            ("api_key", key), ("service_code", "lighting"), ("lat", Num(building.Latitude + 0.00005)), ("long", Num(building.Longitude)),
            ("first_name", "三"), ("last_name", "张"), ("phone", "13812345678"), ("email", "zhang@example.org"), ("account_id", "acc-77"),
            ("description", "楼门口路灯不亮\n晚上很黑，老人出门不方便"), ("media_url", "https://photos.example.org/p/1.jpg")));
        var answer = (await JsonAsync(posted, HttpStatusCode.OK)).EnumerateArray().Single();
        var id = long.Parse(answer.GetProperty("service_request_id").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("acc-77", answer.GetProperty("account_id").GetString());
        Assert.False(string.IsNullOrEmpty(answer.GetProperty("service_notice").GetString()));
        Assert.False(answer.TryGetProperty("token", out _));

        // Staff see it as any other report, with the reporter's phone masked.
        var property = await app.ClientAsAsync("property1");
        Assert.Contains((await property.GetOkAsync<Page<CaseListItemDto>>("/api/v1/cases")).Items, c => c.Id == id);
        var admin = await app.ClientAsAsync("admin1");
        Assert.Contains((await admin.GetOkAsync<Page<CaseListItemDto>>("/api/v1/cases")).Items, c => c.Id == id);
        var detail = await admin.GetOkAsync<CaseDetailDto>($"/api/v1/cases/{id}");
        Assert.Equal(CaseSource.Open311, detail.Source);
        Assert.Equal("张三", detail.ReporterName);
        Assert.Equal("138****5678", detail.ReporterPhone);
        Assert.Equal("楼门口路灯不亮", detail.Title);
        Assert.Equal(HandlingLevel.Property, detail.Level);
        Assert.Equal(building.Id, detail.BuildingId);
        Assert.Contains(detail.Timeline, e => e.Kind == CaseEventKind.Commented && e.Note!.Contains("https://photos.example.org/p/1.jpg", StringComparison.Ordinal));
        using (var scope = app.Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
            var stored = await db.Cases.IgnoreQueryFilters().AsNoTracking().SingleAsync(c => c.Id == id);
            Assert.Equal("城市随手拍", stored.ExternalClient);
            Assert.DoesNotContain("13812345678", stored.ReporterPhoneProtected!, StringComparison.Ordinal);
            Assert.Equal("13812345678", scope.ServiceProvider.GetRequiredService<IPersonalDataProtector>().Unprotect(stored.ReporterPhoneProtected!));
        }

        using var one = await anyone.GetAsync($"{V2}/requests/{id}.json");
        var body = await one.Content.ReadAsStringAsync();
        var request = (await JsonAsync(one)).EnumerateArray().Single();
        Assert.Equal(RequestFields, request.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("open", request.GetProperty("status").GetString());
        Assert.Equal("lighting", request.GetProperty("service_code").GetString());
        Assert.Equal("公共照明", request.GetProperty("service_name").GetString());
        Assert.StartsWith("楼门口路灯不亮", request.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal("安居物业服务有限公司", request.GetProperty("agency_responsible").GetString());
        Assert.EndsWith("+08:00", request.GetProperty("requested_datetime").GetString(), StringComparison.Ordinal);
        Assert.True(DateTimeOffset.Parse(request.GetProperty("expected_datetime").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            > DateTimeOffset.Parse(request.GetProperty("requested_datetime").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("桂花苑", request.GetProperty("address").GetString(), StringComparison.Ordinal);
        Assert.Equal(building.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), request.GetProperty("address_id").GetString());
        Assert.Equal(JsonValueKind.Null, request.GetProperty("zipcode").ValueKind);
        Assert.Equal(building.Latitude + 0.00005, request.GetProperty("lat").GetDouble(), 6);
        Assert.Equal("https://photos.example.org/p/1.jpg", request.GetProperty("media_url").GetString());
        // Nothing of the person: no name, no phone (not even masked), no e-mail, no account.
        foreach (var personal in new[] { "张三", "13812345678", "138****5678", "zhang@", "acc-77" })
            Assert.DoesNotContain(personal, body, StringComparison.Ordinal);

        var (xml, _) = await XmlAsync(anyone, $"{V2}/requests/{id}.xml");
        Assert.Equal("service_requests", xml.Root!.Name.LocalName);
        Assert.Equal(RequestFields, xml.Root.Element("request")!.Elements().Select(e => e.Name.LocalName).ToArray());
        Assert.Equal("open", xml.Root.Element("request")!.Element("status")!.Value);

        var district = await app.ClientAsAsync("district");
        var clients = await district.GetOkAsync<List<Open311ClientDto>>("/api/v1/open311/clients");
        var listed = clients.Single(c => c.Name == "城市随手拍");
        Assert.Equal(1, listed.UsedToday);
        Assert.Equal(key[..8], listed.KeyPrefix);
        Assert.DoesNotContain(key, await district.GetStringAsync("/api/v1/open311/clients"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_are_found_by_id_status_service_code_and_dates_and_come_in_pages()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var key = await IssueKeyAsync(app, "filters");
        var anyone = app.Anonymous();
        var building = await BuildingAsync(app, "桂花苑社区", "1号楼");
        var lamp = await FileAsync(anyone, key, "lighting", building, "路灯一闪一闪");
        var litter = await FileAsync(anyone, key, "sanitation", building, "楼下垃圾没人清");
        var fixedLamp = await FileAsync(anyone, key, "lighting", building, "走廊灯不亮");

        var property = await app.ClientAsAsync("property1");
        foreach (var step in new[] { "accept", "grab" })
            (await property.PostJsonAsync($"/api/v1/cases/{fixedLamp}/{step}", new { })).Dispose();
        await (await property.PostJsonAsync($"/api/v1/cases/{fixedLamp}/handle", new { note = "换了灯泡" })).OkAsync<CaseDetailDto>();

        var closed = await ListAsync(anyone, "status=closed");
        Assert.Contains(fixedLamp, closed.Keys);
        Assert.Equal("换了灯泡", closed[fixedLamp].GetProperty("status_notes").GetString());
        Assert.All(closed.Values, r => Assert.Equal("closed", r.GetProperty("status").GetString()));
        var open = await ListAsync(anyone, "status=open");
        Assert.Contains(lamp, open.Keys);
        Assert.Contains(litter, open.Keys);
        Assert.DoesNotContain(fixedLamp, open.Keys);
        Assert.Equal(3, (await ListAsync(anyone, "status=open,closed")).Keys.Intersect([lamp, litter, fixedLamp]).Count());

        var sanitation = await ListAsync(anyone, "service_code=sanitation");
        Assert.Contains(litter, sanitation.Keys);
        Assert.All(sanitation.Values, r => Assert.Equal("sanitation", r.GetProperty("service_code").GetString()));
        Assert.Equal([lamp, litter, fixedLamp], (await ListAsync(anyone, "service_code=sanitation,lighting")).Keys.Intersect([lamp, litter, fixedLamp]).Order().ToArray());

        // A list of ids overrides every other argument.
        Assert.Equal([lamp, fixedLamp], (await ListAsync(anyone, $"service_request_id={lamp},{fixedLamp}&status=closed&service_code=sanitation")).Keys.Order().ToArray());

        var now = DateTimeOffset.UtcNow;
        Assert.Equal(3, (await ListAsync(anyone, $"start_date={W3c(now.AddHours(-1))}&end_date={W3c(now.AddHours(1))}")).Keys.Intersect([lamp, litter, fixedLamp]).Count());
        Assert.Empty((await ListAsync(anyone, $"start_date={W3c(now.AddDays(1))}")).Keys.Intersect([lamp, litter, fixedLamp]));
        Assert.Empty((await ListAsync(anyone, $"end_date={W3c(now.AddDays(-1))}")).Keys.Intersect([lamp, litter, fixedLamp]));
        // With an offset written out, as the spec's examples do.
        var china = now.ToOffset(TimeSpan.FromHours(8));
        Assert.Contains(lamp, (await ListAsync(anyone, $"start_date={Uri.EscapeDataString(china.AddHours(-1).ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture))}")).Keys);

        var first = await ListAsync(anyone, "page_size=1");
        Assert.Single(first);
        var second = await ListAsync(anyone, "page_size=1&page=2");
        Assert.Single(second);
        Assert.NotEqual(first.Keys.Single(), second.Keys.Single());
        // Newest first.
        Assert.Equal(fixedLamp, first.Keys.Single());

        await ExpectErrorAsync(await anyone.GetAsync($"{V2}/requests.json?start_date=yesterday"), HttpStatusCode.BadRequest, "start_date");
        await ExpectErrorAsync(await anyone.GetAsync($"{V2}/requests.json?start_date={W3c(now)}&end_date={W3c(now.AddDays(-1))}"), HttpStatusCode.BadRequest, "end_date");
        await ExpectErrorAsync(await anyone.GetAsync($"{V2}/requests.json?start_date={W3c(now.AddDays(-200))}&end_date={W3c(now)}"), HttpStatusCode.BadRequest, "end_date");
        await ExpectErrorAsync(await anyone.GetAsync($"{V2}/requests.json?status=pending"), HttpStatusCode.BadRequest, "status");
        await ExpectErrorAsync(await anyone.GetAsync($"{V2}/requests.json?page_size=0"), HttpStatusCode.BadRequest, "page_size");
        await ExpectErrorAsync(await anyone.GetAsync($"{V2}/requests.json?service_request_id=12,abc"), HttpStatusCode.BadRequest, "service_request_id");
        await ExpectErrorAsync(await anyone.GetAsync($"{V2}/requests/999999999.json"), HttpStatusCode.NotFound, "service_request_id");
    }

    [Fact]
    public async Task An_in_home_repair_never_leaves_the_platform_and_a_residents_public_report_shows_no_name()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var resident = await app.ClientAsAsync("resident1");
        var plumbing = await CaseFlowTests.CategoryAsync(resident, "plumbing");
        var lighting = await CaseFlowTests.CategoryAsync(resident, "lighting");
        var leak = await (await resident.PostJsonAsync("/api/v1/cases", new { categoryId = plumbing.Id, title = "卫生间漏水", description = "楼下说天花板在滴水" })).OkAsync<CaseDetailDto>();
        var lamp = await (await resident.PostJsonAsync("/api/v1/cases", new { categoryId = lighting.Id, title = "单元门口灯坏了", buildingId = await HomeBuildingAsync(app, leak.RoomId!.Value) })).OkAsync<CaseDetailDto>();
        var anyone = app.Anonymous();

        var all = await ListAsync(anyone, "");
        Assert.DoesNotContain(leak.Id, all.Keys);
        Assert.Contains(lamp.Id, all.Keys);
        Assert.Empty(await ListAsync(anyone, $"service_request_id={leak.Id}"));
        Assert.Empty(await ListAsync(anyone, "service_code=plumbing"));
        await ExpectErrorAsync(await anyone.GetAsync($"{V2}/requests/{leak.Id}.json"), HttpStatusCode.NotFound, "service_request_id");
        var (xml, _) = await XmlAsync(anyone, $"{V2}/requests.xml?service_code=plumbing");
        Assert.Empty(xml.Root!.Elements("request"));

        using var one = await anyone.GetAsync($"{V2}/requests/{lamp.Id}.json");
        var text = await one.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.DoesNotContain(leak.ReporterName, text, StringComparison.Ordinal);
        Assert.Contains("单元门口灯坏了", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_photo_of_a_public_report_is_its_media_url_and_a_photo_from_a_home_is_not_served()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var resident = await app.ClientAsAsync("resident1");
        var lighting = await CaseFlowTests.CategoryAsync(resident, "lighting");
        var plumbing = await CaseFlowTests.CategoryAsync(resident, "plumbing");
        var leak = await (await resident.PostJsonAsync("/api/v1/cases", new { categoryId = plumbing.Id, title = "阳台下水管漏水" })).OkAsync<CaseDetailDto>();
        var lamp = await (await resident.PostJsonAsync("/api/v1/cases", new { categoryId = lighting.Id, title = "车库灯坏了", buildingId = await HomeBuildingAsync(app, leak.RoomId!.Value) })).OkAsync<CaseDetailDto>();
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 1, 2, 3, 4];
        var lampPhoto = await UploadAsync(resident, lamp.Id, png);
        var leakPhoto = await UploadAsync(resident, leak.Id, png);
        var anyone = app.Anonymous();

        var mediaUrl = (await ListAsync(anyone, $"service_request_id={lamp.Id}"))[lamp.Id].GetProperty("media_url").GetString()!;
        Assert.True(Uri.IsWellFormedUriString(mediaUrl, UriKind.Absolute), mediaUrl);
        Assert.EndsWith($"/open311/v2/media/{lampPhoto}", mediaUrl, StringComparison.Ordinal);
        using var media = await anyone.GetAsync(new Uri(mediaUrl).PathAndQuery);
        await media.ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("image/png", media.Content.Headers.ContentType?.MediaType);
        Assert.Equal(png, await media.Content.ReadAsByteArrayAsync());

        // No format in a media address: refusals come in XML, the format the spec requires.
        await ExpectXmlErrorAsync(await anyone.GetAsync($"{V2}/media/{leakPhoto}"), HttpStatusCode.NotFound, "media");
    }

    static async Task<long> UploadAsync(HttpClient client, long caseId, byte[] bytes)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(bytes), "photo", "photo.png" } };
        using var response = await client.PostAsync($"/api/v1/cases/{caseId}/photos", form);
        return (await response.OkAsync<CasePhotoDto>()).Id;
    }

    [Fact]
    public async Task Refusals_come_in_open311s_error_format_with_the_right_status_and_field()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var key = await IssueKeyAsync(app, "refusals");
        var building = await BuildingAsync(app, "桂花苑社区", "2号楼");
        var anyone = app.Anonymous();
        (string, string)[] Good(params (string, string)[] more) =>
            [("api_key", key), ("service_code", "lighting"), ("lat", Num(building.Latitude)), ("long", Num(building.Longitude)), ("description", "路灯坏了"), .. more];

        await ExpectErrorAsync(await anyone.PostAsync($"{V2}/requests.json", Form(Good().Where(f => f.Item1 != "api_key").ToArray())), HttpStatusCode.Forbidden, "api_key");
        await ExpectErrorAsync(await anyone.PostAsync($"{V2}/requests.json", Form([("api_key", "o311_not-a-key"), .. Good().Skip(1)])), HttpStatusCode.Forbidden, "api_key");
        await ExpectXmlErrorAsync(await anyone.PostAsync($"{V2}/requests.xml", Form([("api_key", "wrong"), .. Good().Skip(1)])), HttpStatusCode.Forbidden, "api_key");
        await ExpectErrorAsync(await anyone.PostAsync($"{V2}/requests.json", Form(Good().Where(f => f.Item1 != "service_code").ToArray())), HttpStatusCode.BadRequest, "service_code");
        await ExpectErrorAsync(await anyone.PostAsync($"{V2}/requests.json", Form([.. Good().Where(f => f.Item1 != "service_code"), ("service_code", "no-such-thing")])), HttpStatusCode.NotFound, "service_code");
        // Beijing: far from every community served here.
        await ExpectErrorAsync(await anyone.PostAsync($"{V2}/requests.json", Form([.. Good().Where(f => f.Item1 is not ("lat" or "long")), ("lat", "39.9087"), ("long", "116.3975")])), HttpStatusCode.BadRequest, "lat");
        await ExpectErrorAsync(await anyone.PostAsync($"{V2}/requests.json", Form(Good().Where(f => f.Item1 is not ("lat" or "long")).ToArray())), HttpStatusCode.BadRequest, "lat");
        await ExpectErrorAsync(await anyone.PostAsync($"{V2}/requests.json", Form(Good().Where(f => f.Item1 != "long").ToArray())), HttpStatusCode.BadRequest, "long");
        await ExpectErrorAsync(await anyone.PostAsync($"{V2}/requests.json", Form(Good(("phone", "12345")))), HttpStatusCode.BadRequest, "phone");
        await ExpectErrorAsync(await anyone.PostAsync($"{V2}/requests.json", Form(Good(("media_url", "javascript:alert(1)")))), HttpStatusCode.BadRequest, "media_url");
        await ExpectErrorAsync(await anyone.PostAsync($"{V2}/requests.json", Form(Good(("attribute[title]", new string('灯', 81))))), HttpStatusCode.BadRequest, "attribute[title]");
        await ExpectErrorAsync(await anyone.PostAsync($"{V2}/requests.json", Form([.. Good().Where(f => f.Item1 is not ("lat" or "long")), ("address_string", "某某花园8号楼")])), HttpStatusCode.BadRequest, "address_string");
        await ExpectErrorAsync(await anyone.PostAsync($"{V2}/requests.json", Form([.. Good().Where(f => f.Item1 is not ("lat" or "long")), ("address_id", "99999999")])), HttpStatusCode.BadRequest, "address_id");
        // The document says the fields come as a form; a JSON body is not read (415), and the answer is still Open311's error list.
        using (var json = await anyone.PostAsJsonAsync($"{V2}/requests.json", new { api_key = key, service_code = "lighting" }))
            await ExpectErrorAsync(json, HttpStatusCode.UnsupportedMediaType, "request");
        await ExpectXmlErrorAsync(await anyone.GetAsync($"{V2}/services.yaml"), HttpStatusCode.BadRequest, "format");
        await ExpectErrorAsync(await anyone.GetAsync($"{V2}/tokens/12345.json"), HttpStatusCode.NotFound, "token");

        // Where by address: a community and a building named in words, or our building id.
        var byWords = await FileAsync(anyone, key, "lighting", null, "门厅灯坏了", ("address_string", "桂花苑 2栋 门厅"));
        var byId = await FileAsync(anyone, key, "lighting", null, "楼道灯坏了", ("address_id", building.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var both = await ListAsync(anyone, $"service_request_id={byWords},{byId}");
        Assert.All(both.Values, r => Assert.Equal(building.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), r.GetProperty("address_id").GetString()));

        // A revoked key stops at once.
        var district = await app.ClientAsAsync("district");
        var client = (await district.GetOkAsync<List<Open311ClientDto>>("/api/v1/open311/clients")).Single(c => c.Name == "refusals");
        Assert.False((await (await district.PostAsync($"/api/v1/open311/clients/{client.Id}/revoke", null)).OkAsync<Open311ClientDto>()).Active);
        await ExpectErrorAsync(await anyone.PostAsync($"{V2}/requests.json", Form(Good())), HttpStatusCode.Forbidden, "api_key");

        // Only those who manage categories issue keys.
        using var byAdmin = await (await app.ClientAsAsync("admin1")).PostJsonAsync("/api/v1/open311/clients", new { name = "x" });
        Assert.Equal(HttpStatusCode.Forbidden, byAdmin.StatusCode);
        await (await district.PostJsonAsync("/api/v1/open311/clients", new { name = " " })).ExpectFieldErrorAsync("name");
        await (await district.PostJsonAsync("/api/v1/open311/clients", new { name = "bad limit", dailyLimit = 0 })).ExpectFieldErrorAsync("dailyLimit");
    }

    [Fact]
    public async Task A_key_past_its_daily_limit_gets_429_until_the_next_day()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var key = await IssueKeyAsync(app, "small app", dailyLimit: 2);
        var building = await BuildingAsync(app, "枫林社区", "1号楼");
        var anyone = app.Anonymous();
        await FileAsync(anyone, key, "sanitation", building, "垃圾桶满了");
        await FileAsync(anyone, key, "sanitation", building, "垃圾桶又满了");
        await ExpectErrorAsync(await anyone.PostAsync($"{V2}/requests.json", Form(
            ("api_key", key), ("service_code", "sanitation"), ("lat", Num(building.Latitude)), ("long", Num(building.Longitude)))), HttpStatusCode.TooManyRequests, "api_key");

        app.Clock.Advance(TimeSpan.FromDays(1));
        await FileAsync(anyone, key, "sanitation", building, "第二天垃圾桶还是满的");
    }

    /// <summary>
    /// The spec's own example requests, sent as written (only the key, the service code and the point are ours). No
    /// GeoReport client library installs from the npm registry (the "open311" package depends on a git repository and a
    /// native XML parser), so the spec's examples stand in for a standard client.
    /// </summary>
    [Fact]
    public async Task The_specs_example_requests_work_as_written()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var key = await IssueKeyAsync(app, "spec examples");
        var building = await BuildingAsync(app, "桂花苑社区", "5号楼");
        var anyone = app.Anonymous();

        var (services, _) = await XmlAsync(anyone, $"{V2}/services.xml?jurisdiction_id=city.gov");
        Assert.NotEmpty(services.Root!.Elements("service"));
        var (definition, _) = await XmlAsync(anyone, $"{V2}/services/lighting.xml?jurisdiction_id=city.gov");
        Assert.Equal("lighting", definition.Root!.Element("service_code")!.Value);

        var example = "api_key=xyz&jurisdiction_id=city.gov&service_code=001&lat=37.76524078&long=-122.4212043&address_string=1234+5th+street&email=smit333%40sfgov.edu&device_id=tt222111&account_id=123456&first_name=john&last_name=smith&phone=111111111&description=A+large+sinkhole+is+destroying+the+street&media_url=http%3A%2F%2Ffarm3.static.flickr.com%2F2002%2F2212426634_5ed477a060.jpg&attribute[WHISPAWN]=123456&attribute[WHISDORN]=COISL001"
            .Replace("api_key=xyz", $"api_key={key}", StringComparison.Ordinal)
            .Replace("service_code=001", "service_code=lighting", StringComparison.Ordinal)
            .Replace("lat=37.76524078&long=-122.4212043", $"lat={Num(building.Latitude)}&long={Num(building.Longitude)}", StringComparison.Ordinal);
        // Its phone is no mainland mobile number: refused, naming the field.
        await ExpectXmlErrorAsync(await anyone.PostAsync($"{V2}/requests.xml", RawForm(example)), HttpStatusCode.BadRequest, "phone");

        using var posted = await anyone.PostAsync($"{V2}/requests.xml", RawForm(example.Replace("phone=111111111", "phone=13900001111", StringComparison.Ordinal)));
        await posted.ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("text/xml", posted.Content.Headers.ContentType?.MediaType);
        var created = XDocument.Parse(await posted.Content.ReadAsStringAsync());
        Assert.Equal("service_requests", created.Root!.Name.LocalName);
        var request = created.Root.Element("request")!;
        Assert.Equal(["service_request_id", "service_notice", "account_id"], request.Elements().Select(e => e.Name.LocalName).ToArray());
        Assert.Equal("123456", request.Element("account_id")!.Value);
        var id = request.Element("service_request_id")!.Value;

        var admin = await app.ClientAsAsync("admin1");
        var detail = await admin.GetOkAsync<CaseDetailDto>($"/api/v1/cases/{id}");
        Assert.Equal("john smith", detail.ReporterName);
        Assert.Equal("A large sinkhole is destroying the street", detail.Description);
        Assert.EndsWith("1234 5th street", detail.Address, StringComparison.Ordinal);

        var now = DateTimeOffset.UtcNow;
        var (list, _) = await XmlAsync(anyone, $"{V2}/requests.xml?start_date={W3c(now.AddDays(-30))}&end_date={W3c(now.AddDays(1))}&status=open&jurisdiction_id=city.gov");
        Assert.Contains(list.Root!.Elements("request"), r => r.Element("service_request_id")!.Value == id);
        var (one, _) = await XmlAsync(anyone, $"{V2}/requests/{id}.xml?jurisdiction_id=city.gov");
        Assert.Equal("http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg", one.Root!.Element("request")!.Element("media_url")!.Value);
        await ExpectXmlErrorAsync(await anyone.GetAsync($"{V2}/tokens/123456.xml?jurisdiction_id=city.gov"), HttpStatusCode.NotFound, "token");
    }

    // --- helpers ---

    internal static async Task<string> IssueKeyAsync(TestApp app, string name, int? dailyLimit = null)
    {
        var district = await app.ClientAsAsync("district");
        using var response = await district.PostJsonAsync("/api/v1/open311/clients", new { name, dailyLimit });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var issued = await response.OkAsync<IssuedOpen311ClientDto>();
        Assert.StartsWith(issued.KeyPrefix, issued.ApiKey, StringComparison.Ordinal);
        return issued.ApiKey;
    }

    internal sealed record Place(int Id, double Latitude, double Longitude);

    static async Task<Place> BuildingAsync(TestApp app, string community, string building)
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        var communityId = await db.Nodes.IgnoreQueryFilters().Where(n => n.Name == community && n.Kind == NodeKind.Community).Select(n => n.Id).SingleAsync();
        return await db.Buildings.IgnoreQueryFilters().Where(b => b.CommunityId == communityId && b.Name == building)
            .Select(b => new Place(b.Id, b.Latitude, b.Longitude)).SingleAsync();
    }

    static async Task<int> HomeBuildingAsync(TestApp app, int roomId)
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        return await db.Rooms.IgnoreQueryFilters().Where(r => r.Id == roomId).Select(r => r.BuildingId).SingleAsync();
    }

    static async Task<long> FileAsync(HttpClient client, string key, string code, Place? at, string description, params (string, string)[] more)
    {
        (string, string)[] where = at is null ? [] : [("lat", Num(at.Latitude)), ("long", Num(at.Longitude))];
        using var response = await client.PostAsync($"{V2}/requests.json", Form([("api_key", key), ("service_code", code), ("description", description), .. where, .. more]));
        var answer = (await JsonAsync(response, HttpStatusCode.OK)).EnumerateArray().Single();
        return long.Parse(answer.GetProperty("service_request_id").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
    }

    static async Task<Dictionary<long, JsonElement>> ListAsync(HttpClient client, string query)
    {
        using var response = await client.GetAsync($"{V2}/requests.json?{query}");
        return (await JsonAsync(response, HttpStatusCode.OK)).EnumerateArray()
            .ToDictionary(r => long.Parse(r.GetProperty("service_request_id").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }

    static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    static StringContent RawForm(string body) => new(body, Encoding.UTF8, "application/x-www-form-urlencoded");

    static string Num(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    static string W3c(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        await response.ExpectAsync(expected);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet, ignoreCase: true);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    static async Task<(XDocument Document, string? MediaType)> XmlAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        await response.ExpectAsync(HttpStatusCode.OK);
        return (XDocument.Parse(await response.Content.ReadAsStringAsync()), response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>[{"code":status,"description":"field: …"}] with the same HTTP status.</summary>
    static async Task ExpectErrorAsync(HttpResponseMessage response, HttpStatusCode status, string field)
    {
        using (response)
        {
            var errors = (await JsonAsync(response, status)).EnumerateArray().ToList();
            var error = Assert.Single(errors);
            Assert.Equal((int)status, error.GetProperty("code").GetInt32());
            Assert.StartsWith(field + ":", error.GetProperty("description").GetString(), StringComparison.Ordinal);
        }
    }

    static async Task ExpectXmlErrorAsync(HttpResponseMessage response, HttpStatusCode status, string field)
    {
        using (response)
        {
            await response.ExpectAsync(status);
            Assert.Equal("text/xml", response.Content.Headers.ContentType?.MediaType);
            var xml = XDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("errors", xml.Root!.Name.LocalName);
            var error = Assert.Single(xml.Root.Elements("error"));
            Assert.Equal(["code", "description"], error.Elements().Select(e => e.Name.LocalName).ToArray());
            Assert.Equal(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), error.Element("code")!.Value);
            Assert.StartsWith(field + ":", error.Element("description")!.Value, StringComparison.Ordinal);
        }
    }
}

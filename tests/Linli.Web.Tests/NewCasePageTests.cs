using System.Net;
using System.Text.RegularExpressions;
using Linli.Domain.Cases;
using Linli.Web.Features.Cases;
using Linli.Web.Features.Registry;
using Linli.Web.Features.Shared;

namespace Linli.Web.Tests;

/// <summary>A grid worker files a patrol finding with a photo from the staff form; it lands with the community's team.</summary>
public sealed partial class NewCasePageTests
{
    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

    static async Task<HttpResponseMessage> PostAsync(HttpClient browser, Dictionary<string, string> fields, byte[]? photo = null)
    {
        var page = await browser.GetStringAsync("/cases/new");
        var form = new MultipartFormDataContent
        {
            { new StringContent(WebUtility.HtmlDecode(TokenPattern().Match(page).Groups[1].Value)), "__RequestVerificationToken" },
            { new StringContent("new-case"), "_handler" },
        };
        foreach (var (k, v) in fields) form.Add(new StringContent(v), k);
        if (photo is not null) form.Add(new ByteArrayContent(photo), ResidentReports.PhotosField, "patrol.png");
        return await browser.PostAsync("/cases/new", form);
    }

    [Fact]
    public async Task A_grid_worker_files_a_patrol_finding_with_a_photo_and_the_community_team_sees_it()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var grid1 = await CaseStaffPageTests.BrowserAsync(app, "grid1");
        var api = await app.ClientAsAsync("grid1");
        var fire = await CaseFlowTests.CategoryAsync(api, "fire-safety");
        var building = (await api.GetOkAsync<Page<BuildingDto>>("/api/v1/buildings")).Items[0];

        using var response = await PostAsync(grid1, new()
        {
            ["Form.CategoryId"] = fire.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Form.BuildingId"] = building.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Form.Address"] = "2单元楼道",
            ["Form.Title"] = "楼道堆放杂物堵塞消防通道",
        }, Png);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var id = long.Parse(response.Headers.Location!.OriginalString.Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture);

        var admin = await app.ClientAsAsync("admin1");
        var c = await admin.GetOkAsync<CaseDetailDto>($"/api/v1/cases/{id}");
        Assert.Equal((CaseKind.Patrol, CaseSource.Patrol, HandlingLevel.Community, building.Id), (c.Kind, c.Source, c.Level, c.BuildingId));
        Assert.Contains("2单元楼道", c.Address, StringComparison.Ordinal);
        Assert.Equal(PhotoStage.Report, Assert.Single(c.Photos).Stage);
        Assert.Contains(CaseAction.Accept, c.AllowedActions);
    }

    [Fact]
    public async Task A_form_without_a_title_says_so_and_files_nothing()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var grid1 = await CaseStaffPageTests.BrowserAsync(app, "grid1");
        var api = await app.ClientAsAsync("admin1");
        var before = (await api.GetOkAsync<Page<CaseListItemDto>>("/api/v1/cases?status=all")).Total;
        var fire = await CaseFlowTests.CategoryAsync(api, "fire-safety");
        var building = (await api.GetOkAsync<Page<BuildingDto>>("/api/v1/buildings")).Items[0];

        using var response = await PostAsync(grid1, new()
        {
            ["Form.CategoryId"] = fire.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Form.BuildingId"] = building.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Form.Title"] = "",
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("id=\"title-err\"", html, StringComparison.Ordinal);
        Assert.Equal(before, (await api.GetOkAsync<Page<CaseListItemDto>>("/api/v1/cases?status=all")).Total);
    }
}

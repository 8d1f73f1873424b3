using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Linli.Browser.Tests;

[Collection(BrowserCollection.Name)]
public sealed class ImportTests(BrowserFixture app)
{
    [Fact]
    public async Task A_file_with_a_bad_id_number_imports_nothing_and_shows_the_row_and_column_with_a_downloadable_report()
    {
        using var api = await app.ApiAsAsync("admin1");
        var building = (await api.GetFromJsonAsync<PageOf<BuildingBrief>>("/api/v1/buildings"))!.Items.First();
        var countBefore = await ResidentCountAsync(api);
        var good1 = IdNumbers.WithCheckDigit("99010219700101001");
        var good2 = IdNumbers.WithCheckDigit("99010219700101002");
        var bad = IdNumbers.WithCheckDigit("99010219700101003");
        bad = bad[..17] + (bad[17] == '1' ? '2' : '1');
        var csv = new StringBuilder()
            .AppendLine("姓名,身份证号,手机号,楼栋,单元,房号,关系")
            .AppendLine($"导入甲,{good1},13800000001,{building.Name},1,101,业主")
            .AppendLine($"导入乙,{good2},13800000002,{building.Name},1,101,家属")
            .AppendLine($"导入丙,{bad},13800000003,{building.Name},1,102,业主")
            .ToString();

        var page = await app.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "admin1");
        await page.GotoAsync("/import");
        await page.Locator("input[name=kind][value=residents]").CheckAsync();
        await page.Locator("#file").SetInputFilesAsync(new FilePayload { Name = "residents.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv) });
        await page.Locator("section[aria-labelledby=upload-heading] button[type=submit]").ClickAsync();

        // The job runs in the background; the page polls until it has an outcome.
        var outcome = page.Locator("#import-job");
        await Expect(outcome.Locator("#import-failed")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var problem = outcome.Locator("tbody tr");
        await Expect(problem).ToHaveCountAsync(1);
        // The header is row 1, so the third data line is row 4.
        await Expect(problem.Locator("td").Nth(0)).ToHaveTextAsync("4");
        // The column as the file names it: the Chinese header, or the English key.
        await Expect(problem.Locator("td").Nth(1)).ToHaveTextAsync(new Regex("^(身份证号|idNumber)$"));
        await Expect(problem.Locator("td").Nth(2)).ToHaveTextAsync(bad);

        var report = outcome.GetByRole(AriaRole.Link, new() { Name = "CSV" });
        await Expect(report).ToBeVisibleAsync();
        var href = await report.GetAttributeAsync("href");
        var download = await page.Context.APIRequest.GetAsync(href!);
        Assert.Equal(200, download.Status);
        var text = await download.TextAsync();
        Assert.Contains(bad, text, StringComparison.Ordinal);

        Assert.Equal(countBefore, await ResidentCountAsync(api));
        await page.Context.CloseAsync();
    }

    static async Task<int> ResidentCountAsync(HttpClient api) =>
        (await api.GetFromJsonAsync<PageOf<ResidentRow>>("/api/v1/residents?pageSize=1"))!.Total;
}

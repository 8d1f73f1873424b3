using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Linli.Browser.Tests;

[Collection(BrowserCollection.Name)]
public sealed class AccessibilityTests(BrowserFixture app)
{
    [Fact]
    public async Task Main_pages_have_no_serious_or_critical_axe_violations()
    {
        using var api = await app.ApiAsAsync("admin1");
        var resident = (await api.GetFromJsonAsync<PageOf<ResidentRow>>("/api/v1/residents?pageSize=5"))!.Items.First(r => r.RoomId is not null);
        var room = await api.GetFromJsonAsync<RoomBrief>($"/api/v1/rooms/{resident.RoomId}");
        var building = await api.GetFromJsonAsync<BuildingDetail>($"/api/v1/buildings/{room!.BuildingId}");

        var page = await app.NewPageAsync();
        var problems = new List<string>();
        await page.GotoAsync("/signin");
        problems.AddRange(await Axe.SeriousViolationsAsync(page));

        await BrowserFixture.SignInAsync(page, "admin1");
        string[] paths =
        [
            "/",
            "/residents?q=" + Uri.EscapeDataString(resident.Name[..1]),
            $"/residents/{resident.Id}",
            $"/registry/rooms/{room.Id}",
            $"/registry/buildings/{building!.Building.Id}",
            $"/registry/communities/{building.Building.CommunityId}",
            "/import",
        ];
        foreach (var path in paths)
        {
            await page.GotoAsync(path);
            await Expect(page.Locator("main h1")).ToBeVisibleAsync();
            if (path.StartsWith("/residents?", StringComparison.Ordinal)) await Expect(page.Locator("#results tbody tr").First).ToBeVisibleAsync();
            problems.AddRange(await Axe.SeriousViolationsAsync(page));
        }
        await page.Context.CloseAsync();
        Assert.True(problems.Count == 0, "axe-core found serious or critical problems:\n" + string.Join("\n", problems));
    }
}

/// <summary>Runs axe-core (from the repository's npm packages) in a page.</summary>
static class Axe
{
    static readonly Lazy<string> ScriptPath = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "package.json"))) continue;
            var axe = Path.Combine(dir.FullName, "node_modules", "axe-core", "axe.min.js");
            return File.Exists(axe) ? axe : throw new InvalidOperationException($"axe-core is missing: {axe} does not exist (run 'npm ci' at the repository root).");
        }
        throw new InvalidOperationException("No package.json above the test assembly: cannot find the repository's node_modules/axe-core.");
    });

    /// <summary>"path: rule (impact) at selector, …" for each serious or critical violation.</summary>
    public static async Task<IReadOnlyList<string>> SeriousViolationsAsync(IPage page)
    {
        await page.AddScriptTagAsync(new() { Path = ScriptPath.Value });
        var result = await page.EvaluateAsync<JsonElement>("""
            async () => {
              const r = await axe.run(document, { resultTypes: ['violations'] });
              return r.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(' ')) }));
            }
            """);
        var path = new Uri(page.Url).PathAndQuery;
        return result.EnumerateArray().Select(v =>
            $"{path}: {v.GetProperty("id").GetString()} ({v.GetProperty("impact").GetString()}) {v.GetProperty("help").GetString()} at "
            + string.Join(", ", v.GetProperty("targets").EnumerateArray().Select(t => t.GetString()).Take(8))).ToList();
    }
}

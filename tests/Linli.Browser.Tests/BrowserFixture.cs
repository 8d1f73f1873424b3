using System.Net.Http.Headers;
using System.Net.Http.Json;
using Linli.Infrastructure.Seeding;
using Microsoft.Playwright;

namespace Linli.Browser.Tests;

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    /// <summary>One app and one Chromium for the whole suite; the tests run one after another against them.</summary>
    public const string Name = "browser";
}

/// <summary>The app under test and a headless Debian Chromium driven by Playwright.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string DemoPassword = RegistrySeeder.DemoPassword;

    LinliServer? _server;
    IPlaywright? _playwright;
    IBrowser? _browser;

    public LinliServer Server => _server ?? throw new InvalidOperationException("The fixture is not started.");
    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The fixture is not started.");
    public Uri BaseAddress => Server.BaseAddress;

    /// <summary>Screenshots and other artefacts go next to the test assembly, never into the repository.</summary>
    public static string OutputDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        // The browser is Debian's; Playwright must never fetch its own.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var chromium = Environment.GetEnvironmentVariable("LINLI_CHROMIUM") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        if (!File.Exists(chromium))
            throw new InvalidOperationException($"Chromium is missing: no browser at '{chromium}' (set LINLI_CHROMIUM or install the Debian package 'chromium'; ./test.sh installs it).");

        // The server starts while the Playwright driver comes up.
        var server = Task.Run(() => new LinliServer());
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = chromium,
            Headless = true,
            // The suite runs as root in a container: Chromium's sandbox needs user namespaces it does not get there.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
        _server = await server;
        // Two cores shared with builds: give slow renders time before calling a page broken.
        Assertions.SetDefaultExpectTimeout(15_000);
        Directory.CreateDirectory(OutputDirectory);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }

    /// <summary>A fresh browser context (own cookies) and a page in it.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new()
        {
            BaseURL = BaseAddress.ToString(),
            ViewportSize = new() { Width = width, Height = height },
            Locale = "zh-CN",
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    /// <summary>Signs in through the sign-in page the way a person does and waits for the home page.</summary>
    public static async Task SignInAsync(IPage page, string userName)
    {
        await page.GotoAsync("/signin");
        await page.Locator("#username").FillAsync(userName);
        await page.Locator("#password").FillAsync(DemoPassword);
        await page.Locator("button[type=submit]").First.ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
    }

    /// <summary>An API client with a bearer token, for looking up test data and checking what was stored.</summary>
    public async Task<HttpClient> ApiAsAsync(string userName)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { userName, password = DemoPassword });
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<TokenResponse>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token!.AccessToken);
        return client;
    }

    sealed record TokenResponse(string AccessToken);
}

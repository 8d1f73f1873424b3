using System.Net;
using System.Text.RegularExpressions;
using Linli.Infrastructure.Seeding;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Linli.Web.Tests;

/// <summary>After signing in, the page goes back where the person came from, but never to another site.</summary>
public sealed partial class SignInRedirectTests(SharedDemoApp shared) : IClassFixture<SharedDemoApp>
{
    [Theory]
    [InlineData("/residents?q=%E5%BC%A0", "/residents?q=%E5%BC%A0")]
    [InlineData("//evil.example", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("https://evil.example/", "/")]
    public async Task Sign_in_returns_to_a_page_of_this_site_only(string returnUrl, string expected)
    {
        using var browser = shared.App.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var signin = $"/signin?returnUrl={Uri.EscapeDataString(returnUrl)}";
        var form = await browser.GetStringAsync(signin);
        var token = WebUtility.HtmlDecode(TokenPattern().Match(form).Groups[1].Value);

        using var response = await browser.PostAsync(signin, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "password",
            ["__RequestVerificationToken"] = token,
            ["Form.UserName"] = "admin1",
            ["Form.Password"] = RegistrySeeder.DemoPassword,
        }));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.Equal(expected, location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString);
        if (location.IsAbsoluteUri) Assert.Equal("localhost", location.Host);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}

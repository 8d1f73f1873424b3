using System.Net;
using System.Net.Http.Headers;

namespace Linli.Web.Tests;

/// <summary>A page address with a bad value answers 400 with the reason and a way back, never 500.</summary>
public sealed class PageInputTests(SharedDemoApp shared) : IClassFixture<SharedDemoApp>
{
    [Theory]
    [InlineData("/residents?page=abc", "page")]
    [InlineData("/residents?gridId=x", "GridId")]
    [InlineData("/statistics?communityId=abc", "CommunityId")]
    [InlineData("/registry?page=0", "page")]
    [InlineData("/facilities?page=0", "page")]
    [InlineData("/audit?page=-2", "page")]
    public async Task A_bad_value_in_a_page_address_gets_a_page_naming_it(string url, string field)
    {
        var admin1 = await shared.App.ClientAsAsync("admin1");
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));

        using var response = await admin1.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains(field + ":", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Someone_outside_the_callers_area_is_not_found_and_the_page_offers_a_way_back()
    {
        var admin1 = await shared.App.ClientAsAsync("admin1");

        using var response = await admin1.GetAsync($"/residents/{shared.Places.C2.ResidentId}");

        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("在您的辖区内未找到", html, StringComparison.Ordinal);
        Assert.DoesNotContain(shared.Places.C2.SomeResidents[0].Name, html, StringComparison.Ordinal);
        Assert.Contains("href=\"/residents\"", html, StringComparison.Ordinal);
    }
}

using System.Net;
using System.Net.Http.Json;

namespace Linli.Web.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task Health_answers_200_once_the_database_is_ready()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var response = await app.Anonymous().GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Community_admin_sees_residents_of_the_demo_district()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var client = await app.ClientAsAsync("admin1");
        var page = await client.GetFromJsonAsync<PageOf>("/api/v1/residents?pageSize=5");
        Assert.True(page!.Total > 1000, $"expected a seeded community, got {page.Total} residents");
    }

    sealed record PageOf(int Total);
}

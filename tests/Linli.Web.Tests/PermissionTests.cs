using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Linli.Web.Features.Registry;

namespace Linli.Web.Tests;

/// <summary>Roles that may read but not write, and callers who are not signed in.</summary>
public sealed class PermissionTests(SharedDemoApp shared) : IClassFixture<SharedDemoApp>
{
    public static TheoryData<string, string> ApiEndpoints => new()
    {
        { "GET", "/api/v1/me" },
        { "GET", "/api/v1/nodes" },
        { "GET", "/api/v1/buildings" },
        { "GET", "/api/v1/buildings/1" },
        { "GET", "/api/v1/communities/1/plan" },
        { "GET", "/api/v1/facilities" },
        { "GET", "/api/v1/organizations" },
        { "GET", "/api/v1/rooms/1" },
        { "GET", "/api/v1/residents" },
        { "GET", "/api/v1/residents/1" },
        { "PUT", "/api/v1/residents/1" },
        { "POST", "/api/v1/residents" },
        { "POST", "/api/v1/residents/1/move-out" },
        { "POST", "/api/v1/residents/1/unmask" },
        { "GET", "/api/v1/audit" },
    };

    [Theory]
    [MemberData(nameof(ApiEndpoints))]
    public async Task Without_signing_in_the_API_answers_401(string method, string url)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (method != "GET") request.Content = JsonContent.Create(new { });
        using var response = await shared.App.Anonymous().SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task A_made_up_bearer_token_is_refused_with_401()
    {
        var client = shared.App.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-real-token");
        Assert.Equal(HttpStatusCode.Unauthorized, await client.GetAsync("/api/v1/residents").StatusOfAsync());
    }

    [Fact]
    public async Task Resident_cannot_read_the_audit_log_edit_or_unmask()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var resident1 = await app.ClientAsAsync("resident1");
        var own = (await resident1.AllPagesAsync<ResidentSummaryDto>("/api/v1/residents"))[0];
        Assert.Equal(HttpStatusCode.Forbidden, await resident1.GetAsync("/api/v1/audit").StatusOfAsync());
        Assert.Equal(HttpStatusCode.Forbidden, await resident1.PostAsync($"/api/v1/residents/{own.Id}/unmask", null).StatusOfAsync());
        Assert.Equal(HttpStatusCode.Forbidden, await resident1.PutJsonAsync($"/api/v1/residents/{own.Id}",
            new UpdateResidentRequest("改名", null, null, [], null, null)).StatusOfAsync());

        var after = await resident1.GetOkAsync<ResidentDto>($"/api/v1/residents/{own.Id}");
        Assert.Equal(own.Name, after.Name);
    }

    [Fact]
    public async Task Property_staff_can_read_residents_but_cannot_register_edit_move_out_or_unmask_them()
    {
        // Attempted writes get their own app, so a wrongly accepted one cannot leak into the other tests.
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var headCount = await TestPeople.HeadCountAsync(app);
        var property1 = await app.ClientAsAsync("property1");
        var target = places.C1.SomeResidents[0];
        await property1.GetOkAsync<ResidentDto>($"/api/v1/residents/{target.Id}");

        Assert.Equal(HttpStatusCode.Forbidden, await property1.PostJsonAsync("/api/v1/residents", TestPeople.Family(places.C1.OccupiedRoomId)).StatusOfAsync());
        Assert.Equal(HttpStatusCode.Forbidden, await property1.PutJsonAsync($"/api/v1/residents/{target.Id}",
            new UpdateResidentRequest("改名", null, null, ["Veteran"], null, null)).StatusOfAsync());
        Assert.Equal(HttpStatusCode.Forbidden, await property1.PostJsonAsync($"/api/v1/residents/{target.Id}/move-out", new { }).StatusOfAsync());
        Assert.Equal(HttpStatusCode.Forbidden, await property1.PostAsync($"/api/v1/residents/{target.Id}/unmask", null).StatusOfAsync());

        Assert.Equal(headCount, await TestPeople.HeadCountAsync(app));
        var after = await property1.GetOkAsync<ResidentDto>($"/api/v1/residents/{target.Id}");
        Assert.Equal((target.Name, target.RoomId, string.Join(',', target.Labels)), (after.Name, after.RoomId, string.Join(',', after.Labels)));
    }
}

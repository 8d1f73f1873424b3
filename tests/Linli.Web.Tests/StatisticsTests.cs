using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Linli.Infrastructure.Seeding;

namespace Linli.Web.Tests;

public sealed partial class StatisticsTests
{
    [Fact]
    public async Task Population_agrees_with_the_resident_list_of_the_same_user()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin = await app.ClientAsAsync("admin1");

        var stats = await admin.GetFromJsonAsync<Population>("/api/v1/statistics/population");
        Assert.NotNull(stats);
        Assert.True(stats.Total > 1000, $"expected a seeded community, got {stats.Total}");
        Assert.Equal(await ListTotal(admin, ""), stats.Total);
        Assert.Equal(stats.Total, stats.ByAgeBand.Sum(b => b.Count));
        Assert.Equal(5, stats.ByAgeBand.Count);
        Assert.Equal(stats.Total, stats.ByGender.Sum(g => g.Count));
        Assert.Equal(stats.Total, stats.ByGrid.Sum(g => g.Count));
        foreach (var label in new[] { "LivingAlone", "Elderly60", "Elderly80", "Child", "Disabled", "ElderlyLivingAlone" })
            Assert.Equal(await ListTotal(admin, $"&label={label}"), stats.ByLabel.Single(l => l.Label == label).Count);
        Assert.Equal(await ListTotal(admin, "&ageBand=Elderly60To79"), stats.ByAgeBand.Single(b => b.Band == "Elderly60To79").Count);
        // Within one community the buildings are listed, and they hold everyone.
        Assert.NotEmpty(stats.ByBuilding);
        Assert.Equal(stats.Total, stats.ByBuilding.Sum(b => b.Count));
    }

    [Fact]
    public async Task Grid_worker_sees_only_their_grid()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var grid1 = await app.ClientAsAsync("grid1");
        var me = await grid1.GetFromJsonAsync<Me>("/api/v1/me");

        var stats = await grid1.GetFromJsonAsync<Population>("/api/v1/statistics/population");
        var grid = Assert.Single(stats!.ByGrid);
        Assert.Equal(me!.NodeId, grid.GridId);
        Assert.Equal(await ListTotal(grid1, ""), stats.Total);

        var elderly = await grid1.GetFromJsonAsync<ElderlyAlone>("/api/v1/statistics/elderly-alone");
        Assert.Equal(me.NodeId, Assert.Single(elderly!.ByGrid).GridId);
        var occupancy = await grid1.GetFromJsonAsync<Occupancy>("/api/v1/statistics/occupancy");
        Assert.Equal(me.NodeId, Assert.Single(occupancy!.ByGrid).GridId);

        // The admin of the same community sees more than the grid worker does.
        var admin = await (await app.ClientAsAsync("admin1")).GetFromJsonAsync<Population>("/api/v1/statistics/population");
        Assert.True(admin!.Total > stats.Total);
        Assert.Equal(stats.Total, admin.ByGrid.Single(g => g.GridId == me.NodeId).Count);
    }

    [Fact]
    public async Task Two_communities_add_up_to_their_street()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var one = await (await app.ClientAsAsync("admin1")).GetFromJsonAsync<Population>("/api/v1/statistics/population");
        var two = await (await app.ClientAsAsync("admin2")).GetFromJsonAsync<Population>("/api/v1/statistics/population");
        var street = await app.ClientAsAsync("street");
        var all = await street.GetFromJsonAsync<Population>("/api/v1/statistics/population");

        Assert.Equal(one!.Total + two!.Total, all!.Total);
        Assert.Empty(one.ByGrid.Select(g => g.GridId).Intersect(two.ByGrid.Select(g => g.GridId)));
        Assert.Equal(one.ByGrid.Count + two.ByGrid.Count, all.ByGrid.Count);
        // Over a whole street the building list is left out; narrowing to a community brings it back.
        Assert.Empty(all.ByBuilding);
        var communityId = one.ByGrid[0].CommunityId;
        var narrowed = await street.GetFromJsonAsync<Population>($"/api/v1/statistics/population?communityId={communityId}");
        Assert.Equal(one.Total, narrowed!.Total);
        Assert.Equal(one.ByBuilding.Count, narrowed.ByBuilding.Count);

        var roomsOne = await (await app.ClientAsAsync("admin1")).GetFromJsonAsync<Occupancy>("/api/v1/statistics/occupancy");
        var roomsTwo = await (await app.ClientAsAsync("admin2")).GetFromJsonAsync<Occupancy>("/api/v1/statistics/occupancy");
        var roomsAll = await street.GetFromJsonAsync<Occupancy>("/api/v1/statistics/occupancy");
        Assert.Equal(roomsOne!.Rooms + roomsTwo!.Rooms, roomsAll!.Rooms);
        Assert.Equal(roomsOne.Vacant + roomsTwo.Vacant, roomsAll.Vacant);
    }

    [Fact]
    public async Task Filters_outside_the_callers_area_are_refused_by_name()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin2 = await app.ClientAsAsync("admin2");
        var otherCommunity = (await admin2.GetFromJsonAsync<Me>("/api/v1/me"))!.NodeId;
        var otherGrid = (await admin2.GetFromJsonAsync<Population>("/api/v1/statistics/population"))!.ByGrid[0].GridId;
        var admin1 = await app.ClientAsAsync("admin1");

        var community = await admin1.GetAsync($"/api/v1/statistics/population?communityId={otherCommunity}");
        Assert.Equal(HttpStatusCode.BadRequest, community.StatusCode);
        Assert.Contains("communityId", await community.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var grid = await admin1.GetAsync($"/api/v1/statistics/elderly-alone?gridId={otherGrid}");
        Assert.Equal(HttpStatusCode.BadRequest, grid.StatusCode);
        Assert.Contains("gridId", await grid.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Occupancy_parts_add_up_and_a_move_out_leaves_a_room_vacant()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin = await app.ClientAsAsync("admin1");
        var before = await admin.GetFromJsonAsync<Occupancy>("/api/v1/statistics/occupancy");
        Assert.Equal(before!.Rooms, before.OwnerOccupied + before.Rented + before.Vacant);
        Assert.True(before.Vacant > 0 && before.OwnerOccupied > 0 && before.Rented > 0);
        Assert.Equal(before.Rooms, before.ByGrid.Sum(g => g.Rooms));
        Assert.Equal(before.Rooms, before.ByBuilding.Sum(b => b.Rooms));

        var (roomId, residentId) = await SinglePersonRoomAsync(admin);
        var moved = await admin.PostAsJsonAsync($"/api/v1/residents/{residentId}/move-out", new { });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);

        var after = await admin.GetFromJsonAsync<Occupancy>("/api/v1/statistics/occupancy");
        Assert.Equal(before.Vacant + 1, after!.Vacant);
        Assert.Equal(before.Rooms, after.Rooms);
        Assert.Equal(before.OwnerOccupied + before.Rented - 1, after.OwnerOccupied + after.Rented);
        var population = await admin.GetFromJsonAsync<Population>("/api/v1/statistics/population");
        Assert.Equal(await ListTotal(admin, ""), population!.Total);
        Assert.True(roomId > 0);
    }

    [Fact]
    public async Task Elderly_living_alone_per_grid_agrees_with_the_resident_list()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin = await app.ClientAsAsync("admin1");
        var stats = await admin.GetFromJsonAsync<ElderlyAlone>("/api/v1/statistics/elderly-alone");
        Assert.True(stats!.LivingAlone > 0);
        Assert.Equal(await ListTotal(admin, "&label=ElderlyLivingAlone"), stats.LivingAlone);
        Assert.Equal(await ListTotal(admin, "&label=Elderly60"), stats.Elderly60Plus);
        var grid = stats.ByGrid[0];
        Assert.Equal(await ListTotal(admin, $"&label=ElderlyLivingAlone&gridId={grid.GridId}"), grid.LivingAlone);
        Assert.InRange(grid.Elderly80PlusLivingAlone, 0, grid.LivingAlone);
        Assert.Equal(stats.LivingAlone, stats.ByGrid.Sum(g => g.LivingAlone));
    }

    [Theory]
    [InlineData("property1")]
    [InlineData("resident1")]
    [InlineData("provider1")]
    public async Task Roles_without_the_statistics_permission_get_403(string user)
    {
        await using var app = await LinliAppFactory.StartAsync();
        var client = await app.ClientAsAsync(user);
        foreach (var path in new[] { "population", "occupancy", "elderly-alone" })
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync($"/api/v1/statistics/{path}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().GetAsync("/api/v1/statistics/population")).StatusCode);
    }

    [Fact]
    public async Task Statistics_page_draws_charts_with_the_numbers()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var stats = await (await app.ClientAsAsync("admin1")).GetFromJsonAsync<Population>("/api/v1/statistics/population");
        var browser = await SignInWithFormAsync(app, "admin1");

        var response = await browser.GetAsync("/statistics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<svg class=\"chart\"", html, StringComparison.Ordinal);
        Assert.Contains("role=\"img\"", html, StringComparison.Ordinal);
        Assert.Contains(stats!.Total.ToString("N0", System.Globalization.CultureInfo.GetCultureInfo("zh-CN")), html, StringComparison.Ordinal);
        Assert.Contains("<table", html, StringComparison.Ordinal);

        // A grid outside the area is explained on the page, not a crash.
        var outside = await browser.GetAsync("/statistics?gridId=999999");
        Assert.Equal(HttpStatusCode.BadRequest, outside.StatusCode);
        Assert.Contains("role=\"alert\"", await outside.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var property = await SignInWithFormAsync(app, "property1");
        var denied = await property.GetAsync("/statistics");
        Assert.DoesNotContain("<svg class=\"chart\"", await denied.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.EndsWith("/denied", denied.RequestMessage!.RequestUri!.AbsolutePath, StringComparison.Ordinal);
    }

    internal static async Task<HttpClient> SignInWithFormAsync(TestApp app, string userName)
    {
        var browser = app.Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = true });
        var form = await browser.GetStringAsync("/signin");
        var token = TokenPattern().Match(form).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(token), "the sign-in form has no antiforgery token");
        var signedIn = await browser.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "password",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            ["Form.UserName"] = userName,
            ["Form.Password"] = RegistrySeeder.DemoPassword,
        }));
        Assert.True(signedIn.IsSuccessStatusCode, $"sign-in answered {signedIn.StatusCode}");
        return browser;
    }

    [GeneratedRegex("<input[^>]*name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    static async Task<(int RoomId, int ResidentId)> SinglePersonRoomAsync(HttpClient client)
    {
        var buildings = await client.GetFromJsonAsync<PageOf<BuildingRow>>("/api/v1/buildings?pageSize=50");
        foreach (var b in buildings!.Items)
        {
            var detail = await client.GetFromJsonAsync<BuildingDetail>($"/api/v1/buildings/{b.Id}");
            var room = detail!.Rooms.FirstOrDefault(r => r.Residents == 1);
            if (room is null) continue;
            var household = await client.GetFromJsonAsync<RoomDetail>($"/api/v1/rooms/{room.Id}");
            return (room.Id, Assert.Single(household!.Household).Id);
        }
        throw new InvalidOperationException("The demo data has no room with exactly one resident.");
    }

    static async Task<int> ListTotal(HttpClient client, string query) =>
        (await client.GetFromJsonAsync<PageOf<object>>($"/api/v1/residents?pageSize=1{query}"))!.Total;

    sealed record PageOf<T>(IReadOnlyList<T> Items, int Total);
    sealed record Me(int NodeId);
    sealed record BuildingRow(int Id);
    sealed record RoomRow(int Id, int Residents);
    sealed record BuildingDetail(IReadOnlyList<RoomRow> Rooms);
    sealed record HouseholdMember(int Id);
    sealed record RoomDetail(IReadOnlyList<HouseholdMember> Household);

    sealed record BandCount(string Band, int Count);
    sealed record GenderCount(string Gender, int Count);
    sealed record LabelCount(string Label, int Count);
    sealed record GridCount(int GridId, string GridName, int CommunityId, string CommunityName, int Count);
    sealed record BuildingCount(int BuildingId, string Name, int Count);
    sealed record Population(int Total, IReadOnlyList<BandCount> ByAgeBand, IReadOnlyList<GenderCount> ByGender, IReadOnlyList<LabelCount> ByLabel,
        IReadOnlyList<GridCount> ByGrid, IReadOnlyList<BuildingCount> ByBuilding);
    sealed record GridRooms(int GridId, int Rooms);
    sealed record BuildingRooms(int BuildingId, int Rooms);
    sealed record Occupancy(int Rooms, int OwnerOccupied, int Rented, int Vacant, double VacancyRate, int LeasesEndingIn30Days,
        IReadOnlyList<GridRooms> ByGrid, IReadOnlyList<BuildingRooms> ByBuilding);
    sealed record ElderlyGrid(int GridId, int Elderly60Plus, int LivingAlone, int Elderly80PlusLivingAlone);
    sealed record ElderlyAlone(int Elderly60Plus, int LivingAlone, int Elderly80PlusLivingAlone, IReadOnlyList<ElderlyGrid> ByGrid);
}

using System.Net;
using Linli.Web.Features.Registry;
using Linli.Web.Features.Shared;

namespace Linli.Web.Tests;

/// <summary>Adding a building: its rooms are laid out, it shows on the plan, and only people who manage places may add one.</summary>
public sealed class PlaceTests
{
    [Fact]
    public async Task Community_admin_adds_a_building_and_its_rooms_are_laid_out_on_the_plan()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var admin1 = await app.ClientAsAsync("admin1");

        using var response = await admin1.PostJsonAsync("/api/v1/buildings",
            new CreateBuildingRequest(places.C1.GridIds[1], "18号楼", Units: 2, Floors: 11, RoomsPerFloor: 2, RoomAreaM2: 95.5m));

        await response.ExpectAsync(HttpStatusCode.Created);
        var created = await response.OkAsync<BuildingDetailDto>();
        Assert.Equal(2 * 11 * 2, created.Rooms.Count);
        Assert.All(created.Rooms, r => Assert.Equal(Linli.Domain.Registry.Occupancy.Vacant, r.Occupancy));
        Assert.Contains(created.Rooms, r => r is { UnitNo: 2, Floor: 11, Number: "1102" });
        var room = await admin1.GetOkAsync<RoomDto>($"/api/v1/rooms/{created.Rooms[0].Id}");
        Assert.Equal(95.5m, room.AreaM2);

        var plan = await admin1.GetOkAsync<SitePlanDto>($"/api/v1/communities/{places.C1.Id}/plan");
        var drawn = Assert.Single(plan.Buildings, b => b.Id == created.Building.Id);
        Assert.DoesNotContain(plan.Buildings, b => b.Id != drawn.Id && Overlaps(b.Plan, drawn.Plan));
    }

    [Fact]
    public async Task Adding_a_building_is_refused_with_the_field_named_and_nothing_is_created()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var admin1 = await app.ClientAsAsync("admin1");
        var before = (await admin1.GetOkAsync<Page<BuildingDto>>("/api/v1/buildings?pageSize=1")).Total;

        await (await admin1.PostJsonAsync("/api/v1/buildings", new CreateBuildingRequest(places.C1.GridIds[0], "1号楼", 2, 6, 2, null))).ExpectFieldErrorAsync("name");
        await (await admin1.PostJsonAsync("/api/v1/buildings", new CreateBuildingRequest(places.C1.GridIds[0], "新楼", 2, 0, 2, null))).ExpectFieldErrorAsync("floors");
        await (await admin1.PostJsonAsync("/api/v1/buildings", new CreateBuildingRequest(places.C1.GridIds[0], "新楼", 2, 6, 2, -3m))).ExpectFieldErrorAsync("roomAreaM2");
        // Another community's grid is not in admin1's area.
        await (await admin1.PostJsonAsync("/api/v1/buildings", new CreateBuildingRequest(places.C2.GridIds[0], "新楼", 2, 6, 2, null))).ExpectFieldErrorAsync("gridId");

        Assert.Equal(before, (await admin1.GetOkAsync<Page<BuildingDto>>("/api/v1/buildings?pageSize=1")).Total);
        var admin2 = await app.ClientAsAsync("admin2");
        Assert.DoesNotContain(await admin2.AllPagesAsync<BuildingDto>("/api/v1/buildings"), b => b.Name == "新楼");
    }

    [Fact]
    public async Task Property_staff_may_add_a_building_but_a_grid_worker_may_not()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var request = new CreateBuildingRequest(places.C1.GridIds[0], "19号楼", 1, 6, 2, null);

        var grid1 = await app.ClientAsAsync("grid1");
        await (await grid1.PostJsonAsync("/api/v1/buildings", request)).ExpectAsync(HttpStatusCode.Forbidden);
        var property1 = await app.ClientAsAsync("property1");
        await (await property1.PostJsonAsync("/api/v1/buildings", request)).ExpectAsync(HttpStatusCode.Created);
    }

    static bool Overlaps(PlanRect a, PlanRect b) =>
        a.X < b.X + b.Width && b.X < a.X + a.Width && a.Y < b.Y + b.Height && b.Y < a.Y + a.Height;
}

using System.Net;
using Linli.Domain.Identity;
using Linli.Domain.Registry;
using Linli.Web.Features.Registry;
using Linli.Web.Features.Shared;

namespace Linli.Web.Tests;

/// <summary>Every registry read, tried across community, grid and household boundaries. Reads only, so one app serves the class.</summary>
public sealed class TenantIsolationTests(SharedDemoApp shared) : IClassFixture<SharedDemoApp>
{
    TestApp App => shared.App;
    DemoPlaces Places => shared.Places;

    [Fact]
    public async Task Community_admin_sees_only_their_own_community_in_the_hierarchy()
    {
        var admin1 = await App.ClientAsAsync("admin1");
        var nodes = (await admin1.GetOkAsync<List<NodeDto>>("/api/v1/nodes")).Flatten().ToList();
        Assert.Equal(Places.C1.GridIds.Append(Places.C1.Id).Order(), nodes.Select(n => n.Id).Order());
    }

    [Fact]
    public async Task Community_admin_lists_only_their_own_buildings_facilities_and_organizations()
    {
        var admin1 = await App.ClientAsAsync("admin1");
        var buildings = await admin1.AllPagesAsync<BuildingDto>("/api/v1/buildings");
        Assert.Equal(Places.C1.BuildingIds.Order(), buildings.Select(b => b.Id).Order());
        Assert.All(buildings, b => Assert.Equal(Places.C1.Id, b.CommunityId));

        var facilities = await admin1.AllPagesAsync<FacilityDto>("/api/v1/facilities");
        Assert.NotEmpty(facilities);
        Assert.All(facilities, f => Assert.Equal(Places.C1.Id, f.CommunityId));

        var organizations = await admin1.AllPagesAsync<OrganizationDto>("/api/v1/organizations");
        Assert.NotEmpty(organizations);
        Assert.All(organizations, o => Assert.Equal(Places.C1.Id, o.CommunityId));
    }

    [Fact]
    public async Task Asking_for_the_other_community_by_filter_gives_empty_lists()
    {
        var admin1 = await App.ClientAsAsync("admin1");
        var c2 = Places.C2.Id;
        Assert.Equal(0, (await admin1.GetOkAsync<Page<BuildingDto>>($"/api/v1/buildings?communityId={c2}")).Total);
        Assert.Equal(0, (await admin1.GetOkAsync<Page<FacilityDto>>($"/api/v1/facilities?communityId={c2}")).Total);
        Assert.Equal(0, (await admin1.GetOkAsync<Page<ResidentSummaryDto>>($"/api/v1/residents?communityId={c2}")).Total);
        Assert.Equal(0, (await admin1.GetOkAsync<Page<ResidentSummaryDto>>($"/api/v1/residents?gridId={Places.C2.GridIds[0]}")).Total);
        Assert.Equal(0, (await admin1.GetOkAsync<Page<ResidentSummaryDto>>($"/api/v1/residents?roomId={Places.C2.OccupiedRoomId}")).Total);
    }

    [Fact]
    public async Task Community_admin_gets_404_for_a_building_plan_room_or_resident_of_another_community()
    {
        var admin1 = await App.ClientAsAsync("admin1");
        Assert.Equal(HttpStatusCode.NotFound, await admin1.GetAsync($"/api/v1/buildings/{Places.C2.BuildingIds[0]}").StatusOfAsync());
        Assert.Equal(HttpStatusCode.NotFound, await admin1.GetAsync($"/api/v1/communities/{Places.C2.Id}/plan").StatusOfAsync());
        Assert.Equal(HttpStatusCode.NotFound, await admin1.GetAsync($"/api/v1/rooms/{Places.C2.OccupiedRoomId}").StatusOfAsync());
        Assert.Equal(HttpStatusCode.NotFound, await admin1.GetAsync($"/api/v1/residents/{Places.C2.ResidentId}").StatusOfAsync());

        // The same ids answer for their own admin, so the 404s above are the boundary and not missing data.
        var admin2 = await App.ClientAsAsync("admin2");
        await admin2.GetOkAsync<BuildingDetailDto>($"/api/v1/buildings/{Places.C2.BuildingIds[0]}");
        await admin2.GetOkAsync<SitePlanDto>($"/api/v1/communities/{Places.C2.Id}/plan");
        await admin2.GetOkAsync<RoomDto>($"/api/v1/rooms/{Places.C2.OccupiedRoomId}");
        await admin2.GetOkAsync<ResidentDto>($"/api/v1/residents/{Places.C2.ResidentId}");
    }

    [Fact]
    public async Task Community_admin_searches_only_residents_of_their_own_community()
    {
        var admin1 = await App.ClientAsAsync("admin1");
        var residents = await admin1.AllPagesAsync<ResidentSummaryDto>("/api/v1/residents");
        Assert.Equal(Places.C1.ResidentCount, residents.Count);
        Assert.All(residents, r => Assert.Contains(r.GridId, Places.C1.GridIds));
        Assert.Empty(residents.Select(r => r.Id).Intersect(Places.C2.SomeResidents.Select(r => r.Id)));

        // A name that exists only in the other community finds nobody.
        var onlyInC2 = Places.C2.SomeResidents.Select(r => r.Name).First(n => residents.All(r => r.Name != n));
        Assert.Equal(0, (await admin1.GetOkAsync<Page<ResidentSummaryDto>>($"/api/v1/residents?q={Uri.EscapeDataString(onlyInC2)}")).Total);
    }

    [Fact]
    public async Task Community_admin_reads_the_site_plan_of_their_own_community()
    {
        var admin1 = await App.ClientAsAsync("admin1");
        var plan = await admin1.GetOkAsync<SitePlanDto>($"/api/v1/communities/{Places.C1.Id}/plan");
        Assert.Equal(Places.C1.BuildingIds.Order(), plan.Buildings.Select(b => b.Id).Order());
        Assert.All(plan.Facilities, f => Assert.Equal(Places.C1.Id, f.CommunityId));
    }

    [Fact]
    public async Task Grid_worker_sees_only_their_grid()
    {
        var grid1 = await App.ClientAsAsync("grid1");
        var me = await grid1.MeAsync();
        Assert.Equal(ScopeLevel.Grid, me.ScopeLevel);
        var grid = me.ScopeId;
        Assert.Contains(grid, Places.C1.GridIds);

        // Their grid, and their community as its parent: a grid worker also uses the community's site plan and facilities.
        var nodes = (await grid1.GetOkAsync<List<NodeDto>>("/api/v1/nodes")).Flatten().ToList();
        Assert.Equal([Places.C1.Id, grid], nodes.Select(n => n.Id).Order());

        var facilities = await grid1.AllPagesAsync<FacilityDto>("/api/v1/facilities");
        Assert.NotEmpty(facilities);
        Assert.All(facilities, f => Assert.Equal(Places.C1.Id, f.CommunityId));
        var plan = await grid1.GetOkAsync<SitePlanDto>($"/api/v1/communities/{Places.C1.Id}/plan");
        Assert.All(plan.Buildings, b => Assert.Equal(grid, b.GridId));
        Assert.NotEmpty(plan.Buildings);

        var buildings = await grid1.AllPagesAsync<BuildingDto>("/api/v1/buildings");
        Assert.NotEmpty(buildings);
        Assert.All(buildings, b => Assert.Equal(grid, b.GridId));
        Assert.True(buildings.Count < Places.C1.BuildingIds.Count);

        var residents = await grid1.AllPagesAsync<ResidentSummaryDto>("/api/v1/residents");
        Assert.NotEmpty(residents);
        Assert.All(residents, r => Assert.Equal(grid, r.GridId));
        Assert.True(residents.Count < Places.C1.ResidentCount);
    }

    [Fact]
    public async Task Grid_worker_cannot_read_a_resident_building_or_room_of_another_grid()
    {
        var grid1 = await App.ClientAsAsync("grid1");
        var grid = (await grid1.MeAsync()).ScopeId;
        var admin1 = await App.ClientAsAsync("admin1");
        var otherGridResident = (await admin1.GetOkAsync<Page<ResidentSummaryDto>>($"/api/v1/residents?gridId={Places.C1.GridIds.First(g => g != grid)}&pageSize=1")).Items[0];
        var otherGridBuilding = (await admin1.AllPagesAsync<BuildingDto>("/api/v1/buildings")).First(b => b.GridId != grid);

        Assert.Equal(HttpStatusCode.NotFound, await grid1.GetAsync($"/api/v1/residents/{otherGridResident.Id}").StatusOfAsync());
        Assert.Equal(HttpStatusCode.NotFound, await grid1.GetAsync($"/api/v1/rooms/{otherGridResident.RoomId}").StatusOfAsync());
        Assert.Equal(HttpStatusCode.NotFound, await grid1.GetAsync($"/api/v1/buildings/{otherGridBuilding.Id}").StatusOfAsync());
        Assert.Equal(HttpStatusCode.NotFound, await grid1.GetAsync($"/api/v1/residents/{Places.C2.ResidentId}").StatusOfAsync());
        Assert.Equal(HttpStatusCode.NotFound, await grid1.GetAsync($"/api/v1/communities/{Places.C2.Id}/plan").StatusOfAsync());
    }

    [Fact]
    public async Task Resident_sees_only_their_own_household()
    {
        var resident1 = await App.ClientAsAsync("resident1");
        var me = await resident1.MeAsync();
        Assert.Equal(Role.Resident, me.Role);
        Assert.Equal(ScopeLevel.Household, me.ScopeLevel);
        var room = me.ScopeId;

        var household = await resident1.AllPagesAsync<ResidentSummaryDto>("/api/v1/residents");
        Assert.NotEmpty(household);
        Assert.All(household, r => Assert.Equal(room, r.RoomId));
        Assert.Contains(household, r => r.Name == me.DisplayName);
        var district = await App.ClientAsAsync("district");
        var expected = await district.AllPagesAsync<ResidentSummaryDto>($"/api/v1/residents?roomId={room}");
        Assert.Equal(expected.Select(r => r.Id).Order(), household.Select(r => r.Id).Order());

        var own = await resident1.GetOkAsync<RoomDto>($"/api/v1/rooms/{room}");
        Assert.Equal(household.Count, own.Household.Count);
    }

    [Fact]
    public async Task Resident_cannot_read_neighbours_or_other_rooms()
    {
        var resident1 = await App.ClientAsAsync("resident1");
        var room = (await resident1.MeAsync()).ScopeId;
        var neighbour = Places.C1.SomeResidents.First(r => r.RoomId != room);

        Assert.Equal(HttpStatusCode.NotFound, await resident1.GetAsync($"/api/v1/residents/{neighbour.Id}").StatusOfAsync());
        Assert.Equal(HttpStatusCode.NotFound, await resident1.GetAsync($"/api/v1/rooms/{neighbour.RoomId}").StatusOfAsync());
        Assert.Equal(HttpStatusCode.NotFound, await resident1.GetAsync($"/api/v1/residents/{Places.C2.ResidentId}").StatusOfAsync());
        Assert.Equal(0, (await resident1.GetOkAsync<Page<ResidentSummaryDto>>($"/api/v1/residents?roomId={neighbour.RoomId}")).Total);
        Assert.Equal(0, (await resident1.GetOkAsync<Page<ResidentSummaryDto>>($"/api/v1/residents?q={Uri.EscapeDataString(neighbour.Name)}"))
            .Items.Count(r => r.RoomId != room));

        // The only building a resident sees is their own.
        var buildings = await resident1.AllPagesAsync<BuildingDto>("/api/v1/buildings");
        var own = Assert.Single(buildings);
        var detail = await resident1.GetOkAsync<BuildingDetailDto>($"/api/v1/buildings/{own.Id}");
        Assert.Equal([room], detail.Rooms.Select(r => r.Id));
        Assert.Equal(HttpStatusCode.NotFound, await resident1.GetAsync($"/api/v1/buildings/{Places.C2.BuildingIds[0]}").StatusOfAsync());
    }

    [Fact]
    public async Task Service_provider_is_refused_residents_and_rooms()
    {
        var provider1 = await App.ClientAsAsync("provider1");
        Assert.Equal(HttpStatusCode.Forbidden, await provider1.GetAsync("/api/v1/residents").StatusOfAsync());
        Assert.Equal(HttpStatusCode.Forbidden, await provider1.GetAsync($"/api/v1/residents/{Places.C1.ResidentId}").StatusOfAsync());
        Assert.Equal(HttpStatusCode.Forbidden, await provider1.GetAsync($"/api/v1/rooms/{Places.C1.OccupiedRoomId}").StatusOfAsync());
        Assert.Equal(HttpStatusCode.Forbidden, await provider1.PostAsync($"/api/v1/residents/{Places.C1.ResidentId}/unmask", null).StatusOfAsync());
        Assert.Equal(HttpStatusCode.Forbidden, await provider1.GetAsync("/api/v1/audit").StatusOfAsync());

        // The registry of places is theirs to read, for their own community only.
        var buildings = await provider1.AllPagesAsync<BuildingDto>("/api/v1/buildings");
        Assert.Equal(Places.C1.BuildingIds.Order(), buildings.Select(b => b.Id).Order());
    }

    [Theory]
    [InlineData("street")]
    [InlineData("district")]
    public async Task Street_and_district_officers_see_both_communities(string user)
    {
        var officer = await App.ClientAsAsync(user);
        var nodes = (await officer.GetOkAsync<List<NodeDto>>("/api/v1/nodes")).Flatten().Select(n => n.Id).ToList();
        Assert.Contains(Places.C1.Id, nodes);
        Assert.Contains(Places.C2.Id, nodes);

        var buildings = await officer.AllPagesAsync<BuildingDto>("/api/v1/buildings");
        Assert.Equal(Places.C1.BuildingIds.Concat(Places.C2.BuildingIds).Order(), buildings.Select(b => b.Id).Order());
        var residents = await officer.GetOkAsync<Page<ResidentSummaryDto>>("/api/v1/residents?pageSize=1");
        Assert.Equal(Places.C1.ResidentCount + Places.C2.ResidentCount, residents.Total);
        var facilities = await officer.AllPagesAsync<FacilityDto>("/api/v1/facilities");
        Assert.Equal([Places.C1.Id, Places.C2.Id], facilities.Select(f => f.CommunityId).Distinct().Order());
        var organizations = await officer.AllPagesAsync<OrganizationDto>("/api/v1/organizations");
        Assert.Equal([Places.C1.Id, Places.C2.Id], organizations.Select(o => o.CommunityId).Distinct().Order());

        await officer.GetOkAsync<ResidentDto>($"/api/v1/residents/{Places.C1.ResidentId}");
        await officer.GetOkAsync<ResidentDto>($"/api/v1/residents/{Places.C2.ResidentId}");
        await officer.GetOkAsync<RoomDto>($"/api/v1/rooms/{Places.C2.OccupiedRoomId}");
        await officer.GetOkAsync<SitePlanDto>($"/api/v1/communities/{Places.C2.Id}/plan");
    }

    [Fact]
    public async Task The_two_community_admins_together_see_exactly_what_the_district_sees()
    {
        var district = await App.ClientAsAsync("district");
        var total = (await district.GetOkAsync<Page<ResidentSummaryDto>>("/api/v1/residents?pageSize=1")).Total;
        var admin2 = await App.ClientAsAsync("admin2");
        var c2 = (await admin2.GetOkAsync<Page<ResidentSummaryDto>>("/api/v1/residents?pageSize=1")).Total;
        Assert.Equal(Places.C2.ResidentCount, c2);
        Assert.Equal(total, Places.C1.ResidentCount + c2);
    }
}

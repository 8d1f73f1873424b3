using System.Net;
using Linli.Web.Features.Registry;
using Linli.Web.Features.Shared;

namespace Linli.Web.Tests;

/// <summary>Writes aimed at another community's people are refused and leave them exactly as they were.</summary>
public sealed class CrossCommunityWriteTests
{
    [Fact]
    public async Task Community_admin_cannot_edit_a_resident_of_another_community()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var admin2 = await app.ClientAsAsync("admin2");
        var before = await admin2.GetOkAsync<ResidentDto>($"/api/v1/residents/{places.C2.ResidentId}");

        var admin1 = await app.ClientAsAsync("admin1");
        using var response = await admin1.PutJsonAsync($"/api/v1/residents/{places.C2.ResidentId}",
            new UpdateResidentRequest("改名", null, TestPeople.NewPhone(), ["Veteran"], null, null));
        await response.ExpectAsync(HttpStatusCode.NotFound);

        var after = await admin2.GetOkAsync<ResidentDto>($"/api/v1/residents/{places.C2.ResidentId}");
        Assert.Equal((before.Name, before.PhoneMasked, string.Join(',', before.Labels)), (after.Name, after.PhoneMasked, string.Join(',', after.Labels)));
    }

    [Fact]
    public async Task Community_admin_cannot_register_anyone_in_a_room_of_another_community()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var headCount = await TestPeople.HeadCountAsync(app);
        var admin2 = await app.ClientAsAsync("admin2");
        var roomBefore = await admin2.GetOkAsync<RoomDto>($"/api/v1/rooms/{places.C2.OccupiedRoomId}");

        var admin1 = await app.ClientAsAsync("admin1");
        using var response = await admin1.PostJsonAsync("/api/v1/residents", TestPeople.Family(places.C2.OccupiedRoomId));
        await response.ExpectFieldErrorAsync("roomId");

        Assert.Equal(headCount, await TestPeople.HeadCountAsync(app));
        var roomAfter = await admin2.GetOkAsync<RoomDto>($"/api/v1/rooms/{places.C2.OccupiedRoomId}");
        Assert.Equal(roomBefore.Household.Select(r => r.Id), roomAfter.Household.Select(r => r.Id));
        Assert.Equal(roomBefore.History.Count, roomAfter.History.Count);
    }

    [Fact]
    public async Task Community_admin_cannot_move_out_a_resident_of_another_community()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var admin1 = await app.ClientAsAsync("admin1");
        using var response = await admin1.PostJsonAsync($"/api/v1/residents/{places.C2.ResidentId}/move-out", new { });
        await response.ExpectAsync(HttpStatusCode.NotFound);

        var admin2 = await app.ClientAsAsync("admin2");
        var after = await admin2.GetOkAsync<ResidentDto>($"/api/v1/residents/{places.C2.ResidentId}");
        Assert.Equal(places.C2.SomeResidents[0].RoomId, after.RoomId);
        Assert.All(after.History, stay => Assert.True(stay.RoomId != after.RoomId || stay.MovedOutOn is null));
    }

    [Fact]
    public async Task Community_admin_cannot_unmask_a_resident_of_another_community_and_no_view_is_logged()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var admin1 = await app.ClientAsAsync("admin1");
        using var response = await admin1.PostAsync($"/api/v1/residents/{places.C2.ResidentId}/unmask", null);
        await response.ExpectAsync(HttpStatusCode.NotFound);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotMatch(@"\d{17}[\dX]", body);

        var district = await app.ClientAsAsync("district");
        var audit = await district.AllPagesAsync<AuditEntryDto>("/api/v1/audit");
        Assert.DoesNotContain(audit, a => a.SubjectId == places.C2.ResidentId);
    }

    [Fact]
    public async Task Grid_worker_cannot_edit_or_move_out_a_resident_of_another_grid()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var grid1 = await app.ClientAsAsync("grid1");
        var grid = (await grid1.MeAsync()).ScopeId;
        var admin1 = await app.ClientAsAsync("admin1");
        var other = (await admin1.GetOkAsync<Page<ResidentSummaryDto>>($"/api/v1/residents?gridId={places.C1.GridIds.First(g => g != grid)}&pageSize=1")).Items[0];

        using (var put = await grid1.PutJsonAsync($"/api/v1/residents/{other.Id}", new UpdateResidentRequest("改名", null, null, [], null, null)))
            await put.ExpectAsync(HttpStatusCode.NotFound);
        using (var moveOut = await grid1.PostJsonAsync($"/api/v1/residents/{other.Id}/move-out", new { }))
            await moveOut.ExpectAsync(HttpStatusCode.NotFound);
        using (var create = await grid1.PostJsonAsync("/api/v1/residents", TestPeople.Family(other.RoomId!.Value)))
            await create.ExpectFieldErrorAsync("roomId");

        var after = await admin1.GetOkAsync<ResidentDto>($"/api/v1/residents/{other.Id}");
        Assert.Equal((other.Name, other.RoomId, other.PhoneMasked), (after.Name, after.RoomId, after.PhoneMasked));
    }

    [Fact]
    public async Task Audit_entries_are_read_only_inside_the_community_they_concern()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var admin2 = await app.ClientAsAsync("admin2");
        using (var unmask = await admin2.PostAsync($"/api/v1/residents/{places.C2.ResidentId}/unmask", null))
            await unmask.ExpectAsync(HttpStatusCode.OK);

        var seenByAdmin2 = await admin2.AllPagesAsync<AuditEntryDto>("/api/v1/audit");
        Assert.Contains(seenByAdmin2, a => a.SubjectId == places.C2.ResidentId && a.Action == "Unmask" && a.UserName == "admin2");
        var seenByAdmin1 = await (await app.ClientAsAsync("admin1")).AllPagesAsync<AuditEntryDto>("/api/v1/audit");
        Assert.DoesNotContain(seenByAdmin1, a => a.SubjectId == places.C2.ResidentId);
        var seenByStreet = await (await app.ClientAsAsync("street")).AllPagesAsync<AuditEntryDto>("/api/v1/audit");
        Assert.Contains(seenByStreet, a => a.SubjectId == places.C2.ResidentId && a.UserName == "admin2");
    }
}

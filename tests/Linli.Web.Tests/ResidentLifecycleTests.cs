using System.Net;
using System.Text.RegularExpressions;
using Linli.Domain.Registry;
using Linli.Web.Features.Registry;
using Linli.Web.Features.Shared;

namespace Linli.Web.Tests;

/// <summary>Register, find, edit and move out a resident through the API, and what the room shows afterwards.</summary>
public sealed partial class ResidentLifecycleTests
{
    [GeneratedRegex(@"^(\d+)号楼(\d+)单元(\d+)$")]
    private static partial Regex RoomLabel();

    static readonly DateOnly MovedIn = new(2024, 3, 1);
    static readonly DateOnly MovedOut = new(2025, 6, 30);

    [Fact]
    public async Task A_family_member_registered_in_an_owners_room_can_be_found_edited_and_moved_out()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var admin1 = await app.ClientAsAsync("admin1");
        var owner = places.C1.SomeResidents.First(r => r.Relation == Relation.Owner);
        var roomId = owner.RoomId!.Value;
        var label = RoomLabel().Match(owner.RoomLabel!);
        Assert.True(label.Success, owner.RoomLabel);
        var buildingBefore = await BuildingOfRoomAsync(admin1, roomId);

        // Register.
        var idNumber = TestPeople.NewIdNumber(new DateOnly(1988, 8, 8));
        var phone = TestPeople.NewPhone();
        var request = TestPeople.Family(roomId, name: "欧阳新来", idNumber: idNumber, phone: phone) with
        {
            MovedInOn = MovedIn, EmergencyContactName = "欧阳大伟", EmergencyContactPhone = TestPeople.NewPhone(),
        };
        using var created = await admin1.PostJsonAsync("/api/v1/residents", request);
        var resident = await created.OkAsync<ResidentDto>();
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/v1/residents/{resident.Id}", created.Headers.Location?.OriginalString);
        Assert.Equal(("欧阳新来", roomId, Relation.Family, new DateOnly(1988, 8, 8)), (resident.Name, resident.RoomId, resident.Relation, resident.BirthDate));
        Assert.Equal(owner.RoomLabel, resident.RoomLabel);
        Assert.Equal(IdCardNumber.Parse(idNumber).Gender, resident.Gender);
        Assert.Contains("PartyMember", resident.Labels);
        Assert.Equal("欧阳大伟", resident.EmergencyContactName);

        // Find by name (or its start), full phone however written, last 4 of the phone, full ID number, and room.
        await FindsAsync(admin1, "欧阳新来", resident.Id, only: true);
        await FindsAsync(admin1, "欧阳新", resident.Id);
        await FindsAsync(admin1, phone, resident.Id, only: true);
        await FindsAsync(admin1, $"+86 {phone[..3]} {phone[3..7]} {phone[7..]}", resident.Id, only: true);
        await FindsAsync(admin1, phone[7..], resident.Id);
        await FindsAsync(admin1, idNumber, resident.Id, only: true);
        var roomText = $"{label.Groups[1].Value}-{label.Groups[2].Value}-{label.Groups[3].Value}";
        var inRoom = await FindsAsync(admin1, roomText, resident.Id);
        Assert.All(inRoom, r => Assert.Equal(roomId, r.RoomId));
        Assert.Contains(inRoom, r => r.Id == owner.Id);
        await FindsAsync(admin1, owner.RoomLabel!, resident.Id);

        var buildingWith = await BuildingOfRoomAsync(admin1, roomId);
        Assert.Equal(buildingBefore.Residents + 1, buildingWith.Residents);

        // Edit labels.
        var edited = await (await admin1.PutJsonAsync($"/api/v1/residents/{resident.Id}",
            new UpdateResidentRequest("欧阳新来", null, phone, ["LivingAlone", "veteran"], "欧阳大伟", request.EmergencyContactPhone))).OkAsync<ResidentDto>();
        Assert.Equal(["LivingAlone", "Veteran"], edited.Labels.Order());
        Assert.Equal(resident.IdNumberMasked, edited.IdNumberMasked);
        var veterans = await admin1.GetOkAsync<Page<ResidentSummaryDto>>($"/api/v1/residents?label=Veteran&roomId={roomId}");
        Assert.Contains(veterans.Items, r => r.Id == resident.Id);
        var partyMembers = await admin1.GetOkAsync<Page<ResidentSummaryDto>>($"/api/v1/residents?label=PartyMember&roomId={roomId}");
        Assert.DoesNotContain(partyMembers.Items, r => r.Id == resident.Id);

        // Move out.
        var gone = await (await admin1.PostJsonAsync($"/api/v1/residents/{resident.Id}/move-out", new MoveOutRequest(MovedOut))).OkAsync<ResidentDto>();
        Assert.Null(gone.RoomId);
        Assert.Null(gone.Relation);
        var stay = Assert.Single(gone.History);
        Assert.Equal((roomId, MovedIn, (DateOnly?)MovedOut), (stay.RoomId, stay.MovedInOn, stay.MovedOutOn));

        var room = await admin1.GetOkAsync<RoomDto>($"/api/v1/rooms/{roomId}");
        Assert.DoesNotContain(room.Household, r => r.Id == resident.Id);
        Assert.Contains(room.Household, r => r.Id == owner.Id);
        var history = Assert.Single(room.History, h => h.ResidentId == resident.Id);
        Assert.Equal(("欧阳新来", MovedIn, (DateOnly?)MovedOut, Relation.Family), (history.ResidentName, history.MovedInOn, history.MovedOutOn, history.Relation));
        Assert.Equal(Occupancy.OwnerOccupied, room.Occupancy);

        // Gone from the current lists, still on record.
        Assert.Equal(0, (await admin1.GetOkAsync<Page<ResidentSummaryDto>>($"/api/v1/residents?q={idNumber}")).Total);
        Assert.Equal(1, (await admin1.GetOkAsync<Page<ResidentSummaryDto>>($"/api/v1/residents?q={idNumber}&includeMovedOut=true")).Total);
        Assert.Equal(buildingBefore.Residents, (await BuildingOfRoomAsync(admin1, roomId)).Residents);
    }

    [Fact]
    public async Task A_tenant_makes_a_vacant_room_rented_and_moving_out_makes_it_vacant_again()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var admin1 = await app.ClientAsAsync("admin1");
        var (building, vacant) = await VacantRoomAsync(admin1, places.C1.BuildingIds);
        var before = await admin1.GetOkAsync<RoomDto>($"/api/v1/rooms/{vacant.Id}");
        Assert.Empty(before.Household);

        var tenant = await (await admin1.PostJsonAsync("/api/v1/residents", new CreateResidentRequest("租客小林", TestPeople.NewIdNumber(new DateOnly(1996, 2, 2)),
            TestPeople.NewPhone(), vacant.Id, Relation.Tenant, MovedIn, new DateOnly(2026, 2, 28), null, null, null))).OkAsync<ResidentDto>();

        var rented = await admin1.GetOkAsync<RoomDto>($"/api/v1/rooms/{vacant.Id}");
        Assert.Equal(Occupancy.Rented, rented.Occupancy);
        Assert.Equal([tenant.Id], rented.Household.Select(r => r.Id));
        Assert.Equal(new DateOnly(2026, 2, 28), Assert.Single(rented.History, h => h.ResidentId == tenant.Id).LeaseEnd);
        var buildingRented = await admin1.GetOkAsync<BuildingDetailDto>($"/api/v1/buildings/{building.Building.Id}");
        Assert.Equal(building.Building.OccupiedRooms + 1, buildingRented.Building.OccupiedRooms);
        Assert.Equal(Occupancy.Rented, buildingRented.Rooms.Single(r => r.Id == vacant.Id).Occupancy);

        await (await admin1.PostJsonAsync($"/api/v1/residents/{tenant.Id}/move-out", new MoveOutRequest(MovedOut))).OkAsync<ResidentDto>();

        var after = await admin1.GetOkAsync<RoomDto>($"/api/v1/rooms/{vacant.Id}");
        Assert.Equal(Occupancy.Vacant, after.Occupancy);
        Assert.Empty(after.Household);
        Assert.Equal(MovedOut, Assert.Single(after.History, h => h.ResidentId == tenant.Id).MovedOutOn);
        var buildingAfter = await admin1.GetOkAsync<BuildingDetailDto>($"/api/v1/buildings/{building.Building.Id}");
        Assert.Equal(building.Building.OccupiedRooms, buildingAfter.Building.OccupiedRooms);
    }

    [Fact]
    public async Task A_grid_worker_registers_people_in_their_own_grid()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var grid1 = await app.ClientAsAsync("grid1");
        var someone = (await grid1.GetOkAsync<Page<ResidentSummaryDto>>("/api/v1/residents?pageSize=1")).Items[0];
        var created = await (await grid1.PostJsonAsync("/api/v1/residents", TestPeople.Family(someone.RoomId!.Value, name: "网格新人"))).OkAsync<ResidentDto>();
        Assert.Equal(someone.GridId, created.GridId);
        var admin1 = await app.ClientAsAsync("admin1");
        var seenByAdmin = await admin1.GetOkAsync<ResidentDto>($"/api/v1/residents/{created.Id}");
        Assert.Equal("网格新人", seenByAdmin.Name);
    }

    static async Task<List<ResidentSummaryDto>> FindsAsync(HttpClient client, string q, int residentId, bool only = false)
    {
        var found = await client.AllPagesAsync<ResidentSummaryDto>("/api/v1/residents?q=" + Uri.EscapeDataString(q));
        Assert.True(found.Any(r => r.Id == residentId), $"searching '{q}' did not find resident {residentId} ({found.Count} found)");
        if (only) Assert.Single(found);
        return found;
    }

    static async Task<BuildingDto> BuildingOfRoomAsync(HttpClient client, int roomId)
    {
        var room = await client.GetOkAsync<RoomDto>($"/api/v1/rooms/{roomId}");
        return (await client.GetOkAsync<BuildingDetailDto>($"/api/v1/buildings/{room.BuildingId}")).Building;
    }

    static async Task<(BuildingDetailDto Building, RoomSummaryDto Room)> VacantRoomAsync(HttpClient client, IEnumerable<int> buildingIds)
    {
        foreach (var id in buildingIds)
        {
            var building = await client.GetOkAsync<BuildingDetailDto>($"/api/v1/buildings/{id}");
            if (building.Rooms.FirstOrDefault(r => r.Occupancy == Occupancy.Vacant) is { } room) return (building, room);
        }
        throw new InvalidOperationException("The demo district has no vacant room.");
    }
}

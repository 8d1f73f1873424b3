using Linli.Domain.Registry;

namespace Linli.Domain.Tests;

public sealed class RoomTests
{
    static readonly DateOnly Day = new(2025, 3, 1);

    [Fact]
    public void A_new_room_is_vacant()
    {
        var room = Places.Room();
        Assert.Equal(Occupancy.Vacant, room.Occupancy);
        Assert.Empty(room.Occupancies);
    }

    [Fact]
    public void A_room_takes_its_place_in_the_hierarchy_from_its_building()
    {
        var room = Places.Room();
        Assert.Equal((1, 2, 3, 4, 10), (room.DistrictId, room.StreetId, room.CommunityId, room.GridId, room.BuildingId));
        Assert.Equal("3号楼2单元302", room.Label("3号楼"));
    }

    [Fact]
    public void A_room_is_named_building_unit_number()
    {
        var room = Places.Room();
        Assert.Equal("3号楼2单元302", room.Label("3号楼"));
        Assert.Equal("12号楼2单元601", Room.LabelFor("12号楼", 2, "601"));
    }

    [Fact]
    public void A_place_in_a_building_is_named_as_far_as_it_is_known()
    {
        Assert.Equal("3号楼1单元", Room.LabelFor("3号楼", 1, null));
        Assert.Equal("3号楼", Room.LabelFor("3号楼", null, null));
    }

    [Fact]
    public void A_tenant_needs_a_lease_end()
    {
        var room = Places.Room();
        var e = Places.Refused(() => room.MoveIn(Places.Person("王芳", 1), Relation.Tenant, Day, null));
        Assert.Equal("leaseEnd", e.Field);
        Assert.Empty(room.Occupancies);
        Assert.Equal(Occupancy.Vacant, room.Occupancy);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Lease_end_must_be_after_move_in(int days)
    {
        var room = Places.Room();
        var e = Places.Refused(() => room.MoveIn(Places.Person("王芳", 1), Relation.Tenant, Day, Day.AddDays(days)));
        Assert.Equal("leaseEnd", e.Field);
        Assert.Empty(room.Occupancies);
    }

    [Fact]
    public void Moving_in_places_the_person_in_the_room()
    {
        var room = Places.Room();
        var person = Places.Person("王芳", 1);
        var stay = room.MoveIn(person, Relation.Owner, Day, null);
        Assert.Equal(room.Id, person.RoomId);
        Assert.Equal(Relation.Owner, person.Relation);
        Assert.Equal((room.CommunityId, room.GridId), (person.CommunityId, person.GridId));
        Assert.Equal(Day, stay.MovedInOn);
        Assert.Null(stay.MovedOutOn);
    }

    [Fact]
    public void Only_tenants_keep_a_lease_end()
    {
        var room = Places.Room();
        var stay = room.MoveIn(Places.Person("王芳", 1), Relation.Owner, Day, Day.AddYears(1));
        Assert.Null(stay.LeaseEnd);
    }

    [Fact]
    public void The_same_person_cannot_move_in_twice()
    {
        var room = Places.Room();
        var person = Places.Person("王芳", 1);
        room.MoveIn(person, Relation.Owner, Day, null);
        var e = Places.Refused(() => room.MoveIn(person, Relation.Family, Day, null));
        Assert.Equal("residentId", e.Field);
        Assert.Single(room.Occupancies);
    }

    [Fact]
    public void Occupancy_follows_who_lives_there()
    {
        var room = Places.Room();
        var tenant = Places.Person("王芳", 1);
        var owner = Places.Person("李强", 2);

        room.MoveIn(tenant, Relation.Tenant, Day, Day.AddYears(1));
        Assert.Equal(Occupancy.Rented, room.Occupancy);

        room.MoveIn(owner, Relation.Owner, Day.AddDays(10), null);
        Assert.Equal(Occupancy.OwnerOccupied, room.Occupancy);

        room.MoveOut(owner, Day.AddDays(20));
        Assert.Equal(Occupancy.Rented, room.Occupancy);

        room.MoveOut(tenant, Day.AddDays(30));
        Assert.Equal(Occupancy.Vacant, room.Occupancy);
        Assert.Empty(room.CurrentOccupancies());
        Assert.Equal(2, room.Occupancies.Count);
    }

    [Fact]
    public void Family_members_alone_count_as_owner_occupied()
    {
        var room = Places.Room();
        room.MoveIn(Places.Person("王芳", 1), Relation.Family, Day, null);
        Assert.Equal(Occupancy.OwnerOccupied, room.Occupancy);
    }

    [Fact]
    public void Moving_out_records_the_date_and_frees_the_person()
    {
        var room = Places.Room();
        var person = Places.Person("王芳", 1);
        var stay = room.MoveIn(person, Relation.Owner, Day, null);
        room.MoveOut(person, Day.AddDays(100));
        Assert.Equal(Day.AddDays(100), stay.MovedOutOn);
        Assert.Null(person.RoomId);
        Assert.Null(person.Relation);
        // The community keeps seeing the person's history.
        Assert.Equal(room.CommunityId, person.CommunityId);
    }

    [Fact]
    public void Move_out_before_move_in_is_refused_and_changes_nothing()
    {
        var room = Places.Room();
        var person = Places.Person("王芳", 1);
        var stay = room.MoveIn(person, Relation.Owner, Day, null);
        var e = Places.Refused(() => room.MoveOut(person, Day.AddDays(-1)));
        Assert.Equal("movedOutOn", e.Field);
        Assert.Null(stay.MovedOutOn);
        Assert.Equal(room.Id, person.RoomId);
        Assert.Equal(Occupancy.OwnerOccupied, room.Occupancy);
    }

    [Fact]
    public void Moving_out_someone_who_does_not_live_there_is_refused()
    {
        var room = Places.Room();
        var owner = Places.Person("王芳", 1);
        room.MoveIn(owner, Relation.Owner, Day, null);
        var e = Places.Refused(() => room.MoveOut(Places.Person("李强", 2), Day.AddDays(1)));
        Assert.Equal("residentId", e.Field);
        Assert.Equal(Occupancy.OwnerOccupied, room.Occupancy);
        Assert.Single(room.CurrentOccupancies());
    }

    [Fact]
    public void Moving_out_an_unsaved_stranger_does_not_end_an_unsaved_neighbours_stay()
    {
        // Seeding builds rooms and people before the database assigns ids: id 0 must not make two people the same.
        var room = Places.Room(id: 0);
        var owner = Places.Person("王芳");
        room.MoveIn(owner, Relation.Owner, Day, null);
        Places.Refused(() => room.MoveOut(Places.Person("李强"), Day.AddDays(1)));
        Assert.Single(room.CurrentOccupancies());
        Assert.Equal(Occupancy.OwnerOccupied, room.Occupancy);
    }

    [Fact]
    public void A_person_who_moved_out_can_move_back_in()
    {
        var room = Places.Room();
        var person = Places.Person("王芳", 1);
        room.MoveIn(person, Relation.Tenant, Day, Day.AddYears(1));
        room.MoveOut(person, Day.AddDays(100));
        room.MoveIn(person, Relation.Owner, Day.AddDays(200), null);
        Assert.Equal(Occupancy.OwnerOccupied, room.Occupancy);
        Assert.Equal(2, room.Occupancies.Count);
    }
}

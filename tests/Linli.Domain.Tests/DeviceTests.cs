using Linli.Domain.Common;
using Linli.Domain.Devices;
using Linli.Domain.Registry;
using static Linli.Domain.Tests.MonitoringTestKit;

namespace Linli.Domain.Tests;

/// <summary>
/// A device from registration on: the secret it signs in with, the code it uses on the wire, where it sits on the site
/// plan, and how its health follows what the platform hears from it.
/// </summary>
public sealed class DeviceTests
{
    static (Device Device, string Secret) Register(string code = "smoke-3-302", DeviceType type = DeviceType.SmokeDetector, DevicePlace? place = null) =>
        Device.Register(code, "3号楼302烟感", type, place ?? PlaceIn(), T0);

    [Fact]
    public void Registering_returns_a_secret_that_matches_the_stored_hash()
    {
        var (device, secret) = Register();

        Assert.True(Device.SecretMatches(device.SecretHash, secret));
        Assert.NotEqual(secret, device.SecretHash);
        Assert.DoesNotContain(secret, device.SecretHash, StringComparison.Ordinal);
        Assert.Equal(T0, device.SecretIssuedAt);
        // 32 random bytes, URL-safe base64 without padding: fits a header and an MQTT password as is.
        Assert.Equal(43, secret.Length);
        Assert.All(secret, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));
    }

    [Fact]
    public void A_wrong_or_missing_secret_does_not_match()
    {
        var (device, secret) = Register();
        var (_, other) = Register();

        Assert.NotEqual(secret, other);
        Assert.False(Device.SecretMatches(device.SecretHash, other));
        Assert.False(Device.SecretMatches(device.SecretHash, secret[..^1]));
        Assert.False(Device.SecretMatches(device.SecretHash, ""));
        Assert.False(Device.SecretMatches(device.SecretHash, null));
    }

    [Fact]
    public void A_rotated_away_secret_stops_working_at_once()
    {
        var (device, old) = Register();
        var fresh = device.RotateSecret(Min(60));

        Assert.False(Device.SecretMatches(device.SecretHash, old));
        Assert.True(Device.SecretMatches(device.SecretHash, fresh));
        Assert.Equal(Min(60), device.SecretIssuedAt);
    }

    [Theory]
    [InlineData("smoke-3-302")]
    [InlineData("GW_01")]
    [InlineData("a")]
    public void Takes_a_code_of_letters_digits_dash_and_underscore(string code)
    {
        Assert.Equal(code, Register(code).Device.Code);
        Assert.True(Device.IsValidCode(code));
    }

    [Fact]
    public void Trims_the_code_and_takes_up_to_sixty_four_characters()
    {
        Assert.Equal("smoke-1", Register("  smoke-1 ").Device.Code);
        Assert.Equal(Device.CodeMaxLength, Register(new string('x', Device.CodeMaxLength)).Device.Code.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("smoke 1")]
    [InlineData("smoke/1")]
    [InlineData("smoke+1")]
    [InlineData("烟感1")]
    [InlineData("devices/#")]
    public void Refuses_a_code_that_cannot_go_on_the_wire(string code)
    {
        Assert.Equal("code", Assert.Throws<DomainException>(() => Register(code)).Field);
        Assert.False(Device.IsValidCode(code.Trim()));
    }

    [Fact]
    public void Refuses_a_code_longer_than_sixty_four_characters()
    {
        Assert.Equal("code", Assert.Throws<DomainException>(() => Register(new string('x', Device.CodeMaxLength + 1))).Field);
    }

    [Fact]
    public void Needs_a_name()
    {
        Assert.Equal("name", Assert.Throws<DomainException>(() => Device.Register("d1", " ", DeviceType.SosButton, PlaceIn(), T0)).Field);
        Assert.Equal("name", Assert.Throws<DomainException>(() =>
            Device.Register("d1", new string('名', Device.NameMaxLength + 1), DeviceType.SosButton, PlaceIn(), T0)).Field);
    }

    [Theory]
    [InlineData(-1, 0, "planX")]
    [InlineData(1001, 0, "planX")]
    [InlineData(0, -1, "planY")]
    [InlineData(0, 1001, "planY")]
    public void Refuses_a_point_off_the_site_plan(int x, int y, string field)
    {
        var place = PlaceIn() with { PlanX = x, PlanY = y };
        Assert.Equal(field, Assert.Throws<DomainException>(() => Register(place: place)).Field);
    }

    [Fact]
    public void Takes_the_scope_keys_of_its_place()
    {
        var device = Register(place: PlaceIn(communityId: 9, streetId: 5, districtId: 1)).Device;
        Assert.Equal((1, 5, 9, 4, 10, 2, 100), (device.DistrictId, device.StreetId, device.CommunityId, device.GridId, device.BuildingId, device.Unit, device.RoomId));
    }

    [Fact]
    public void A_new_device_has_never_been_seen_and_comes_online_when_it_speaks()
    {
        var device = Register().Device;
        Assert.Equal((DeviceHealth.NeverSeen, null), (device.Health, device.LastSeenAt));

        device.Seen(Min(1));
        Assert.Equal((DeviceHealth.Online, Min(1)), (device.Health, device.LastSeenAt));

        device.MarkOffline();
        Assert.Equal(DeviceHealth.Offline, device.Health);
        device.Seen(Min(30));
        Assert.Equal((DeviceHealth.Online, Min(30)), (device.Health, device.LastSeenAt));
    }

    [Fact]
    public void A_late_message_does_not_move_last_seen_back()
    {
        var device = Register().Device;
        device.Seen(Min(10));
        device.Seen(Min(5));
        Assert.Equal(Min(10), device.LastSeenAt);
    }

    [Fact]
    public void A_disabled_device_stays_disabled_whatever_it_sends()
    {
        var device = Register().Device;
        device.Seen(Min(1));
        device.Disable();

        device.Seen(Min(2));
        device.MarkOffline();

        Assert.Equal((true, DeviceHealth.Disabled, Min(2)), (device.Disabled, device.Health, device.LastSeenAt));
    }

    [Fact]
    public void Enabling_a_device_seen_before_marks_it_offline_until_it_speaks_again()
    {
        var device = Register().Device;
        device.Seen(Min(1));
        device.Disable();
        device.Enable(Min(5));

        Assert.Equal((false, DeviceHealth.Offline), (device.Disabled, device.Health));
    }

    [Fact]
    public void Enabling_a_device_never_seen_makes_it_never_seen_again()
    {
        var device = Register().Device;
        device.Disable();
        device.Enable(Min(5));

        Assert.Equal(DeviceHealth.NeverSeen, device.Health);
    }

    [Fact]
    public void Enabling_an_enabled_device_changes_nothing()
    {
        var device = Register().Device;
        device.Seen(Min(1));
        device.Enable(Min(2));

        Assert.Equal(DeviceHealth.Online, device.Health);
    }

    [Fact]
    public void Counts_rejected_messages_and_keeps_a_short_reason()
    {
        var device = Register().Device;
        device.Rejected(3, "bad key", Min(1));
        device.Rejected(2, new string('x', 300), Min(2));

        Assert.Equal((5L, Device.ReasonMaxLength, Min(2)), (device.RejectedMessages, device.LastRejectReason!.Length, device.LastRejectedAt));
    }

    [Fact]
    public void Talks_only_through_a_gateway_of_its_own_community()
    {
        var device = Register().Device;
        var gateway = WithId(Register("gw-1", DeviceType.Gateway).Device, 5L);
        var otherCommunity = WithId(Register("gw-2", DeviceType.Gateway, PlaceIn(communityId: 9)).Device, 6L);
        var notAGateway = WithId(Register("smoke-2").Device, 7L);

        device.ConnectThrough(gateway);
        Assert.Equal(5L, device.GatewayId);
        Assert.Equal("gatewayId", Assert.Throws<DomainException>(() => device.ConnectThrough(otherCommunity)).Field);
        Assert.Equal("gatewayId", Assert.Throws<DomainException>(() => device.ConnectThrough(notAGateway)).Field);
        Assert.Equal(5L, device.GatewayId);
        device.ConnectThrough(null);
        Assert.Null(device.GatewayId);
    }

    static Building Building(int units = 2) =>
        WithId(new Building(Places.Hierarchy().Grid, "3号楼", units, 6, 2, (100, 200, 80, 40), 30.27, 120.15), 10);

    [Fact]
    public void Places_a_unit_device_over_its_unit_of_the_building()
    {
        var building = Building(units: 2);

        var first = DevicePlace.InBuilding(building, 1);
        var second = DevicePlace.InBuilding(building, 2);
        var whole = DevicePlace.InBuilding(building, null);

        Assert.Equal((120, 220), (first.PlanX, first.PlanY));
        Assert.Equal((160, 220), (second.PlanX, second.PlanY));
        Assert.Equal((140, 220, null), (whole.PlanX, whole.PlanY, whole.Unit));
        Assert.Equal((1, 2, 3, 4, 10, 1), (first.DistrictId, first.StreetId, first.CommunityId, first.GridId, first.BuildingId, first.Unit));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(-1)]
    public void Refuses_a_unit_the_building_does_not_have(int unit)
    {
        Assert.Equal("unit", Assert.Throws<DomainException>(() => DevicePlace.InBuilding(Building(units: 2), unit)).Field);
    }

    [Fact]
    public void Places_a_room_device_at_its_building_with_the_room()
    {
        var building = Building();
        var room = WithId(new Room(building, 2, 3, "302", 89.5m), 100);
        var place = DevicePlace.InRoom(room, building);

        Assert.Equal((10, 2, 100, (int?)null, 140, 220), (place.BuildingId, place.Unit, place.RoomId, place.FacilityId, place.PlanX, place.PlanY));
    }

    [Fact]
    public void Places_a_facility_device_in_the_given_grid_and_at_the_plan_centre_when_the_facility_has_no_point()
    {
        var (_, _, community, grid) = Places.Hierarchy();
        var facility = WithId(new Facility(community, FacilityCategory.ParkingLot, "地下车库", null, null, 30.27, 120.15, null), 12);
        var place = DevicePlace.AtFacility(facility, grid);

        Assert.Equal((3, 4, 12, (int?)null, 500, 500), (place.CommunityId, place.GridId, place.FacilityId, place.BuildingId, place.PlanX, place.PlanY));
    }
}

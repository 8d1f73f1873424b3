using Linli.Domain.Access;
using Linli.Domain.Common;

namespace Linli.Domain.Tests;

/// <summary>Who opens which door when (issue 12): the rules a card reader, a phone code and a barrier decide by.</summary>
public sealed class AccessTests
{
    [Theory]
    [InlineData("C7:c")]
    [InlineData("U12/2")]
    [InlineData("B12")]
    [InlineData("F3")]
    [InlineData("G40")]
    [InlineData("C7:cp")]
    public void A_gate_selector_survives_the_token_a_signed_pass_carries(string token)
    {
        var selector = GateSelector.FromToken(token);
        Assert.NotNull(selector);
        Assert.Equal(token, selector.ToToken());
        Assert.Equal(selector, GateSelector.FromToken(selector.ToToken()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("X7")]
    [InlineData("U12")]
    [InlineData("C7/2")]
    [InlineData("C0")]
    [InlineData("C7:z")]
    [InlineData("C-7")]
    public void Anything_else_is_no_gate_selector(string token) => Assert.Null(GateSelector.FromToken(token));

    const int Community = 3;
    const int Building3 = 10;
    static readonly GateView MainGate = new(1, "GATE-N", GateKind.CommunityGate, Community, null, null, null);
    static readonly GateView Building3Door = new(2, "B3", GateKind.BuildingDoor, Community, Building3, null, null);
    static readonly GateView Building3Unit2 = new(3, "B3-U2", GateKind.UnitDoor, Community, Building3, 2, null);
    static readonly GateView Building3Unit1 = new(4, "B3-U1", GateKind.UnitDoor, Community, Building3, 1, null);
    static readonly GateView PumpRoom = new(5, "PUMP", GateKind.FacilityDoor, Community, null, null, 77);
    static readonly GateView OtherCommunityGate = new(6, "GATE-X", GateKind.CommunityGate, 99, null, null, null);

    /// <summary>Beijing wall-clock time on a given day (2026-12-07 is a Monday).</summary>
    static DateTimeOffset Beijing(int day, int hour, int minute = 0) => new(2026, 12, day, hour, minute, 0, TimeSpan.FromHours(8));

    static readonly PlaceKeys Keys = new(1, 2, Community, 4);

    static Credential ResidentCard(DateTimeOffset? until = null) => new(CredentialKind.Card, HolderKind.Resident, "王秀英", Keys, "hash-of-uid", "enc:uid",
        [AccessGrant.AlwaysAt(GateSelector.Community(Community, GateKind.CommunityGate)), AccessGrant.AlwaysAt(GateSelector.UnitOf(Building3, 2))],
        Beijing(1, 9), residentId: 42, validUntil: until);

    [Fact]
    public void A_resident_opens_the_community_gate_her_building_door_and_her_unit_door_but_not_another_unit_or_the_pump_room()
    {
        var card = ResidentCard().View;
        var now = Beijing(7, 23, 30);
        Assert.True(AccessPolicy.Decide(card, MainGate, now).Allowed);
        Assert.True(AccessPolicy.Decide(card, Building3Door, now).Allowed);
        Assert.True(AccessPolicy.Decide(card, Building3Unit2, now).Allowed);
        Assert.Equal(AccessDecision.Deny(DenyReason.NoRightToGate), AccessPolicy.Decide(card, Building3Unit1, now));
        Assert.Equal(AccessDecision.Deny(DenyReason.NoRightToGate), AccessPolicy.Decide(card, PumpRoom, now));
        Assert.Equal(AccessDecision.Deny(DenyReason.NoRightToGate), AccessPolicy.Decide(card, OtherCommunityGate, now));
    }

    [Fact]
    public void A_cleaner_passes_building_doors_from_six_to_eight_in_Beijing_time_and_is_told_outside_hours_otherwise()
    {
        var cleaner = new Credential(CredentialKind.Card, HolderKind.Staff, "保洁 李", Keys, "hash-2", "enc:uid",
            [new AccessGrant(GateSelector.Community(Community, GateKind.CommunityGate, GateKind.BuildingDoor, GateKind.UnitDoor), new AccessSchedule(from: new TimeOnly(6, 0), until: new TimeOnly(20, 0)))],
            Beijing(1, 9)).View;
        Assert.True(AccessPolicy.Decide(cleaner, Building3Unit1, Beijing(7, 6, 0)).Allowed);
        Assert.True(AccessPolicy.Decide(cleaner, Building3Unit1, Beijing(7, 19, 59)).Allowed);
        Assert.Equal(AccessDecision.Deny(DenyReason.OutsideHours), AccessPolicy.Decide(cleaner, Building3Unit1, Beijing(7, 20, 0)));
        Assert.Equal(AccessDecision.Deny(DenyReason.OutsideHours), AccessPolicy.Decide(cleaner, Building3Unit1, Beijing(7, 5, 59)));
        // 05:59 in Beijing is 21:59 UTC the day before: the hours are the gate's wall clock, not the server's.
        Assert.Equal(AccessDecision.Deny(DenyReason.OutsideHours), AccessPolicy.Decide(cleaner, Building3Unit1, new DateTimeOffset(2026, 12, 6, 21, 59, 0, TimeSpan.Zero)));
        Assert.Equal(AccessDecision.Deny(DenyReason.NoRightToGate), AccessPolicy.Decide(cleaner, PumpRoom, Beijing(7, 10)));
    }

    [Fact]
    public void A_night_shift_belongs_to_the_day_it_starts_on()
    {
        // Weekdays 22:00–06:00: Friday night's shift runs into Saturday morning; Saturday night has none.
        var weekdays = new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday };
        var night = new AccessSchedule(weekdays, new TimeOnly(22, 0), new TimeOnly(6, 0));
        Assert.True(night.Covers(new DateTime(2026, 12, 11, 23, 0, 0)));   // Friday 23:00
        Assert.True(night.Covers(new DateTime(2026, 12, 12, 5, 59, 0)));   // Saturday 05:59, Friday's shift
        Assert.False(night.Covers(new DateTime(2026, 12, 12, 23, 0, 0)));  // Saturday 23:00
        Assert.False(night.Covers(new DateTime(2026, 12, 14, 5, 0, 0)));   // Monday 05:00 is Sunday's shift
        Assert.False(night.Covers(new DateTime(2026, 12, 11, 12, 0, 0)));  // Friday noon
    }

    [Fact]
    public void A_contractor_enters_the_pump_room_only_on_the_dates_of_the_work_order()
    {
        var contractor = new Credential(CredentialKind.PhoneQr, HolderKind.Contractor, "水泵维修 张", Keys, "", "enc:secret",
            [new AccessGrant(GateSelector.Facility(77), new AccessSchedule(firstDate: new DateOnly(2026, 12, 8), lastDate: new DateOnly(2026, 12, 9))),
             new AccessGrant(GateSelector.Community(Community, GateKind.CommunityGate), new AccessSchedule(firstDate: new DateOnly(2026, 12, 8), lastDate: new DateOnly(2026, 12, 9)))],
            Beijing(7, 9)).View;
        Assert.Equal(AccessDecision.Deny(DenyReason.OutsideHours), AccessPolicy.Decide(contractor, PumpRoom, Beijing(7, 23, 59)));
        Assert.True(AccessPolicy.Decide(contractor, PumpRoom, Beijing(8, 0, 0)).Allowed);
        Assert.True(AccessPolicy.Decide(contractor, PumpRoom, Beijing(9, 23, 59)).Allowed);
        Assert.Equal(AccessDecision.Deny(DenyReason.OutsideHours), AccessPolicy.Decide(contractor, PumpRoom, Beijing(10, 0, 0)));
        Assert.Equal(AccessDecision.Deny(DenyReason.NoRightToGate), AccessPolicy.Decide(contractor, Building3Door, Beijing(8, 10)));
    }

    [Fact]
    public void A_lost_card_is_refused_from_the_moment_it_is_suspended_and_opens_again_when_found()
    {
        var card = ResidentCard();
        card.Suspend("lost at the market", Beijing(7, 10));
        Assert.Equal(AccessDecision.Deny(DenyReason.Suspended), AccessPolicy.Decide(card.View, MainGate, Beijing(7, 10, 1)));
        Assert.Throws<ConflictException>(() => card.Suspend("again", Beijing(7, 11)));
        card.Reinstate(Beijing(7, 12));
        Assert.True(AccessPolicy.Decide(card.View, MainGate, Beijing(7, 12, 1)).Allowed);
    }

    [Fact]
    public void A_replaced_card_is_revoked_for_good()
    {
        var card = ResidentCard();
        card.Suspend("lost", Beijing(7, 10));
        card.Revoke("replaced by a new card", Beijing(7, 11), replacedBy: 9);
        Assert.Equal(AccessDecision.Deny(DenyReason.Revoked), AccessPolicy.Decide(card.View, MainGate, Beijing(7, 12)));
        Assert.Equal(9, card.ReplacedById);
        Assert.Throws<ConflictException>(() => card.Reinstate(Beijing(7, 13)));
        Assert.Throws<ConflictException>(() => card.SetGrants([AccessGrant.AlwaysAt(GateSelector.OneGate(1))], Beijing(7, 13)));
    }

    [Fact]
    public void A_tenant_s_card_stops_at_the_end_of_the_lease_and_starts_again_when_it_is_extended()
    {
        var leaseEnd = Beijing(31, 0);
        var card = ResidentCard(until: leaseEnd);
        Assert.True(AccessPolicy.Decide(card.View, MainGate, leaseEnd.AddSeconds(-1)).Allowed);
        Assert.Equal(AccessDecision.Deny(DenyReason.Expired), AccessPolicy.Decide(card.View, MainGate, leaseEnd));
        card.EndAt(leaseEnd.AddMonths(6), leaseEnd.AddHours(1));
        Assert.True(AccessPolicy.Decide(card.View, MainGate, leaseEnd.AddHours(2)).Allowed);
    }

    [Fact]
    public void Every_change_that_readers_must_learn_is_recorded_once()
    {
        var card = ResidentCard();
        Assert.Single(card.TakeEvents());
        Assert.Empty(card.TakeEvents());
        card.Suspend("lost", Beijing(7, 10));
        var changed = Assert.IsType<CredentialChanged>(Assert.Single(card.TakeEvents()));
        Assert.Equal(CredentialStatus.Suspended, changed.Status);
        Assert.Equal(Beijing(7, 10), changed.At);
    }

    [Fact]
    public void Five_refusals_in_a_row_at_one_reader_raise_one_alarm_and_a_passage_starts_the_count_again()
    {
        var streak = new FailureStreak();
        Assert.Equal([false, false, false, false, true, false, false], Enumerable.Range(0, 7).Select(_ => streak.Add(allowed: false)));
        Assert.False(streak.Add(allowed: true));
        Assert.Equal([false, false, false, false, true], Enumerable.Range(0, 5).Select(_ => streak.Add(allowed: false)));
    }

    [Fact]
    public void A_visitor_pass_lets_its_visitor_in_the_allowed_number_of_times_within_its_window_at_its_gates_only()
    {
        var from = Beijing(7, 14);
        var pass = new VisitorPass(42, Keys, "访客 陈", null, new FakeProtector(), from, from.AddHours(4), 2,
            [GateSelector.Community(Community, GateKind.CommunityGate), GateSelector.UnitOf(Building3, 2)], from.AddMinutes(-30));
        Assert.Equal(AccessDecision.Deny(DenyReason.NotYetValid), pass.Admit(MainGate, from.AddMinutes(-1)));
        Assert.True(pass.Admit(MainGate, from.AddMinutes(5)).Allowed);
        Assert.True(pass.Admit(Building3Unit2, from.AddMinutes(6), entering: false).Allowed);
        Assert.Equal(AccessDecision.Deny(DenyReason.NoRightToGate), pass.Admit(Building3Unit1, from.AddMinutes(6)));
        Assert.True(pass.Admit(MainGate, from.AddMinutes(60)).Allowed);
        Assert.Equal(AccessDecision.Deny(DenyReason.PassUsedUp), pass.Admit(MainGate, from.AddMinutes(90)));
        Assert.Equal(0, pass.RemainingEntries);
        Assert.Equal(AccessDecision.Deny(DenyReason.Expired), pass.Admit(MainGate, from.AddHours(4)));
    }

    [Fact]
    public void A_pass_refuses_a_window_that_is_over_too_long_or_has_no_entries()
    {
        var now = Beijing(7, 14);
        VisitorPass Make(DateTimeOffset from, DateTimeOffset until, int entries) =>
            new(42, Keys, "访客", null, new FakeProtector(), from, until, entries, [GateSelector.OneGate(1)], now);
        Assert.Equal("validUntil", Assert.Throws<DomainException>(() => Make(now.AddHours(-3), now.AddHours(-1), 1)).Field);
        Assert.Equal("validUntil", Assert.Throws<DomainException>(() => Make(now, now.AddDays(8), 1)).Field);
        Assert.Equal("entries", Assert.Throws<DomainException>(() => Make(now, now.AddHours(1), 0)).Field);
        Assert.Equal("validUntil", Assert.Throws<DomainException>(() => Make(now, now, 1)).Field);
    }

    [Fact]
    public void Schedules_and_selectors_refuse_what_cannot_mean_anything()
    {
        Assert.Equal("until", Assert.Throws<DomainException>(() => new AccessSchedule(from: new TimeOnly(6, 0))).Field);
        Assert.Equal("until", Assert.Throws<DomainException>(() => new AccessSchedule(from: new TimeOnly(6, 0), until: new TimeOnly(6, 0))).Field);
        Assert.Equal("lastDate", Assert.Throws<DomainException>(() => new AccessSchedule(firstDate: new DateOnly(2026, 12, 9), lastDate: new DateOnly(2026, 12, 8))).Field);
        Assert.Equal("unit", Assert.Throws<DomainException>(() => new GateSelector(GateScope.Unit, Building3)).Field);
        Assert.Equal("unit", Assert.Throws<DomainException>(() => new GateSelector(GateScope.Building, Building3, 2)).Field);
        Assert.Equal("id", Assert.Throws<DomainException>(() => GateSelector.OneGate(0)).Field);
        Assert.Equal("grants", Assert.Throws<DomainException>(() => new Credential(CredentialKind.Card, HolderKind.Staff, "某", Keys, "h", "enc:uid", [], Beijing(7, 9))).Field);
        Assert.Equal("residentId", Assert.Throws<DomainException>(() => new Credential(CredentialKind.Card, HolderKind.Resident, "某", Keys, "h", null,
            [AccessGrant.AlwaysAt(GateSelector.OneGate(1))], Beijing(7, 9))).Field);
    }
}

public sealed class LicensePlateTests
{
    [Theory]
    [InlineData("浙A12345", "浙A12345")]
    [InlineData("浙a·1234x", "浙A1234X")]
    [InlineData(" 京 AD12345 ", "京AD12345")]
    [InlineData("粤B12345F", "粤B12345F")]
    [InlineData("沪A1234学", "沪A1234学")]
    public void Plates_are_read_as_a_camera_writes_them(string input, string expected) => Assert.Equal(expected, LicensePlate.Parse(input).Value);

    [Theory]
    [InlineData("")]
    [InlineData("A12345")]
    [InlineData("浙I12345")]
    [InlineData("浙A1234")]
    [InlineData("浙A123456")]
    [InlineData("美A12345")]
    [InlineData("浙AO1234")]
    public void Anything_else_is_refused_naming_the_field(string input) =>
        Assert.Equal("plate", Assert.Throws<DomainException>(() => LicensePlate.Parse(input)).Field);
}

using Linli.Domain.Alarms;
using Linli.Domain.Common;
using Linli.Domain.Devices;
using static Linli.Domain.Tests.MonitoringTestKit;

namespace Linli.Domain.Tests;

/// <summary>
/// An alarm rule as an administrator sets it up: what it watches, how soon someone must acknowledge, and which devices
/// it reaches from the node it is kept at.
/// </summary>
public sealed class AlarmRuleTests
{
    static readonly Condition SmokeAbove = new Threshold("smoke", Comparison.Above, 0.1);

    static AlarmRule NewRule(Condition? condition = null, bool autoClear = true, AlarmSeverity severity = AlarmSeverity.Major,
        DeviceType? type = DeviceType.SmokeDetector, long? deviceId = null, int? ack = null,
        (int District, int Street, int Community)? node = null, string name = "烟雾报警")
    {
        var (district, street, community) = node ?? (1, 2, 3);
        return new AlarmRule(district, street, community, name, AlarmKind.Fire, severity, type, deviceId, condition ?? SmokeAbove,
            autoClear, ack, opensCase: false, T0);
    }

    [Fact]
    public void Keeps_auto_clear_for_a_value_condition()
    {
        Assert.True(NewRule(autoClear: true).AutoClear);
        Assert.False(NewRule(autoClear: false).AutoClear);
    }

    [Fact]
    public void Never_auto_clears_an_event_rule_even_when_asked()
    {
        Assert.False(NewRule(new EventSeen("sos"), autoClear: true).AutoClear);
        Assert.False(NewRule(new Any([SmokeAbove, new EventSeen("sos")]), autoClear: true).AutoClear);
        Assert.False(NewRule(new EventSeen("sos"), autoClear: true).Definition().AutoClear);
    }

    [Fact]
    public void Is_for_a_device_type_or_for_one_device_never_both_nor_neither()
    {
        var neither = Assert.Throws<DomainException>(() => NewRule(type: null, deviceId: null));
        Assert.Equal("deviceType", neither.Field);
        var both = Assert.Throws<DomainException>(() => NewRule(type: DeviceType.SmokeDetector, deviceId: 77));
        Assert.Equal("deviceType", both.Field);

        var one = NewRule(type: null, deviceId: 77);
        Assert.Equal((null, 77L), (one.DeviceType, one.DeviceId));
    }

    [Theory]
    [InlineData(AlarmSeverity.Critical, 60)]
    [InlineData(AlarmSeverity.Major, 300)]
    [InlineData(AlarmSeverity.Minor, 900)]
    [InlineData(AlarmSeverity.Warning, 3600)]
    public void Acknowledge_within_defaults_by_severity(AlarmSeverity severity, int seconds)
    {
        Assert.Equal(seconds, NewRule(severity: severity).AckWithinSeconds);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(120)]
    [InlineData(24 * 3600)]
    public void Takes_an_acknowledge_within_from_ten_seconds_to_a_day(int seconds)
    {
        Assert.Equal(seconds, NewRule(severity: AlarmSeverity.Critical, ack: seconds).AckWithinSeconds);
    }

    [Theory]
    [InlineData(9)]
    [InlineData(0)]
    [InlineData(-60)]
    [InlineData(24 * 3600 + 1)]
    public void Refuses_an_acknowledge_within_out_of_bounds(int seconds)
    {
        var e = Assert.Throws<DomainException>(() => NewRule(ack: seconds));
        Assert.Equal("ackWithinSeconds", e.Field);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Needs_a_name(string name)
    {
        Assert.Equal("name", Assert.Throws<DomainException>(() => NewRule(name: name)).Field);
        Assert.Equal("name", Assert.Throws<DomainException>(() => NewRule(name: new string('烟', AlarmRule.NameMaxLength + 1))).Field);
        Assert.Equal("烟雾报警", NewRule(name: "  烟雾报警 ").Name);
    }

    [Fact]
    public void Refuses_an_unknown_severity()
    {
        Assert.Equal("severity", Assert.Throws<DomainException>(() => NewRule(severity: (AlarmSeverity)9)).Field);
    }

    [Fact]
    public void Refuses_a_condition_too_long_to_store()
    {
        var huge = new Any(Enumerable.Range(0, 80).Select(i => (Condition)new Threshold($"metric_{i:00}", Comparison.NotEqualTo, i)).ToList());
        Assert.Equal("condition", Assert.Throws<DomainException>(() => NewRule(huge)).Field);
    }

    [Fact]
    public void Stores_its_condition_and_reads_it_back()
    {
        var condition = new HoldsFor(5, new State("door_open"));
        var rule = NewRule(condition);

        Assert.Equal(condition, rule.Condition);
        Assert.Equal(condition, rule.Definition().Condition);
        Assert.Equal(2, rule.Definition().NodeCount);
    }

    [Fact]
    public void Every_change_gives_a_new_version_so_devices_start_the_rule_afresh()
    {
        var rule = NewRule();
        Assert.Equal(1, rule.Version);

        rule.Update("浓烟报警", AlarmKind.Fire, AlarmSeverity.Critical, DeviceType.SmokeDetector, null,
            new Threshold("smoke", Comparison.Above, 0.3), true, null, false, Min(1));
        Assert.Equal((2, "浓烟报警", 60, Min(1)), (rule.Version, rule.Name, rule.AckWithinSeconds, rule.UpdatedAt));

        rule.Enable(false, Min(2));
        Assert.Equal((3, false), (rule.Version, rule.Enabled));
        Assert.Equal(3, rule.Definition().Version);
    }

    [Fact]
    public void A_refused_update_leaves_the_rule_as_it_was()
    {
        var rule = NewRule();
        Assert.Throws<DomainException>(() => rule.Update("新名字", AlarmKind.Gas, AlarmSeverity.Major, null, null, SmokeAbove, true, null, false, Min(1)));
        Assert.Equal(("烟雾报警", AlarmKind.Fire, 1), (rule.Name, rule.Kind, rule.Version));
    }

    // Device places: community 3 in street 2 of district 1; community 9 in street 5 of district 1; community 30 in street 20 of district 8.
    static readonly DevicePlace Here = PlaceIn(communityId: 3, streetId: 2, districtId: 1);
    static readonly DevicePlace OtherStreet = PlaceIn(communityId: 9, streetId: 5, districtId: 1);
    static readonly DevicePlace OtherDistrict = PlaceIn(communityId: 30, streetId: 20, districtId: 8);

    [Fact]
    public void A_district_rule_reaches_every_community_in_the_district()
    {
        var rule = NewRule(node: (1, 0, 0));

        Assert.True(rule.AppliesTo(NewDevice(place: Here)));
        Assert.True(rule.AppliesTo(NewDevice(place: OtherStreet)));
        Assert.False(rule.AppliesTo(NewDevice(place: OtherDistrict)));
    }

    [Fact]
    public void A_street_rule_reaches_only_its_street()
    {
        var rule = NewRule(node: (1, 2, 0));

        Assert.True(rule.AppliesTo(NewDevice(place: Here)));
        Assert.True(rule.AppliesTo(NewDevice(place: PlaceIn(communityId: 6, streetId: 2, districtId: 1))));
        Assert.False(rule.AppliesTo(NewDevice(place: OtherStreet)));
    }

    [Fact]
    public void A_community_rule_does_not_reach_other_communities()
    {
        var rule = NewRule(node: (1, 2, 3));

        Assert.True(rule.AppliesTo(NewDevice(place: Here)));
        Assert.False(rule.AppliesTo(NewDevice(place: PlaceIn(communityId: 6, streetId: 2, districtId: 1))));
        Assert.False(rule.Covers(NewDevice(place: OtherStreet)));
    }

    [Fact]
    public void A_type_rule_reaches_only_devices_of_that_type()
    {
        var rule = NewRule(type: DeviceType.SmokeDetector);

        Assert.True(rule.AppliesTo(NewDevice(DeviceType.SmokeDetector)));
        Assert.False(rule.AppliesTo(NewDevice(DeviceType.GasDetector)));
    }

    [Fact]
    public void A_rule_for_one_device_reaches_that_device_whatever_its_type_and_no_other()
    {
        var rule = NewRule(type: null, deviceId: 77);

        Assert.True(rule.AppliesTo(NewDevice(DeviceType.LiftMonitor, id: 77)));
        Assert.False(rule.AppliesTo(NewDevice(DeviceType.SmokeDetector, id: 78)));
    }

    [Fact]
    public void A_rule_for_one_device_stops_reaching_it_once_it_moves_out_of_the_rules_node()
    {
        var rule = NewRule(type: null, deviceId: 77, node: (1, 2, 3));
        var device = NewDevice(id: 77, place: Here);
        Assert.True(rule.AppliesTo(device));

        device.MoveTo(OtherStreet);
        Assert.False(rule.AppliesTo(device));
    }
}

using Linli.Domain.Alarms;
using Linli.Domain.Devices;
using static Linli.Domain.Tests.MonitoringTestKit;

namespace Linli.Domain.Tests;

/// <summary>
/// What a rule makes of a device's messages and of time passing: an alarm is raised once when the condition starts to
/// hold, stays quiet while it keeps holding, and clears by itself only for rules that say so.
/// </summary>
public sealed class RuleEngineTests
{
    const string SmokeAbove = """{"type":"threshold","metric":"smoke","op":"Above","value":0.1}""";

    static WatchedDevice NewState() => new(1, T0);

    [Fact]
    public void Raises_when_smoke_above_threshold()
    {
        var rule = Rule(SmokeAbove);
        var d = NewState();

        Assert.Equal(RuleOutcome.Unchanged, d.Receive(rule, Telemetry(Min(0), ("smoke", 0.02))));
        Assert.Equal(RuleOutcome.Unchanged, d.Receive(rule, Telemetry(Min(1), ("smoke", 0.1))));
        Assert.Equal(RuleOutcome.Raised, d.Receive(rule, Telemetry(Min(2), ("smoke", 0.35))));
    }

    [Fact]
    public void Raises_once_while_the_smoke_stays_high_and_clears_when_it_falls()
    {
        var rule = Rule(SmokeAbove, autoClear: true);
        var d = NewState();

        Assert.Equal(RuleOutcome.Raised, d.Receive(rule, Telemetry(Min(0), ("smoke", 0.3))));
        Assert.Equal(RuleOutcome.Unchanged, d.Receive(rule, Telemetry(Min(1), ("smoke", 0.5))));
        Assert.Equal(RuleOutcome.Unchanged, d.Receive(rule, Telemetry(Min(2), ("smoke", 0.4), ("temperature", 40))));
        Assert.Equal(RuleOutcome.Cleared, d.Receive(rule, Telemetry(Min(3), ("smoke", 0.05))));
        Assert.Equal(RuleOutcome.Unchanged, d.Receive(rule, Telemetry(Min(4), ("smoke", 0.01))));
    }

    [Fact]
    public void Does_not_clear_by_itself_without_auto_clear_but_raises_again_when_the_condition_returns()
    {
        var rule = Rule(SmokeAbove, autoClear: false);
        var d = NewState();

        Assert.Equal(RuleOutcome.Raised, d.Receive(rule, Telemetry(Min(0), ("smoke", 0.3))));
        Assert.Equal(RuleOutcome.Unchanged, d.Receive(rule, Telemetry(Min(1), ("smoke", 0.0))));
        // The open alarm counts this as a repeat; the rule itself only reports that the condition started again.
        Assert.Equal(RuleOutcome.Raised, d.Receive(rule, Telemetry(Min(2), ("smoke", 0.3))));
    }

    [Fact]
    public void A_metric_the_device_never_sent_does_not_hold()
    {
        var rule = Rule("""{"type":"threshold","metric":"temperature","op":"Below","value":5}""");
        var d = NewState();

        Assert.Equal(RuleOutcome.Unchanged, d.Receive(rule, Telemetry(Min(0), ("humidity", 40))));
        Assert.Equal(RuleOutcome.Raised, d.Receive(rule, Telemetry(Min(1), ("temperature", 2))));
    }

    [Fact]
    public void Raises_when_the_temperature_leaves_its_range_and_clears_back_inside_including_the_edges()
    {
        var rule = Rule("""{"type":"range","metric":"temperature","min":5,"max":35,"outside":true}""");
        var d = NewState();

        Assert.Equal(RuleOutcome.Unchanged, d.Receive(rule, Telemetry(Min(0), ("temperature", 20))));
        Assert.Equal(RuleOutcome.Raised, d.Receive(rule, Telemetry(Min(1), ("temperature", 35.5))));
        Assert.Equal(RuleOutcome.Cleared, d.Receive(rule, Telemetry(Min(2), ("temperature", 35))));
        Assert.Equal(RuleOutcome.Unchanged, d.Receive(rule, Telemetry(Min(3), ("temperature", 5))));
        Assert.Equal(RuleOutcome.Raised, d.Receive(rule, Telemetry(Min(4), ("temperature", 4.9))));
    }

    [Fact]
    public void A_range_without_outside_holds_inside_it()
    {
        var rule = Rule("""{"type":"range","metric":"bin_fill","min":80,"max":100}""");
        var d = NewState();

        Assert.Equal(RuleOutcome.Unchanged, d.Receive(rule, Telemetry(Min(0), ("bin_fill", 79))));
        Assert.Equal(RuleOutcome.Raised, d.Receive(rule, Telemetry(Min(1), ("bin_fill", 80))));
    }

    [Fact]
    public void Raises_on_a_leak_and_clears_when_dry()
    {
        var rule = Rule("""{"type":"state","metric":"leak"}""");
        var d = NewState();

        Assert.Equal(RuleOutcome.Unchanged, d.Receive(rule, Telemetry(Min(0), ("leak", 0))));
        Assert.Equal(RuleOutcome.Raised, d.Receive(rule, Telemetry(Min(1), ("leak", 1))));
        Assert.Equal(RuleOutcome.Cleared, d.Receive(rule, Telemetry(Min(2), ("leak", 0))));
    }

    [Fact]
    public void A_false_state_holds_when_the_metric_is_zero()
    {
        var rule = Rule("""{"type":"state","metric":"door_closed","value":false}""");
        var d = NewState();

        Assert.Equal(RuleOutcome.Unchanged, d.Receive(rule, Telemetry(Min(0), ("door_closed", 1))));
        Assert.Equal(RuleOutcome.Raised, d.Receive(rule, Telemetry(Min(1), ("door_closed", 0))));
    }

    [Fact]
    public void An_event_holds_only_for_the_message_that_carries_it()
    {
        // AutoClear on, so the end of the event's moment shows as Cleared.
        var rule = new AlarmRuleDefinition(1, 1, new EventSeen("sos"), AutoClear: true);
        var d = NewState();

        Assert.Equal(RuleOutcome.Raised, d.Receive(rule, Event(Min(0), "sos")));
        Assert.True(d.Readings.HasEvent("sos"));
        Assert.Equal(RuleOutcome.Cleared, d.Receive(rule, Telemetry(Min(1), ("battery", 90))));
        Assert.False(d.Readings.HasEvent("sos"));
    }

    [Fact]
    public void An_event_is_over_when_its_message_ends_so_the_ticker_does_not_see_it()
    {
        var rule = new AlarmRuleDefinition(1, 1, new EventSeen("sos"), AutoClear: true);
        var d = NewState();

        Assert.Equal(RuleOutcome.Raised, d.Receive(rule, Event(Min(0), "sos")));
        d.Readings.EndMessage();
        Assert.Equal(RuleOutcome.Cleared, RuleEngine.Evaluate(rule, d.Readings, d.Memory, Min(0.5)));
    }

    [Fact]
    public void Every_sos_press_raises_again()
    {
        var rule = Rule("""{"type":"event","name":"sos"}""", autoClear: false);
        var d = NewState();

        Assert.Equal(RuleOutcome.Raised, d.Receive(rule, Event(Min(0), "sos")));
        d.Readings.EndMessage();
        Assert.Equal(RuleOutcome.Unchanged, RuleEngine.Evaluate(rule, d.Readings, d.Memory, Min(0.5)));
        Assert.Equal(RuleOutcome.Unchanged, d.Receive(rule, Event(Min(1), "tamper")));
        Assert.Equal(RuleOutcome.Raised, d.Receive(rule, Event(Min(2), "sos")));
    }

    [Fact]
    public void Raises_no_data_when_a_device_falls_silent_and_clears_when_it_speaks_again()
    {
        var rule = Rule("""{"type":"noData","minutes":10}""");
        var d = NewState();

        Assert.Equal(RuleOutcome.Unchanged, d.Receive(rule, Telemetry(Min(5), ("battery", 80))));
        Assert.Equal(RuleOutcome.Unchanged, RuleEngine.Evaluate(rule, d.Readings, d.Memory, Min(15).AddSeconds(-1)));
        Assert.Equal(RuleOutcome.Raised, RuleEngine.Evaluate(rule, d.Readings, d.Memory, Min(15)));
        Assert.Equal(RuleOutcome.Unchanged, RuleEngine.Evaluate(rule, d.Readings, d.Memory, Min(20)));
        Assert.Equal(RuleOutcome.Cleared, d.Receive(rule, Telemetry(Min(21), ("battery", 79))));
    }

    [Fact]
    public void A_device_never_heard_from_counts_as_silent_since_watching_began()
    {
        var rule = Rule("""{"type":"noData","minutes":10}""");
        var d = new WatchedDevice(1, Min(3));

        Assert.Null(d.Readings.LastSeen);
        Assert.Equal(RuleOutcome.Unchanged, RuleEngine.Evaluate(rule, d.Readings, d.Memory, Min(12)));
        Assert.Equal(RuleOutcome.Raised, RuleEngine.Evaluate(rule, d.Readings, d.Memory, Min(13)));
    }

    [Fact]
    public void Holds_for_needs_the_condition_unbroken_for_N_minutes()
    {
        var rule = Rule("""{"type":"holdsFor","minutes":5,"condition":{"type":"state","metric":"door_open"}}""");
        var d = NewState();

        Assert.Equal(RuleOutcome.Unchanged, d.Receive(rule, Telemetry(Min(0), ("door_open", 1))));
        Assert.Equal(RuleOutcome.Unchanged, RuleEngine.Evaluate(rule, d.Readings, d.Memory, Min(4)));
        // Closed for a moment: the clock starts again from the next time it is open.
        Assert.Equal(RuleOutcome.Unchanged, d.Receive(rule, Telemetry(Min(4.5), ("door_open", 0))));
        Assert.Equal(RuleOutcome.Unchanged, d.Receive(rule, Telemetry(Min(6), ("door_open", 1))));
        Assert.Equal(RuleOutcome.Unchanged, RuleEngine.Evaluate(rule, d.Readings, d.Memory, Min(10.9)));
        Assert.Equal(RuleOutcome.Raised, RuleEngine.Evaluate(rule, d.Readings, d.Memory, Min(11)));
        Assert.Equal(RuleOutcome.Unchanged, d.Receive(rule, Telemetry(Min(12), ("door_open", 1))));
        Assert.Equal(RuleOutcome.Cleared, d.Receive(rule, Telemetry(Min(13), ("door_open", 0))));
    }

    [Fact]
    public void Raises_on_a_fast_temperature_rise()
    {
        var rule = Rule("""{"type":"rateOfChange","metric":"temperature","perMinute":8}""");
        var d = NewState();

        Assert.Equal(RuleOutcome.Unchanged, d.Receive(rule, Telemetry(Min(0), ("temperature", 25))));
        Assert.Equal(RuleOutcome.Unchanged, d.Receive(rule, Telemetry(Min(1), ("temperature", 30))));
        Assert.Equal(RuleOutcome.Raised, d.Receive(rule, Telemetry(Min(1.5), ("temperature", 36))));
        Assert.Equal(RuleOutcome.Cleared, d.Receive(rule, Telemetry(Min(2.5), ("temperature", 37))));
    }

    [Theory]
    [InlineData(Direction.Rise, 20, 30, true)]
    [InlineData(Direction.Rise, 30, 20, false)]
    [InlineData(Direction.Fall, 30, 20, true)]
    [InlineData(Direction.Fall, 20, 30, false)]
    [InlineData(Direction.Either, 20, 30, true)]
    [InlineData(Direction.Either, 30, 20, true)]
    [InlineData(Direction.Either, 20, 25, false)]
    public void Rate_of_change_looks_the_way_it_is_told(Direction direction, double from, double to, bool raises)
    {
        var rule = new AlarmRuleDefinition(1, 1, new RateOfChange("level", 8, direction), AutoClear: true);
        var d = NewState();
        d.Receive(rule, Telemetry(Min(0), ("level", from)));

        Assert.Equal(raises ? RuleOutcome.Raised : RuleOutcome.Unchanged, d.Receive(rule, Telemetry(Min(1), ("level", to))));
    }

    [Fact]
    public void Rate_of_change_needs_two_readings_at_different_times()
    {
        var rule = new AlarmRuleDefinition(1, 1, new RateOfChange("temperature", 8, Direction.Either), AutoClear: true);
        var d = NewState();

        Assert.Equal(RuleOutcome.Unchanged, d.Receive(rule, Telemetry(Min(0), ("temperature", 100))));
        Assert.Equal(RuleOutcome.Unchanged, d.Receive(rule, Telemetry(Min(0), ("temperature", 20))));
    }

    [Fact]
    public void All_needs_every_part()
    {
        var rule = Rule("""
            {"type":"all","conditions":[
              {"type":"threshold","metric":"smoke","op":"Above","value":0.1},
              {"type":"threshold","metric":"temperature","op":"AtLeast","value":57}]}
            """);
        var d = NewState();

        Assert.Equal(RuleOutcome.Unchanged, d.Receive(rule, Telemetry(Min(0), ("smoke", 0.3), ("temperature", 30))));
        Assert.Equal(RuleOutcome.Raised, d.Receive(rule, Telemetry(Min(1), ("temperature", 57))));
        Assert.Equal(RuleOutcome.Cleared, d.Receive(rule, Telemetry(Min(2), ("smoke", 0.05))));
    }

    [Fact]
    public void A_timed_part_inside_an_or_keeps_its_clock_while_another_part_holds()
    {
        // Heavy smoke raises at once; light smoke only after five minutes. The five minutes count from the first
        // light-or-heavy reading, even while the heavy-smoke part was the one holding.
        var rule = Rule("""
            {"type":"any","conditions":[
              {"type":"threshold","metric":"smoke","op":"Above","value":0.5},
              {"type":"holdsFor","minutes":5,"condition":{"type":"threshold","metric":"smoke","op":"Above","value":0.1}}]}
            """);
        var d = NewState();

        Assert.Equal(RuleOutcome.Raised, d.Receive(rule, Telemetry(Min(0), ("smoke", 0.6))));
        Assert.Equal(RuleOutcome.Cleared, d.Receive(rule, Telemetry(Min(2), ("smoke", 0.2))));
        Assert.Equal(RuleOutcome.Unchanged, RuleEngine.Evaluate(rule, d.Readings, d.Memory, Min(4.9)));
        Assert.Equal(RuleOutcome.Raised, RuleEngine.Evaluate(rule, d.Readings, d.Memory, Min(5)));
    }

    [Fact]
    public void An_older_message_flushed_late_does_not_overwrite_the_latest_value()
    {
        var rule = Rule(SmokeAbove);
        var d = NewState();

        Assert.Equal(RuleOutcome.Raised, d.Receive(rule, Telemetry(Min(10), ("smoke", 0.5))));
        Assert.Equal(RuleOutcome.Unchanged, d.Receive(rule, Telemetry(Min(5), ("smoke", 0.0), ("battery", 70))));

        Assert.Equal(new DeviceReadings.Sample(0.5, Min(10)), d.Readings.Latest("smoke"));
        Assert.Equal(Min(10), d.Readings.LastSeen);
        // A metric the device had not sent yet is still taken from the late message.
        Assert.Equal(new DeviceReadings.Sample(70, Min(5)), d.Readings.Latest("battery"));
    }

    [Fact]
    public void Keeps_the_previous_value_of_each_metric()
    {
        var d = NewState();
        d.Readings.Apply(Telemetry(Min(0), ("temperature", 20)));
        d.Readings.Apply(Telemetry(Min(1), ("temperature", 22)));
        d.Readings.Apply(Telemetry(Min(2), ("humidity", 50)));

        Assert.Equal(new DeviceReadings.Sample(20, Min(0)), d.Readings.Previous("temperature"));
        Assert.Equal(new DeviceReadings.Sample(22, Min(1)), d.Readings.Latest("temperature"));
        Assert.Null(d.Readings.Previous("humidity"));
    }

    [Fact]
    public void A_new_version_of_a_rule_starts_from_a_clean_state()
    {
        var holdsFor = Condition.Parse("""{"type":"holdsFor","minutes":5,"condition":{"type":"state","metric":"door_open"}}""");
        var v1 = new AlarmRuleDefinition(7, 1, holdsFor, AutoClear: true);
        var v2 = new AlarmRuleDefinition(7, 2, holdsFor, AutoClear: true);
        var d = NewState();

        Assert.Equal(RuleOutcome.Unchanged, d.Receive(v1, Telemetry(Min(0), ("door_open", 1))));
        Assert.Equal(RuleOutcome.Raised, RuleEngine.Evaluate(v1, d.Readings, d.Memory, Min(5)));
        Assert.Equal(RuleOutcome.Unchanged, RuleEngine.Evaluate(v1, d.Readings, d.Memory, Min(6)));

        // Edited rule: not holding yet, and its five minutes start now.
        Assert.Equal(RuleOutcome.Unchanged, RuleEngine.Evaluate(v2, d.Readings, d.Memory, Min(6)));
        Assert.Equal(RuleOutcome.Unchanged, RuleEngine.Evaluate(v2, d.Readings, d.Memory, Min(10.9)));
        Assert.Equal(RuleOutcome.Raised, RuleEngine.Evaluate(v2, d.Readings, d.Memory, Min(11)));
    }

    [Fact]
    public void Each_rule_keeps_its_own_state_for_a_device()
    {
        var smoke = Rule(SmokeAbove, id: 1);
        var heavy = Rule("""{"type":"threshold","metric":"smoke","op":"Above","value":0.5}""", id: 2);
        var d = NewState();

        Assert.Equal(RuleOutcome.Raised, d.Receive(smoke, Telemetry(Min(0), ("smoke", 0.3))));
        Assert.Equal(RuleOutcome.Unchanged, RuleEngine.Evaluate(heavy, d.Readings, d.Memory, Min(0)));
        d.Readings.Apply(Telemetry(Min(1), ("smoke", 0.7)));
        Assert.Equal(RuleOutcome.Unchanged, RuleEngine.Evaluate(smoke, d.Readings, d.Memory, Min(1)));
        Assert.Equal(RuleOutcome.Raised, RuleEngine.Evaluate(heavy, d.Readings, d.Memory, Min(1)));
    }
}

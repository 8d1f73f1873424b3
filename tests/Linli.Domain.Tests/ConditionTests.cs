using Linli.Domain.Alarms;
using Linli.Domain.Common;

namespace Linli.Domain.Tests;

/// <summary>
/// A rule's condition as an administrator writes it: every kind of part reads from its JSON form, writes back to the same
/// form, and bad input is refused with a message on the field the condition came from.
/// </summary>
public sealed class ConditionTests
{
    const string SmokeAbove = """{"type":"threshold","metric":"smoke","op":"Above","value":0.1}""";

    [Fact]
    public void Parses_a_threshold()
    {
        Assert.Equal(new Threshold("smoke", Comparison.Above, 0.1), Condition.Parse(SmokeAbove));
        Assert.Equal(new Threshold("temperature", Comparison.AtMost, -5),
            Condition.Parse("""{"type":"threshold","metric":"temperature","op":"AtMost","value":-5}"""));
    }

    [Theory]
    [InlineData("Above", Comparison.Above)]
    [InlineData("above", Comparison.Above)]
    [InlineData("atLeast", Comparison.AtLeast)]
    [InlineData("Below", Comparison.Below)]
    [InlineData("AtMost", Comparison.AtMost)]
    [InlineData("EqualTo", Comparison.EqualTo)]
    [InlineData("notEqualTo", Comparison.NotEqualTo)]
    public void Reads_the_comparison_by_name_in_any_case(string op, Comparison expected)
    {
        var c = Assert.IsType<Threshold>(Condition.Parse($$"""{"type":"threshold","metric":"smoke","op":"{{op}}","value":1}"""));
        Assert.Equal(expected, c.Op);
    }

    [Fact]
    public void Parses_a_range_inside_and_outside()
    {
        Assert.Equal(new InRange("temperature", 5, 35, Outside: true),
            Condition.Parse("""{"type":"range","metric":"temperature","min":5,"max":35,"outside":true}"""));
        Assert.Equal(new InRange("humidity", 30, 70),
            Condition.Parse("""{"type":"range","metric":"humidity","min":30,"max":70}"""));
    }

    [Fact]
    public void Parses_a_state_which_means_true_unless_told_otherwise()
    {
        Assert.Equal(new State("leak", true), Condition.Parse("""{"type":"state","metric":"leak"}"""));
        Assert.Equal(new State("door_closed", false), Condition.Parse("""{"type":"state","metric":"door_closed","value":false}"""));
    }

    [Fact]
    public void Parses_an_event()
    {
        Assert.Equal(new EventSeen("sos"), Condition.Parse("""{"type":"event","name":"sos"}"""));
    }

    [Fact]
    public void Parses_no_data()
    {
        Assert.Equal(new NoData(30), Condition.Parse("""{"type":"noData","minutes":30}"""));
    }

    [Fact]
    public void Parses_holds_for_with_its_inner_condition()
    {
        Assert.Equal(new HoldsFor(5, new Threshold("smoke", Comparison.Above, 0.1)),
            Condition.Parse($$"""{"type":"holdsFor","minutes":5,"condition":{{SmokeAbove}}}"""));
    }

    [Fact]
    public void Parses_a_rate_of_change_rising_unless_told_otherwise()
    {
        Assert.Equal(new RateOfChange("temperature", 8, Direction.Rise),
            Condition.Parse("""{"type":"rateOfChange","metric":"temperature","perMinute":8}"""));
        Assert.Equal(new RateOfChange("level", 2.5, Direction.Fall),
            Condition.Parse("""{"type":"rateOfChange","metric":"level","perMinute":2.5,"direction":"Fall"}"""));
        Assert.Equal(new RateOfChange("level", 2.5, Direction.Either),
            Condition.Parse("""{"type":"rateOfChange","metric":"level","perMinute":2.5,"direction":"either"}"""));
    }

    [Fact]
    public void Parses_all_and_any_with_their_parts_in_order()
    {
        var all = Assert.IsType<All>(Condition.Parse(
            $$"""{"type":"all","conditions":[{{SmokeAbove}},{"type":"state","metric":"leak"}]}"""));
        Assert.Equal([new Threshold("smoke", Comparison.Above, 0.1), new State("leak")], all.Conditions);

        var any = Assert.IsType<Any>(Condition.Parse(
            """{"type":"any","conditions":[{"type":"event","name":"sos"},{"type":"noData","minutes":10}]}"""));
        Assert.Equal([new EventSeen("sos"), new NoData(10)], any.Conditions);
    }

    [Fact]
    public void Reads_the_type_wherever_it_stands_in_the_object()
    {
        // People writing JSON by hand do not always put "type" first.
        Assert.Equal(new Threshold("smoke", Comparison.Above, 0.1),
            Condition.Parse("""{"metric":"smoke","op":"Above","value":0.1,"type":"threshold"}"""));
    }

    [Fact]
    public void Writes_the_documented_form_and_nothing_more()
    {
        Assert.Equal(SmokeAbove, new Threshold("smoke", Comparison.Above, 0.1).ToJson());
        Assert.Equal("""{"type":"holdsFor","minutes":5,"condition":{"type":"state","metric":"leak","value":true}}""",
            new HoldsFor(5, new State("leak")).ToJson());
    }

    [Fact]
    public void Round_trips_a_tree_of_every_type()
    {
        var json = $$$"""
            {"type":"any","conditions":[
              {"type":"all","conditions":[{{{SmokeAbove}}},{"type":"range","metric":"temperature","min":5,"max":35,"outside":true}]},
              {"type":"holdsFor","minutes":2.5,"condition":{"type":"state","metric":"door_open","value":true}},
              {"type":"event","name":"sos"},
              {"type":"noData","minutes":60},
              {"type":"rateOfChange","metric":"temperature","perMinute":8,"direction":"Either"}]}
            """;
        var parsed = Condition.Parse(json);
        var written = parsed.ToJson();

        Assert.Equal(string.Concat(json.Where(c => !char.IsWhiteSpace(c))), written);
        Assert.Equal(written, Condition.Parse(written).ToJson());
        Assert.Equal(9, parsed.Nodes().Count());
    }

    [Fact]
    public void Knows_which_conditions_change_with_time_alone_and_which_metrics_they_read()
    {
        Assert.False(Condition.Parse(SmokeAbove).DependsOnTime);
        Assert.False(new RateOfChange("temperature", 8).DependsOnTime);
        Assert.True(new NoData(10).DependsOnTime);
        Assert.True(new Any([new State("leak"), new HoldsFor(5, new Threshold("smoke", Comparison.Above, 0.1))]).DependsOnTime);

        var tree = new All([new Threshold("smoke", Comparison.Above, 0.1), new HoldsFor(5, new Threshold("smoke", Comparison.Above, 0.3)),
            new EventSeen("sos"), new NoData(5), new RateOfChange("temperature", 8)]);
        Assert.Equal(["smoke", "sos", "temperature"], tree.Metrics.Order());
    }

    [Theory]
    [InlineData("""{"type":"magic","metric":"smoke"}""", "not valid")]
    [InlineData("""{"metric":"smoke","op":"Above","value":0.1}""", "not valid")]
    [InlineData("""{"type":"threshold","op":"Above","value":0.1}""", "metric")]
    [InlineData("""{"type":"threshold","metric":"","op":"Above","value":0.1}""", "metric")]
    [InlineData("""{"type":"threshold","metric":"smoke level","op":"Above","value":0.1}""", "metric")]
    [InlineData("""{"type":"threshold","metric":"smoke","op":">","value":0.1}""", "not valid")]
    [InlineData("""{"type":"threshold","metric":"smoke","op":42,"value":0.1}""", "comparison")]
    [InlineData("""{"type":"range","metric":"temperature","min":35,"max":5}""", "min ≤ max")]
    [InlineData("""{"type":"state"}""", "metric")]
    [InlineData("""{"type":"event"}""", "metric")]
    [InlineData("""{"type":"noData","minutes":0}""", "Minutes")]
    [InlineData("""{"type":"noData","minutes":-1}""", "Minutes")]
    [InlineData("""{"type":"noData","minutes":10081}""", "Minutes")]
    [InlineData("""{"type":"holdsFor","minutes":0,"condition":{"type":"state","metric":"leak"}}""", "Minutes")]
    [InlineData("""{"type":"holdsFor","minutes":5}""", "needs a condition")]
    [InlineData("""{"type":"holdsFor","minutes":5,"condition":{"type":"noData","minutes":0}}""", "Minutes")]
    [InlineData("""{"type":"rateOfChange","metric":"temperature","perMinute":0}""", "rate")]
    [InlineData("""{"type":"rateOfChange","metric":"temperature","perMinute":-3}""", "rate")]
    [InlineData("""{"type":"rateOfChange","metric":"temperature","perMinute":3,"direction":9}""", "direction")]
    [InlineData("""{"type":"all","conditions":[]}""", "at least one")]
    [InlineData("""{"type":"any"}""", "at least one")]
    [InlineData("""{"type":"any","conditions":[null]}""", "missing")]
    [InlineData("""{"type":"all","conditions":[{"type":"state"}]}""", "metric")]
    [InlineData("""{"type":"threshold","metric":"smoke",""", "not valid")]
    [InlineData("""not json""", "not valid")]
    [InlineData("""null""", "required")]
    public void Refuses_bad_input_naming_the_field(string json, string says)
    {
        var e = Assert.Throws<DomainException>(() => Condition.Parse(json));
        Assert.Equal("condition", e.Field);
        Assert.Contains(says, e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Names_the_field_the_caller_gives()
    {
        var e = Assert.Throws<DomainException>(() => Condition.Parse("""{"type":"noData","minutes":0}""", "rules[2].condition"));
        Assert.Equal("rules[2].condition", e.Field);
    }

    static string Nested(int depth) =>
        depth == 1 ? SmokeAbove : $$"""{"type":"holdsFor","minutes":1,"condition":{{Nested(depth - 1)}}}""";

    [Fact]
    public void Nests_at_most_five_deep()
    {
        Assert.Equal(Condition.MaxDepth, Condition.Parse(Nested(Condition.MaxDepth)).Nodes().Count());
        var e = Assert.Throws<DomainException>(() => Condition.Parse(Nested(Condition.MaxDepth + 1)));
        Assert.Equal("condition", e.Field);
        Assert.Contains("deep", e.Message, StringComparison.Ordinal);
    }

    static string AnyOf(int parts) =>
        $$"""{"type":"any","conditions":[{{string.Join(',', Enumerable.Repeat(SmokeAbove, parts))}}]}""";

    [Fact]
    public void Has_at_most_thirty_two_parts()
    {
        Assert.Equal(Condition.MaxNodes, Condition.Parse(AnyOf(Condition.MaxNodes - 1)).Nodes().Count());
        var e = Assert.Throws<DomainException>(() => Condition.Parse(AnyOf(Condition.MaxNodes)));
        Assert.Equal("condition", e.Field);
        Assert.Contains("at most", e.Message, StringComparison.Ordinal);
    }
}

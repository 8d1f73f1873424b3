using System.Text.Json;
using System.Text.Json.Serialization;
using Linli.Domain.Common;
using Linli.Domain.Devices;

namespace Linli.Domain.Alarms;

/// <summary>
/// A rule's condition, a small tree stored as JSON: <c>{"type":"threshold","metric":"smoke","op":">","value":0.1}</c>.
/// Leaves test the device's latest values; <see cref="HoldsFor"/>, <see cref="NoData"/> and <see cref="RateOfChange"/>
/// bring time in; <see cref="All"/> and <see cref="Any"/> combine.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(Threshold), "threshold")]
[JsonDerivedType(typeof(InRange), "range")]
[JsonDerivedType(typeof(State), "state")]
[JsonDerivedType(typeof(EventSeen), "event")]
[JsonDerivedType(typeof(NoData), "noData")]
[JsonDerivedType(typeof(HoldsFor), "holdsFor")]
[JsonDerivedType(typeof(RateOfChange), "rateOfChange")]
[JsonDerivedType(typeof(All), "all")]
[JsonDerivedType(typeof(Any), "any")]
public abstract record Condition
{
    public const int MaxDepth = 5;
    public const int MaxNodes = 32;

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Parses and checks a condition; bad JSON or a bad part is a <see cref="DomainException"/> on <paramref name="field"/>.</summary>
    public static Condition Parse(string json, string field = "condition")
    {
        Condition? c;
        try { c = JsonSerializer.Deserialize<Condition>(json, Json); }
        catch (JsonException e) { throw new DomainException($"The condition is not valid: {e.Message}", field); }
        catch (NotSupportedException e) { throw new DomainException($"The condition is not valid: {e.Message}", field); }
        if (c is null) throw new DomainException("A condition is required.", field);
        c.Validate(field, 1);
        if (c.Nodes().Count() > MaxNodes) throw new DomainException($"A condition has at most {MaxNodes} parts.", field);
        return c;
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Every node, parents before children; a node's position is its slot in the per-device rule state.</summary>
    public IEnumerable<Condition> Nodes()
    {
        yield return this;
        foreach (var child in Children())
            foreach (var n in child.Nodes()) yield return n;
    }

    protected virtual IEnumerable<Condition> Children() => [];

    internal virtual void Validate(string field, int depth)
    {
        if (depth > MaxDepth) throw new DomainException($"Conditions nest at most {MaxDepth} deep.", field);
    }

    protected static void RequireMetric(string? metric, string field)
    {
        if (!DeviceMessage.IsValidMetric(metric)) throw new DomainException("A metric name is required (letters, digits, '_', '.', '-').", field);
    }

    protected static void RequireMinutes(double minutes, string field)
    {
        if (minutes is <= 0 or > 7 * 24 * 60 || double.IsNaN(minutes)) throw new DomainException("Minutes must be more than 0 and at most a week.", field);
    }

    /// <summary>Whether the condition can change with time alone (no new message), so the ticker must look at it.</summary>
    [JsonIgnore]
    public bool DependsOnTime => Nodes().Any(n => n is NoData or HoldsFor);

    /// <summary>The metrics the condition reads; a message without any of them cannot change a value-only condition.</summary>
    [JsonIgnore]
    public IEnumerable<string> Metrics => Nodes().Select(n => n switch
    {
        Threshold t => t.Metric,
        InRange r => r.Metric,
        State s => s.Metric,
        EventSeen e => e.Name,
        RateOfChange r => r.Metric,
        _ => null,
    }).OfType<string>().Distinct();
}

public enum Comparison { Above, AtLeast, Below, AtMost, EqualTo, NotEqualTo }

/// <summary>metric compared with a value, e.g. smoke above 0.1.</summary>
public sealed record Threshold(string Metric, Comparison Op, double Value) : Condition
{
    internal override void Validate(string field, int depth)
    {
        base.Validate(field, depth);
        RequireMetric(Metric, field);
        if (!double.IsFinite(Value)) throw new DomainException("The threshold must be a number.", field);
    }

    public bool Test(double v) => Op switch
    {
        Comparison.Above => v > Value,
        Comparison.AtLeast => v >= Value,
        Comparison.Below => v < Value,
        Comparison.AtMost => v <= Value,
        Comparison.EqualTo => v == Value,
        _ => v != Value,
    };
}

/// <summary>metric inside [min, max], or outside it with <see cref="Outside"/> (e.g. temperature outside 5–35).</summary>
public sealed record InRange(string Metric, double Min, double Max, bool Outside = false) : Condition
{
    internal override void Validate(string field, int depth)
    {
        base.Validate(field, depth);
        RequireMetric(Metric, field);
        if (!double.IsFinite(Min) || !double.IsFinite(Max) || Min > Max) throw new DomainException("A range needs min ≤ max.", field);
    }
}

/// <summary>A true/false metric in a given state, e.g. leak = true, door_open = true.</summary>
public sealed record State(string Metric, bool Value = true) : Condition
{
    internal override void Validate(string field, int depth)
    {
        base.Validate(field, depth);
        RequireMetric(Metric, field);
    }
}

/// <summary>The message being evaluated carries the named event (an SOS press, an AI detection).</summary>
public sealed record EventSeen(string Name) : Condition
{
    internal override void Validate(string field, int depth)
    {
        base.Validate(field, depth);
        RequireMetric(Name, field);
    }
}

/// <summary>Nothing heard from the device for N minutes: offline.</summary>
public sealed record NoData(double Minutes) : Condition
{
    internal override void Validate(string field, int depth)
    {
        base.Validate(field, depth);
        RequireMinutes(Minutes, field);
    }
}

/// <summary>The inner condition has held without a break for N minutes.</summary>
public sealed record HoldsFor(double Minutes, Condition Condition) : Condition
{
    protected override IEnumerable<Condition> Children() => [Condition];

    internal override void Validate(string field, int depth)
    {
        base.Validate(field, depth);
        RequireMinutes(Minutes, field);
        if (Condition is null) throw new DomainException("\"holdsFor\" needs a condition.", field);
        Condition.Validate(field, depth + 1);
    }
}

public enum Direction { Rise, Fall, Either }

/// <summary>metric changed faster than <see cref="PerMinute"/> between its last two readings (e.g. temperature rising 8°/min).</summary>
public sealed record RateOfChange(string Metric, double PerMinute, Direction Direction = Direction.Rise) : Condition
{
    internal override void Validate(string field, int depth)
    {
        base.Validate(field, depth);
        RequireMetric(Metric, field);
        if (!(PerMinute > 0) || !double.IsFinite(PerMinute)) throw new DomainException("The rate per minute must be above 0.", field);
    }
}

/// <summary>Every part holds.</summary>
public sealed record All(IReadOnlyList<Condition> Conditions) : Condition
{
    protected override IEnumerable<Condition> Children() => Conditions;

    internal override void Validate(string field, int depth)
    {
        base.Validate(field, depth);
        if (Conditions is not { Count: > 0 }) throw new DomainException("\"all\" needs at least one condition.", field);
        foreach (var c in Conditions) (c ?? throw new DomainException("A condition is missing.", field)).Validate(field, depth + 1);
    }
}

/// <summary>At least one part holds.</summary>
public sealed record Any(IReadOnlyList<Condition> Conditions) : Condition
{
    protected override IEnumerable<Condition> Children() => Conditions;

    internal override void Validate(string field, int depth)
    {
        base.Validate(field, depth);
        if (Conditions is not { Count: > 0 }) throw new DomainException("\"any\" needs at least one condition.", field);
        foreach (var c in Conditions) (c ?? throw new DomainException("A condition is missing.", field)).Validate(field, depth + 1);
    }
}

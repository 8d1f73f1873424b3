using Linli.Domain.Devices;

namespace Linli.Domain.Alarms;

/// <summary>
/// What the rules remember about one device between messages, beside its <see cref="DeviceReadings"/>: per rule, whether
/// it held last time and since when each timed part has held. Lives in memory, one per device; touched under the device's
/// lock only.
/// </summary>
public sealed class RuleMemory
{
    Dictionary<long, RuleState>? _rules;

    /// <summary>The rule's memory of the device, started afresh when the rule is new or was edited (another version).</summary>
    public RuleState For(AlarmRuleDefinition rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        _rules ??= [];
        if (!_rules.TryGetValue(rule.Id, out var state) || state.Version != rule.Version)
            _rules[rule.Id] = state = new RuleState(rule.Version, rule.NodeCount);
        return state;
    }
}

/// <summary>One rule's memory for one device: whether it held last time and since when each timed part has held.</summary>
public sealed class RuleState(int version, int nodes)
{
    public int Version { get; } = version;
    public bool Holding { get; set; }
    public DateTimeOffset?[] Since { get; } = new DateTimeOffset?[nodes];
}

/// <summary>A rule ready to evaluate: the parsed condition with its node count, and what it applies to.</summary>
public sealed record AlarmRuleDefinition(long Id, int Version, Condition Condition, bool AutoClear)
{
    public int NodeCount { get; } = Condition.Nodes().Count();
    /// <summary>Worked out once: the ticker asks it for every device every few seconds.</summary>
    public bool DependsOnTime { get; } = Condition.DependsOnTime;
    public IReadOnlyList<string> Metrics { get; } = Condition.Metrics.ToList();
}

/// <summary>What evaluating a rule against a device changed.</summary>
public enum RuleOutcome { Unchanged, Raised, Cleared }

/// <summary>
/// Evaluates conditions against a device's <see cref="DeviceReadings"/>, keeping what it needs between calls in the
/// device's <see cref="RuleMemory"/>. Pure otherwise: the caller supplies "now".
/// </summary>
public static class RuleEngine
{
    public static RuleOutcome Evaluate(AlarmRuleDefinition rule, DeviceReadings device, RuleMemory memory, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(memory);
        var state = memory.For(rule);
        var index = 0;
        var holds = Holds(rule.Condition, device, state, now, ref index);
        var was = state.Holding;
        state.Holding = holds;
        if (holds && !was) return RuleOutcome.Raised;
        if (!holds && was && rule.AutoClear) return RuleOutcome.Cleared;
        return RuleOutcome.Unchanged;
    }

    // Every node is visited (no short-circuit) so that timed parts deep in an OR keep their clocks right.
    static bool Holds(Condition c, DeviceReadings d, RuleState s, DateTimeOffset now, ref int index)
    {
        var me = index++;
        switch (c)
        {
            case Threshold t:
                return d.Latest(t.Metric) is { } v && t.Test(v.Value);
            case InRange r:
                if (d.Latest(r.Metric) is not { } x) return false;
                var inside = x.Value >= r.Min && x.Value <= r.Max;
                return r.Outside ? !inside : inside;
            case State st:
                return d.Latest(st.Metric) is { } b && (b.Value != 0) == st.Value;
            case EventSeen e:
                return d.HasEvent(e.Name);
            case NoData n:
                return now - (d.LastSeen ?? d.TrackedSince) >= TimeSpan.FromMinutes(n.Minutes);
            case RateOfChange rc:
                if (d.Latest(rc.Metric) is not { } last || d.Previous(rc.Metric) is not { } prev) return false;
                var minutes = (last.At - prev.At).TotalMinutes;
                if (minutes <= 0) return false;
                var rate = (last.Value - prev.Value) / minutes;
                return rc.Direction switch
                {
                    Direction.Rise => rate > rc.PerMinute,
                    Direction.Fall => -rate > rc.PerMinute,
                    _ => Math.Abs(rate) > rc.PerMinute,
                };
            case HoldsFor h:
                if (!Holds(h.Condition, d, s, now, ref index)) { s.Since[me] = null; return false; }
                s.Since[me] ??= now;
                return now - s.Since[me]!.Value >= TimeSpan.FromMinutes(h.Minutes);
            case All all:
                var every = true;
                foreach (var part in all.Conditions) every &= Holds(part, d, s, now, ref index);
                return every;
            case Any any:
                var some = false;
                foreach (var part in any.Conditions) some |= Holds(part, d, s, now, ref index);
                return some;
            default:
                return false;
        }
    }
}

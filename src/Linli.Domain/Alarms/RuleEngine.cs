using Linli.Domain.Devices;

namespace Linli.Domain.Alarms;

/// <summary>
/// What the platform remembers about one device between messages: its latest and previous value of each metric, the
/// events of the message being evaluated and, per rule, since when each timed part has held. Lives in memory; rebuilt
/// from the latest readings after a restart.
/// </summary>
public sealed class DeviceState(long deviceId, DateTimeOffset trackedSince)
{
    Dictionary<string, Sample>? _last;
    Dictionary<string, Sample>? _previous;
    List<string>? _events;
    Dictionary<long, RuleState>? _rules;

    public long DeviceId { get; } = deviceId;
    /// <summary>When the platform started watching: a device never heard from counts as silent since then.</summary>
    public DateTimeOffset TrackedSince { get; } = trackedSince;
    public DateTimeOffset? LastSeen { get; private set; }

    public readonly record struct Sample(double Value, DateTimeOffset At);

    /// <summary>Takes in a message. Older messages (a device flushing its buffer) update last-seen but not the latest values.</summary>
    public void Apply(DeviceMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        _events?.Clear();
        if (LastSeen is null || message.At > LastSeen) LastSeen = message.At;
        foreach (var r in message.Readings)
        {
            if (r.IsEvent)
            {
                (_events ??= []).Add(r.Metric);
                continue;
            }
            _last ??= [];
            if (_last.TryGetValue(r.Metric, out var old))
            {
                if (message.At < old.At) continue;
                (_previous ??= [])[r.Metric] = old;
            }
            _last[r.Metric] = new Sample(r.Value, message.At);
        }
    }

    /// <summary>Ends the moment of a message: its events no longer hold when the ticker looks later.</summary>
    public void EndMessage() => _events?.Clear();

    public Sample? Latest(string metric) => _last is not null && _last.TryGetValue(metric, out var s) ? s : null;
    public Sample? Previous(string metric) => _previous is not null && _previous.TryGetValue(metric, out var s) ? s : null;
    public bool HasEvent(string name) => _events is not null && _events.Contains(name);
    public IEnumerable<KeyValuePair<string, Sample>> LatestValues => _last ?? [];

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

/// <summary>Evaluates conditions against <see cref="DeviceState"/>. Pure: the caller supplies "now".</summary>
public static class RuleEngine
{
    public static RuleOutcome Evaluate(AlarmRuleDefinition rule, DeviceState device, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(device);
        var state = device.For(rule);
        var index = 0;
        var holds = Holds(rule.Condition, device, state, now, ref index);
        var was = state.Holding;
        state.Holding = holds;
        if (holds && !was) return RuleOutcome.Raised;
        if (!holds && was && rule.AutoClear) return RuleOutcome.Cleared;
        return RuleOutcome.Unchanged;
    }

    // Every node is visited (no short-circuit) so that timed parts deep in an OR keep their clocks right.
    static bool Holds(Condition c, DeviceState d, RuleState s, DateTimeOffset now, ref int index)
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

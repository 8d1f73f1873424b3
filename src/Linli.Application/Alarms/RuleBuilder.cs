using System.Globalization;
using Linli.Domain.Alarms;
using Linli.Domain.Common;

namespace Linli.Application.Alarms;

/// <summary>
/// The rule form's condition builder: up to <see cref="MaxParts"/> simple parts (threshold, range, true/false state, event,
/// no data, rate of change), each optionally held for N minutes, joined by AND or OR — turned into the JSON condition
/// the API takes, and back again when a rule is edited. Anything the builder cannot show is edited as JSON.
/// </summary>
public static class RuleBuilder
{
    public const int MaxParts = 3;
    public static readonly string[] Kinds = ["threshold", "range", "state", "event", "noData", "rateOfChange"];

    public sealed class PartForm
    {
        public string? Kind { get; set; }
        public string? Metric { get; set; }
        public string? Op { get; set; }
        public string? Value { get; set; }
        public string? Min { get; set; }
        public string? Max { get; set; }
        public bool Outside { get; set; }
        public string? State { get; set; }
        public string? Minutes { get; set; }
        public string? PerMinute { get; set; }
        public string? Direction { get; set; }
        public string? ForMinutes { get; set; }

        public bool IsEmpty => string.IsNullOrWhiteSpace(Kind);
    }

    /// <summary>The condition the parts describe; a bad part is a <see cref="DomainException"/> on "parts[i].field".</summary>
    public static Condition Build(IReadOnlyList<PartForm> parts, string? join)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var built = new List<Condition>();
        for (var i = 0; i < parts.Count && i < MaxParts; i++)
        {
            if (parts[i].IsEmpty) continue;
            built.Add(Part(parts[i], $"parts[{i}]"));
        }
        if (built.Count == 0) throw new DomainException("Add at least one part to the condition.", "parts[0].kind");
        var condition = built.Count == 1 ? built[0] : join == "any" ? new Any(built) : (Condition)new All(built);
        return Condition.Parse(condition.ToJson());
    }

    static Condition Part(PartForm p, string prefix)
    {
        var metric = (p.Metric ?? "").Trim();
        Condition leaf = p.Kind switch
        {
            "threshold" => new Threshold(Metric(metric, prefix), Enum.TryParse<Comparison>(p.Op, out var op) && Enum.IsDefined(op)
                ? op : throw new DomainException("Choose a comparison.", $"{prefix}.op"), Number(p.Value, $"{prefix}.value")),
            "range" => new InRange(Metric(metric, prefix), Number(p.Min, $"{prefix}.min"), Number(p.Max, $"{prefix}.max"), p.Outside),
            "state" => new State(Metric(metric, prefix), p.State != "false"),
            "event" => new EventSeen(Metric(metric, prefix)),
            "noData" => new NoData(Number(p.Minutes, $"{prefix}.minutes")),
            "rateOfChange" => new RateOfChange(Metric(metric, prefix), Number(p.PerMinute, $"{prefix}.perMinute"),
                Enum.TryParse<Direction>(p.Direction, out var d) && Enum.IsDefined(d) ? d : Direction.Rise),
            _ => throw new DomainException("Choose what the part checks.", $"{prefix}.kind"),
        };
        if (!string.IsNullOrWhiteSpace(p.ForMinutes))
        {
            if (leaf is EventSeen or NoData) throw new DomainException("An event or \"no data\" cannot be held for a time.", $"{prefix}.forMinutes");
            leaf = new HoldsFor(Number(p.ForMinutes, $"{prefix}.forMinutes"), leaf);
        }
        // The domain's checks (a range's min ≤ max, minutes within a week) name the part.
        Condition.Parse(leaf.ToJson(), prefix);
        return leaf;
    }

    static string Metric(string metric, string prefix) =>
        Linli.Domain.Devices.DeviceMessage.IsValidMetric(metric) ? metric
            : throw new DomainException("A metric name is required (letters, digits, '_', '.', '-').", $"{prefix}.metric");

    static double Number(string? text, string field) =>
        double.TryParse((text ?? "").Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
            ? v : throw new DomainException("Enter a number.", field);

    /// <summary>The builder's parts for a condition, or null when it has a shape the builder cannot show.</summary>
    public static (List<PartForm> Parts, string Join)? Split(Condition condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var (children, join) = condition switch
        {
            All all => (all.Conditions, "all"),
            Any any => (any.Conditions, "any"),
            _ => ((IReadOnlyList<Condition>)[condition], "all"),
        };
        if (children.Count > MaxParts) return null;
        var parts = new List<PartForm>();
        foreach (var c in children)
        {
            if (ToPart(c) is not { } part) return null;
            parts.Add(part);
        }
        while (parts.Count < MaxParts) parts.Add(new PartForm());
        return (parts, join);
    }

    static PartForm? ToPart(Condition c)
    {
        string? forMinutes = null;
        if (c is HoldsFor h)
        {
            forMinutes = Text(h.Minutes);
            c = h.Condition;
        }
        var part = c switch
        {
            Threshold t => new PartForm { Kind = "threshold", Metric = t.Metric, Op = t.Op.ToString(), Value = Text(t.Value) },
            InRange r => new PartForm { Kind = "range", Metric = r.Metric, Min = Text(r.Min), Max = Text(r.Max), Outside = r.Outside },
            State s => new PartForm { Kind = "state", Metric = s.Metric, State = s.Value ? "true" : "false" },
            EventSeen e when forMinutes is null => new PartForm { Kind = "event", Metric = e.Name },
            NoData n when forMinutes is null => new PartForm { Kind = "noData", Minutes = Text(n.Minutes) },
            RateOfChange r => new PartForm { Kind = "rateOfChange", Metric = r.Metric, PerMinute = Text(r.PerMinute), Direction = r.Direction.ToString() },
            _ => null,
        };
        if (part is not null) part.ForMinutes = forMinutes;
        return part;
    }

    static string Text(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A short reading of a condition for the rule list: "temperature Above 60 for 5 min OR smoke Above 0.1".</summary>
    public static string Describe(Condition c) => c switch
    {
        Threshold t => $"{t.Metric} {Symbol(t.Op)} {Text(t.Value)}",
        InRange r => $"{r.Metric} {(r.Outside ? "∉" : "∈")} [{Text(r.Min)}, {Text(r.Max)}]",
        State s => $"{s.Metric} = {(s.Value ? "true" : "false")}",
        EventSeen e => $"event {e.Name}",
        NoData n => $"no data {Text(n.Minutes)} min",
        HoldsFor h => $"({Describe(h.Condition)}) ≥ {Text(h.Minutes)} min",
        RateOfChange r => $"{r.Metric} Δ {r.Direction} > {Text(r.PerMinute)}/min",
        All a => string.Join(" AND ", a.Conditions.Select(Describe)),
        Any a => string.Join(" OR ", a.Conditions.Select(Describe)),
        _ => c.ToJson(),
    };

    public static string Symbol(Comparison op) => op switch
    {
        Comparison.Above => ">",
        Comparison.AtLeast => "≥",
        Comparison.Below => "<",
        Comparison.AtMost => "≤",
        Comparison.EqualTo => "=",
        _ => "≠",
    };
}

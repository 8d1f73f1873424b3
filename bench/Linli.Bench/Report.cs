using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Linli.Bench;

/// <summary>Latency samples of one thing, in milliseconds.</summary>
public sealed class Samples
{
    readonly List<double> _ms = [];

    public int Count => _ms.Count;

    public void Add(double ms) => _ms.Add(ms);

    public static double Ms(long startTimestamp) => Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;

    public double Percentile(double p)
    {
        if (_ms.Count == 0) return double.NaN;
        var sorted = _ms.Order().ToList();
        // Nearest rank: p95 of 200 runs is the 190th value, an observed latency rather than an interpolation.
        var rank = (int)Math.Ceiling(p / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    public double P50 => Percentile(50);
    public double P95 => Percentile(95);
    public double P99 => Percentile(99);
    public double Max => _ms.Count == 0 ? double.NaN : _ms.Max();
}

/// <summary>
/// One row of a figures table: ours against the baseline measured in the same run. Each percentile has its own column, and
/// a target names the percentile it is stated in (<see cref="TargetPercentile"/>), so a p99 target is checked on p99.
/// </summary>
public sealed record Row(string Group, string Kind, string As, int Runs, double P50, double P95, double P99, double Max,
    double? BaselineP50, double? BaselineP95, double? BaselineP99, double? TargetMs, string? Note)
{
    /// <summary>The percentile the target is stated in: 95 unless the figure promises p99.</summary>
    public int TargetPercentile { get; init; } = 95;

    public double? RatioP50 => BaselineP50 is > 0 ? P50 / BaselineP50 : null;
    public double? RatioP95 => BaselineP95 is > 0 ? P95 / BaselineP95 : null;
    public double? RatioP99 => BaselineP99 is > 0 ? P99 / BaselineP99 : null;
    public bool? MeetsTarget => TargetMs is { } t && !double.IsNaN(AtTarget) ? AtTarget < t : null;
    double AtTarget => TargetPercentile == 99 ? P99 : P95;

    public static Row Of(string group, string kind, string who, Samples ours, Samples? baseline, double? target, string? note = null, int targetPercentile = 95) =>
        new(group, kind, who, ours.Count, ours.P50, ours.P95, ours.P99, ours.Max, baseline?.P50, baseline?.P95, baseline?.P99, target, note)
        {
            TargetPercentile = targetPercentile,
        };

    public static Row Pending(string group, string kind, string who, string why) =>
        new(group, kind, who, 0, double.NaN, double.NaN, double.NaN, double.NaN, null, null, null, null, "pending: " + why);

    /// <summary>A run that did not do the work it measures (a failed import, say): no time is reported for it.</summary>
    public static Row Failed(string group, string kind, string who, string why) =>
        new(group, kind, who, 0, double.NaN, double.NaN, double.NaN, double.NaN, null, null, null, null, "**failed**: " + why);
}

/// <summary>The outcome of one scenario on one provider: figures plus free-form facts (seed time, file size, plans).</summary>
public sealed class ScenarioResult(string scenario, string provider)
{
    public string Scenario { get; } = scenario;
    public string Provider { get; } = provider;
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;
    public List<Row> Rows { get; } = [];
    public Dictionary<string, string> Facts { get; } = [];
    public List<string> Notes { get; } = [];
}

public static class ReportWriter
{
    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Writes bench/results/&lt;date&gt;-&lt;scenario&gt;-&lt;provider&gt;.md and .json and returns the markdown path.</summary>
    public static string Write(string repoRoot, ScenarioResult result, string machine, string? label = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var dir = Path.Combine(repoRoot, "bench", "results");
        Directory.CreateDirectory(dir);
        var stem = Path.Combine(dir, $"{result.StartedAt:yyyy-MM-dd}-{(string.IsNullOrEmpty(label) ? "" : label + "-")}{result.Scenario}-{result.Provider}");
        File.WriteAllText(stem + ".json", JsonSerializer.Serialize(new { result.Scenario, result.Provider, result.StartedAt, Machine = machine, result.Facts, result.Rows, result.Notes }, Json));
        File.WriteAllText(stem + ".md", Markdown(result, machine));
        return stem + ".md";
    }

    public static string Markdown(ScenarioResult result, string machine)
    {
        ArgumentNullException.ThrowIfNull(result);
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# {result.Scenario} on {result.Provider} — {result.StartedAt:yyyy-MM-dd HH:mm} UTC");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {machine}");
        md.AppendLine();
        if (result.Facts.Count > 0)
        {
            foreach (var (k, v) in result.Facts) md.AppendLine(CultureInfo.InvariantCulture, $"- {k}: {v}");
            md.AppendLine();
        }
        if (result.Rows.Count > 0)
        {
            md.AppendLine("| what | kind | as | runs | p50 ms | p95 ms | p99 ms | max ms | baseline p50 | baseline p95 | baseline p99 | ratio p50 | ratio p95 | ratio p99 | target | note |");
            md.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
            foreach (var r in result.Rows)
            {
                var target = r.TargetMs is { } t ? $"p{r.TargetPercentile} < {t:0} ms: {(r.MeetsTarget == true ? "yes" : r.MeetsTarget == false ? "**no**" : "—")}" : "";
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {r.Group} | {r.Kind} | {r.As} | {r.Runs} | {F(r.P50)} | {F(r.P95)} | {F(r.P99)} | {F(r.Max)} | {F(r.BaselineP50)} | {F(r.BaselineP95)} | {F(r.BaselineP99)} | {X(r.RatioP50)} | {X(r.RatioP95)} | {X(r.RatioP99)} | {target} | {r.Note} |");
            }
            md.AppendLine();
        }
        foreach (var n in result.Notes) md.AppendLine(n).AppendLine();
        return md.ToString();
    }

    public static string F(double? v) => v is null || double.IsNaN(v.Value) ? "—" : v.Value.ToString(v.Value < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture);
    public static string X(double? v) => v is null || double.IsNaN(v.Value) ? "—" : v.Value.ToString("0.00", CultureInfo.InvariantCulture) + "×";
}

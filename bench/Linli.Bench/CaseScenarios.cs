using System.Globalization;

namespace Linli.Bench;

/// <summary>
/// The case scenarios (issue 3's figures), on the large set with a million cases:
/// <list type="bullet">
/// <item><c>seed-cases [--cases N] [--reseed]</c>: writes the cases in bulk once (cached with the large set), reports rows/s.</item>
/// <item><c>cases [--runs N]</c>: first page of the staff queue with filters, and the case page, over HTTP.</item>
/// <item><c>case-load [--clients N] [--seconds N] [--app-connection-extra "Max Auto Prepare=50"]</c>: concurrent POST
/// /api/v1/cases against the raw insert rate.</item>
/// <item><c>case-sla [--timers N] [--runs N] [--nodes N]</c>: 10,000 SLA deadlines due at once, all fired, each exactly once;
/// with <c>--nodes N</c> each run fires a burst with one node (the baseline) and one with N nodes on the same database.</item>
/// </list>
/// Results go to bench/results/&lt;date&gt;-cases-{seed,queue,load,sla}-&lt;provider&gt;.{md,json}.
/// </summary>
public static class CaseScenarios
{
    public static readonly string[] Names = ["seed-cases", "cases", "case-load", "case-sla"];

    public static Task<ScenarioResult> RunAsync(string name, BenchDatabase database, string repoRoot, int runs, bool reseed, Func<string, string?> option, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(option);
        int Int(string key, int fallback) => option(key) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        // --cases applies to every scenario: a smaller set (for trying the bench out) is reseeded to its size.
        var cases = Int("--cases", CaseSeedScenario.DefaultCount);
        return name switch
        {
            "seed-cases" => CaseSeedScenario.RunAsync(database, reseed, cases, log),
            "cases" => CaseQueueScenario.RunAsync(database, repoRoot, cases, Math.Min(runs, 100), log),
            "case-load" => CaseLoadScenario.RunAsync(database, repoRoot, cases, Int("--clients", CaseLoadScenario.DefaultClients), Int("--seconds", CaseLoadScenario.DefaultSeconds), log,
                option("--app-connection-extra")),
            "case-sla" => CaseSlaScenario.RunAsync(database, repoRoot, cases, Int("--timers", CaseSlaScenario.DefaultTimers), Math.Min(runs, 3), log, Int("--nodes", 1)),
            _ => throw new ArgumentException($"Unknown case scenario '{name}'.", nameof(name)),
        };
    }
}

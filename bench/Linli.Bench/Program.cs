using System.Globalization;
using System.Runtime.InteropServices;
using Linli.Bench;
using Linli.Infrastructure.Persistence;

// dotnet run -c Release --project bench/Linli.Bench -- <seed-large|search|stats|pages|import|all> --provider sqlite|postgres [--runs N] [--rows N] [--reseed] [--only <search kind>]
//   monitoring: <ingest|alarm-latency|devices-memory> [--devices N] [--seconds N] [--senders N] [--alarms N] [--repeat N] (see MonitoringScenarios.cs)
//   cases: <seed-cases|cases|case-load|case-sla> [--cases N] [--clients N] [--seconds N] [--timers N] (see CaseScenarios.cs)
//   district-ingest [--devices N] [--seconds N] [--runs N] [--senders N] [--nodes N]: ingestion through a district's load balancer
//     (scripts/district.sh on ports of its own) beside one node straight, with the replica's lag sampled (PostgreSQL only)
//   access [--credentials 100000] [--seconds 10] [--runs 3] [--clients 16]: one card's decisions beside the empty endpoint, the whitelist
//     delta after 1,000 changes, and a suspended card refused through a second node (see AccessScenario.cs)
//   readme [--check]: regenerates the README's figures from bench/results (see ReadmeFigures.cs); --check only compares
//   --label L names a run's files <date>-L-<scenario>-<provider> so it sits beside an earlier run of the same day
var scenario = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "";
string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
if (scenario == "readme")
{
    var root = RepoRoot();
    var readmePath = Path.Combine(root, "README.md");
    var current = File.ReadAllText(readmePath);
    var wanted = ReadmeFigures.Apply(current, ReadmeFigures.Generate(Path.Combine(root, "bench", "results")));
    if (wanted == current)
    {
        Console.WriteLine("README figures are current.");
        return 0;
    }
    if (args.Contains("--check"))
    {
        Console.Error.WriteLine("README figures differ from bench/results: run `dotnet run --project bench/Linli.Bench -- readme`.");
        return 1;
    }
    File.WriteAllText(readmePath, wanted);
    Console.WriteLine("README figures regenerated.");
    return 0;
}
var label = Option("--label");
var providerName = (Option("--provider") ?? "sqlite").ToLowerInvariant();
DatabaseProvider provider = providerName switch
{
    "sqlite" => DatabaseProvider.Sqlite,
    "postgres" or "postgresql" => DatabaseProvider.Postgres,
    _ => throw new ArgumentException($"--provider must be sqlite or postgres, not '{providerName}'."),
};
var runs = int.Parse(Option("--runs") ?? "200", CultureInfo.InvariantCulture);
var rows = int.Parse(Option("--rows") ?? "10000", CultureInfo.InvariantCulture);
var reseed = args.Contains("--reseed");

string[] known = ["seed-large", "search", "stats", "pages", "import", "all", "district-ingest", "access", .. CaseScenarios.Names, .. MonitoringScenarios.Names];
if (!known.Contains(scenario))
{
    Console.Error.WriteLine($"usage: Linli.Bench <{string.Join('|', known)}> --provider sqlite|postgres [--runs N] [--rows N] [--reseed]");
    return 2;
}

var repoRoot = RepoRoot();
// The machine is shared: the load average at the start says how noisy the absolute figures are.
var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
var machine = $"{Environment.ProcessorCount} cores, load average {load} at start, {RuntimeInformation.OSDescription}, .NET {Environment.Version}; shared and noisy: compare ratios, not absolute times";
var database = BenchDatabase.For(provider, repoRoot);
var log = Console.Out;

async Task Run(string name, Func<Task<ScenarioResult>> body)
{
    log.WriteLine($"== {name} on {database.ProviderName}");
    var result = await body();
    var path = ReportWriter.Write(repoRoot, result, machine, label);
    log.WriteLine(ReportWriter.Markdown(result, machine));
    log.WriteLine($"-> {Path.GetRelativePath(repoRoot, path)}");
}

var all = scenario == "all";
if (all || scenario == "seed-large") await Run("seed-large", () => SeedScenario.RunAsync(database, reseed, log));
if (all || scenario == "search") await Run("search", () => SearchScenario.RunAsync(database, runs, log, Option("--only")));
if (all || scenario is "stats" or "pages" or "import")
{
    var wanted = all ? ["stats", "pages", "import"] : new[] { scenario };
    if (wanted.Any(w => w != "import")) await database.EnsureSeededAsync(false, log);
    foreach (var w in wanted)
    {
        switch (w)
        {
            case "stats": await Run("stats", () => HttpScenarios.StatsAsync(database, repoRoot, Math.Min(runs, 100), log)); break;
            case "pages": await Run("pages", () => HttpScenarios.PagesAsync(database, repoRoot, Math.Min(runs, 100), log)); break;
            case "import": await Run("import", () => ImportScenario.RunAsync(database, repoRoot, rows, log)); break;
        }
    }
}
if (scenario == "district-ingest")
{
    int Int(string key, int fallback) => Option(key) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
    log.WriteLine("== district-ingest on postgres");
    var result = await DistrictIngestScenario.RunAsync(repoRoot, Int("--devices", MonitoringIngestScenario.DefaultDevices), Int("--seconds", 20),
        Int("--runs", 3), Int("--senders", 8), Int("--nodes", 3), log);
    var path = ReportWriter.Write(repoRoot, result, machine, label);
    log.WriteLine(ReportWriter.Markdown(result, machine));
    log.WriteLine($"-> {Path.GetRelativePath(repoRoot, path)}");
}
if (scenario == "access")
{
    int Int(string key, int fallback) => Option(key) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
    var fresh = BenchDatabase.Monitoring(provider, repoRoot);
    log.WriteLine($"== access on {fresh.ProviderName}");
    var result = await AccessScenario.RunAsync(fresh, repoRoot, Int("--credentials", AccessScenario.DefaultCredentials), Int("--seconds", 10), Int("--runs", 3),
        Int("--clients", 16), log);
    var path = ReportWriter.Write(repoRoot, result, machine, label);
    log.WriteLine(ReportWriter.Markdown(result, machine));
    log.WriteLine($"-> {Path.GetRelativePath(repoRoot, path)}");
}
if (CaseScenarios.Names.Contains(scenario)) await Run(scenario, () => CaseScenarios.RunAsync(scenario, database, repoRoot, runs, reseed, Option, log));
if (MonitoringScenarios.Names.Contains(scenario))
{
    var monitoring = BenchDatabase.Monitoring(provider, repoRoot);
    log.WriteLine($"== {scenario} on {monitoring.ProviderName}");
    var result = await MonitoringScenarios.RunAsync(scenario, monitoring, repoRoot, Option, log);
    var path = ReportWriter.Write(repoRoot, result, machine, label);
    log.WriteLine(ReportWriter.Markdown(result, machine));
    log.WriteLine($"-> {Path.GetRelativePath(repoRoot, path)}");
}
return 0;

static string RepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "Linli.slnx"))) return dir.FullName;
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "Linli.slnx"))) return dir.FullName;
    throw new InvalidOperationException("Run the bench from inside the Linli repository (Linli.slnx not found).");
}

using System.Text.RegularExpressions;

namespace Linli.Bench.Tests;

/// <summary>
/// The README's figures are read out of committed bench results, never typed: the section must be exactly what the
/// generator makes of bench/results today, and every result the README points at must be committed.
/// </summary>
public sealed partial class ReadmeFiguresTests
{
    static readonly string Root = RepoRoot();
    static readonly string Readme = File.ReadAllText(Path.Combine(Root, "README.md"));

    [Fact]
    public void The_readme_figures_are_the_ones_the_committed_results_give()
    {
        var generated = ReadmeFigures.Generate(Path.Combine(Root, "bench", "results"));
        var start = Readme.IndexOf(ReadmeFigures.Begin, StringComparison.Ordinal);
        var end = Readme.IndexOf(ReadmeFigures.End, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "README has no generated figures section");
        var section = Readme[start..(end + ReadmeFigures.End.Length)];
        // Compared line by line so a failure names the figure that was retyped or went stale.
        var wanted = generated.Split('\n');
        var actual = section.Split('\n');
        for (var i = 0; i < Math.Max(wanted.Length, actual.Length); i++)
            Assert.True(i < wanted.Length && i < actual.Length && wanted[i].TrimEnd('\r') == actual[i].TrimEnd('\r'),
                $"README figures line {i + 1} differs from bench/results; run `dotnet run --project bench/Linli.Bench -- readme`.\n"
                + $"README:    {(i < actual.Length ? actual[i] : "(missing)")}\ngenerated: {(i < wanted.Length ? wanted[i] : "(missing)")}");
    }

    [Fact]
    public void Every_result_the_readme_points_at_is_committed_and_every_figure_links_one()
    {
        var links = ResultLink().Matches(Readme).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.True(links.Count >= 10, $"only {links.Count} result links in the README");
        var missing = links.Where(l => !File.Exists(Path.Combine(Root, l))).ToList();
        Assert.True(missing.Count == 0, "README links results that are not committed: " + string.Join(", ", missing));

        var start = Readme.IndexOf(ReadmeFigures.Begin, StringComparison.Ordinal);
        var end = Readme.IndexOf(ReadmeFigures.End, StringComparison.Ordinal);
        var rows = new List<(string Heading, string Row)>();
        var heading = "";
        foreach (var line in Readme[start..end].Split('\n'))
        {
            if (line.StartsWith("| ", StringComparison.Ordinal)) { if (!line.StartsWith("| figure", StringComparison.Ordinal)) rows.Add((heading, line)); }
            else if (line.Length > 0 && !line.StartsWith("|", StringComparison.Ordinal)) heading = line;
        }
        Assert.NotEmpty(rows);
        foreach (var (tableHeading, row) in rows)
        {
            var cells = row.Split(" | ");
            // SQLite and PostgreSQL cells, the last two: each names the run it comes from. Only a table that says it runs on
            // PostgreSQL alone may leave its SQLite cell empty ("—"), and then its PostgreSQL cell must still link a run.
            var sqliteless = tableHeading.Contains("PostgreSQL only", StringComparison.Ordinal) && cells[^2] == "—";
            foreach (var cell in sqliteless ? cells[^1..] : cells[^2..])
                Assert.True(ResultLink().IsMatch(cell), $"a figure without its result: {row}");
        }
    }

    [Fact]
    public void No_figures_table_is_kept_by_hand_outside_the_generated_section()
    {
        var start = Readme.IndexOf(ReadmeFigures.Begin, StringComparison.Ordinal);
        var end = Readme.IndexOf(ReadmeFigures.End, StringComparison.Ordinal);
        var outside = Readme[..start] + Readme[(end + ReadmeFigures.End.Length)..];
        var tables = outside.Split('\n').Where(l => l.StartsWith("| figure", StringComparison.Ordinal)).ToList();
        Assert.True(tables.Count == 0, "a figures table outside the generated section: " + string.Join("; ", tables));
        // Measured quantities in prose (a rate or a latency) would be typed by hand too.
        var typed = Measured().Matches(outside).Select(m => m.Value).ToList();
        Assert.True(typed.Count == 0, "figures typed into the README outside the generated section: " + string.Join(", ", typed));
    }

    static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Linli.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Linli.slnx not found above the test's directory.");
    }

    [GeneratedRegex(@"\((bench/results/[^)\s]+\.md)\)")]
    private static partial Regex ResultLink();

    [GeneratedRegex(@"\b\d[\d,.]*\s?(ms|[a-z]*/s|MB|GB)(?![A-Za-z])")]
    private static partial Regex Measured();
}

namespace Linli.Bench.Tests;

/// <summary>A results table says what it measured: each percentile in its own column, a target checked on its own percentile.</summary>
public sealed class RowTests
{
    static Samples Spread()
    {
        // 1..100 ms: p95 = 95 ms, p99 = 99 ms under nearest rank.
        var s = new Samples();
        for (var i = 1; i <= 100; i++) s.Add(i);
        return s;
    }

    [Fact]
    public void A_p99_target_is_checked_on_p99_and_shown_as_p99()
    {
        var row = Row.Of("alarm latency", "run 1", "admin1", Spread(), null, 97, targetPercentile: 99);
        Assert.Equal(95, row.P95);
        Assert.Equal(99, row.P99);
        // p95 (95 ms) would meet a 97 ms target; p99 (99 ms) does not, and p99 is what the target names.
        Assert.False(row.MeetsTarget);
        var md = ReportWriter.Markdown(Result(row), "test");
        Assert.Contains("| p50 ms | p95 ms | p99 ms |", md, StringComparison.Ordinal);
        Assert.Contains("| 95.0 | 99.0 |", md, StringComparison.Ordinal);
        Assert.Contains("p99 < 97 ms: **no**", md, StringComparison.Ordinal);
    }

    [Fact]
    public void A_p95_target_stays_on_p95()
    {
        var row = Row.Of("search", "name", "admin1", Spread(), null, 97);
        Assert.True(row.MeetsTarget);
        Assert.Contains("p95 < 97 ms: yes", ReportWriter.Markdown(Result(row), "test"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_run_reports_no_time()
    {
        var row = Row.Failed("import", "10,000 residents", "admin1", "job Failed");
        Assert.Equal(0, row.Runs);
        Assert.True(double.IsNaN(row.P50));
        Assert.Null(row.MeetsTarget);
        Assert.Contains("**failed**: job Failed", ReportWriter.Markdown(Result(row), "test"), StringComparison.Ordinal);
    }

    static ScenarioResult Result(Row row)
    {
        var result = new ScenarioResult("test", "sqlite");
        result.Rows.Add(row);
        return result;
    }
}

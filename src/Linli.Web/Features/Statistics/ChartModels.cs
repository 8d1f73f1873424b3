namespace Linli.Web.Features.Statistics;

/// <summary>One bar of a horizontal bar chart; <see cref="Href"/> opens the list behind the number.</summary>
public sealed record ChartBar(string Label, int Value, string? Href = null);

/// <summary>One part of a stacked bar; <see cref="CssClass"/> picks its colour (see site.css, "chart-seg-…").</summary>
public sealed record ChartSegment(string Label, int Value, string CssClass);

/// <summary>One stacked bar: a label and its parts, drawn as shares of the row total.</summary>
public sealed record ChartStack(string Label, IReadOnlyList<ChartSegment> Segments)
{
    public int Total => Segments.Sum(s => s.Value);
}

/// <summary>Chart labels must fit a fixed column: a CJK character is about twice as wide as a Latin one.</summary>
public static class ChartText
{
    public static string Fit(string label, double maxEms)
    {
        ArgumentNullException.ThrowIfNull(label);
        double width = 0;
        for (var i = 0; i < label.Length; i++)
        {
            width += label[i] < 0x2E80 ? 0.55 : 1;
            if (width > maxEms) return label[..Math.Max(0, i - 1)] + "…";
        }
        return label;
    }
}

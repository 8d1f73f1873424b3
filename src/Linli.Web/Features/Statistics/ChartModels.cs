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

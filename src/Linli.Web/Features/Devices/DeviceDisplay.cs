using System.Globalization;
using System.Text;
using Microsoft.Extensions.Localization;

namespace Linli.Web.Features.Devices;

/// <summary>How the device pages put times and histories in front of people.</summary>
public static class DeviceDisplay
{
    /// <summary>"just now", "3 min ago", "5 h ago", "2 days ago"; never for a device not heard from.</summary>
    public static string Ago(IStringLocalizer t, DateTimeOffset? at, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (at is not { } when) return t["never"];
        var span = now - when;
        if (span < TimeSpan.FromMinutes(1)) return t["just now"];
        if (span < TimeSpan.FromHours(1)) return string.Format(CultureInfo.CurrentCulture, t["{0} min ago"], (int)span.TotalMinutes);
        if (span < TimeSpan.FromDays(1)) return string.Format(CultureInfo.CurrentCulture, t["{0} h ago"], (int)span.TotalHours);
        return string.Format(CultureInfo.CurrentCulture, t["{0} days ago"], (int)span.TotalDays);
    }

    public static string Number(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>The chart ranges offered on a device page.</summary>
    public static readonly (string Key, TimeSpan Span)[] Ranges = [("24h", TimeSpan.FromHours(24)), ("7d", TimeSpan.FromDays(7)), ("30d", TimeSpan.FromDays(30))];
}

/// <summary>
/// A telemetry history drawn as SVG on the server: a polyline of the values and, for hourly data, the min–max band.
/// Coordinates are in a fixed 720×200 box that the browser scales.
/// </summary>
public sealed class ChartGeometry
{
    public const int Width = 720;
    public const int Height = 200;
    const int Left = 48;
    const int Right = 8;
    const int Top = 10;
    const int Bottom = 24;

    public string Line { get; }
    public string? Band { get; }
    public double Low { get; }
    public double High { get; }
    public static int PlotLeft => Left;
    public static int PlotRight => Width - Right;
    public static int PlotTop => Top;
    public static int PlotBottom => Height - Bottom;

    public ChartGeometry(TelemetryDto history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var points = history.Points;
        var lows = points.Select(p => p.Min ?? p.Value).DefaultIfEmpty(0);
        var highs = points.Select(p => p.Max ?? p.Value).DefaultIfEmpty(1);
        Low = lows.Min();
        High = highs.Max();
        if (High - Low < 1e-9) { Low -= 1; High += 1; }
        var from = history.From.UtcTicks;
        var span = Math.Max(1, history.To.UtcTicks - from);
        double X(DateTimeOffset at) => Left + (double)(at.UtcTicks - from) / span * (Width - Left - Right);
        double Y(double v) => Top + (High - v) / (High - Low) * (Height - Top - Bottom);
        static string F(double d) => d.ToString("0.#", CultureInfo.InvariantCulture);
        Line = string.Join(' ', points.Select(p => $"{F(X(p.At))},{F(Y(p.Value))}"));
        if (history.Resolution == TelemetryResolution.Hour && points.Count > 0)
        {
            var band = new StringBuilder();
            foreach (var p in points) band.Append(F(X(p.At))).Append(',').Append(F(Y(p.Max ?? p.Value))).Append(' ');
            foreach (var p in points.Reverse()) band.Append(F(X(p.At))).Append(',').Append(F(Y(p.Min ?? p.Value))).Append(' ');
            Band = band.ToString().TrimEnd();
        }
    }
}

namespace Linli.Domain.Devices;

/// <summary>
/// One message from a device: telemetry values (metric → number; true/false arrive as 1/0) or a named event with an
/// optional text (a plate, an AI event's detail). Metrics are short names: <c>smoke</c>, <c>temperature</c>, <c>leak</c>.
/// </summary>
public sealed record DeviceMessage(long DeviceId, DateTimeOffset At, IReadOnlyList<Reading> Readings)
{
    public const int MetricMaxLength = 32;
    public const int TextMaxLength = 200;
    public const int MaxReadingsPerMessage = 64;

    public static bool IsValidMetric(string? metric) =>
        !string.IsNullOrEmpty(metric) && metric.Length <= MetricMaxLength
        && metric.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');
}

/// <summary>One stored data point. <see cref="IsEvent"/> marks a named event (its value is 1) rather than a measurement.</summary>
public readonly record struct Reading(string Metric, double Value, string? Text = null, bool IsEvent = false);

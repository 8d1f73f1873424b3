using Linli.Application.Common;
using Linli.Domain.Common;
using Linli.Domain.Devices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Linli.Application.Devices;

public enum TelemetryResolution { Raw, Hour }

/// <summary>
/// One point of a chart: a raw reading (<see cref="Count"/> 1, no band), or a bucket of one or more hours with its
/// average as <see cref="Value"/> and the min–max band.
/// </summary>
public sealed record TelemetryPoint(DateTimeOffset At, double Value, double? Min, double? Max, int Count);

/// <summary>A metric's history. <see cref="Truncated"/> says the range held more raw points than one answer carries.</summary>
public sealed record TelemetryDto(long DeviceId, string Metric, TelemetryResolution Resolution, DateTimeOffset From, DateTimeOffset To,
    int BucketHours, bool Truncated, IReadOnlyList<TelemetryPoint> Points);

/// <summary>A metric the device has sent, with its latest value.</summary>
public sealed record DeviceMetricDto(string Metric, double? Value, DateTimeOffset? At);

/// <summary>Reads telemetry through the caller's scope: the device is looked up first, so one outside the area is "not found".</summary>
public sealed class TelemetryQueries(ILinliDb db, DeviceDirectory directory, IOptions<DeviceOptions> options)
{
    /// <summary>At most this many points per answer: more than a chart's width in pixels tells nobody anything.</summary>
    public const int MaxPoints = 1000;
    /// <summary>Ranges up to this long are drawn from raw points when the caller leaves the choice to us.</summary>
    public static readonly TimeSpan RawUpTo = TimeSpan.FromDays(2);
    static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    public async Task<Device> DeviceAsync(long id, CancellationToken ct) =>
        await db.Devices.AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, ct) ?? throw new NotFoundException("No such device.");

    public async Task<TelemetryDto> HistoryAsync(long deviceId, string? metric, DateTimeOffset from, DateTimeOffset to, TelemetryResolution? resolution,
        CancellationToken ct)
    {
        await DeviceAsync(deviceId, ct);
        metric = (metric ?? "").Trim();
        if (!DeviceMessage.IsValidMetric(metric)) throw new DomainException("Name the metric (letters, digits, '_', '.', '-').", "metric");
        if (from >= to) throw new DomainException("'from' must be before 'to'.", "from");
        if (to - from > TimeSpan.FromDays(options.Value.HourlyRetentionDays + 1))
            throw new DomainException($"A range is at most {options.Value.HourlyRetentionDays} days.", "from");

        var chosen = resolution ?? (to - from <= RawUpTo ? TelemetryResolution.Raw : TelemetryResolution.Hour);
        if (chosen == TelemetryResolution.Raw)
        {
            var rows = await db.Readings.AsNoTracking()
                .Where(r => r.DeviceId == deviceId && r.Metric == metric && r.At >= from && r.At < to)
                .OrderByDescending(r => r.At).Select(r => new { r.At, r.Value }).Take(MaxPoints + 1).ToListAsync(ct);
            var truncated = rows.Count > MaxPoints;
            // Too many raw points for "auto": the hourly view of the same range answers better than its newest slice.
            if (!(truncated && resolution is null))
            {
                var points = rows.Take(MaxPoints).Reverse().Select(r => new TelemetryPoint(r.At, r.Value, null, null, 1)).ToList();
                return new TelemetryDto(deviceId, metric, TelemetryResolution.Raw, from, to, 0, truncated, points);
            }
        }
        return await HourlyAsync(deviceId, metric, from, to, ct);
    }

    async Task<TelemetryDto> HourlyAsync(long deviceId, string metric, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var firstHour = TelemetryRetention.HourOf(from);
        var hours = await db.ReadingHours.AsNoTracking()
            .Where(h => h.DeviceId == deviceId && h.Metric == metric && h.Hour >= firstHour && h.Hour < to)
            .OrderBy(h => h.Hour).Select(h => new { h.Hour, h.Count, h.Min, h.Max, h.Sum }).ToListAsync(ct);
        var buckets = hours.Select(h => new Bucket(h.Hour, h.Count, h.Min, h.Max, h.Sum)).ToList();

        // Hours not rolled up yet (the current one, or the roll-up runs every few minutes) come from the raw points.
        var rolledUntil = buckets.Count == 0 ? firstHour : buckets[^1].Hour + Hour;
        if (rolledUntil < to)
        {
            var tail = await db.Readings.AsNoTracking()
                .Where(r => r.DeviceId == deviceId && r.Metric == metric && r.At >= rolledUntil && r.At < to)
                .OrderByDescending(r => r.At).Select(r => new { r.At, r.Value }).Take(50_000).ToListAsync(ct);
            buckets.AddRange(tail.GroupBy(r => TelemetryRetention.HourOf(r.At)).OrderBy(g => g.Key)
                .Select(g => new Bucket(g.Key, g.Count(), g.Min(r => r.Value), g.Max(r => r.Value), g.Sum(r => r.Value))));
        }

        var span = Math.Max(1, (int)Math.Ceiling((to - firstHour).TotalHours / MaxPoints));
        var points = buckets.GroupBy(b => firstHour + TimeSpan.FromHours(Math.Floor((b.Hour - firstHour).TotalHours / span) * span))
            .Select(g =>
            {
                var count = g.Sum(b => b.Count);
                return new TelemetryPoint(g.Key, count == 0 ? 0 : g.Sum(b => b.Sum) / count, g.Min(b => b.Min), g.Max(b => b.Max), count);
            })
            .ToList();
        return new TelemetryDto(deviceId, metric, TelemetryResolution.Hour, from, to, span, false, points);
    }

    sealed record Bucket(DateTimeOffset Hour, int Count, double Min, double Max, double Sum);

    /// <summary>The device's metrics: latest values from the live state, else from its last stored reading.</summary>
    public async Task<IReadOnlyList<DeviceMetricDto>> MetricsAsync(long deviceId, CancellationToken ct)
    {
        await DeviceAsync(deviceId, ct);
        var latest = new Dictionary<string, DeviceMetricDto>(StringComparer.Ordinal);
        if (directory.Find(deviceId) is { } entry)
        {
            lock (entry.Gate)
            {
                foreach (var (name, sample) in entry.Readings.LatestValues) latest[name] = new DeviceMetricDto(name, sample.Value, sample.At);
            }
        }
        var stored = await db.Readings.AsNoTracking().Where(r => r.DeviceId == deviceId)
            .GroupBy(r => r.Metric).Select(g => new { Metric = g.Key, At = g.Max(r => r.At) }).ToListAsync(ct);
        foreach (var s in stored.Where(s => !latest.ContainsKey(s.Metric)))
        {
            var value = await db.Readings.AsNoTracking().Where(r => r.DeviceId == deviceId && r.Metric == s.Metric && r.At == s.At)
                .Select(r => (double?)r.Value).FirstOrDefaultAsync(ct);
            latest[s.Metric] = new DeviceMetricDto(s.Metric, value, s.At);
        }
        // Metrics whose raw points have aged out are still charted from the hourly roll-ups.
        var hourly = await db.ReadingHours.AsNoTracking().Where(h => h.DeviceId == deviceId).Select(h => h.Metric).Distinct().ToListAsync(ct);
        foreach (var m in hourly.Where(m => !latest.ContainsKey(m))) latest[m] = new DeviceMetricDto(m, null, null);
        return latest.Values.OrderBy(m => m.Metric, StringComparer.Ordinal).ToList();
    }
}

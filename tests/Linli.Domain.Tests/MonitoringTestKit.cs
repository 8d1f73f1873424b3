using System.Reflection;
using Linli.Domain.Alarms;
using Linli.Domain.Devices;

namespace Linli.Domain.Tests;

/// <summary>
/// A fixed "now" advanced by hand, devices and messages for the monitoring tests. The engine is pure (the caller passes
/// "now"), so a hand-held clock is all the time these tests need.
/// </summary>
static class MonitoringTestKit
{
    /// <summary>A Monday morning in Shanghai (UTC+8), away from any day boundary.</summary>
    public static readonly DateTimeOffset T0 = new(2026, 3, 2, 1, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset Min(double minutes) => T0.AddMinutes(minutes);

    /// <summary>Gives an entity the id the database would assign, whatever the id's type.</summary>
    public static T WithId<T>(T entity, object id) where T : class
    {
        typeof(T).GetProperty("Id", BindingFlags.Public | BindingFlags.Instance)!.SetValue(entity, id);
        return entity;
    }

    public static DeviceMessage Telemetry(DateTimeOffset at, params (string Metric, double Value)[] values) =>
        new(1, at, values.Select(v => new Reading(v.Metric, v.Value)).ToList());

    public static DeviceMessage Event(DateTimeOffset at, string name, string? text = null) =>
        new(1, at, [new Reading(name, 1, text, IsEvent: true)]);

    public static AlarmRuleDefinition Rule(string conditionJson, bool autoClear = true, long id = 1, int version = 1) =>
        new(id, version, Condition.Parse(conditionJson), autoClear);

    /// <summary>
    /// Applies a message and evaluates the rule at the message's time, the way the ingestion pipeline and the alarm
    /// module's rule evaluator do between them.
    /// </summary>
    public static RuleOutcome Receive(this WatchedDevice device, AlarmRuleDefinition rule, DeviceMessage message)
    {
        device.Readings.Apply(message);
        return RuleEngine.Evaluate(rule, device.Readings, device.Memory, message.At);
    }

    public static DevicePlace PlaceIn(int communityId = 3, int streetId = 2, int districtId = 1) =>
        new(districtId, streetId, communityId, 4, 10, 2, 100, null, 50, 25);

    public static Device NewDevice(DeviceType type = DeviceType.SmokeDetector, long id = 77, DevicePlace? place = null, string code = "smoke-3-302") =>
        WithId(Device.Register(code, "3号楼302烟感", type, place ?? PlaceIn(), T0).Device, id);
}

/// <summary>A device as the rules see it: its readings (kept by the device module) and the rules' memory of it (kept by the alarm module).</summary>
sealed class WatchedDevice(long deviceId, DateTimeOffset trackedSince)
{
    public DeviceReadings Readings { get; } = new(deviceId, trackedSince);
    public RuleMemory Memory { get; } = new();
}

using Linli.Domain.Alarms;
using Linli.Domain.Devices;

namespace Linli.Application.Alarms;

/// <summary>An enabled rule, its condition parsed once for evaluation.</summary>
public sealed record CompiledRule(AlarmRule Rule, AlarmRuleDefinition Definition);

/// <summary>
/// The enabled rules, indexed by device type and by device, swapped whole on any rule edit. Read on the ingestion path:
/// looking a device's rules up allocates nothing.
/// </summary>
public sealed class RuleBook
{
    public static readonly RuleBook Empty = new([]);
    readonly Dictionary<DeviceType, CompiledRule[]> _byType;
    readonly Dictionary<long, CompiledRule[]> _byDevice;

    public RuleBook(IReadOnlyList<CompiledRule> rules)
    {
        All = rules;
        _byType = rules.Where(r => r.Rule.DeviceType is not null).GroupBy(r => r.Rule.DeviceType!.Value).ToDictionary(g => g.Key, g => g.ToArray());
        _byDevice = rules.Where(r => r.Rule.DeviceId is not null).GroupBy(r => r.Rule.DeviceId!.Value).ToDictionary(g => g.Key, g => g.ToArray());
        TimeDependent = rules.Where(r => r.Definition.DependsOnTime).ToList();
    }

    public IReadOnlyList<CompiledRule> All { get; }
    public IReadOnlyList<CompiledRule> TimeDependent { get; }

    /// <summary>The rules for devices of a type, anywhere: each covers only the devices inside its node (<c>Rule.Keys.Covers</c>).</summary>
    public CompiledRule[] OfType(DeviceType type) => _byType.TryGetValue(type, out var rules) ? rules : [];

    /// <summary>The rules written for one device.</summary>
    public CompiledRule[] OfDevice(long deviceId) => _byDevice.TryGetValue(deviceId, out var rules) ? rules : [];
}

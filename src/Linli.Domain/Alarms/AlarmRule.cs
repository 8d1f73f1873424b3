using Linli.Domain.Common;
using Linli.Domain.Devices;

namespace Linli.Domain.Alarms;

public enum AlarmSeverity { Warning, Minor, Major, Critical }

/// <summary>What an alarm is about; the operations view and people's notification choices group by it.</summary>
public enum AlarmKind { Fire, Gas, WaterLeak, Sos, Welfare, Offline, Security, Environment, Equipment, Other }

/// <summary>
/// An alarm rule: when its condition holds for a device of <see cref="DeviceType"/> (or for one <see cref="DeviceId"/>)
/// inside the rule's node, an alarm of <see cref="Severity"/> is raised. Rules are kept at a node: a district's rule covers
/// every community in it, a community's only its own.
/// </summary>
public sealed class AlarmRule : ScopedEntity
{
    public const int NameMaxLength = 60;
    public const int ConditionMaxLength = 4000;
    public const int MinAckSeconds = 10;
    public const int MaxAckSeconds = 24 * 3600;

    public long Id { get; private set; }
    public string Name { get; private set; } = "";
    public AlarmKind Kind { get; private set; }
    public AlarmSeverity Severity { get; private set; }
    public DeviceType? DeviceType { get; private set; }
    public long? DeviceId { get; private set; }
    public string ConditionJson { get; private set; } = "";
    /// <summary>Clear the alarm by itself when the condition stops holding (a value back to normal); never for events.</summary>
    public bool AutoClear { get; private set; }
    /// <summary>How long each level of the escalation chain has to acknowledge before the next is called.</summary>
    public int AckWithinSeconds { get; private set; }
    /// <summary>Open a case for the responsible team when the alarm is raised.</summary>
    public bool OpensCase { get; private set; }
    public bool Enabled { get; private set; } = true;
    public int Version { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    AlarmRule() { }

    /// <summary>A rule kept at a node: pass the node's scope keys (zeros below the node's level).</summary>
    public AlarmRule(int districtId, int streetId, int communityId, string name, AlarmKind kind, AlarmSeverity severity,
        DeviceType? deviceType, long? deviceId, Condition condition, bool autoClear, int? ackWithinSeconds, bool opensCase, DateTimeOffset now)
    {
        // Kept at a community at the lowest: grid 0 covers all its grids.
        PlaceIn(new PlaceKeys(districtId, streetId, communityId, 0));
        Update(name, kind, severity, deviceType, deviceId, condition, autoClear, ackWithinSeconds, opensCase, now);
    }

    public void Update(string name, AlarmKind kind, AlarmSeverity severity, DeviceType? deviceType, long? deviceId,
        Condition condition, bool autoClear, int? ackWithinSeconds, bool opensCase, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(condition);
        name = (name ?? "").Trim();
        if (name.Length == 0 || name.Length > NameMaxLength) throw new DomainException($"Name is required, at most {NameMaxLength} characters.", "name");
        if ((deviceType is null) == (deviceId is null)) throw new DomainException("A rule is for a device type or for one device.", "deviceType");
        if (!Enum.IsDefined(severity)) throw new DomainException("Unknown severity.", "severity");
        var ack = ackWithinSeconds ?? DefaultAckSeconds(severity);
        if (ack is < MinAckSeconds or > MaxAckSeconds) throw new DomainException($"Acknowledge-within must be {MinAckSeconds} s to 24 h.", "ackWithinSeconds");
        var json = condition.ToJson();
        if (json.Length > ConditionMaxLength) throw new DomainException("The condition is too long.", "condition");
        Name = name;
        Kind = kind;
        Severity = severity;
        DeviceType = deviceType;
        DeviceId = deviceId;
        ConditionJson = json;
        // An event holds only for the moment of its message; clearing on the next message would hide every SOS press.
        AutoClear = autoClear && !condition.Nodes().Any(n => n is EventSeen);
        AckWithinSeconds = ack;
        OpensCase = opensCase;
        Version++;
        UpdatedAt = now;
    }

    public void Enable(bool enabled, DateTimeOffset now)
    {
        Enabled = enabled;
        Version++;
        UpdatedAt = now;
    }

    public Condition Condition => Condition.Parse(ConditionJson);

    public AlarmRuleDefinition Definition() => new(Id, Version, Condition, AutoClear);

    /// <summary>Whether the rule covers the device: its node contains the device, and its type or id matches.</summary>
    public bool AppliesTo(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return (DeviceId is { } id ? id == device.Id : DeviceType == device.Type) && Covers(device);
    }

    /// <summary>A rule is kept at a community, street or district (its grid key is 0) and covers that subtree.</summary>
    public bool Covers(ScopedEntity place)
    {
        ArgumentNullException.ThrowIfNull(place);
        return Keys.Covers(place.Keys);
    }

    public static int DefaultAckSeconds(AlarmSeverity severity) => severity switch
    {
        AlarmSeverity.Critical => 60,
        AlarmSeverity.Major => 300,
        AlarmSeverity.Minor => 900,
        _ => 3600,
    };
}

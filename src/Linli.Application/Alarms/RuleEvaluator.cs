using System.Globalization;
using System.Runtime.CompilerServices;
using Linli.Application.Common;
using Linli.Application.Devices;
using Linli.Domain.Alarms;
using Linli.Domain.Devices;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Alarms;

/// <summary>
/// The alarm rules watching the devices: the enabled rules in memory (<see cref="Rules"/>, loaded at start-up and on every
/// rule edit), evaluated against a device's readings for each message it sends and, for rules that hold by time alone
/// ("no data for 30 minutes", "holds for 5 minutes"), on every tick of the device clock. A change of mind is a
/// <see cref="RuleHit"/> for the <see cref="AlarmWorker"/>, off the ingestion path.
/// </summary>
/// <remarks>
/// What the rules remember of a device (whether each held last time, since when each timed part has held) is a
/// <see cref="RuleMemory"/> kept here beside the directory's entry, for as long as the entry lives: a device that leaves
/// the directory takes its memory with it, as when the memory was part of the entry.
/// </remarks>
public sealed class RuleEvaluator(IServiceScopeFactory scopes, DeviceDirectory directory, AlarmWorker alarms) : IDeviceObserver
{
    static readonly ConditionalWeakTable<DeviceEntry, RuleMemory>.CreateValueCallback NewMemory = _ => new RuleMemory();

    readonly ConditionalWeakTable<DeviceEntry, RuleMemory> _memory = new();
    volatile RuleBook _rules = RuleBook.Empty;

    /// <summary>The enabled rules as this node has them.</summary>
    public RuleBook Rules => _rules;

    /// <summary>Reads the enabled rules again and swaps them in whole.</summary>
    public async Task ReloadAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateSystemScope("load every enabled alarm rule");
        var db = scope.ServiceProvider.GetRequiredService<ILinliDb>();
        var rules = await db.AlarmRules.AsNoTracking().Where(r => r.Enabled).ToListAsync(ct);
        _rules = new RuleBook(rules.Select(r => new CompiledRule(r, r.Definition())).ToList());
    }

    /// <summary>Every rule about the device, against its readings with this message's events.</summary>
    public void MessageApplied(DeviceEntry device, DeviceMessage message, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(device);
        Evaluate(_rules, device, timeOnly: false, now);
    }

    /// <summary>The rules that hold by time alone, for every device that is switched on.</summary>
    public void Tick(DateTimeOffset now)
    {
        var rules = _rules;
        if (rules.TimeDependent.Count == 0) return;
        foreach (var device in directory.All)
        {
            // With several nodes one watches each device's clock: the others' view of it is stale and would see silence.
            if (device.Disabled || !device.WatchedHere) continue;
            lock (device.Gate) Evaluate(rules, device, timeOnly: true, now);
        }
    }

    /// <summary>Taking the device over from another node: its memory here is stale.</summary>
    public void Forget(DeviceEntry device)
    {
        ArgumentNullException.ThrowIfNull(device);
        _memory.AddOrUpdate(device, new RuleMemory());
    }

    /// <summary>
    /// A stored message again, while the device is rebuilt: the rules run so that each remembers whether it held and since
    /// when, but what they decide goes nowhere; the node that first saw the message acted on it (the alarm is in the database).
    /// </summary>
    public void Replayed(DeviceEntry device, DeviceMessage message, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(device);
        Evaluate(_rules, device, timeOnly: false, at, act: false);
    }

    /// <summary>Called holding the device's gate. Loops over arrays and asks for the memory once: nothing allocated per message.</summary>
    void Evaluate(RuleBook rules, DeviceEntry device, bool timeOnly, DateTimeOffset now, bool act = true)
    {
        RuleMemory? memory = null;
        // A rule for a type covers the devices of that type inside its node; a rule for one device covers that device.
        foreach (var rule in rules.OfType(device.Type))
            if ((!timeOnly || rule.Definition.DependsOnTime) && rule.Rule.Keys.Covers(device.Keys))
                Evaluate(rule, device, ref memory, now, act);
        foreach (var rule in rules.OfDevice(device.Id))
            if (!timeOnly || rule.Definition.DependsOnTime)
                Evaluate(rule, device, ref memory, now, act);
    }

    void Evaluate(CompiledRule rule, DeviceEntry device, ref RuleMemory? memory, DateTimeOffset now, bool act)
    {
        memory ??= _memory.GetValue(device, NewMemory);
        var outcome = RuleEngine.Evaluate(rule.Definition, device.Readings, memory, now);
        if (act && outcome != RuleOutcome.Unchanged) alarms.Enqueue(new RuleHit(device, rule.Rule, outcome, now, Describe(device.Readings, rule)));
    }

    /// <summary>The values the rule looked at, for the alarm's detail line: "smoke=0.35".</summary>
    public static string Describe(DeviceReadings readings, CompiledRule rule)
    {
        ArgumentNullException.ThrowIfNull(readings);
        ArgumentNullException.ThrowIfNull(rule);
        var parts = rule.Definition.Metrics
            .Select(m => readings.Latest(m) is { } s ? $"{m}={s.Value.ToString("0.###", CultureInfo.InvariantCulture)}"
                : readings.HasEvent(m) ? readings.EventText(m) is { } text ? $"{m}: {text}" : m : null)
            .OfType<string>();
        return string.Join(", ", parts);
    }
}

/// <summary>Keeps the in-memory rules in step with rule edits (on this node; with a broker, on every node).</summary>
public class AlarmRuleSync(RuleEvaluator rules)
{
    public virtual Task RulesChangedAsync(CancellationToken ct) => rules.ReloadAsync(ct);
}

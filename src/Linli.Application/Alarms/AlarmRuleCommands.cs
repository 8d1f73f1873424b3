using System.Text.Json;
using Linli.Application.Common;
using Linli.Application.Devices;
using Linli.Application.Identity;
using Linli.Domain.Alarms;
using Linli.Domain.Common;
using Linli.Domain.Devices;
using Linli.Domain.Identity;
using Linli.Domain.Registry;
using Microsoft.EntityFrameworkCore;
using static Linli.Application.Alarms.AlarmDtos;

namespace Linli.Application.Alarms;

/// <summary>
/// Alarm rules (API and pages share them): kept at the caller's node or a community inside it, changed only by the node
/// that keeps them, and told to every device's rule state at once.
/// </summary>
public sealed class AlarmRuleCommands(ILinliDb db, CurrentUser user, AlarmRuleSync sync, TimeProvider time)
{
    /// <summary>The rules that apply in the caller's area, its own and those of the nodes above.</summary>
    public async Task<IReadOnlyList<AlarmRuleDto>> ListAsync(CancellationToken ct)
    {
        var rules = await db.AlarmRules.AsNoTracking().OrderBy(r => r.CommunityId).ThenBy(r => r.Name).ToListAsync(ct);
        return rules.Select(ToDto).ToList();
    }

    /// <summary>A rule that applies in the caller's area, for its edit form; null when there is none.</summary>
    public async Task<AlarmRuleForEdit?> ForEditAsync(long id, CancellationToken ct)
    {
        var rule = await db.AlarmRules.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct);
        if (rule is null) return null;
        var code = rule.DeviceId is { } d ? await db.Devices.Where(x => x.Id == d).Select(x => x.Code).SingleOrDefaultAsync(ct) : null;
        return new AlarmRuleForEdit(ToDto(rule), code);
    }

    public async Task<AlarmRuleDto> CreateAsync(AlarmRuleRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var node = await RuleNodeAsync(request.CommunityId, ct);
        var (deviceType, deviceId) = await TargetAsync(request, ct);
        var rule = new AlarmRule(node.DistrictId, node.StreetId, node.CommunityId, request.Name ?? "", request.Kind ?? AlarmKind.Other,
            request.Severity ?? throw new DomainException("Choose a severity.", "severity"), deviceType, deviceId, ParseCondition(request),
            request.AutoClear ?? true, request.AckWithinSeconds, request.OpensCase ?? false, time.GetUtcNow());
        if (request.Enabled == false) rule.Enable(false, time.GetUtcNow());
        db.AlarmRules.Add(rule);
        await db.SaveChangesAsync(ct);
        await sync.RulesChangedAsync(ct);
        return ToDto(rule);
    }

    public async Task<AlarmRuleDto> UpdateAsync(long id, AlarmRuleRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var rule = await db.AlarmRules.SingleOrDefaultAsync(r => r.Id == id, ct) ?? throw new NotFoundException("No such rule.");
        if (!user.Scope.Covers(rule.Keys)) throw new ForbiddenException("This rule is kept by a node above yours.");
        var (deviceType, deviceId) = request.DeviceType is null && request.DeviceCode is null ? (rule.DeviceType, rule.DeviceId) : await TargetAsync(request, ct);
        var now = time.GetUtcNow();
        rule.Update(request.Name ?? rule.Name, request.Kind ?? rule.Kind, request.Severity ?? rule.Severity, deviceType, deviceId,
            request.Condition is null ? rule.Condition : ParseCondition(request), request.AutoClear ?? rule.AutoClear,
            request.AckWithinSeconds ?? rule.AckWithinSeconds, request.OpensCase ?? rule.OpensCase, now);
        if (request.Enabled is { } enabled && enabled != rule.Enabled) rule.Enable(enabled, now);
        await db.SaveChangesAsync(ct);
        await sync.RulesChangedAsync(ct);
        return ToDto(rule);
    }

    static Condition ParseCondition(AlarmRuleRequest request) =>
        request.Condition is { } c && c.ValueKind == JsonValueKind.Object ? Condition.Parse(c.GetRawText()) : throw new DomainException("A condition is required.", "condition");

    async Task<(DeviceType?, long?)> TargetAsync(AlarmRuleRequest request, CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(request.DeviceCode))
        {
            var id = await db.Devices.Where(d => d.Code == request.DeviceCode.Trim()).Select(d => (long?)d.Id).SingleOrDefaultAsync(ct)
                ?? throw new DomainException("No such device here.", "deviceCode");
            return (null, id);
        }
        return (request.DeviceType ?? throw new DomainException("Choose a device type or a device.", "deviceType"), null);
    }

    /// <summary>Rules are kept at the caller's node, or at a community inside it.</summary>
    async Task<(int DistrictId, int StreetId, int CommunityId)> RuleNodeAsync(int? communityId, CancellationToken ct)
    {
        var scopeNode = await db.Nodes.AsNoTracking().SingleOrDefaultAsync(n => n.Id == user.Scope.Id, ct)
            ?? throw new ForbiddenException("Rules are kept at a community, street or district.");
        if (communityId is { } c && c != scopeNode.CommunityId)
        {
            var community = await db.Nodes.AsNoTracking().SingleOrDefaultAsync(n => n.Id == c && n.Kind == NodeKind.Community, ct)
                ?? throw new DomainException("No such community here.", "communityId");
            return (community.DistrictId, community.StreetId, community.CommunityId);
        }
        return scopeNode.Kind switch
        {
            NodeKind.Grid => throw new ForbiddenException("Rules are kept at a community, street or district."),
            _ => (scopeNode.DistrictId, scopeNode.StreetId, scopeNode.CommunityId),
        };
    }
}

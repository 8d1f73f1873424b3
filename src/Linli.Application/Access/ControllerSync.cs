using Linli.Application.Common;
using Linli.Application.Devices;
using Linli.Domain.Access;
using Linli.Domain.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Linli.Application.Access;

/// <summary>A whitelist entry as a controller keeps it: what it reads (a card's UID, a plate, a phone code's secret) and when it may open which of its gates.</summary>
public sealed record WhitelistCredential(long Id, CredentialKind Kind, string? Card, string? Plate, string? Secret, CredentialStatus Status,
    DateTimeOffset? ValidFrom, DateTimeOffset? ValidUntil, string Holder, IReadOnlyList<GrantDto> Grants);

/// <summary>
/// One command of a controller's queue. Its id is the access version of the change: the controller applies commands in
/// order and acknowledges the last id it applied, so a controller that fails half-way gets the rest again.
/// </summary>
public sealed record WhitelistCommand(long Id, string Op, long CredentialId, WhitelistCredential? Credential);

/// <summary>A gate of the controller, as its offline decisions need it.</summary>
public sealed record ControllerGate(int Id, string Code, GateKind Kind, int CommunityId, int? BuildingId, int? Unit, int? FacilityId);

/// <summary>
/// The commands after the controller's acknowledged version, its gates, and the key visitor passes are checked with.
/// After applying every command the controller acknowledges <see cref="Version"/> (the end of what was looked at, which
/// may be past the last command when the changes in between were for other controllers).
/// </summary>
public sealed record WhitelistPage(long Version, bool More, IReadOnlyList<WhitelistCommand> Commands, IReadOnlyList<ControllerGate> Gates, string PassKey);

/// <summary>A decision a controller made from its whitelist while its link was down, uploaded on reconnect.</summary>
public sealed record OfflineEvent(string? Gate, DateTimeOffset? At, ShownKind? Kind, long? CredentialId, long? PassId, bool? Allowed, DenyReason? Reason,
    PassageDirection? Direction);

public sealed record UploadResult(int Accepted, IReadOnlyList<string> Rejected);

/// <summary>
/// Offline whitelists (issue 12): a controller pulls the changes since the version it acknowledged as a queue of
/// commands, acknowledges them, and uploads the decisions it made while offline. Rights and validity travel with each
/// entry, so the controller decides by the same rules (<see cref="AccessPolicy"/>) as the platform.
/// </summary>
public sealed class ControllerSync(ILinliDb db, AccessSnapshot snapshot, VisitorPassCodes passCodes, IPersonalDataProtector protector, AccessLogWriter log,
    TimeProvider time, IOptions<AccessOptions> options, IOptions<DeviceOptions> deviceOptions)
{
    /// <summary>The next page of commands for <paramref name="controller"/>, from what it acknowledged (or from the start after a reset).</summary>
    public async Task<WhitelistPage> CommandsAsync(DeviceEntry controller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(controller);
        var now = time.GetUtcNow();
        var state = await StateAsync(controller, ct);
        state.Polled(now);
        var gates = snapshot.Gates.Where(g => g.ControllerId == controller.Id).ToList();
        var communities = gates.Select(g => g.View.CommunityId).Distinct().ToList();
        var upper = snapshot.Version;
        var acked = state.AckedVersion;
        var commands = new List<WhitelistCommand>();
        var more = false;
        if (communities.Count > 0 && upper > acked)
        {
            var pageSize = options.Value.WhitelistPageSize;
            var rows = await db.Credentials.AsNoTracking()
                .Where(c => communities.Contains(c.CommunityId) && EF.Property<long>(c, AccessSnapshot.VersionColumn) > acked
                    && EF.Property<long>(c, AccessSnapshot.VersionColumn) <= upper)
                .OrderBy(c => EF.Property<long>(c, AccessSnapshot.VersionColumn)).Take(pageSize + 1)
                .Select(c => new { Credential = c, Version = EF.Property<long>(c, AccessSnapshot.VersionColumn) }).ToListAsync(ct);
            // One row past the page says whether there is more.
            if (rows.Count > pageSize)
            {
                rows.RemoveAt(pageSize);
                upper = rows[^1].Version;
                more = true;
            }
            var views = gates.Select(g => g.View).ToList();
            foreach (var row in rows) commands.Add(Command(row.Credential, row.Version, views));
        }
        lock (controller.Gate) controller.Heard(now);
        await db.SaveChangesAsync(ct);
        return new WhitelistPage(upper, more, commands,
            gates.Select(g => new ControllerGate(g.View.Id, g.View.Code, g.View.Kind, g.View.CommunityId, g.View.BuildingId, g.View.Unit, g.View.FacilityId)).ToList(),
            passCodes.PublicKey);
    }

    WhitelistCommand Command(Credential c, long version, IReadOnlyList<GateView> gates)
    {
        // Only the rights that cover one of this controller's gates travel; a credential with none is removed from it.
        var grants = c.Grants.Where(g => gates.Any(g.Gates.Covers)).ToList();
        if (c.Status == CredentialStatus.Revoked || grants.Count == 0) return new WhitelistCommand(version, "remove", c.Id, null);
        var secret = c.SecretProtected is { } s ? protector.Unprotect(s) : null;
        return new WhitelistCommand(version, "put", c.Id, new WhitelistCredential(c.Id, c.Kind,
            c.Kind == CredentialKind.Card ? secret : null, c.Kind == CredentialKind.Plate ? c.Identifier : null, c.Kind == CredentialKind.PhoneQr ? secret : null,
            c.Status, c.ValidFrom, c.ValidUntil, c.HolderName, grants.Select(CredentialCommands.ToDto).ToList()));
    }

    /// <summary>The controller applied every command up to <paramref name="version"/>; it cannot acknowledge what it was not given.</summary>
    public async Task<long> AcknowledgeAsync(DeviceEntry controller, long version, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(controller);
        if (version > snapshot.Version) throw new DomainException("That version was not handed out yet.", "version");
        var state = await StateAsync(controller, ct);
        state.Acknowledge(version, time.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return state.AckedVersion;
    }

    /// <summary>Decisions made offline, written to the log at their own times (marked offline); an event that cannot be placed is named and skipped.</summary>
    public async Task<UploadResult> UploadAsync(DeviceEntry controller, IReadOnlyList<OfflineEvent> events, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(events);
        var now = time.GetUtcNow();
        var skew = TimeSpan.FromSeconds(deviceOptions.Value.MaxClockSkewSeconds);
        var oldest = now.AddDays(-options.Value.LogRetentionDays);
        var rejected = new List<string>();
        var accepted = 0;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var gate = e.Gate is { } code ? snapshot.Gate(code) : null;
            string? problem = gate is null ? "unknown gate"
                : gate.ControllerId != controller.Id ? "gate not wired to this controller"
                : e.At is not { } at ? "no time"
                : at > now + skew ? "time in the future"
                : at < oldest ? "older than the log keeps"
                : e.Kind is null || e.Allowed is null ? "kind and allowed are required"
                : e.Allowed == false && e.Reason is null ? "a refusal names its reason"
                : null;
            if (problem is not null)
            {
                rejected.Add($"events[{i}]: {problem}");
                continue;
            }
            var decision = e.Allowed == true ? AccessDecision.Allow : AccessDecision.Deny(e.Reason!.Value);
            log.Append(new AccessLogEntry(e.At!.Value, gate!.Keys, gate.View.Id, gate.View.BuildingId, controller.Id, e.Kind!.Value, e.CredentialId, e.PassId,
                decision, e.Direction ?? PassageDirection.In, offline: true));
            accepted++;
        }
        var state = await StateAsync(controller, ct);
        state.Uploaded(accepted, now);
        lock (controller.Gate) controller.Heard(now);
        await db.SaveChangesAsync(ct);
        return new UploadResult(accepted, rejected);
    }

    async Task<AccessController> StateAsync(DeviceEntry controller, CancellationToken ct)
    {
        var state = await db.AccessControllers.FirstOrDefaultAsync(c => c.DeviceId == controller.Id, ct);
        if (state is not null) return state;
        state = new AccessController(controller.Id, controller.Keys);
        db.AccessControllers.Add(state);
        return state;
    }
}

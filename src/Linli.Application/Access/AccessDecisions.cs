using System.Collections.Concurrent;
using Linli.Application.Common;
using Linli.Application.Devices;
using Linli.Domain.Access;
using Linli.Domain.Common;
using Linli.Domain.Devices;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Access;

/// <summary>What a reader read: a card's UID, a scanned code (a phone's rotating code or a visitor's pass) or a plate.</summary>
public readonly record struct Shown(ShownKind Kind, string Value);

/// <summary>A decision as the controller hears it: open or not, why not, whose credential (for the display), and the snapshot's version.</summary>
public sealed record DecisionOutcome(bool Allowed, DenyReason? Reason, string? Holder, long? CredentialId, long? PassId, long Version);

/// <summary>
/// The online decision (issue 12): a credential shown at a gate is looked up in the in-memory snapshot and judged by
/// <see cref="AccessPolicy"/>; only a phone code (each step opens once, on any node) and a visitor's pass (each entry
/// counted once) ask the database. Every decision goes to the access log's batch writer; the fifth refusal in a row at a
/// reader raises the monitoring module's alarm through the controller's own event.
/// </summary>
public sealed class AccessDecisions(AccessSnapshot snapshot, IPersonalDataProtector protector, IServiceScopeFactory scopes, AccessLogWriter log,
    AccessFailures failures, VisitorPassCodes passCodes, TimeProvider time)
{
    public async ValueTask<DecisionOutcome> DecideAsync(GateEntry gate, DeviceEntry? controller, Shown shown, PassageDirection direction, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(gate);
        var now = time.GetUtcNow();
        CredentialEntry? credential = null;
        long? passId = null;
        AccessDecision decision;
        var kind = shown.Kind;
        if (gate.Disabled) decision = AccessDecision.Deny(DenyReason.NoRightToGate);
        else switch (shown.Kind)
        {
            case ShownKind.Card:
                credential = CardUids.Normalize(shown.Value) is { } uid ? snapshot.Find(CredentialKind.Card, CardUids.Hash(uid, protector)) : null;
                decision = credential is null ? AccessDecision.Deny(DenyReason.UnknownCredential) : AccessPolicy.Decide(credential.View, gate.View, now);
                break;
            case ShownKind.Plate:
                credential = LicensePlate.TryParse(shown.Value, out var plate) ? snapshot.Find(CredentialKind.Plate, plate!.Value) : null;
                decision = credential is null ? AccessDecision.Deny(DenyReason.UnknownCredential) : AccessPolicy.Decide(credential.View, gate.View, now);
                break;
            default:
                if (passCodes.Read(shown.Value) is { } pass)
                {
                    kind = ShownKind.VisitorPass;
                    passId = pass.PassId;
                    decision = await AdmitVisitorAsync(pass, gate, now, direction, ct);
                    break;
                }
                kind = ShownKind.PhoneQr;
                (credential, decision) = await PhoneCodeAsync(shown.Value, gate, now, ct);
                break;
        }
        log.Append(new AccessLogEntry(now, gate.Keys, gate.View.Id, gate.View.BuildingId, controller?.Id, kind, credential?.Id, passId, decision, direction, offline: false));
        if (controller is not null) failures.Count(controller, gate, decision.Allowed, now);
        return new DecisionOutcome(decision.Allowed, decision.Reason, decision.Allowed ? credential?.HolderName : null, credential?.Id, passId, snapshot.Version);
    }

    async Task<(CredentialEntry?, AccessDecision)> PhoneCodeAsync(string text, GateEntry gate, DateTimeOffset now, CancellationToken ct)
    {
        if (PhoneCodes.Parse(text) is not { } code) return (null, AccessDecision.Deny(DenyReason.Forged));
        var credential = snapshot.Credential(code.CredentialId);
        if (credential is null || credential.View.Kind != CredentialKind.PhoneQr) return (null, AccessDecision.Deny(DenyReason.UnknownCredential));
        if (AccessPolicy.Usable(credential.View, now) is { } unusable) return (credential, AccessDecision.Deny(unusable));
        var (step, refused) = PhoneCodes.Verify(code.Code, credential.Secret(protector), now, null);
        if (refused is { } r) return (credential, AccessDecision.Deny(r));
        var decision = AccessPolicy.Covers(credential.View.Grants, gate.View, now);
        // Only a code that would open is spent: a code shown at the wrong door can still open the right one.
        if (decision.Allowed && !await CodeSteps.TryAcceptAsync(scopes, credential.Id, step!.Value, ct))
            decision = AccessDecision.Deny(DenyReason.CodeReplayed);
        return (credential, decision);
    }

    async Task<AccessDecision> AdmitVisitorAsync(VisitorPassCode pass, GateEntry gate, DateTimeOffset now, PassageDirection direction, CancellationToken ct)
    {
        if (!pass.Verified) return AccessDecision.Deny(DenyReason.Forged);
        await using var scope = scopes.CreateSystemScope("count a visitor's entry at a gate");
        var db = scope.ServiceProvider.GetRequiredService<ILinliDb>();
        var stored = await db.VisitorPasses.SingleOrDefaultAsync(p => p.Id == pass.PassId, ct);
        if (stored is null) return AccessDecision.Deny(DenyReason.UnknownCredential);
        var decision = stored.Admit(gate.View, now, entering: direction == PassageDirection.In);
        if (decision.Allowed && direction == PassageDirection.In)
        {
            // Counted once across nodes: the entry is saved only if no other node counted the last one meanwhile.
            var used = stored.UsedEntries;
            var saved = await db.VisitorPasses.Where(p => p.Id == stored.Id && p.UsedEntries == used - 1)
                .ExecuteUpdateAsync(u => u.SetProperty(p => p.UsedEntries, used), ct);
            if (saved == 0) return AccessDecision.Deny(DenyReason.PassUsedUp);
        }
        return decision;
    }
}

/// <summary>
/// The last accepted step of each phone code, in the database so that a code read at one gate cannot open another gate
/// served by another node in the same 30 seconds.
/// </summary>
public static class CodeSteps
{
    public static async Task<bool> TryAcceptAsync(IServiceScopeFactory scopes, long credentialId, long step, CancellationToken ct)
    {
        await using var scope = scopes.CreateSystemScope("spend a phone code's step");
        var db = scope.ServiceProvider.GetRequiredService<ILinliDb>();
        // One statement on both databases: inserted, or moved forward only past the last accepted step.
        var changed = await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO credential_code_steps ("CredentialId", "Step") VALUES ({credentialId}, {step})
            ON CONFLICT ("CredentialId") DO UPDATE SET "Step" = excluded."Step" WHERE credential_code_steps."Step" < excluded."Step"
            """, ct);
        return changed == 1;
    }
}

/// <summary>
/// Refusals in a row per reader (GB 50396): the fifth raises an alarm through the controller's event
/// <see cref="EventName"/>, which the monitoring module's rules turn into a security alarm. Kept per node: a
/// controller's requests reach the node that owns it.
/// </summary>
public sealed class AccessFailures(IngestionPipeline pipeline)
{
    public const string EventName = "access_refused_5";
    readonly ConcurrentDictionary<int, FailureStreak> _streaks = new();

    public int Streak(int gateId) => _streaks.TryGetValue(gateId, out var s) ? s.Count : 0;

    public void Count(DeviceEntry controller, GateEntry gate, bool allowed, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(gate);
        var streak = _streaks.GetOrAdd(gate.View.Id, _ => new FailureStreak());
        bool alarm;
        lock (streak) alarm = streak.Add(allowed);
        if (!alarm) return;
        var text = $"{gate.Name}: {FailureStreak.AlarmAfter} refusals in a row";
        var message = new DeviceMessage(controller.Id, now, [new Reading(EventName, 1, text, IsEvent: true)]);
        // Stored and judged like any event of the controller: the decision does not wait for it.
        _ = pipeline.EnqueueAsync(new IngestBatch([new AcceptedMessage(controller, message)]), CancellationToken.None).AsTask();
    }
}

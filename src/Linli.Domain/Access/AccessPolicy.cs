using Linli.Domain.Common;

namespace Linli.Domain.Access;

/// <summary>A reader's answer: allowed, or refused with the reason staff see in the log.</summary>
public readonly record struct AccessDecision(bool Allowed, DenyReason? Reason)
{
    public static readonly AccessDecision Allow = new(true, null);

    public static AccessDecision Deny(DenyReason reason) => new(false, reason);
}

/// <summary>
/// Whether a credential opens a gate at a moment: the credential usable (active, within its validity), and one of its
/// rights covering the gate at the community's local time. The same rules decide online (the web node's snapshot) and
/// offline (the controller's whitelist carries the same rights and validity).
/// </summary>
public static class AccessPolicy
{
    public static DenyReason? Usable(CredentialView credential, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return credential.Status switch
        {
            CredentialStatus.Suspended => DenyReason.Suspended,
            CredentialStatus.Revoked => DenyReason.Revoked,
            _ when now < credential.ValidFrom => DenyReason.NotYetValid,
            _ when now >= credential.ValidUntil => DenyReason.Expired,
            _ => null,
        };
    }

    public static AccessDecision Decide(CredentialView credential, GateView gate, DateTimeOffset now, TimeZoneInfo? zone = null)
    {
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(gate);
        if (Usable(credential, now) is { } refused) return AccessDecision.Deny(refused);
        return Covers(credential.Grants, gate, now, zone);
    }

    /// <summary>The rights alone: one covering the gate now allows; one covering the gate at other times says "outside hours".</summary>
    public static AccessDecision Covers(IReadOnlyList<AccessGrant> grants, GateView gate, DateTimeOffset now, TimeZoneInfo? zone = null)
    {
        ArgumentNullException.ThrowIfNull(grants);
        // The hours of a right are wall-clock hours where the gate stands.
        var local = TimeZoneInfo.ConvertTime(now, zone ?? ChinaTime.Zone).DateTime;
        var gateCovered = false;
        foreach (var grant in grants)
        {
            if (!grant.Gates.Covers(gate)) continue;
            if (grant.When.Covers(local)) return AccessDecision.Allow;
            gateCovered = true;
        }
        return AccessDecision.Deny(gateCovered ? DenyReason.OutsideHours : DenyReason.NoRightToGate);
    }
}

/// <summary>
/// Consecutive refusals at one reader (GB 50396: an alarm after 5): someone trying cards, or a reader gone wrong. The
/// alarm is raised once, at the fifth; an allowed passage starts the count again.
/// </summary>
public sealed class FailureStreak
{
    public const int AlarmAfter = 5;

    public int Count { get; private set; }

    /// <summary>Counts a decision; true exactly when this refusal is the one that must raise the alarm.</summary>
    public bool Add(bool allowed)
    {
        if (allowed)
        {
            Count = 0;
            return false;
        }
        Count++;
        return Count == AlarmAfter;
    }
}

using Linli.Domain.Common;

namespace Linli.Domain.Access;

/// <summary>
/// A resident's invitation: a visitor, a window of time, the gates, and how many entries. The visitor shows it as a
/// signed code a controller can check without the network; each entry is counted, and a pass used up or past its
/// window is refused with that reason.
/// </summary>
public sealed class VisitorPass : ScopedEntity
{
    public const int VisitorNameMaxLength = 40;
    public const int MaxEntries = 50;
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(7);

    public long Id { get; private set; }
    public int HostResidentId { get; private set; }
    public string VisitorName { get; private set; } = "";
    public string? VisitorPhoneProtected { get; private set; }
    public string? VisitorPhoneMasked { get; private set; }
    public DateTimeOffset ValidFrom { get; private set; }
    public DateTimeOffset ValidUntil { get; private set; }
    public int AllowedEntries { get; private set; }
    public int UsedEntries { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? CancelledAt { get; private set; }
    List<AccessGrant> _grants = [];
    public IReadOnlyList<AccessGrant> Grants => _grants;

    VisitorPass() { }

    public VisitorPass(int hostResidentId, PlaceKeys community, string visitorName, Registry.PhoneNumber? phone, IPersonalDataProtector protector,
        DateTimeOffset from, DateTimeOffset until, int entries, IEnumerable<GateSelector> gates, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(protector);
        DateWindow.Check(from, "validFrom");
        DateWindow.Check(until, "validUntil");
        if (until <= from) throw new DomainException("The pass must end after it starts.", "validUntil");
        if (until - from > MaxWindow) throw new DomainException($"A pass lasts at most {MaxWindow.TotalDays:0} days.", "validUntil");
        if (until <= now) throw new DomainException("The pass would already be over.", "validUntil");
        if (entries is < 1 or > MaxEntries) throw new DomainException($"A pass allows 1 to {MaxEntries} entries.", "entries");
        var selectors = (gates ?? throw new ArgumentNullException(nameof(gates))).ToList();
        if (selectors.Count == 0) throw new DomainException("Choose the gates the visitor may pass.", "gates");
        HostResidentId = hostResidentId;
        PlaceIn(community with { GridId = 0 });
        VisitorName = Names.Check(visitorName, VisitorNameMaxLength, "visitorName");
        VisitorPhoneProtected = phone is null ? null : protector.Protect(phone.Value);
        VisitorPhoneMasked = phone?.Masked;
        ValidFrom = from;
        ValidUntil = until;
        AllowedEntries = entries;
        CreatedAt = now;
        _grants.AddRange(selectors.Select(AccessGrant.AlwaysAt));
    }

    public int RemainingEntries => Math.Max(0, AllowedEntries - UsedEntries);

    /// <summary>
    /// The visitor at a gate: allowed (and counted as an entry when the gate is an entrance) or refused with the reason.
    /// Leaving through a gate is not an entry.
    /// </summary>
    public AccessDecision Admit(GateView gate, DateTimeOffset now, bool entering = true)
    {
        ArgumentNullException.ThrowIfNull(gate);
        if (CancelledAt is not null) return AccessDecision.Deny(DenyReason.Revoked);
        if (now < ValidFrom) return AccessDecision.Deny(DenyReason.NotYetValid);
        if (now >= ValidUntil) return AccessDecision.Deny(DenyReason.Expired);
        var covered = AccessPolicy.Covers(_grants, gate, now);
        if (!covered.Allowed) return covered;
        if (!entering) return AccessDecision.Allow;
        if (RemainingEntries == 0) return AccessDecision.Deny(DenyReason.PassUsedUp);
        UsedEntries++;
        return AccessDecision.Allow;
    }

    public void Cancel(DateTimeOffset now)
    {
        if (CancelledAt is not null) throw new ConflictException("The pass is already cancelled.");
        CancelledAt = now;
    }
}

using Linli.Domain.Common;

namespace Linli.Domain.Access;

/// <summary>Something about a credential changed that readers must learn: the snapshot is rebuilt and offline whitelists get a delta.</summary>
public sealed record CredentialChanged(long CredentialId, int CommunityId, CredentialStatus Status, DateTimeOffset At) : IDomainEvent;

/// <summary>What a decision needs of a credential: kept in the in-memory snapshot.</summary>
public sealed record CredentialView(long Id, CredentialKind Kind, HolderKind Holder, CredentialStatus Status, DateTimeOffset? ValidFrom,
    DateTimeOffset? ValidUntil, IReadOnlyList<AccessGrant> Grants);

/// <summary>
/// One credential of one holder: a card (its UID kept only as a keyed hash), a phone code (its secret kept encrypted) or
/// a plate. It is usable while active and within its validity (a tenant's ends with the lease, a contractor's with the
/// work order); a lost one is suspended at once and either reinstated when found or revoked when replaced.
/// </summary>
public sealed class Credential : ScopedEntity, IHasDomainEvents
{
    public const int HolderNameMaxLength = 40;
    public const int ReasonMaxLength = 200;
    public const int IdentifierMaxLength = 64;

    public long Id { get; private set; }
    public CredentialKind Kind { get; private set; }
    public HolderKind Holder { get; private set; }
    /// <summary>The resident it belongs to, for residents (move-out revokes it).</summary>
    public int? ResidentId { get; private set; }
    /// <summary>The name shown in the access log and on staff pages.</summary>
    public string HolderName { get; private set; } = "";
    /// <summary>
    /// How a reader's input finds it: a card's UID as a keyed hash, a plate as written on it (normalized); for a phone
    /// code the credential's own id is in the code, and this is empty.
    /// </summary>
    public string Identifier { get; private set; } = "";
    /// <summary>
    /// What an offline controller needs to check it without asking: a card's UID (controllers read UIDs) or a phone code's
    /// secret, encrypted at rest and sent only in a controller's whitelist.
    /// </summary>
    public string? SecretProtected { get; private set; }
    public CredentialStatus Status { get; private set; }
    public DateTimeOffset IssuedAt { get; private set; }
    public DateTimeOffset? ValidFrom { get; private set; }
    public DateTimeOffset? ValidUntil { get; private set; }
    public DateTimeOffset? StatusChangedAt { get; private set; }
    public string? StatusReason { get; private set; }
    /// <summary>The credential that replaced this one (a new card for a lost one).</summary>
    public long? ReplacedById { get; private set; }

    List<AccessGrant> _grants = [];
    public IReadOnlyList<AccessGrant> Grants => _grants;

    bool _changed;

    Credential() { }

    public Credential(CredentialKind kind, HolderKind holder, string holderName, PlaceKeys community, string identifier, string? secretProtected,
        IEnumerable<AccessGrant> grants, DateTimeOffset now, int? residentId = null, DateTimeOffset? validFrom = null, DateTimeOffset? validUntil = null)
    {
        if (holder == HolderKind.Resident && residentId is null) throw new DomainException("A resident's credential names the resident.", "residentId");
        if (kind == CredentialKind.PhoneQr ? string.IsNullOrEmpty(secretProtected) : string.IsNullOrWhiteSpace(identifier))
            throw new DomainException(kind == CredentialKind.Card ? "Give the card's number." : "Give the plate.", kind == CredentialKind.Card ? "cardUid" : "plate");
        if (kind == CredentialKind.Card && string.IsNullOrEmpty(secretProtected)) throw new DomainException("Give the card's number.", "cardUid");
        if (identifier.Length > IdentifierMaxLength) throw new DomainException("The card or plate is too long.", kind == CredentialKind.Card ? "cardUid" : "plate");
        if (validFrom is { } f) DateWindow.Check(f, "validFrom");
        if (validUntil is { } u) DateWindow.Check(u, "validUntil");
        if (validFrom >= validUntil) throw new DomainException("The credential must end after it starts.", "validUntil");
        Kind = kind;
        Holder = holder;
        HolderName = Names.Check(holderName, HolderNameMaxLength, "holderName");
        PlaceIn(community with { GridId = 0 });
        Identifier = kind == CredentialKind.PhoneQr ? "" : identifier;
        SecretProtected = kind == CredentialKind.Plate ? null : secretProtected;
        ResidentId = residentId;
        ValidFrom = validFrom;
        ValidUntil = validUntil;
        IssuedAt = now;
        Status = CredentialStatus.Active;
        _grants.AddRange(grants ?? throw new ArgumentNullException(nameof(grants)));
        if (_grants.Count == 0) throw new DomainException("A credential opens at least one gate.", "grants");
        _changed = true;
    }

    public CredentialView View => new(Id, Kind, Holder, Status, ValidFrom, ValidUntil, _grants.ToList());

    /// <summary>Reported lost: refused everywhere from now on, until found (<see cref="Reinstate"/>) or replaced.</summary>
    public void Suspend(string reason, DateTimeOffset now)
    {
        if (Status != CredentialStatus.Active) throw new ConflictException(Status == CredentialStatus.Revoked ? "The credential is revoked." : "The credential is already suspended.");
        SetStatus(CredentialStatus.Suspended, reason, now);
    }

    /// <summary>Found again: usable as before.</summary>
    public void Reinstate(DateTimeOffset now)
    {
        if (Status != CredentialStatus.Suspended) throw new ConflictException("Only a suspended credential can be reinstated.");
        SetStatus(CredentialStatus.Active, null, now);
    }

    /// <summary>For good: replaced, the holder moved out, or withdrawn by staff.</summary>
    public void Revoke(string reason, DateTimeOffset now, long? replacedBy = null)
    {
        if (Status == CredentialStatus.Revoked) throw new ConflictException("The credential is already revoked.");
        SetStatus(CredentialStatus.Revoked, reason, now);
        ReplacedById = replacedBy;
    }

    /// <summary>The rights change (a contractor's dates from a work order, a resident's new unit).</summary>
    public void SetGrants(IEnumerable<AccessGrant> grants, DateTimeOffset now)
    {
        if (Status == CredentialStatus.Revoked) throw new ConflictException("The credential is revoked.");
        var list = (grants ?? throw new ArgumentNullException(nameof(grants))).ToList();
        if (list.Count == 0) throw new DomainException("A credential opens at least one gate.", "grants");
        _grants.Clear();
        _grants.AddRange(list);
        StatusChangedAt = now;
        _changed = true;
    }

    /// <summary>A new end of validity (a lease extended, or ended early).</summary>
    public void EndAt(DateTimeOffset? until, DateTimeOffset now)
    {
        if (until is { } u) DateWindow.Check(u, "validUntil");
        if (until <= ValidFrom) throw new DomainException("The credential must end after it starts.", "validUntil");
        ValidUntil = until;
        StatusChangedAt = now;
        _changed = true;
    }

    void SetStatus(CredentialStatus status, string? reason, DateTimeOffset now)
    {
        var trimmed = string.IsNullOrWhiteSpace(reason) ? null : StorableText.Check(reason, "reason")!.Trim();
        if (trimmed?.Length > ReasonMaxLength) throw new DomainException($"A reason is at most {ReasonMaxLength} characters.", "reason");
        Status = status;
        StatusReason = trimmed;
        StatusChangedAt = now;
        _changed = true;
    }

    public bool HasPendingEvents => _changed;

    public IReadOnlyList<IDomainEvent> TakeEvents()
    {
        if (!_changed) return [];
        _changed = false;
        return [new CredentialChanged(Id, CommunityId, Status, StatusChangedAt ?? IssuedAt)];
    }
}

using Linli.Domain.Common;
using Linli.Domain.Registry;

namespace Linli.Domain.Identity;

/// <summary>A staff member's or resident's account: one role held at one node of the hierarchy.</summary>
public sealed class UserAccount
{
    public const int UserNameMaxLength = 40;
    public const int MaxFailedSignIns = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);

    public int Id { get; private set; }
    public string UserName { get; private set; } = "";
    public string DisplayName { get; private set; } = "";
    public string PasswordHash { get; private set; } = "";
    public Role Role { get; private set; }
    public int NodeId { get; private set; }
    public int? ResidentId { get; private set; }
    public int? OrganizationId { get; private set; }
    public string? PhoneIndex { get; private set; }
    public string? PhoneProtected { get; private set; }
    public int FailedSignIns { get; private set; }
    public DateTimeOffset? LockedUntil { get; private set; }

    UserAccount() { }

    public UserAccount(string userName, string displayName, Role role, HierarchyNode node, int? residentId = null, int? organizationId = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (string.IsNullOrWhiteSpace(userName) || userName.Length > UserNameMaxLength) throw new DomainException("User name is required.", "userName");
        if (role.HeldAt() is { } kind && kind != node.Kind) throw new DomainException($"Role {role} is held at a {kind} node, not a {node.Kind}.", "nodeId");
        if (role == Role.Resident && residentId is null) throw new DomainException("A resident account belongs to a registered resident.", "residentId");
        UserName = userName.Trim().ToLowerInvariant();
        DisplayName = displayName;
        Role = role;
        NodeId = node.Id;
        ResidentId = residentId;
        OrganizationId = organizationId;
    }

    public void SetPasswordHash(string hash) => PasswordHash = hash;

    public void SetPhone(PhoneNumber phone, IPersonalDataProtector protector)
    {
        ArgumentNullException.ThrowIfNull(phone);
        ArgumentNullException.ThrowIfNull(protector);
        PhoneIndex = protector.BlindIndex(phone.Value);
        PhoneProtected = protector.Protect(phone.Value);
    }

    public bool IsLockedOut(DateTimeOffset now) => LockedUntil is { } until && until > now;

    public void RecordFailedSignIn(DateTimeOffset now)
    {
        FailedSignIns++;
        if (FailedSignIns >= MaxFailedSignIns)
        {
            LockedUntil = now + LockoutDuration;
            FailedSignIns = 0;
        }
    }

    public void RecordSuccessfulSignIn()
    {
        FailedSignIns = 0;
        LockedUntil = null;
    }
}

/// <summary>Who saw or changed whose personal data, and when. Append-only.</summary>
public sealed class AuditEntry : ScopedEntity
{
    public long Id { get; private set; }
    public DateTimeOffset At { get; private set; }
    public int UserId { get; private set; }
    public string UserName { get; private set; } = "";
    public string Action { get; private set; } = "";
    public string SubjectType { get; private set; } = "";
    public int SubjectId { get; private set; }
    public string? Detail { get; private set; }

    AuditEntry() { }

    public AuditEntry(DateTimeOffset at, int userId, string userName, string action, ScopedEntity subject, string subjectType, int subjectId, string? detail)
    {
        At = at;
        UserId = userId;
        UserName = userName;
        Action = action;
        SubjectType = subjectType;
        SubjectId = subjectId;
        Detail = detail;
        PlaceIn(subject);
    }
}

/// <summary>A one-time sign-in code sent by SMS; only its hash is stored.</summary>
public sealed class OneTimeCode
{
    public const int MaxAttempts = 5;
    public int Id { get; private set; }
    public string PhoneIndex { get; private set; } = "";
    public string CodeHash { get; private set; } = "";
    public DateTimeOffset ExpiresAt { get; private set; }
    public int Attempts { get; private set; }
    public bool Used { get; private set; }

    OneTimeCode() { }

    public OneTimeCode(string phoneIndex, string codeHash, DateTimeOffset expiresAt)
    {
        PhoneIndex = phoneIndex;
        CodeHash = codeHash;
        ExpiresAt = expiresAt;
    }

    /// <summary>True once, for the right code before expiry and within the attempt limit.</summary>
    public bool TryRedeem(string codeHash, DateTimeOffset now)
    {
        if (Used || now > ExpiresAt || Attempts >= MaxAttempts) return false;
        Attempts++;
        if (!string.Equals(codeHash, CodeHash, StringComparison.Ordinal)) return false;
        Used = true;
        return true;
    }
}

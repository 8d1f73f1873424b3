using Linli.Domain.Common;

namespace Linli.Domain.Alarms;

/// <summary>
/// Which alarms reach a user and how. Without a row a user gets every alarm escalated to them live and major or worse by
/// SMS. A critical alarm escalated to someone always reaches them live: nobody can mute an SOS meant for them.
/// </summary>
public sealed class NotificationPreference
{
    public const int MutedKindsMaxLength = 200;

    public int UserId { get; private set; }
    /// <summary>Lowest severity shown live in the browser; null = none (except critical ones escalated to the user).</summary>
    public AlarmSeverity? LiveMinSeverity { get; private set; }
    /// <summary>Lowest severity sent by SMS; null = no SMS.</summary>
    public AlarmSeverity? SmsMinSeverity { get; private set; }
    /// <summary>Kinds the user does not want to hear about (comma-separated <see cref="AlarmKind"/> names).</summary>
    public string MutedKinds { get; private set; } = "";
    public DateTimeOffset UpdatedAt { get; private set; }

    NotificationPreference() { }

    public NotificationPreference(int userId) => UserId = userId;

    public static NotificationPreference Default(int userId) =>
        new(userId) { LiveMinSeverity = AlarmSeverity.Warning, SmsMinSeverity = AlarmSeverity.Major };

    public void Set(AlarmSeverity? live, AlarmSeverity? sms, IEnumerable<AlarmKind> muted, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(muted);
        LiveMinSeverity = live;
        SmsMinSeverity = sms;
        MutedKinds = string.Join(',', muted.Distinct().Order());
        UpdatedAt = now;
    }

    public IReadOnlySet<AlarmKind> Muted => MutedKinds.Split(',', StringSplitOptions.RemoveEmptyEntries)
        .Select(k => Enum.TryParse<AlarmKind>(k, out var v) ? v : (AlarmKind?)null).OfType<AlarmKind>().ToHashSet();

    public bool WantsLive(AlarmSeverity severity, AlarmKind kind, bool escalatedToMe) =>
        (escalatedToMe && severity == AlarmSeverity.Critical)
        || (LiveMinSeverity is { } min && severity >= min && !Muted.Contains(kind));

    public bool WantsSms(AlarmSeverity severity, AlarmKind kind) =>
        SmsMinSeverity is { } min && severity >= min && !Muted.Contains(kind);
}

/// <summary>
/// An outside system (a street platform, a family's app, a vendor) that receives alarms as signed HTTP POSTs. The signing
/// secret is kept encrypted (it must be read back to sign), and each webhook is delivered on its own so one slow or
/// failing receiver never delays another.
/// </summary>
public sealed class Webhook : ScopedEntity
{
    public const int NameMaxLength = 60;
    public const int UrlMaxLength = 400;

    public int Id { get; private set; }
    public string Name { get; private set; } = "";
    public string Url { get; private set; } = "";
    public string SecretProtected { get; private set; } = "";
    public AlarmSeverity MinSeverity { get; private set; }
    public bool Active { get; private set; } = true;
    public DateTimeOffset CreatedAt { get; private set; }
    public int ConsecutiveFailures { get; private set; }
    public DateTimeOffset? LastDeliveredAt { get; private set; }
    public string? LastError { get; private set; }

    /// <summary>
    /// The web node delivering to this receiver now, and until when its claim holds. One node at a time per receiver, so
    /// with several nodes a delivery still goes out once and deliveries keep their order; a node that dies loses its claim
    /// when the time runs out.
    /// </summary>
    public string? DeliveringBy { get; private set; }
    public DateTimeOffset? DeliveringUntil { get; private set; }
    public const int NodeMaxLength = 80;

    Webhook() { }

    /// <summary>A webhook kept at a node (pass its scope keys, zeros below the node's level).</summary>
    public Webhook(int districtId, int streetId, int communityId, string name, string url, AlarmSeverity minSeverity,
        string secret, IPersonalDataProtector protector, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(protector);
        PlaceIn(new PlaceKeys(districtId, streetId, communityId, 0));
        name = (name ?? "").Trim();
        if (name.Length == 0 || name.Length > NameMaxLength) throw new DomainException($"Name is required, at most {NameMaxLength} characters.", "name");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || url.Length > UrlMaxLength)
            throw new DomainException("The URL must be an absolute http or https address.", "url");
        Name = name;
        Url = uri.ToString();
        MinSeverity = minSeverity;
        SecretProtected = protector.Protect(secret);
        CreatedAt = now;
    }

    public void Deactivate() => Active = false;

    public void Delivered(DateTimeOffset at)
    {
        ConsecutiveFailures = 0;
        LastDeliveredAt = at;
        LastError = null;
    }

    public void Failed(string error)
    {
        ConsecutiveFailures++;
        LastError = error.Length <= 200 ? error : error[..200];
    }
}

/// <summary>One message waiting for (or done with) delivery to one webhook: an outbox row, retried with back-off.</summary>
public sealed class WebhookDelivery
{
    public const int MaxAttempts = 8;

    public long Id { get; private set; }
    public int WebhookId { get; private set; }
    public string EventType { get; private set; } = "";
    public string Payload { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }
    public int Attempts { get; private set; }
    public DateTimeOffset NextAttemptAt { get; private set; }
    public DateTimeOffset? DeliveredAt { get; private set; }
    public int? LastStatus { get; private set; }
    public string? LastError { get; private set; }

    WebhookDelivery() { }

    public WebhookDelivery(int webhookId, string eventType, string payload, DateTimeOffset now)
    {
        WebhookId = webhookId;
        EventType = eventType;
        Payload = payload;
        CreatedAt = now;
        NextAttemptAt = now;
    }

    public bool GaveUp => DeliveredAt is null && Attempts >= MaxAttempts;

    public void Succeeded(int status, DateTimeOffset now)
    {
        Attempts++;
        LastStatus = status;
        DeliveredAt = now;
        LastError = null;
    }

    /// <summary>Backs off 5 s, 10 s, 20 s … up to an hour between attempts.</summary>
    public void FailedAttempt(int? status, string error, DateTimeOffset now)
    {
        Attempts++;
        LastStatus = status;
        LastError = error.Length <= 200 ? error : error[..200];
        NextAttemptAt = now.AddSeconds(Math.Min(3600, 5 * Math.Pow(2, Attempts - 1)));
    }
}

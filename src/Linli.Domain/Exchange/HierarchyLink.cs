using Linli.Domain.Common;

namespace Linli.Domain.Exchange;

/// <summary>
/// The link to the higher platform (the city's or district's government platform) as the web nodes share it: which node
/// is pushing to it now and until when that claim holds, and when the next statistics are due. One row per link; the
/// claim is taken with a conditional UPDATE, so two nodes never push at the same time and pushes keep their order.
/// </summary>
public sealed class HierarchyLink
{
    public const int NameMaxLength = 40;
    public const int NodeMaxLength = 80;
    /// <summary>The one link an installation has (configured under <c>Linli:Exchange:Upstream</c>).</summary>
    public const string Upstream = "upstream";

    public string Name { get; private set; } = "";
    public string? PushingBy { get; private set; }
    public DateTimeOffset? PushingUntil { get; private set; }
    /// <summary>When the statistics of every community are next pushed; moved on by the node that takes them.</summary>
    public DateTimeOffset StatisticsDueAt { get; private set; }

    HierarchyLink() { }

    public HierarchyLink(string name, DateTimeOffset statisticsDueAt)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > NameMaxLength) throw new DomainException("A link needs a short name.", "name");
        Name = name;
        StatisticsDueAt = statisticsDueAt;
    }
}

/// <summary>
/// One signed message for the higher platform (a case step, an alarm step, a community's statistics), waiting for or done
/// with delivery: a row of the upward outbox. <see cref="Payload"/> is the message exactly as it is sent every time, so
/// the receiver sees the same <see cref="MessageId"/> and body on a retry and keeps the first. Rows of one
/// <see cref="Subject"/> go out in the order they were written; a failed one holds those behind it until it is through.
/// </summary>
public sealed class UpstreamPush : ScopedEntity
{
    public const int MessageIdMaxLength = 36;
    public const int TypeMaxLength = 40;
    public const int SubjectMaxLength = 60;
    public const int ErrorMaxLength = 200;

    public long Id { get; private set; }
    public string MessageId { get; private set; } = "";
    public string Type { get; private set; } = "";
    /// <summary>What the message is about, e.g. <c>case:17</c>, <c>alarm:4</c>, <c>community:3301990101</c>: its order holds per subject.</summary>
    public string Subject { get; private set; } = "";
    public string Payload { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }
    public int Attempts { get; private set; }
    public DateTimeOffset NextAttemptAt { get; private set; }
    public DateTimeOffset? DeliveredAt { get; private set; }
    public int? LastStatus { get; private set; }
    public string? LastError { get; private set; }

    UpstreamPush() { }

    /// <summary>A message about a place (its scope keys: who may read it in the push log).</summary>
    public UpstreamPush(PlaceKeys place, string messageId, string type, string subject, string payload, DateTimeOffset now)
    {
        PlaceIn(place);
        if (string.IsNullOrEmpty(messageId) || messageId.Length > MessageIdMaxLength) throw new ArgumentException("A message id is 1–36 characters.", nameof(messageId));
        if (string.IsNullOrEmpty(type) || type.Length > TypeMaxLength) throw new ArgumentException("A message type is 1–40 characters.", nameof(type));
        if (string.IsNullOrEmpty(subject) || subject.Length > SubjectMaxLength) throw new ArgumentException("A subject is 1–60 characters.", nameof(subject));
        MessageId = messageId;
        Type = type;
        Subject = subject;
        Payload = payload ?? throw new ArgumentNullException(nameof(payload));
        CreatedAt = now;
        NextAttemptAt = now;
    }

    public void Succeeded(int status, DateTimeOffset now)
    {
        Attempts++;
        LastStatus = status;
        LastError = null;
        DeliveredAt = now;
    }

    /// <summary>
    /// The receiver did not take it: tried again after <paramref name="firstRetry"/>, doubling with every attempt up to
    /// <paramref name="maxRetry"/>. Never given up: a higher platform that is down for a day gets everything the next day.
    /// </summary>
    public void Failed(int? status, string error, DateTimeOffset now, TimeSpan firstRetry, TimeSpan maxRetry)
    {
        ArgumentNullException.ThrowIfNull(error);
        Attempts++;
        LastStatus = status;
        LastError = error.Length <= ErrorMaxLength ? error : error[..ErrorMaxLength];
        var wait = firstRetry.TotalSeconds * Math.Pow(2, Math.Min(Attempts - 1, 30));
        NextAttemptAt = now.AddSeconds(Math.Min(wait, maxRetry.TotalSeconds));
    }
}

/// <summary>
/// A message the higher platform sent down (a task, a notice), kept by its id so that the same message sent again is
/// answered as the first time and creates nothing twice. Remembers what it became (the case, the notice) and the higher
/// platform's own reference, which goes back up with the case's outcome.
/// </summary>
public sealed class InboundMessage : ScopedEntity
{
    public const int MessageIdMaxLength = 64;
    public const int ReferenceMaxLength = 64;

    public string MessageId { get; private set; } = "";
    public string Type { get; private set; } = "";
    public string Reference { get; private set; } = "";
    /// <summary>Lower-case hex SHA-256 of the body: the same id with another body is a conflict, not a repeat.</summary>
    public string BodyHash { get; private set; } = "";
    public DateTimeOffset ReceivedAt { get; private set; }
    public long? CaseId { get; private set; }
    public int? NoticeId { get; private set; }

    InboundMessage() { }

    public InboundMessage(PlaceKeys place, string messageId, string type, string reference, string bodyHash, DateTimeOffset now)
    {
        PlaceIn(place);
        MessageId = messageId;
        Type = type;
        Reference = reference;
        BodyHash = bodyHash;
        ReceivedAt = now;
    }

    public void BecameCase(long caseId) => CaseId = caseId;

    public void BecameNotice(int noticeId) => NoticeId = noticeId;
}

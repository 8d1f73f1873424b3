using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Linli.Application.Exchange.Hierarchy;

/// <summary>
/// The link with the higher platform, from <c>Linli:Exchange:Upstream</c>. Off unless a key is set: an embedded
/// installation talks to nobody above it. With a key, signed tasks and notices are taken; with a URL too, cases, alarms
/// and statistics are pushed.
/// </summary>
public sealed class ExchangeOptions
{
    /// <summary>Where messages for the higher platform are POSTed.</summary>
    public string? Url { get; set; }
    /// <summary>Names the shared key in <c>X-Linli-Key-Id</c>, both ways.</summary>
    public string KeyId { get; set; } = "linli";
    /// <summary>The shared HMAC key of the link (at least 32 characters).</summary>
    public string? Key { get; set; }
    /// <summary>This installation's code in the envelope's <c>source</c> (e.g. the district's administrative code).</summary>
    public string Source { get; set; } = "linli";
    /// <summary>How the higher platform is named on the cases and notices it sends down.</summary>
    public string Name { get; set; } = "上级平台";
    /// <summary>Category of a task that names none.</summary>
    public string DefaultTaskCategory { get; set; } = "patrol";
    /// <summary>How often every community's statistics are pushed.</summary>
    public double StatisticsIntervalMinutes { get; set; } = 24 * 60;
    /// <summary>How far a signed timestamp may be from our clock, either way; older messages are replays.</summary>
    public double TimestampWindowSeconds { get; set; } = 300;
    /// <summary>The wait after a first failed push; it doubles with every attempt up to <see cref="MaxRetrySeconds"/>.</summary>
    public double RetrySeconds { get; set; } = 5;
    public double MaxRetrySeconds { get; set; } = 600;
    public double TimeoutSeconds { get; set; } = 10;
    /// <summary>How often pushes due for a retry are looked for when nothing new woke the dispatcher.</summary>
    public double PollSeconds { get; set; } = 2;
    public int BatchSize { get; set; } = 100;

    public const int MinKeyLength = 32;

    public bool Enabled => !string.IsNullOrEmpty(Key) && Key.Length >= MinKeyLength;

    public bool Pushes => Enabled && Uri.TryCreate(Url, UriKind.Absolute, out var u) && u.Scheme is "http" or "https";
}

/// <summary>The message types of exchange version 1 (docs/exchange.md, docs/exchange/v1/*.schema.json).</summary>
public static class ExchangeTypes
{
    public const string Version = "1";
    public const string CaseCreated = "case.created";
    public const string CaseEscalated = "case.escalated";
    public const string CaseClosed = "case.closed";
    public const string AlarmRaised = "alarm.raised";
    public const string AlarmEscalated = "alarm.escalated";
    public const string AlarmAcknowledged = "alarm.acknowledged";
    public const string AlarmCleared = "alarm.cleared";
    public const string AlarmClosed = "alarm.closed";
    public const string Statistics = "statistics.community";
    public const string Task = "task";
    public const string Notice = "notice";
}

/// <summary>
/// Every message, both ways: which version of the exchange, its id (the receiver keeps each id once), its type, what it
/// is about (order holds per subject), who sent it, when it happened, and the type's data.
/// </summary>
public sealed record ExchangeEnvelope<T>(string Version, string Id, string Type, string Subject, string Source, DateTimeOffset OccurredAt, T Data);

/// <summary>A step up the hierarchy as the higher platform reads it.</summary>
public sealed record EscalationData(DateTimeOffset At, string ToLevel, string? Reason, bool ByPlatform);

/// <summary>The data of <c>case.*</c>. <see cref="TaskReference"/>: the higher platform's own reference when the case is a task it sent down.</summary>
public sealed record CaseData(long CaseId, string Title, string CategoryCode, string Kind, string Source, string Status, string Level,
    string CommunityCode, string CommunityName, string Address, DateTimeOffset ReportedAt, DateTimeOffset? HandledAt, DateTimeOffset? ClosedAt,
    string? Outcome, string? Resolution, string? RejectReason, int? Rating, bool SlaBreached, IReadOnlyList<EscalationData> Escalations,
    string? TaskReference);

/// <summary>The data of <c>alarm.*</c>: no personal data (an alarm about a person is titled by its kind), no detail.</summary>
public sealed record AlarmData(long AlarmId, string Kind, string Severity, string Status, string Title, string Place, string CommunityCode,
    string CommunityName, string Level, int RepeatCount, DateTimeOffset RaisedAt, DateTimeOffset? AcknowledgedAt, DateTimeOffset? ClearedAt,
    DateTimeOffset? ClosedAt, long? CaseId);

/// <summary>The data of <c>statistics.community</c>: the registry's figures of one community on a day.</summary>
public sealed record StatisticsData(string CommunityCode, string CommunityName, string StreetCode, DateOnly AsOf, int Residents, int Households,
    int Rooms, int VacantRooms, IReadOnlyDictionary<string, int> ByLabel);

/// <summary>The data of a <c>task</c> the higher platform sends down.</summary>
public sealed record TaskData(string? Reference, string? CommunityCode, string? CategoryCode, string? Title, string? Description, string? Address,
    double? Latitude, double? Longitude);

/// <summary>The data of a <c>notice</c> the higher platform sends down, for a district, street or community (<see cref="PlaceCode"/>).</summary>
public sealed record NoticeData(string? Reference, string? PlaceCode, string? Title, string? Body, bool? Urgent, bool? Pinned,
    DateTimeOffset? PublishAt, DateTimeOffset? ExpiresAt, IReadOnlyList<string>? Groups);

/// <summary>What a task or notice became; the same answer every time the same message comes.</summary>
public sealed record InboundAnswer(string MessageId, string Type, string Reference, string Status, long? CaseId, int? NoticeId);

/// <summary>The signature both ways: HMAC-SHA256 over the timestamp, the nonce and the body's bytes.</summary>
public static class ExchangeSigning
{
    public const string KeyIdHeader = "X-Linli-Key-Id";
    public const string TimestampHeader = "X-Linli-Timestamp";
    public const string NonceHeader = "X-Linli-Nonce";
    public const string SignatureHeader = "X-Linli-Signature";
    public const string MessageIdHeader = "X-Linli-Message-Id";
    public const string MessageTypeHeader = "X-Linli-Message-Type";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary><c>sha256=</c> + lower-case hex of HMAC-SHA256(key, timestamp + "\n" + nonce + "\n" + body).</summary>
    public static string Sign(string key, string timestamp, string nonce, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(key);
        var head = Encoding.UTF8.GetBytes($"{timestamp}\n{nonce}\n");
        var message = new byte[head.Length + body.Length];
        head.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(head.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), message));
    }

    public static string NewNonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static string Timestamp(DateTimeOffset now) => now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>Why a signed request is not trusted, or null when it is: wrong key, a timestamp outside the window (a replay), a bad signature.</summary>
    public static string? Problem(ExchangeOptions options, string? keyId, string? timestamp, string? nonce, string? signature, ReadOnlySpan<byte> body,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled) return "No higher platform is linked to this installation.";
        if (string.IsNullOrEmpty(keyId) || !FixedTimeEquals(keyId, options.KeyId)) return $"Unknown key: {KeyIdHeader}.";
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 253402300799)
            return $"{TimestampHeader} must be Unix seconds.";
        if (Math.Abs((now - DateTimeOffset.FromUnixTimeSeconds(seconds)).TotalSeconds) > options.TimestampWindowSeconds)
            return $"{TimestampHeader} is outside the accepted window of {options.TimestampWindowSeconds:0} s: sign the message again with the current time.";
        if (string.IsNullOrEmpty(nonce) || nonce.Length is < 16 or > 64 || !nonce.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            return $"{NonceHeader} must be 16–64 letters, digits, '-' or '_'.";
        if (string.IsNullOrEmpty(signature) || !FixedTimeEquals(signature, Sign(options.Key!, timestamp!, nonce, body)))
            return $"{SignatureHeader} does not match the body.";
        return null;
    }

    static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    /// <summary>A message id that is the same every time the same step is turned into a message (a redelivered event).</summary>
    public static string StableId(string type, string subject, DateTimeOffset at, string detail)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{type}|{subject}|{at.UtcTicks}|{detail}"));
        // Shaped as a UUID (version 8, "custom"), so the receiver can store it as one.
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString();
    }
}

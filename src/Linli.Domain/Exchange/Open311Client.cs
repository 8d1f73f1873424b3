using System.Security.Cryptography;
using System.Text;
using Linli.Domain.Common;

namespace Linli.Domain.Exchange;

/// <summary>
/// An outside app (a city's 12345 hotline app, a civic reporting app) allowed to file reports through Open311. Its API key
/// is shown once when it is issued; only the key's SHA-256 is kept, so a stolen database gives no working key.
/// </summary>
public sealed class Open311Client
{
    public const int NameMaxLength = 60;
    public const int KeyPrefixLength = 8;
    public const int MaxDailyLimit = 100_000;

    public int Id { get; private set; }
    public string Name { get; private set; } = "";
    /// <summary>Lower-case hex SHA-256 of the key.</summary>
    public string KeyHash { get; private set; } = "";
    /// <summary>The key's first characters, so staff can tell keys apart in a list without seeing them.</summary>
    public string KeyPrefix { get; private set; } = "";
    public bool Active { get; private set; } = true;
    /// <summary>Reports this client may file per day (China time).</summary>
    public int DailyLimit { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public int CreatedByUserId { get; private set; }
    public DateTimeOffset? RevokedAt { get; private set; }
    /// <summary>The day <see cref="UsedToday"/> counts; a new day starts the count again.</summary>
    public DateOnly? UsedOn { get; private set; }
    public int UsedToday { get; private set; }
    public DateTimeOffset? LastUsedAt { get; private set; }

    Open311Client() { }

    /// <summary>A new client and its key; the key exists only in the returned tuple.</summary>
    public static (Open311Client Client, string Key) Issue(string? name, int dailyLimit, int createdByUserId, DateTimeOffset now)
    {
        name = (name ?? "").Trim();
        if (name.Length == 0 || name.Length > NameMaxLength) throw new DomainException("Name the app (at most 60 characters).", "name");
        if (dailyLimit is < 1 or > MaxDailyLimit) throw new DomainException("The daily limit is 1 to 100,000 reports.", "dailyLimit");
        var key = "o311_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var client = new Open311Client
        {
            Name = name,
            KeyHash = Hash(key),
            KeyPrefix = key[..KeyPrefixLength],
            DailyLimit = dailyLimit,
            CreatedAt = now,
            CreatedByUserId = createdByUserId,
        };
        return (client, key);
    }

    public static string Hash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    /// <summary>The key stops working at once; the client stays listed, and its reports keep its name.</summary>
    public void Revoke(DateTimeOffset now)
    {
        if (!Active) return;
        Active = false;
        RevokedAt = now;
    }
}

/// <summary>
/// What an Open311 client sent with a report beyond the case itself: the client's own account id for the reporter and a
/// link to media the client keeps. One row per case filed through Open311.
/// </summary>
public sealed class Open311Submission
{
    public const int AccountIdMaxLength = 60;
    public const int MediaUrlMaxLength = 500;

    public long CaseId { get; private set; }
    public int ClientId { get; private set; }
    public string? AccountId { get; private set; }
    public string? MediaUrl { get; private set; }
    public DateTimeOffset SubmittedAt { get; private set; }

    Open311Submission() { }

    public Open311Submission(long caseId, int clientId, string? accountId, string? mediaUrl, DateTimeOffset submittedAt)
    {
        if (accountId?.Length > AccountIdMaxLength) throw new DomainException("account_id is at most 60 characters.", "account_id");
        if (mediaUrl?.Length > MediaUrlMaxLength) throw new DomainException("media_url is at most 500 characters.", "media_url");
        CaseId = caseId;
        ClientId = clientId;
        AccountId = accountId;
        MediaUrl = mediaUrl;
        SubmittedAt = submittedAt;
    }
}

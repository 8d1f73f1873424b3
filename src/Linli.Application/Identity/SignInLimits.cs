using Linli.Application.Common;
using Linli.Domain.Common;
using Microsoft.Extensions.Options;

namespace Linli.Application.Identity;

public sealed class SignInLimitOptions
{
    /// <summary>Sign-in attempts one client address may make per minute, across all web nodes together.</summary>
    public int PermitPerMinute { get; set; } = 20;
}

/// <summary>Counts a client's sign-in attempts in the current minute where every web node sees the same count.</summary>
public interface ISignInCounter
{
    /// <summary>Adds one attempt for <paramref name="client"/> in the minute starting at <paramref name="window"/>; returns the attempts so far.</summary>
    Task<int> AddAsync(ILinliDb db, string client, DateTimeOffset window, CancellationToken ct);
}

/// <summary>
/// The sign-in limit per client address and minute, kept in the database: with three web nodes behind a load balancer a
/// password guesser gets the limit once, not once per node. (The per-account lock-out after repeated failures is the
/// account's own and is kept on it.)
/// </summary>
public sealed class SignInLimits(ILinliDb db, ISignInCounter counter, TimeProvider time, IOptions<SignInLimitOptions> options)
{
    public const int ClientMaxLength = 64;

    public async Task TakeAsync(string? client, CancellationToken ct)
    {
        var key = string.IsNullOrEmpty(client) ? "local" : client.Length > ClientMaxLength ? client[..ClientMaxLength] : client;
        var now = time.GetUtcNow().ToUniversalTime();
        var window = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
        var attempts = await counter.AddAsync(db, key, window, ct);
        if (attempts > options.Value.PermitPerMinute)
            throw new LimitExceededException("Too many sign-in attempts from this address. Wait a minute and try again.");
    }
}

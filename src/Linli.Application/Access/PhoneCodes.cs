using System.Globalization;
using System.Security.Cryptography;
using Linli.Domain.Access;
using OtpNet;

namespace Linli.Application.Access;

/// <summary>
/// The rotating code a resident's phone shows in place of a card (issue 12): <c>LQ1.{credential}.{code}</c>, where the
/// code is a time-based one-time password (RFC 6238: HMAC-SHA256 over the 30-second step, 8 digits) from the credential's
/// own secret. A reader accepts the current step and the one before (a code shown just as the step turned), each step at
/// most once per credential, so a screenshot is useless a minute later and a code read once cannot be read again.
/// </summary>
public static class PhoneCodes
{
    public const string Prefix = "LQ1";
    public const int StepSeconds = 30;
    public const int Digits = 8;
    public const int SecretBytes = 20;

    /// <summary>How far back a code is still recognised as ours, to say "expired" instead of "forged" (5 minutes).</summary>
    const int RecognisedSteps = 10;

    /// <summary>A new secret, as the text kept (encrypted) on the credential.</summary>
    public static string NewSecret() => Base32Encoding.ToString(RandomNumberGenerator.GetBytes(SecretBytes));

    /// <summary>The step a moment falls in (the Unix time in 30-second steps).</summary>
    public static long StepOf(DateTimeOffset at) => at.ToUnixTimeSeconds() / StepSeconds;

    /// <summary>What the phone shows at <paramref name="now"/>, and until when it is the current code.</summary>
    public static (string Text, DateTimeOffset Until) Show(long credentialId, string secret, DateTimeOffset now)
    {
        var code = Totp(secret).ComputeTotp(now.UtcDateTime);
        var until = DateTimeOffset.FromUnixTimeSeconds((StepOf(now) + 1) * StepSeconds);
        return ($"{Prefix}.{credentialId.ToString(CultureInfo.InvariantCulture)}.{code}", until);
    }

    /// <summary>The credential a scanned text names, or null when it is not one of our codes at all.</summary>
    public static (long CredentialId, string Code)? Parse(string? text)
    {
        var parts = (text ?? "").Trim().Split('.');
        if (parts.Length != 3 || parts[0] != Prefix) return null;
        if (!long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0) return null;
        if (parts[2].Length != Digits || !parts[2].All(char.IsAsciiDigit)) return null;
        return (id, parts[2]);
    }

    /// <summary>
    /// Checks a code against the credential's secret at <paramref name="now"/>: its step when accepted, or why not. A
    /// step at or before <paramref name="lastAcceptedStep"/> was used already (the caller keeps the last one per credential).
    /// </summary>
    public static (long? Step, DenyReason? Refused) Verify(string code, string secret, DateTimeOffset now, long? lastAcceptedStep)
    {
        var totp = Totp(secret);
        if (totp.VerifyTotp(now.UtcDateTime, code, out var step, new VerificationWindow(previous: 1, future: 0)))
            return step <= lastAcceptedStep ? (null, DenyReason.CodeReplayed) : (step, null);
        return totp.VerifyTotp(now.UtcDateTime, code, out _, new VerificationWindow(previous: RecognisedSteps, future: 1))
            ? (null, DenyReason.CodeExpired)
            : (null, DenyReason.Forged);
    }

    static Totp Totp(string secret) => new(Base32Encoding.ToBytes(secret), StepSeconds, OtpHashMode.Sha256, Digits);
}

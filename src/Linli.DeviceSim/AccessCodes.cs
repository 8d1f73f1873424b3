using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Linli.Domain.Access;
using OtpNet;

namespace Linli.DeviceSim;

/// <summary>A visitor's pass whose signature holds: which pass, in which community, when, how many entries, and which gates.</summary>
public sealed record SignedPass(long Id, int CommunityId, DateTimeOffset ValidFrom, DateTimeOffset ValidUntil, int Entries, IReadOnlyList<Linli.Domain.Access.GateSelector> Gates);

/// <summary>
/// Reading what a reader read, as a controller must without asking the platform: card UIDs, rotating phone codes and
/// signed visitor passes. The formats are the platform's (its access module documents them); the controller keeps its
/// own reading of them because it is a separate device.
/// </summary>
public static class AccessCodes
{
    const string PhonePrefix = "LQ1";
    const string PassPrefix = "LV1";
    const int StepSeconds = 30;
    const int Digits = 8;
    // How far back a code still counts as genuine, to say "expired" rather than "forged" (as the platform does).
    const int RecognisedSteps = 10;

    /// <summary>A card's UID as upper-case hex (4, 7 or 10 bytes, separators allowed), or from the 10-digit number printed on a 4-byte card; null when it is no UID.</summary>
    public static string? CardUid(string? input)
    {
        var s = new string((input ?? "").Where(c => !char.IsWhiteSpace(c) && c is not (':' or '-')).ToArray());
        if (s.Length == 10 && s.All(char.IsAsciiDigit))
            return ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= uint.MaxValue ? n.ToString("X8", CultureInfo.InvariantCulture) : null;
        return s.Length is 8 or 14 or 20 && s.All(char.IsAsciiHexDigit) ? s.ToUpperInvariant() : null;
    }

    public static bool IsScannedCode(string text) => text.StartsWith(PhonePrefix + ".", StringComparison.Ordinal) || text.StartsWith(PassPrefix + ".", StringComparison.Ordinal);

    /// <summary>A phone code <c>LQ1.{credential}.{8 digits}</c>, or null when the text is not one.</summary>
    public static (long CredentialId, string Code)? PhoneCode(string text)
    {
        var parts = text.Split('.');
        if (parts.Length != 3 || parts[0] != PhonePrefix) return null;
        if (!long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0) return null;
        return parts[2].Length == Digits && parts[2].All(char.IsAsciiDigit) ? (id, parts[2]) : null;
    }

    /// <summary>
    /// Checks a code with the credential's secret (TOTP, RFC 6238: HMAC-SHA256, 30-second steps, 8 digits): the current step
    /// or the one before (a code shown just as the step turned). Returns the step, or why not; a step at or before
    /// <paramref name="lastAccepted"/> was used already.
    /// </summary>
    public static (long? Step, DenyReason? Refused) VerifyPhoneCode(string code, string secret, DateTimeOffset now, long? lastAccepted)
    {
        var totp = new Totp(Base32Encoding.ToBytes(secret), StepSeconds, OtpHashMode.Sha256, Digits);
        if (totp.VerifyTotp(now.UtcDateTime, code, out var step, new VerificationWindow(previous: 1, future: 0)))
            return step <= lastAccepted ? (null, DenyReason.CodeReplayed) : (step, null);
        return totp.VerifyTotp(now.UtcDateTime, code, out _, new VerificationWindow(previous: RecognisedSteps, future: 1))
            ? (null, DenyReason.CodeExpired)
            : (null, DenyReason.Forged);
    }

    /// <summary>
    /// A visitor pass <c>LV1.{pass}.{community}.{from}.{until}.{entries}.{gates}.{signature}</c>: false when the text is not a
    /// pass at all; true with <paramref name="pass"/> null when it is one whose ECDSA P-256 signature (over the text
    /// before the last dot) does not hold under <paramref name="publicKey"/>.
    /// </summary>
    public static bool TryReadPass(string text, byte[]? publicKey, out SignedPass? pass)
    {
        pass = null;
        var parts = text.Split('.');
        if (parts.Length != 8 || parts[0] != PassPrefix) return false;
        if (publicKey is null || !Signed(text[..text.LastIndexOf('.')], parts[7], publicKey)) return true;
        var gates = parts[6].Split('+').Select(Linli.Domain.Access.GateSelector.FromToken).ToList();
        // Signed by the platform, so the numbers are its own; reading them can only fail for a pass it did not make.
        if (long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var community) && community > 0
            && long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var from)
            && long.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var until)
            && int.TryParse(parts[5], NumberStyles.None, CultureInfo.InvariantCulture, out var entries)
            && from <= MaxUnixSeconds && until <= MaxUnixSeconds && gates.All(g => g is not null))
            pass = new SignedPass(id, community, DateTimeOffset.FromUnixTimeSeconds(from), DateTimeOffset.FromUnixTimeSeconds(until), entries, gates!);
        return true;
    }

    const long MaxUnixSeconds = 253_402_300_799; // 9999-12-31T23:59:59Z, the last moment DateTimeOffset holds

    static bool Signed(string body, string signature, byte[] publicKey)
    {
        byte[] bytes;
        try { bytes = Base64Url.DecodeFromChars(signature); }
        catch (FormatException) { return false; }
        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(publicKey, out _);
        return key.VerifyData(Encoding.ASCII.GetBytes(body), bytes, HashAlgorithmName.SHA256);
    }
}

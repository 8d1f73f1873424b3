using Linli.Domain.Common;

namespace Linli.Domain.Registry;

/// <summary>A mainland mobile number (11 digits starting 13–19), optionally written with +86 and separators.</summary>
public sealed record PhoneNumber
{
    public const int MaxLength = 20;
    public string Value { get; }

    PhoneNumber(string value) => Value = value;

    public static bool TryParse(string? input, out PhoneNumber? phone)
    {
        phone = null;
        if (string.IsNullOrWhiteSpace(input) || input.Length > MaxLength) return false;
        Span<char> digits = stackalloc char[MaxLength];
        var n = 0;
        foreach (var c in input)
        {
            if (char.IsAsciiDigit(c)) digits[n++] = c;
            else if (c is not (' ' or '-' or '+')) return false;
        }
        var s = new string(digits[..n]);
        if (s.Length == 13 && s.StartsWith("86", StringComparison.Ordinal)) s = s[2..];
        if (s.Length != 11 || s[0] != '1' || s[1] < '3') return false;
        phone = new PhoneNumber(s);
        return true;
    }

    public static PhoneNumber Parse(string input, string field = "phone") =>
        TryParse(input, out var p) ? p! : throw new DomainException("Phone number must be an 11-digit mainland mobile number, e.g. 13812345678.", field);

    /// <summary>138****5678.</summary>
    public string Masked => Mask(Value);

    public static string Mask(string value) => value.Length == 11 ? string.Concat(value.AsSpan(0, 3), "****", value.AsSpan(7, 4)) : "****";

    public string LastFour => Value[7..];

    public override string ToString() => Masked;
}

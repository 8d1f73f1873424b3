using System.Globalization;
using Linli.Domain.Common;

namespace Linli.Domain.Registry;

/// <summary>A mainland resident identity card number (GB 11643-1999): 17 digits and an ISO 7064 MOD 11-2 check character.</summary>
public sealed record IdCardNumber
{
    public const int Length = 18;
    static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const string CheckChars = "10X98765432";

    public string Value { get; }

    IdCardNumber(string value) => Value = value;

    public static bool TryParse(string? input, out IdCardNumber? id, out string? error)
    {
        id = null;
        var s = (input ?? "").Trim().ToUpperInvariant();
        if (s.Length != Length) { error = "ID card number must have 18 characters."; return false; }
        for (var i = 0; i < 17; i++)
            if (!char.IsAsciiDigit(s[i])) { error = "ID card number must be 17 digits followed by a digit or X."; return false; }
        if (!char.IsAsciiDigit(s[17]) && s[17] != 'X') { error = "ID card number must end in a digit or X."; return false; }
        if (!DateOnly.TryParseExact(s.Substring(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var born)
            || born.Year < 1900)
        { error = "ID card number contains an invalid birth date."; return false; }
        if (s[17] != CheckCharacter(s.AsSpan(0, 17))) { error = "ID card number check digit is wrong (GB 11643)."; return false; }
        id = new IdCardNumber(s);
        error = null;
        return true;
    }

    public static IdCardNumber Parse(string input, string field = "idNumber") =>
        TryParse(input, out var id, out var error) ? id! : throw new DomainException(error!, field);

    /// <summary>The check character for the first 17 digits.</summary>
    public static char CheckCharacter(ReadOnlySpan<char> first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++) sum += (first17[i] - '0') * Weights[i];
        return CheckChars[sum % 11];
    }

    public DateOnly BirthDate => DateOnly.ParseExact(Value.Substring(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>The 17th digit is odd for men and even for women.</summary>
    public Gender Gender => (Value[16] - '0') % 2 == 1 ? Gender.Male : Gender.Female;

    /// <summary>Region code kept, birth date and sequence hidden: 110101********1234.</summary>
    public string Masked => Mask(Value);

    public static string Mask(string value) =>
        value.Length == Length ? string.Concat(value.AsSpan(0, 6), "********", value.AsSpan(14, 4)) : "******";

    public override string ToString() => Masked;
}

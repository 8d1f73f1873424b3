namespace Linli.Domain.Common;

/// <summary>
/// A mainland Chinese vehicle plate (GA 36): a province's character, the issuing office's letter, then five characters
/// (six on a new-energy plate), or four and a class character (挂 trailer, 学 driving school, 警 police, 港/澳 cross-border).
/// Letters I and O are never used. Written without spaces or the middle dot, letters upper-case, as a camera reads it.
/// </summary>
public sealed record LicensePlate
{
    const string Provinces = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";
    const string Classes = "挂学警港澳";

    public string Value { get; }

    LicensePlate(string value) => Value = value;

    public static bool TryParse(string? input, out LicensePlate? plate)
    {
        plate = null;
        if (string.IsNullOrWhiteSpace(input)) return false;
        var s = new string(input.Where(c => !char.IsWhiteSpace(c) && c is not ('·' or '•' or '-' or '.')).Select(char.ToUpperInvariant).ToArray());
        if (s.Length is < 7 or > 8) return false;
        if (!Provinces.Contains(s[0], StringComparison.Ordinal) || !IsLetter(s[1])) return false;
        var rest = s[2..];
        var ok = rest.Length switch
        {
            5 => rest.All(IsAlnum) || (rest[..4].All(IsAlnum) && Classes.Contains(rest[4], StringComparison.Ordinal)),
            // New energy: D or F (electric, hybrid) then five digits for small cars; five digits then D or F for large.
            6 => (rest[0] is 'D' or 'F' && rest[1..].All(IsAlnum)) || (rest[..5].All(char.IsAsciiDigit) && rest[5] is 'D' or 'F'),
            _ => false,
        };
        if (!ok) return false;
        plate = new LicensePlate(s);
        return true;
    }

    public static LicensePlate Parse(string? input, string field = "plate") =>
        TryParse(input, out var plate) ? plate! : throw new DomainException("Write the plate as on the car, e.g. 浙A12345 or 浙AD12345.", field);

    static bool IsLetter(char c) => c is >= 'A' and <= 'Z' and not 'I' and not 'O';

    static bool IsAlnum(char c) => IsLetter(c) || char.IsAsciiDigit(c);

    public override string ToString() => Value;
}

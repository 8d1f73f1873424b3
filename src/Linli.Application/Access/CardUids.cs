using System.Globalization;
using Linli.Domain.Common;

namespace Linli.Application.Access;

/// <summary>
/// A card's UID as readers report it (ISO 14443: 4, 7 or 10 bytes), in hex with or without separators, or, for a 4-byte
/// UID, as the 10-digit decimal number printed on many Chinese IC cards (卡号). Kept only as a keyed hash of the
/// upper-case hex: a stolen database does not give the cards to clone.
/// </summary>
public static class CardUids
{
    /// <summary>The UID as upper-case hex, or null when the text is no UID.</summary>
    public static string? Normalize(string? input)
    {
        var s = new string((input ?? "").Where(c => !char.IsWhiteSpace(c) && c is not (':' or '-')).ToArray());
        if (s.Length == 10 && s.All(char.IsAsciiDigit))
            return ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= uint.MaxValue
                ? n.ToString("X8", CultureInfo.InvariantCulture) : null;
        if (s.Length is not (8 or 14 or 20) || !s.All(char.IsAsciiHexDigit)) return null;
        return s.ToUpperInvariant();
    }

    /// <summary>What the credential keeps and a reader's input is looked up by.</summary>
    public static string Hash(string normalized, IPersonalDataProtector protector)
    {
        ArgumentNullException.ThrowIfNull(protector);
        return protector.BlindIndex("card:" + normalized);
    }

    public static string HashOf(string? input, IPersonalDataProtector protector, string field = "cardUid") =>
        Hash(Normalize(input) ?? throw new DomainException("Give the card's number as its reader shows it: 8, 14 or 20 hex digits, or the 10-digit number on the card.", field), protector);
}

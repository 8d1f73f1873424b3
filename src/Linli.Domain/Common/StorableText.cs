namespace Linli.Domain.Common;

/// <summary>
/// Text the platform keeps and shows again: no NUL or other control characters (tab and line breaks aside), no half of a
/// surrogate pair and no U+FFFD, the marks that bytes which were not UTF-8 leave after a lenient decoding. PostgreSQL
/// refuses NUL outright and a page cannot show the rest, so such text is refused where it comes in, naming the field.
/// </summary>
public static class StorableText
{
    /// <summary>Why <paramref name="text"/> cannot be stored, or null when it can (null and empty text can).</summary>
    public static string? Problem(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0') return "The text contains a NUL character.";
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r')) return $"The text contains the control character U+{(int)c:X4}.";
            if (c == '\uFFFD') return "The text was not valid UTF-8.";
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (char.IsSurrogate(c)) return "The text was not valid UTF-8 (half of a surrogate pair).";
        }
        return null;
    }

    /// <summary><paramref name="text"/> unchanged, or a refusal naming <paramref name="field"/>.</summary>
    public static string? Check(string? text, string field) =>
        Problem(text) is { } problem ? throw new DomainException(problem, field) : text;
}

namespace Linli.Domain.Common;

/// <summary>
/// A code a device sends on the wire (a gate's, a car park's): letters, digits, '-' and '_', so every controller can send it.
/// </summary>
public static class Codes
{
    public static string Check(string? code, int max, string field)
    {
        var trimmed = (code ?? "").Trim();
        if (trimmed.Length == 0) throw new DomainException("A code is required.", field);
        if (trimmed.Length > max) throw new DomainException($"A code is at most {max} characters.", field);
        if (!trimmed.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) throw new DomainException("A code has letters, digits, '-' and '_' only.", field);
        return trimmed;
    }
}

/// <summary>A short display name (a gate's, a car park's, a holder's): storable text, required, bounded.</summary>
public static class Names
{
    public static string Check(string? name, int max, string field)
    {
        var trimmed = (StorableText.Check(name, field) ?? "").Trim();
        if (trimmed.Length == 0) throw new DomainException("A name is required.", field);
        if (trimmed.Length > max) throw new DomainException($"A name is at most {max} characters.", field);
        return trimmed;
    }
}

namespace Linli.Browser.Tests;

/// <summary>GB 11643 check characters, computed independently of the app so a test can type a valid number.</summary>
public static class IdNumbers
{
    static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const string CheckChars = "10X98765432";

    public static string WithCheckDigit(string first17)
    {
        ArgumentNullException.ThrowIfNull(first17);
        if (first17.Length != 17 || !first17.All(char.IsAsciiDigit)) throw new ArgumentException("17 digits expected.", nameof(first17));
        var sum = first17.Select((c, i) => (c - '0') * Weights[i]).Sum();
        return first17 + CheckChars[sum % 11];
    }
}

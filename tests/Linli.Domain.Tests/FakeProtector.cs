using Linli.Domain.Common;

namespace Linli.Domain.Tests;

/// <summary>
/// A reversible stand-in for the AES protector: enough for domain rules, which only need values to round-trip and
/// indexes to be equal for equal input. The real protector is exercised against the database in the web tests.
/// </summary>
public sealed class FakeProtector : IPersonalDataProtector
{
    public string Protect(string plain) => "enc:" + new string(plain.Reverse().ToArray());

    public string Unprotect(string protectedValue) => new(protectedValue["enc:".Length..].Reverse().ToArray());

    public string BlindIndex(string plain) => "idx:" + plain.GetHashCode(StringComparison.Ordinal).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
}

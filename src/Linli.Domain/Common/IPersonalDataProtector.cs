namespace Linli.Domain.Common;

/// <summary>Encrypts personal data at rest and derives a keyed blind index so that exact look-ups work without decrypting.</summary>
public interface IPersonalDataProtector
{
    string Protect(string plain);
    string Unprotect(string protectedValue);
    string BlindIndex(string plain);
}

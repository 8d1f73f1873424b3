using System.Buffers.Binary;
using System.Security.Cryptography;
using Linli.Application.Identity;
using Linli.Domain.Identity;

namespace Linli.Infrastructure.Identity;

/// <summary>
/// PBKDF2 password hashes in the layout ASP.NET Core Identity calls version 3 (marker 0x01, PRF, iteration count, salt
/// length, salt, subkey; integers big-endian), so hashes written before this class existed keep verifying and a later
/// move to ASP.NET Core Identity would read ours. New hashes: HMAC-SHA512, 100,000 iterations, 16-byte salt, 32-byte key.
/// </summary>
public sealed class Pbkdf2PasswordHasher : IPasswordHasher
{
    const byte FormatMarker = 0x01;
    const int Iterations = 100_000;
    const int SaltBytes = 16;
    const int KeyBytes = 32;
    const int HeaderBytes = 13;

    // The PRF numbers of the version-3 layout.
    static HashAlgorithmName? Prf(uint id) => id switch
    {
        0 => HashAlgorithmName.SHA1,
        1 => HashAlgorithmName.SHA256,
        2 => HashAlgorithmName.SHA512,
        _ => null,
    };

    public string Hash(UserAccount account, string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var key = Rfc2898DeriveBytes.Pbkdf2(password, salt, Iterations, HashAlgorithmName.SHA512, KeyBytes);
        var output = new byte[HeaderBytes + SaltBytes + KeyBytes];
        output[0] = FormatMarker;
        BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(1), 2);
        BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(5), Iterations);
        BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(9), SaltBytes);
        salt.CopyTo(output, HeaderBytes);
        key.CopyTo(output, HeaderBytes + SaltBytes);
        return Convert.ToBase64String(output);
    }

    public bool Verify(UserAccount account, string hash, string password)
    {
        if (string.IsNullOrEmpty(hash) || string.IsNullOrEmpty(password)) return false;
        var bytes = new byte[hash.Length];
        if (!Convert.TryFromBase64String(hash, bytes, out var length) || length < HeaderBytes || bytes[0] != FormatMarker) return false;
        var decoded = bytes.AsSpan(0, length);
        var prf = Prf(BinaryPrimitives.ReadUInt32BigEndian(decoded[1..]));
        var iterations = BinaryPrimitives.ReadUInt32BigEndian(decoded[5..]);
        var saltLength = BinaryPrimitives.ReadUInt32BigEndian(decoded[9..]);
        if (prf is null || iterations is 0 or > 10_000_000 || saltLength < 8 || HeaderBytes + saltLength >= (uint)length) return false;
        var salt = decoded.Slice(HeaderBytes, (int)saltLength);
        var expected = decoded[(HeaderBytes + (int)saltLength)..];
        if (expected.Length < 16) return false;
        var actual = Rfc2898DeriveBytes.Pbkdf2(password, salt.ToArray(), (int)iterations, prf.Value, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}

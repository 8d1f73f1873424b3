using System.Security.Cryptography;
using System.Text;
using Linli.Domain.Common;

namespace Linli.Infrastructure.Privacy;

/// <summary>
/// AES-256-GCM for personal data at rest (random nonce per value, so equal values encrypt differently) and HMAC-SHA256
/// blind indexes under a separate derived key for exact search.
/// </summary>
public sealed class PersonalDataProtector : IPersonalDataProtector
{
    const int NonceSize = 12;
    const int TagSize = 16;
    readonly byte[] _encryptionKey;
    readonly byte[] _indexKey;

    public PersonalDataProtector(byte[] masterKey)
    {
        ArgumentNullException.ThrowIfNull(masterKey);
        if (masterKey.Length != 32) throw new ArgumentException("The personal-data key must be 32 bytes.", nameof(masterKey));
        _encryptionKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, masterKey, 32, info: "linli/personal-data/aes-gcm"u8.ToArray());
        _indexKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, masterKey, 32, info: "linli/personal-data/blind-index"u8.ToArray());
    }

    public string Protect(string plain)
    {
        ArgumentNullException.ThrowIfNull(plain);
        var data = Encoding.UTF8.GetBytes(plain);
        var output = new byte[NonceSize + TagSize + data.Length];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_encryptionKey, TagSize);
        aes.Encrypt(nonce, data, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize));
        return Convert.ToBase64String(output);
    }

    public string Unprotect(string protectedValue)
    {
        var input = Convert.FromBase64String(protectedValue);
        if (input.Length < NonceSize + TagSize) throw new CryptographicException("Protected value is too short.");
        var plain = new byte[input.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_encryptionKey, TagSize);
        aes.Decrypt(input.AsSpan(0, NonceSize), input.AsSpan(NonceSize + TagSize), input.AsSpan(NonceSize, TagSize), plain);
        return Encoding.UTF8.GetString(plain);
    }

    public string BlindIndex(string plain) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_indexKey, Encoding.UTF8.GetBytes(plain)));

    /// <summary>Reads the key from configuration (base64) or, for the embedded mode, from a key file it creates once.</summary>
    public static byte[] LoadOrCreateKey(string? configuredBase64, string keyFilePath)
    {
        if (!string.IsNullOrWhiteSpace(configuredBase64)) return Convert.FromBase64String(configuredBase64);
        if (File.Exists(keyFilePath)) return Convert.FromBase64String(File.ReadAllText(keyFilePath).Trim());
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(keyFilePath))!);
        var key = RandomNumberGenerator.GetBytes(32);
        File.WriteAllText(keyFilePath, Convert.ToBase64String(key));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(keyFilePath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return key;
    }
}

using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Linli.Application.Common;
using Linli.Domain.Access;
using Linli.Domain.Common;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Access;

/// <summary>What a scanned visitor pass says (its gates too), and whether its signature holds.</summary>
public sealed record VisitorPassCode(long PassId, int CommunityId, DateTimeOffset ValidFrom, DateTimeOffset ValidUntil, int Entries,
    IReadOnlyList<GateSelector> Gates, bool Verified);

/// <summary>
/// A visitor's pass as a code to show at the gate: <c>LV1.{pass}.{community}.{from}.{until}.{entries}.{gates}.{signature}</c>
/// (gates as <see cref="GateSelector.ToToken"/>s joined by '+'), signed with the platform's ECDSA P-256 key. A controller
/// that holds only the public key (sent with its whitelist) checks a pass and its gates while its link is down; it cannot
/// make one. Online, the stored pass decides (entries used, cancelled).
/// </summary>
public sealed class VisitorPassCodes(IServiceScopeFactory scopes, IPersonalDataProtector protector)
{
    public const string Prefix = "LV1";
    ECDsa? _key;
    string _publicKey = "";

    /// <summary>The public key (SubjectPublicKeyInfo, base64) controllers check passes with.</summary>
    public string PublicKey => _publicKey;

    /// <summary>Loads the signing key, making it once for the whole installation when there is none.</summary>
    public async Task LoadAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateSystemScope("load the key visitor passes are signed with");
        var db = scope.ServiceProvider.GetRequiredService<ILinliDb>();
        var stored = await ReadAsync(db, ct);
        if (stored is null)
        {
            using var fresh = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var priv = protector.Protect(Convert.ToBase64String(fresh.ExportECPrivateKey()));
            var pub = Convert.ToBase64String(fresh.ExportSubjectPublicKeyInfo());
            // Several nodes may start at once: the first row stays, the others read it.
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"""INSERT INTO access_signing_keys ("Id", "PrivateKeyProtected", "PublicKey") VALUES (1, {priv}, {pub}) ON CONFLICT ("Id") DO NOTHING""", ct);
            stored = await ReadAsync(db, ct) ?? throw new InvalidOperationException("The visitor pass key was not stored.");
        }
        var key = ECDsa.Create();
        key.ImportECPrivateKey(Convert.FromBase64String(protector.Unprotect(stored.Value.Private)), out _);
        _key = key;
        _publicKey = stored.Value.Public;
    }

    static async Task<(string Private, string Public)?> ReadAsync(ILinliDb db, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = """SELECT "PrivateKeyProtected", "PublicKey" FROM access_signing_keys WHERE "Id" = 1""";
            await using DbDataReader reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? (reader.GetString(0), reader.GetString(1)) : null;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The code a visitor shows for <paramref name="pass"/>.</summary>
    public string Issue(VisitorPass pass)
    {
        ArgumentNullException.ThrowIfNull(pass);
        var body = Body(pass.Id, pass.CommunityId, pass.ValidFrom, pass.ValidUntil, pass.AllowedEntries, pass.Grants.Select(g => g.Gates));
        var signature = Key.SignData(Encoding.ASCII.GetBytes(body), HashAlgorithmName.SHA256);
        return $"{body}.{Base64Url(signature)}";
    }

    /// <summary>A scanned text as a visitor pass, or null when it is not one (a phone code, something else).</summary>
    public VisitorPassCode? Read(string? text)
    {
        var parts = (text ?? "").Trim().Split('.');
        if (parts.Length != 8 || parts[0] != Prefix) return null;
        var gates = parts[6].Split('+').Select(GateSelector.FromToken).ToList();
        if (!long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var community)
            || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var from)
            || !long.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var until)
            || !int.TryParse(parts[5], NumberStyles.None, CultureInfo.InvariantCulture, out var entries)
            || from > 253402300799 || until > 253402300799 || gates.Any(g => g is null))
            return new VisitorPassCode(0, 0, default, default, 0, [], Verified: false);
        var body = string.Join('.', parts[..7]);
        var verified = FromBase64Url(parts[7]) is { } signature && Key.VerifyData(Encoding.ASCII.GetBytes(body), signature, HashAlgorithmName.SHA256);
        return new VisitorPassCode(id, community, DateTimeOffset.FromUnixTimeSeconds(from), DateTimeOffset.FromUnixTimeSeconds(until), entries, gates!, verified);
    }

    ECDsa Key => _key ?? throw new InvalidOperationException("The visitor pass key is not loaded yet.");

    static string Body(long id, int community, DateTimeOffset from, DateTimeOffset until, int entries, IEnumerable<GateSelector> gates) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{Prefix}.{id}.{community}.{from.ToUnixTimeSeconds()}.{until.ToUnixTimeSeconds()}.{entries}.{string.Join('+', gates.Select(g => g.ToToken()))}");

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    static byte[]? FromBase64Url(string s)
    {
        var b64 = s.Replace('-', '+').Replace('_', '/');
        b64 += (b64.Length % 4) switch { 2 => "==", 3 => "=", _ => "" };
        try { return Convert.FromBase64String(b64); }
        catch (FormatException) { return null; }
    }
}

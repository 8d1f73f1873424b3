using System.Xml.Linq;
using Linli.Domain.Common;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Linli.Web.Features.Shared;

/// <summary>
/// Encrypts the data-protection keys stored in the database with the installation's personal-data key, so that read
/// access to the database alone is not enough to forge sign-in cookies.
/// </summary>
public sealed class DataProtectionKeyEncryptor(IPersonalDataProtector protector) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        ArgumentNullException.ThrowIfNull(plaintextElement);
        var encrypted = new XElement("linliEncryptedKey", protector.Protect(plaintextElement.ToString(SaveOptions.DisableFormatting)));
        return new EncryptedXmlInfo(encrypted, typeof(DataProtectionKeyDecryptor));
    }
}

/// <summary>The other half of <see cref="DataProtectionKeyEncryptor"/>; created by the key manager through the service provider.</summary>
public sealed class DataProtectionKeyDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        return XElement.Parse(services.GetRequiredService<IPersonalDataProtector>().Unprotect(encryptedElement.Value));
    }
}

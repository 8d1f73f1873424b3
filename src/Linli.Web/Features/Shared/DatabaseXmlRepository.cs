using System.Xml.Linq;
using Linli.Infrastructure.Persistence;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Linli.Web.Features.Shared;

/// <summary>
/// Keeps ASP.NET Core data-protection keys in the database, so every web node decrypts every node's cookies and a
/// restart does not sign everyone out.
/// </summary>
public sealed class DatabaseXmlRepository(IServiceScopeFactory scopes) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<Linli.Infrastructure.Persistence.LinliDbContext>();
        return db.DataProtectionKeys.AsEnumerable().Select(k => XElement.Parse(k.Xml)).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<Linli.Infrastructure.Persistence.LinliDbContext>();
        db.DataProtectionKeys.Add(new DataProtectionKey { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
        db.SaveChanges();
    }
}

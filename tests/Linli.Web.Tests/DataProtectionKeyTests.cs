using Linli.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>The keys behind sign-in cookies live in the database (every web node reads them), encrypted.</summary>
public sealed class DataProtectionKeyTests
{
    [Fact]
    public async Task Cookie_keys_are_stored_in_the_database_encrypted()
    {
        await using var app = await LinliAppFactory.StartAsync();
        // Issuing a token needs a key, so one is created now.
        await app.ClientAsAsync("admin1");

        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        var keys = await db.DataProtectionKeys.AsNoTracking().ToListAsync();

        Assert.NotEmpty(keys);
        Assert.All(keys, k =>
        {
            Assert.Contains("encryptedSecret", k.Xml, StringComparison.Ordinal);
            Assert.DoesNotContain("<masterKey", k.Xml, StringComparison.Ordinal);
        });
    }
}

using Linli.Application.Common;
using Linli.Domain.Identity;
using Linli.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>
/// DbContext instances are pooled: one that goes back must leave nothing for the next caller, neither the scope it ran
/// under (a community officer would otherwise read the district) nor a connection that raw SQL opened past EF.
/// </summary>
public sealed class PooledContextTests
{
    [Fact]
    public async Task A_context_given_back_keeps_neither_its_callers_scope_nor_a_connection_opened_past_EF()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var scopes = app.Factory.Services.GetRequiredService<IServiceScopeFactory>();
        int everyone;
        await using (var system = scopes.CreateSystemScope("test: count every resident"))
        {
            var db = system.ServiceProvider.GetRequiredService<LinliDbContext>();
            everyone = await db.Residents.CountAsync();
            // Raw SQL that opens the connection itself and leaves it open when its scope ends.
            await db.Database.GetDbConnection().OpenAsync();
        }

        // The pool hands the same few instances out again: every lease sees its own caller's part and opens its connection.
        var community = new Scope(ScopeLevel.Community, places.C1.Id);
        for (var i = 0; i < 10; i++)
        {
            await using var officer = scopes.CreateDeclaredScope(community, "test: count community 1's residents");
            var own = await officer.ServiceProvider.GetRequiredService<LinliDbContext>().Residents.CountAsync();
            Assert.InRange(own, 1, everyone - 1);
            await using var nobody = scopes.CreateDeclaredScope(Scope.None, "test: a scope that sees nothing");
            Assert.Equal(0, await nobody.ServiceProvider.GetRequiredService<LinliDbContext>().Residents.CountAsync());
        }
    }
}

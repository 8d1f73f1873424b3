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
        await using (var writer = scopes.CreateSystemScope("test: a writer that opens through EF twice and never closes"))
        {
            var db = writer.ServiceProvider.GetRequiredService<LinliDbContext>();
            await db.Database.OpenConnectionAsync();
            await db.Database.OpenConnectionAsync();
        }

        // The pool hands the same few instances out again: every lease sees its own caller's part and opens its connection.
        var community = new Scope(ScopeLevel.Community, places.C1.Id);
        for (var i = 0; i < 10; i++)
        {
            await using var officer = scopes.CreateDeclaredScope(community, "test: count community 1's residents");
            var db = officer.ServiceProvider.GetRequiredService<LinliDbContext>();
            var own = await db.Residents.CountAsync();
            Assert.InRange(own, 1, everyone - 1);
            // Closed after the query, as on a fresh instance: raw SQL can open it.
            Assert.Equal(System.Data.ConnectionState.Closed, db.Database.GetDbConnection().State);
            await using var nobody = scopes.CreateDeclaredScope(Scope.None, "test: a scope that sees nothing");
            Assert.Equal(0, await nobody.ServiceProvider.GetRequiredService<LinliDbContext>().Residents.CountAsync());
        }
    }

    [Fact]
    public async Task A_late_dispose_of_a_context_given_back_never_takes_it_from_its_next_holder()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var scopes = app.Factory.Services.GetRequiredService<IServiceScopeFactory>();
        LinliDbContext first;
        await using (var a = scopes.CreateDeclaredScope(Scope.System, "test: the first holder"))
            first = a.ServiceProvider.GetRequiredService<LinliDbContext>();

        // Hold leases until the instance given back comes round again (the pool hands out what was returned).
        var community = new Scope(ScopeLevel.Community, places.C1.Id);
        var held = new List<AsyncServiceScope>();
        AsyncServiceScope? again = null;
        for (var i = 0; i < 200 && again is null; i++)
        {
            var s = scopes.CreateDeclaredScope(community, "test: the next holders");
            held.Add(s);
            if (ReferenceEquals(s.ServiceProvider.GetRequiredService<LinliDbContext>(), first)) again = s;
        }
        try
        {
            Assert.True(again is not null, "the premise: the instance came round again");
            var before = await first.Residents.CountAsync();
            // The first holder's container disposes its alias late (ILinliDb and LinliDbContext are one object).
            first.Dispose();
            await first.DisposeAsync();
            // The next holder still has it, under its own scope, and its connection works.
            Assert.Equal(before, await again!.Value.ServiceProvider.GetRequiredService<LinliDbContext>().Residents.CountAsync());
            Assert.Equal(community, again.Value.ServiceProvider.GetRequiredService<LinliDbContext>().Scope);
        }
        finally
        {
            foreach (var s in held) await s.DisposeAsync();
        }
    }
}

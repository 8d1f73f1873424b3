using Linli.Domain.Access;
using Linli.Domain.Common;
using Linli.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>The one-card module's store (issue 12): credentials and passes come back from the database deciding as they did.</summary>
public sealed class AccessStoreTests
{
    [Fact]
    public async Task A_credential_and_a_visitor_pass_come_back_with_their_rights_and_decide_the_same()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var community = places.C1;
        var keys = new PlaceKeys(places.DistrictId, places.StreetId, community.Id, community.GridIds[0]);
        var building = community.BuildingIds[0];
        var now = app.Clock.GetUtcNow();
        var cleanerRights = new List<AccessGrant>
        {
            new(GateSelector.Community(community.Id, GateKind.CommunityGate, GateKind.BuildingDoor),
                new AccessSchedule([DayOfWeek.Monday, DayOfWeek.Friday], new TimeOnly(22, 0), new TimeOnly(6, 0), new DateOnly(2026, 1, 1), new DateOnly(2030, 12, 31))),
            AccessGrant.AlwaysAt(GateSelector.UnitOf(building, 2)),
        };
        long credentialId, passId;
        using (var scope = app.Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
            var card = new Credential(CredentialKind.Card, HolderKind.Resident, "王秀英", keys, "uid-hash", "enc:uid", cleanerRights, now,
                residentId: community.ResidentId, validUntil: now.AddDays(30));
            var pass = new VisitorPass(community.ResidentId, keys, "访客 陈", null, scope.ServiceProvider.GetRequiredService<IPersonalDataProtector>(), now, now.AddHours(4), 3,
                [GateSelector.Community(community.Id, GateKind.CommunityGate)], now);
            db.Credentials.Add(card);
            db.VisitorPasses.Add(pass);
            await db.SaveChangesAsync();
            card.Suspend("lost", now.AddMinutes(1));
            await db.SaveChangesAsync();
            (credentialId, passId) = (card.Id, pass.Id);
        }

        using (var scope = app.Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
            // Read as the store holds them, not as a user: the scope filters are not what this is about.
            var card = await db.Credentials.IgnoreQueryFilters().SingleAsync(c => c.Id == credentialId);
            Assert.Equal(cleanerRights, card.Grants);
            Assert.Equal((CredentialStatus.Suspended, "lost"), (card.Status, card.StatusReason));
            Assert.Equal(keys with { GridId = 0 }, card.Keys);
            // The community's gate: only the night right covers it (the unit right covers the building's doors at any hour).
            var door = new GateView(1, "N-1", GateKind.CommunityGate, community.Id, null, null, null);
            Assert.Equal(AccessDecision.Deny(DenyReason.Suspended), AccessPolicy.Decide(card.View, door, now.AddMinutes(2)));
            card.Reinstate(now.AddMinutes(3));
            await db.SaveChangesAsync();
            // Friday 23:00 in Beijing: inside the night window; Tuesday is not one of its days.
            Assert.True(AccessPolicy.Decide(card.View, door, new DateTimeOffset(2026, 12, 11, 23, 0, 0, TimeSpan.FromHours(8))).Allowed);
            Assert.Equal(AccessDecision.Deny(DenyReason.OutsideHours), AccessPolicy.Decide(card.View, door, new DateTimeOffset(2026, 12, 15, 23, 0, 0, TimeSpan.FromHours(8))));

            var pass = await db.VisitorPasses.IgnoreQueryFilters().SingleAsync(p => p.Id == passId);
            var gate = new GateView(2, "N", GateKind.CommunityGate, community.Id, null, null, null);
            Assert.True(pass.Admit(gate, now.AddMinutes(5)).Allowed);
            await db.SaveChangesAsync();
        }
        using (var scope = app.Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
            Assert.Equal(2, (await db.VisitorPasses.IgnoreQueryFilters().SingleAsync(p => p.Id == passId)).RemainingEntries);
            Assert.Equal(CredentialStatus.Active, (await db.Credentials.IgnoreQueryFilters().SingleAsync(c => c.Id == credentialId)).Status);
        }
    }
}

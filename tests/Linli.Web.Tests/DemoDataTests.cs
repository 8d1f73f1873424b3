using Linli.Domain.Registry;
using Linli.Infrastructure.Persistence;
using Linli.Web.Features.Registry;
using Linli.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>The demo district is the promised size and shape. Reads only.</summary>
public sealed class DemoDataTests(SharedDemoApp shared) : IClassFixture<SharedDemoApp>
{
    [Fact]
    public async Task The_demo_district_has_two_communities_with_about_two_thousand_rooms_and_five_thousand_residents()
    {
        var district = await shared.App.ClientAsAsync("district");
        var nodes = (await district.GetOkAsync<List<NodeDto>>("/api/v1/nodes")).Flatten().ToList();
        Assert.Equal(2, nodes.Count(n => n.Kind == NodeKind.Community));
        Assert.Equal(6, nodes.Count(n => n.Kind == NodeKind.Grid));

        var buildings = await district.AllPagesAsync<BuildingDto>("/api/v1/buildings");
        Assert.InRange(buildings.Count, 30, 40);
        Assert.InRange(buildings.Sum(b => b.Rooms), 1800, 2200);
        var occupied = buildings.Sum(b => b.OccupiedRooms);
        Assert.InRange(occupied, buildings.Sum(b => b.Rooms) * 8 / 10, buildings.Sum(b => b.Rooms) - 1);

        var residents = await district.GetOkAsync<Page<ResidentSummaryDto>>("/api/v1/residents?pageSize=1");
        Assert.InRange(residents.Total, 4000, 6000);
        Assert.Equal(residents.Total, buildings.Sum(b => b.Residents));
        var everyone = await district.GetOkAsync<Page<ResidentSummaryDto>>("/api/v1/residents?pageSize=1&includeMovedOut=true");
        Assert.True(everyone.Total > residents.Total, "the demo has former tenants who moved out");
    }

    [Theory]
    [InlineData(LabelFilter.LivingAlone)]
    [InlineData(LabelFilter.Disabled)]
    [InlineData(LabelFilter.LowIncome)]
    [InlineData(LabelFilter.Veteran)]
    [InlineData(LabelFilter.PartyMember)]
    [InlineData(LabelFilter.Elderly60)]
    [InlineData(LabelFilter.Elderly80)]
    [InlineData(LabelFilter.Child)]
    [InlineData(LabelFilter.ElderlyLivingAlone)]
    public async Task Every_label_occurs_in_both_communities(LabelFilter label)
    {
        var district = await shared.App.ClientAsAsync("district");
        foreach (var community in new[] { shared.Places.C1, shared.Places.C2 })
        {
            var page = await district.GetOkAsync<Page<ResidentSummaryDto>>($"/api/v1/residents?label={label}&communityId={community.Id}&pageSize=5");
            Assert.True(page.Total > 0, $"no {label} in community {community.Id}");
            Assert.All(page.Items, r => Assert.True(Has(r, label), $"{r.Name} (age {r.Age}, {string.Join(',', r.Labels)}) listed under {label}"));
        }
    }

    static bool Has(ResidentSummaryDto r, LabelFilter label) => label switch
    {
        LabelFilter.Elderly60 => r.Age >= 60,
        LabelFilter.Elderly80 => r.Age >= 80,
        LabelFilter.Child => r.Age < 18,
        LabelFilter.ElderlyLivingAlone => r.Age >= 60 && r.Labels.Contains("LivingAlone"),
        _ => r.Labels.Contains(label.ToString()),
    };

    [Fact]
    public async Task Each_community_has_surrounding_services_of_every_category_and_facilities_on_its_plan()
    {
        var district = await shared.App.ClientAsAsync("district");
        var surroundingCategories = Enum.GetValues<FacilityCategory>().Where(c => c.IsSurroundingService()).ToList();
        foreach (var community in new[] { shared.Places.C1, shared.Places.C2 })
        {
            var services = await district.AllPagesAsync<FacilityDto>($"/api/v1/facilities?surrounding=true&communityId={community.Id}");
            Assert.Equal(surroundingCategories, services.Select(f => f.Category).Distinct().Order());
            Assert.All(services, f => Assert.InRange(f.DistanceMeters ?? -1, 1, 3000));
            // Nearest first.
            Assert.Equal(services.Select(f => f.DistanceMeters).Order(), services.Select(f => f.DistanceMeters));

            var plan = await district.GetOkAsync<SitePlanDto>($"/api/v1/communities/{community.Id}/plan");
            Assert.Equal(community.BuildingIds.Count, plan.Buildings.Count);
            Assert.Contains(plan.Facilities, f => f.Category == FacilityCategory.Gate);
            var organizations = await district.AllPagesAsync<OrganizationDto>("/api/v1/organizations");
            Assert.Equal(Enum.GetValues<OrganizationKind>().Order(), organizations.Where(o => o.CommunityId == community.Id).Select(o => o.Kind).Distinct().Order());
        }
    }

    [Fact]
    public async Task Residents_of_both_communities_find_current_notices_from_their_community_street_and_district()
    {
        var nodes = (await (await shared.App.ClientAsAsync("district")).GetOkAsync<List<NodeDto>>("/api/v1/nodes")).Flatten().ToList();
        var now = shared.App.Clock.GetUtcNow();
        foreach (var user in new[] { "resident1", "resident2" })
        {
            var resident = await shared.App.ClientAsAsync(user);
            var board = await resident.AllPagesAsync<Linli.Application.Notices.NoticeSummaryDto>("/api/v1/notices");
            Assert.True(board.Count >= 3, $"{user} finds {board.Count} notices");
            Assert.All(board, n => Assert.True(n.PublishAt <= now && (n.ExpiresAt is null || n.ExpiresAt > now), $"{n.Title} is not current"));
            // Not urgent: the home page's urgent box is for what someone publishes during the demo.
            Assert.DoesNotContain(board, n => n.Urgent);
            Assert.Contains(board, n => n.Pinned);
            foreach (var kind in new[] { NodeKind.Community, NodeKind.Street, NodeKind.District })
                Assert.Contains(board, n => nodes.Any(node => node.Kind == kind && node.Name == n.FromName));
        }
    }
}

/// <summary>Seeding twice from scratch gives the same district.</summary>
public sealed class DemoSeedDeterminismTests
{
    sealed record Snapshot(int Nodes, int Buildings, int Rooms, int Residents, int Occupancies, int Facilities, int Organizations, int Users,
        IReadOnlyList<string> FirstResidents);

    [Fact]
    public async Task Two_fresh_seeds_produce_the_same_people_in_the_same_order()
    {
        var first = await SeedFreshAsync();
        var second = await SeedFreshAsync();
        Assert.Equal(first with { FirstResidents = [] }, second with { FirstResidents = [] });
        Assert.Equal(50, first.FirstResidents.Count);
        Assert.Equal(first.FirstResidents, second.FirstResidents);
    }

    static async Task<Snapshot> SeedFreshAsync()
    {
        var (cs, drop) = await TestDatabase.CreateAsync(seeded: false);
        try
        {
            await using var factory = new LinliAppFactory(cs, "demo");
            factory.CreateClient().Dispose();
            using var scope = factory.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
            // Name, masked ID and the keyed ID index: equal only if the same people were generated in the same order.
            var first = await db.Residents.IgnoreQueryFilters().OrderBy(r => r.Id).Take(50)
                .Select(r => r.Name + " " + r.IdNumberMasked + " " + r.IdNumberIndex + " " + r.RoomId).ToListAsync();
            return new Snapshot(
                await db.Nodes.IgnoreQueryFilters().CountAsync(), await db.Buildings.IgnoreQueryFilters().CountAsync(),
                await db.Rooms.IgnoreQueryFilters().CountAsync(), await db.Residents.IgnoreQueryFilters().CountAsync(),
                await db.Occupancies.CountAsync(), await db.Facilities.IgnoreQueryFilters().CountAsync(),
                await db.Organizations.IgnoreQueryFilters().CountAsync(), await db.Users.CountAsync(), first);
        }
        finally
        {
            await drop();
        }
    }
}

using System.Net;
using Linli.Web.Features.Registry;
using Linli.Web.Features.Shared;

namespace Linli.Web.Tests;

/// <summary>A resident's view of their household ends when they move out, even with a token issued before.</summary>
public sealed class HouseholdScopeTests
{
    [Fact]
    public async Task A_resident_who_moved_out_no_longer_reads_the_household_with_an_old_token()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var resident1 = await app.ClientAsAsync("resident1");
        var me = await resident1.MeAsync();
        var room = me.ScopeId;
        var household = await resident1.GetOkAsync<Page<ResidentSummaryDto>>("/api/v1/residents");
        var self = Assert.Single(household.Items, r => r.Name == me.DisplayName);
        await (await resident1.GetAsync($"/api/v1/rooms/{room}")).ExpectAsync(HttpStatusCode.OK);

        var admin1 = await app.ClientAsAsync("admin1");
        await (await admin1.PostJsonAsync($"/api/v1/residents/{self.Id}/move-out", new MoveOutRequest(null))).ExpectAsync(HttpStatusCode.OK);

        // Same token as before the move-out.
        Assert.Equal(0, (await resident1.GetOkAsync<Page<ResidentSummaryDto>>("/api/v1/residents")).Total);
        await (await resident1.GetAsync($"/api/v1/rooms/{room}")).ExpectAsync(HttpStatusCode.NotFound);
        await (await resident1.GetAsync($"/api/v1/residents/{self.Id}")).ExpectAsync(HttpStatusCode.NotFound);
    }
}

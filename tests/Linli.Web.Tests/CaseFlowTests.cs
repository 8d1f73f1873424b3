using System.Net;
using Linli.Domain.Cases;
using Linli.Web.Features.Cases;
using Linli.Web.Features.Shared;

namespace Linli.Web.Tests;

/// <summary>A repair request's whole loop through the API, as the resident and the property company see it.</summary>
public sealed class CaseFlowTests
{
    internal static async Task<CaseCategoryDto> CategoryAsync(HttpClient client, string code) =>
        (await client.GetOkAsync<List<CaseCategoryDto>>("/api/v1/case-categories")).Single(c => c.Code == code);

    [Fact]
    public async Task A_resident_reports_a_leak_at_home_the_property_company_fixes_it_and_the_resident_rates_it()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var resident = await app.ClientAsAsync("resident1");
        var property = await app.ClientAsAsync("property1");
        var plumbing = await CategoryAsync(resident, "plumbing");

        using var submitted = await resident.PostJsonAsync("/api/v1/cases", new { categoryId = plumbing.Id, title = "厨房水管漏水", description = "水槽下面一直滴水" });
        var created = await submitted.OkAsync<CaseDetailDto>();
        Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        Assert.Equal(CaseStatus.Reported, created.Status);
        Assert.Equal(HandlingLevel.Property, created.Level);
        Assert.Equal("安居物业服务有限公司", created.OrganizationName);
        Assert.NotNull(created.RoomId);

        var queue = await property.GetOkAsync<Page<CaseListItemDto>>("/api/v1/cases");
        Assert.Contains(queue.Items, c => c.Id == created.Id);

        var accepted = await (await property.PostJsonAsync($"/api/v1/cases/{created.Id}/accept", new { })).OkAsync<CaseDetailDto>();
        Assert.Equal(CaseStatus.Accepted, accepted.Status);
        Assert.Contains(CaseAction.Grab, accepted.AllowedActions);
        var grabbed = await (await property.PostJsonAsync($"/api/v1/cases/{created.Id}/grab", new { })).OkAsync<CaseDetailDto>();
        Assert.Equal(CaseStatus.Dispatched, grabbed.Status);
        Assert.NotNull(grabbed.AssigneeName);
        var handled = await (await property.PostJsonAsync($"/api/v1/cases/{created.Id}/handle", new { note = "更换了角阀" })).OkAsync<CaseDetailDto>();
        Assert.Equal(CaseStatus.Handled, handled.Status);

        var mine = await resident.GetOkAsync<CaseDetailDto>($"/api/v1/cases/{created.Id}");
        Assert.Equal(CaseRelation.Reporter, mine.MyRelation);
        Assert.Contains(CaseAction.Rate, mine.AllowedActions);
        var rated = await (await resident.PostJsonAsync($"/api/v1/cases/{created.Id}/rate", new { rating = 5, note = "很快" })).OkAsync<CaseDetailDto>();
        Assert.Equal(CaseStatus.Verified, rated.Status);
        Assert.Equal(5, rated.Rating);

        var closed = await (await property.PostJsonAsync($"/api/v1/cases/{created.Id}/close", new { })).OkAsync<CaseDetailDto>();
        Assert.Equal(CaseStatus.Closed, closed.Status);
        Assert.Equal(
            [CaseEventKind.Reported, CaseEventKind.Accepted, CaseEventKind.Grabbed, CaseEventKind.Handled, CaseEventKind.Verified, CaseEventKind.Rated, CaseEventKind.Closed],
            closed.Timeline.Select(e => e.Kind).ToArray());
    }

    [Fact]
    public async Task A_case_nobody_accepts_climbs_to_the_community_when_its_deadline_passes()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var resident = await app.ClientAsAsync("resident1");
        var lift = await CategoryAsync(resident, "lift");
        var created = await (await resident.PostJsonAsync("/api/v1/cases", new { categoryId = lift.Id, title = "电梯异响" })).OkAsync<CaseDetailDto>();

        app.Clock.Advance(TimeSpan.FromMinutes(lift.ResponseMinutes + 1));
        var admin = await app.ClientAsAsync("admin1");
        CaseDetailDto seen = created;
        for (var i = 0; i < 100 && seen.Level == HandlingLevel.Property; i++)
        {
            await Task.Delay(100);
            seen = await admin.GetOkAsync<CaseDetailDto>($"/api/v1/cases/{created.Id}");
        }
        Assert.Equal(HandlingLevel.Community, seen.Level);
        Assert.Equal(CaseStatus.Reported, seen.Status);
        Assert.True(seen.ResponseBreached);
        Assert.Single(seen.Timeline, e => e.Kind == CaseEventKind.Escalated);
        Assert.Contains(CaseAction.Accept, seen.AllowedActions);
    }
}

using System.Net;
using Linli.Domain.Cases;
using Linli.Web.Features.Cases;

namespace Linli.Web.Tests;

/// <summary>Categories are configured by the district: what can be reported, who handles it, how fast.</summary>
public sealed class CaseCategoryTests
{
    [Fact]
    public async Task A_district_officer_adds_a_category_and_residents_can_report_under_it_until_it_is_retired()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var district = await app.ClientAsAsync("district");
        var resident = await app.ClientAsAsync("resident1");

        var created = await (await district.PostJsonAsync("/api/v1/case-categories", new
        {
            code = "bike-shed", name = "非机动车棚", group = "报修", level = "Property", mode = "Grab", responseMinutes = 60, resolutionMinutes = 600,
        })).OkAsync<CaseCategoryDto>();
        Assert.Contains(await resident.GetOkAsync<List<CaseCategoryDto>>("/api/v1/case-categories"), c => c.Code == "bike-shed");

        using var report = await resident.PostJsonAsync("/api/v1/cases", new { categoryId = created.Id, title = "车棚灯坏了" });
        var c = await report.OkAsync<CaseDetailDto>();
        Assert.Equal(c.ReportedAt.AddMinutes(600), c.ResolutionDueAt);

        await (await district.PutJsonAsync($"/api/v1/case-categories/{created.Id}", new { active = false })).OkAsync<CaseCategoryDto>();
        Assert.DoesNotContain(await resident.GetOkAsync<List<CaseCategoryDto>>("/api/v1/case-categories"), x => x.Code == "bike-shed");
        using var refused = await resident.PostJsonAsync("/api/v1/cases", new { categoryId = created.Id, title = "车棚灯又坏了" });
        await refused.ExpectFieldErrorAsync("categoryId");
        // The case reported before stays readable with its category.
        Assert.Equal("非机动车棚", (await resident.GetOkAsync<CaseDetailDto>($"/api/v1/cases/{c.Id}")).CategoryName);
    }

    [Fact]
    public async Task Bad_category_input_names_the_field_and_only_the_district_may_change_categories()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var district = await app.ClientAsAsync("district");
        var before = await district.GetOkAsync<List<CaseCategoryDto>>("/api/v1/case-categories?includeInactive=true");

        await (await district.PostJsonAsync("/api/v1/case-categories", new { code = "bad code!", name = "x", group = "g", level = "Property", responseMinutes = 10, resolutionMinutes = 20 }))
            .ExpectFieldErrorAsync("code");
        await (await district.PostJsonAsync("/api/v1/case-categories", new { code = "lift", name = "x", group = "g", level = "Property", responseMinutes = 10, resolutionMinutes = 20 }))
            .ExpectFieldErrorAsync("code");
        await (await district.PostJsonAsync("/api/v1/case-categories", new { code = "late", name = "x", group = "g", level = "Property", responseMinutes = 60, resolutionMinutes = 30 }))
            .ExpectFieldErrorAsync("resolutionMinutes");
        var lift = before.Single(c => c.Code == "lift");
        await (await district.PutJsonAsync($"/api/v1/case-categories/{lift.Id}", new { code = "elevator" })).ExpectFieldErrorAsync("code");

        Assert.Equal(HttpStatusCode.Forbidden, await (await app.ClientAsAsync("admin1")).PutJsonAsync($"/api/v1/case-categories/{lift.Id}", new { name = "x" }).StatusOfAsync());
        Assert.Equal(before.Count, (await district.GetOkAsync<List<CaseCategoryDto>>("/api/v1/case-categories?includeInactive=true")).Count);
        Assert.Equal(lift, (await district.GetOkAsync<List<CaseCategoryDto>>("/api/v1/case-categories?includeInactive=true")).Single(c => c.Code == "lift"));
    }
}

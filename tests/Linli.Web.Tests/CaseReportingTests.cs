using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Linli.Domain.Cases;
using Linli.Domain.Registry;
using Linli.Infrastructure.Persistence;
using Linli.Infrastructure.Seeding;
using Linli.Web.Features.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Linli.Web.Tests.CaseKit;

namespace Linli.Web.Tests;

/// <summary>Reporting where the demo's defaults do not hold: a community with no property company, and a small daily limit.</summary>
public sealed class CaseReportingTests
{
    [Fact]
    public async Task In_a_community_without_a_property_company_property_matters_go_to_the_residents_committee()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        // Every demo community has a property company and the API has no way to remove one (organizations are registry
        // data), so the test takes community 2's away as an old neighbourhood without one would be registered.
        using (var scope = app.Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
            var removed = await db.Organizations.IgnoreQueryFilters()
                .Where(o => o.CommunityId == places.C2.Id && o.Kind == OrganizationKind.PropertyCompany).ExecuteDeleteAsync();
            Assert.Equal(1, removed);
        }

        var resident2 = await app.ClientAsAsync("resident2");
        var lamp = await ReportAsync(resident2, "lighting", "楼道声控灯不亮");
        Assert.Equal((HandlingLevel.Community, (string?)null), (lamp.Level, lamp.OrganizationName));
        var admin2 = await app.ClientAsAsync("admin2");
        var asAdmin = await DetailAsync(admin2, lamp.Id);
        Assert.Equal(CaseRelation.Team, asAdmin.MyRelation);
        await ActOkAsync(admin2, lamp.Id, CaseAction.Accept);

        // Nobody can send it "back" to a property company that does not exist.
        using var transfer = await ActAsync(await app.ClientAsAsync("street"), lamp.Id, CaseAction.Transfer, new { level = "Property", note = "应由物业处理" });
        await transfer.ExpectFieldErrorAsync("level");
        Assert.Equal(HandlingLevel.Community, (await DetailAsync(admin2, lamp.Id)).Level);

        // Community 1 still has its company: the same category goes to the property level there.
        var c1Lamp = await ReportAsync(await app.ClientAsAsync("resident1"), "lighting", "楼道声控灯不亮");
        Assert.Equal((HandlingLevel.Property, "安居物业服务有限公司"), (c1Lamp.Level, c1Lamp.OrganizationName));
    }

    [Fact]
    public async Task The_daily_limit_per_account_answers_429_until_the_next_day()
    {
        await using var app = await LinliAppFactory.StartAsync(new Dictionary<string, string> { ["Linli:Cases:DailyLimitPerResident"] = "2" });
        var resident1 = await app.ClientAsAsync("resident1");
        await ReportAsync(resident1, "lighting", "一楼灯坏了");
        await ReportAsync(resident1, "sanitation", "垃圾没清");
        var before = await CountAllAsync(app);

        var lighting = await CategoryAsync(resident1, "lighting");
        using (var third = await resident1.PostJsonAsync("/api/v1/cases", new { categoryId = lighting.Id, title = "二楼灯也坏了" }))
        {
            await third.ExpectAsync(HttpStatusCode.TooManyRequests);
            Assert.Equal("application/problem+json", third.Content.Headers.ContentType?.MediaType);
            var problem = await third.Content.ReadFromJsonAsync<Api.ValidationProblem>(Api.Json);
            Assert.Equal(429, problem!.Status);
            Assert.Contains("tomorrow", Assert.Single(problem.Errors!.Values.SelectMany(v => v)), StringComparison.Ordinal);
        }
        Assert.Equal(before, await CountAllAsync(app));

        // The limit is per account: another resident reports as usual.
        await ReportAsync(await app.ClientAsAsync("resident2"), "lighting", "车库灯坏了");

        // Tomorrow (China time) the count starts again; yesterday's sign-in has expired by then.
        app.Clock.Advance(TimeSpan.FromDays(1));
        using var anonymous = app.Anonymous();
        var token = await (await anonymous.PostJsonAsync("/api/v1/auth/token", new { userName = "resident1", password = RegistrySeeder.DemoPassword }))
            .OkAsync<Api.Token>();
        using var nextDay = app.Anonymous();
        nextDay.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        await ReportAsync(nextDay, "lighting", "二楼灯也坏了");
    }

    [Fact]
    public async Task Reports_sent_at_once_by_one_account_stop_exactly_at_the_daily_limit()
    {
        await using var app = await LinliAppFactory.StartAsync(new Dictionary<string, string> { ["Linli:Cases:DailyLimitPerResident"] = "5" });
        var resident1 = await app.ClientAsAsync("resident1");
        var lighting = await CategoryAsync(resident1, "lighting");
        await ReportAsync(resident1, "sanitation", "垃圾没清");
        var before = await CountAllAsync(app);

        // Twelve at once: they are counted together, in the batches they are written in, not each against a stale count.
        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(async i =>
        {
            using var response = await resident1.PostJsonAsync("/api/v1/cases", new { categoryId = lighting.Id, title = $"路灯不亮 {i}" });
            return response.StatusCode;
        }));

        Assert.Equal(4, answers.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(8, answers.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Equal(before + 4, await CountAllAsync(app));
    }
}

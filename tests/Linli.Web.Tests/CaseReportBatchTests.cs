using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>
/// Reports arriving together are written together (group commit): each still gets its own case, its first timeline entry,
/// its deadlines and its live push, and nothing of one report lands on another.
/// </summary>
public sealed class CaseReportBatchTests
{
    [Fact]
    public async Task Thirty_reports_at_once_each_become_their_own_case_with_timeline_deadlines_and_a_live_push()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var resident1 = await app.ClientAsAsync("resident1");
        var resident2 = await app.ClientAsAsync("resident2");
        var lighting1 = (await CaseKit.CategoryAsync(resident1, "lighting")).Id;
        var lighting2 = (await CaseKit.CategoryAsync(resident2, "lighting")).Id;
        await using var feed1 = await LiveFeed.ConnectAsync(app, "admin1");

        var sends = Enumerable.Range(0, 15).Select(i => CaseKit.ReportAsync(resident1, new { categoryId = lighting1, title = $"1号楼路灯不亮 {i}" }))
            .Concat(Enumerable.Range(0, 15).Select(i => CaseKit.ReportAsync(resident2, new { categoryId = lighting2, title = $"车库灯坏了 {i}" })))
            .ToList();
        var created = await Task.WhenAll(sends);

        Assert.Equal(30, created.Select(c => c.Id).Distinct().Count());
        // The premise: some of them really shared a transaction.
        Assert.True(app.Factory.Services.GetRequiredService<Linli.Infrastructure.Persistence.NewCaseWriter>().LargestBatch > 1,
            "the thirty reports were written one transaction each");
        foreach (var c in created)
        {
            var client = c.Title.StartsWith("1号楼", StringComparison.Ordinal) ? resident1 : resident2;
            var stored = await client.GetOkAsync<CaseDetailDto>($"/api/v1/cases/{c.Id}");
            Assert.Equal(c.Title, stored.Title);
            Assert.Equal(Linli.Domain.Cases.CaseStatus.Reported, stored.Status);
            Assert.Equal(Linli.Domain.Cases.CaseEventKind.Reported, Assert.Single(stored.Timeline).Kind);
            Assert.True(stored.ResponseDueAt > stored.ReportedAt && stored.ResolutionDueAt > stored.ResponseDueAt);
        }
        // A neighbour's household never sees the other household's reports.
        Assert.Equal(HttpStatusCode.NotFound, (await resident2.GetAsync($"/api/v1/cases/{created[0].Id}")).StatusCode);
        // The community team's live queue hears every report of its community, once written.
        foreach (var c in created.Where(c => c.CommunityId == created[0].CommunityId)) await feed1.WaitForAsync(c.Id, "created");
    }
}

using System.Net;
using Linli.Domain.Cases;
using Linli.Infrastructure.Persistence;
using Linli.Web.Features.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Linli.Web.Tests.CaseKit;

namespace Linli.Web.Tests;

/// <summary>
/// SLA timers are rows in the database: a deadline set by one process is kept by the next after a restart, and with
/// two web nodes on one database every passed deadline acts exactly once.
/// </summary>
public sealed class CaseSlaApiTests(ITestOutputHelper output)
{
    /// <summary>Pollers that wait an hour after their first look at start-up, so only the test decides when timers fire.</summary>
    static readonly Dictionary<string, string> QuietPollers = new()
    {
        ["Linli:Cases:TimerPollSeconds"] = "3600",
        ["Linli:Cases:TimerBatchSize"] = "3",
        ["Linli:Cases:DailyLimitPerResident"] = "1000",
    };

    static readonly Dictionary<string, string> BusyPollers = new()
    {
        ["Linli:Cases:TimerPollSeconds"] = "0.05",
        ["Linli:Cases:TimerBatchSize"] = "3",
        ["Linli:Cases:DailyLimitPerResident"] = "1000",
    };

    [Fact]
    public async Task A_deadline_set_before_a_restart_escalates_the_case_exactly_once_after_it()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var resident = await app.ClientAsAsync("resident1");
        var lift = await CategoryAsync(resident, "lift");
        var created = await ReportAsync(resident, new { categoryId = lift.Id, title = "电梯门关不上" });
        Assert.Equal([(SlaKind.Response, 1), (SlaKind.Resolution, 1)], await TimersAsync(app.Factory, created.Id));
        await app.StopAsync();

        // The server stays down past both deadlines; a new process, on the same database, finds them on start-up.
        var restarted = app.StartNode(clockAhead: TimeSpan.FromMinutes(lift.ResolutionMinutes + 1));
        var admin = await restarted.ClientAsAsync("admin1");
        var seen = await EventuallyAsync(() => DetailAsync(admin, created.Id), c => c.Level != HandlingLevel.Property);
        await Task.Delay(TimeSpan.FromSeconds(1)); // several more polls: nothing else may happen
        seen = await DetailAsync(admin, created.Id);

        Assert.Equal((HandlingLevel.Community, CaseStatus.Reported, 1), (seen.Level, seen.Status, seen.EscalationCount));
        Assert.Equal([CaseEventKind.Reported, CaseEventKind.ResponseOverdue, CaseEventKind.Escalated], seen.Timeline.Select(e => e.Kind));
        // The resolution deadline of the first round was the property company's; the community starts afresh.
        Assert.Equal((true, false), (seen.ResponseBreached, seen.ResolutionBreached));
        Assert.True(seen.ResponseDueAt > restarted.Clock.GetUtcNow());
        Assert.Equal([(SlaKind.Response, 2), (SlaKind.Resolution, 2)], await TimersAsync(restarted, created.Id));
    }

    [Fact]
    public async Task Two_nodes_firing_the_same_due_timers_at_once_escalate_every_case_exactly_once()
    {
        const int cases = 30;
        await using var app = await LinliAppFactory.StartAsync(QuietPollers);
        var second = app.StartNode(settings: QuietPollers);
        var lift = await CategoryAsync(await app.ClientAsAsync("resident1"), "lift");
        // Each node's firing code runs once before the race (nothing due yet), so neither starts it late compiling it.
        await TimerDrain.BothAtOnceAsync<SlaTimerService>(app.Factory, second);

        // Rounds until both nodes reached for the timers while the other fired them (on a busy machine one node may come
        // late to a round); every round's cases must escalate exactly once whatever happened, checked before the next round
        // moves the clocks again (which rightly escalates them further).
        var contended = false;
        for (var round = 1; round <= 5 && !contended; round++)
        {
            // A token of the node's present time: the clock moved a day or more since the last round.
            var ids = await ReportLiftsAsync(await FreshClientAsync(app, "resident1"), cases);
            // Past both deadlines: each case has two due timers, which may go to different nodes.
            var ahead = TimeSpan.FromMinutes(lift.ResolutionMinutes + 1);
            app.Clock.Advance(ahead);
            second.Clock.Advance(ahead);
            var results = await TimerDrain.BothAtOnceAsync<SlaTimerService>(app.Factory, second);
            output.WriteLine($"round {round}, claimed per node: {string.Join(", ", results.Select(r => $"{r.Claimed} (lost races: {r.Conflicts})"))}");
            // The demo district's own open cases have timers too; those that fall due in the jump are claimed as well.
            Assert.True(results.Sum(r => r.Claimed) >= 2 * cases, $"claimed {results.Sum(r => r.Claimed)} of at least {2 * cases}");
            contended = results[0].Contended(results[1]) && results[1].Contended(results[0]);
            await AssertEscalatedOnceAsync(app, ids);
        }
        // The premise: in some round each node reached for the timers while the other fired them.
        Assert.True(contended, "the two nodes never reached for the timers at the same time");
    }

    [Fact]
    public async Task Two_nodes_polling_on_their_own_escalate_every_case_exactly_once()
    {
        const int cases = 30;
        await using var app = await LinliAppFactory.StartAsync(BusyPollers);
        var ids = await ReportLiftsAsync(app, cases);
        var second = app.StartNode(settings: BusyPollers);
        var lift = await CategoryAsync(await app.ClientAsAsync("resident1"), "lift");

        var ahead = TimeSpan.FromMinutes(lift.ResolutionMinutes + 1);
        second.Clock.Advance(ahead);
        app.Clock.Advance(ahead);
        var district = await app.ClientAsAsync("district");
        await EventuallyAsync(() => district.AllPagesAsync<CaseListItemDto>("/api/v1/cases?escalated=true"), list => list.Count(c => ids.Contains(c.Id)) == cases);
        await Task.Delay(TimeSpan.FromSeconds(1)); // many more polls on both nodes

        await AssertEscalatedOnceAsync(app, ids);
    }

    [Fact]
    public async Task Accepting_just_as_the_deadline_fires_either_accepts_or_escalates_never_both()
    {
        const int cases = 20;
        await using var app = await LinliAppFactory.StartAsync(QuietPollers);
        var second = app.StartNode(settings: QuietPollers);
        var nodes = new[] { app.Factory, second };
        var staff = new[] { await app.ClientAsAsync("property1"), await second.ClientAsAsync("property1") };
        var lift = await CategoryAsync(staff[0], "lift");
        var ahead = TimeSpan.FromMinutes(lift.ResponseMinutes + 1);

        // A first round on both nodes, so that neither pays its start-up costs inside the race below.
        var warm = await ReportLiftsAsync(app, 8);
        await ActOkAsync(staff[0], warm[0], CaseAction.Accept);
        await ActOkAsync(staff[1], warm[1], CaseAction.Accept);
        foreach (var node in nodes) node.Clock.Advance(ahead);
        foreach (var node in nodes) Assert.Equal(3, await node.Services.GetRequiredService<SlaTimerService>().FireDueAsync(CancellationToken.None));
        await DrainAsync(app.Factory);

        // The premise is a real race: some cases accepted first, some escalated first. Timing decides which, so rounds are
        // run until both have happened (each round checked in full), and the test fails if they never do.
        int acceptedFirst = 0, escalatedFirst = 0, rounds = 0;
        while ((acceptedFirst == 0 || escalatedFirst == 0) && rounds < 6)
        {
            rounds++;
            // Each round moves the clocks past a deadline: tokens signed in before would have expired, so sign in afresh.
            staff = [await SignedInAsync(app.Factory, "property1"), await SignedInAsync(second, "property1")];
            var district = await SignedInAsync(app.Factory, "district");
            var ids = await ReportLiftsAsync(await SignedInAsync(app.Factory, "resident1"), cases);
            foreach (var node in nodes) node.Clock.Advance(ahead);
            // Acceptances spread over a moment, the timers fire in the middle of it.
            using var go = new SemaphoreSlim(0, cases + 2);
            var drains = nodes.Select(async node =>
            {
                await go.WaitAsync();
                await Task.Delay(100);
                return await DrainAsync(node);
            }).ToList();
            var accepts = ids.Select(async (id, i) =>
            {
                await go.WaitAsync();
                await Task.Delay(i * 25);
                using var response = await ActAsync(staff[i % 2], id, CaseAction.Accept);
                return response.StatusCode;
            }).ToList();
            go.Release(cases + 2);
            var answers = await Task.WhenAll(accepts);
            await Task.WhenAll(drains);
            acceptedFirst += answers.Count(a => a == HttpStatusCode.OK);
            escalatedFirst += answers.Count(a => a == HttpStatusCode.Conflict);
            output.WriteLine($"round {rounds}: accepted in time: {answers.Count(a => a == HttpStatusCode.OK)}, escalated first: {answers.Count(a => a == HttpStatusCode.Conflict)}");

            for (var i = 0; i < cases; i++)
            {
                var c = await DetailAsync(district, ids[i]);
                var escalations = c.Timeline.Count(e => e.Kind == CaseEventKind.Escalated);
                if (answers[i] == HttpStatusCode.OK)
                    Assert.Equal((CaseStatus.Accepted, HandlingLevel.Property, 0, false), (c.Status, c.Level, escalations, c.ResponseBreached));
                else
                {
                    Assert.Equal(HttpStatusCode.Conflict, answers[i]);
                    Assert.Equal((CaseStatus.Reported, HandlingLevel.Community, 1, true), (c.Status, c.Level, escalations, c.ResponseBreached));
                }
                Assert.DoesNotContain((SlaKind.Response, 1), await TimersAsync(app.Factory, ids[i]));
            }
        }
        Assert.True(acceptedFirst > 0 && escalatedFirst > 0,
            $"the race never happened in {rounds} rounds: {acceptedFirst} accepted first, {escalatedFirst} escalated first");
    }

    static async Task<HttpClient> SignedInAsync(LinliAppFactory node, string userName)
    {
        var client = node.CreateClient();
        using var anonymous = node.CreateClient();
        var token = await (await anonymous.PostJsonAsync("/api/v1/auth/token", new { userName, password = Linli.Infrastructure.Seeding.RegistrySeeder.DemoPassword })).OkAsync<Api.Token>();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.AccessToken);
        return client;
    }

    static async Task<HttpClient> FreshClientAsync(TestApp app, string userName)
    {
        using var anonymous = app.Anonymous();
        using var response = await anonymous.PostJsonAsync("/api/v1/auth/token", new { userName, password = Linli.Infrastructure.Seeding.RegistrySeeder.DemoPassword });
        var token = await response.OkAsync<Api.Token>();
        var client = app.Anonymous();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.AccessToken);
        return client;
    }

    static async Task<List<long>> ReportLiftsAsync(TestApp app, int count) => await ReportLiftsAsync(await app.ClientAsAsync("resident1"), count);

    static async Task<List<long>> ReportLiftsAsync(HttpClient resident, int count)
    {
        var lift = await CategoryAsync(resident, "lift");
        var ids = new List<long>();
        for (var i = 0; i < count; i++) ids.Add((await ReportAsync(resident, new { categoryId = lift.Id, title = $"{i % 6 + 1}号电梯异响" })).Id);
        return ids;
    }

    static Task<TimerDrain.Result> DrainAsync(LinliAppFactory node) => TimerDrain.DrainAsync<SlaTimerService>(node);

    static async Task AssertEscalatedOnceAsync(TestApp app, IReadOnlyList<long> ids)
    {
        using var district = await FreshClientAsync(app, "district");
        foreach (var id in ids)
        {
            var c = await DetailAsync(district, id);
            Assert.Equal((HandlingLevel.Community, 1, 1, 1), (c.Level, c.EscalationCount, c.Timeline.Count(e => e.Kind == CaseEventKind.Escalated),
                c.Timeline.Count(e => e.Kind == CaseEventKind.ResponseOverdue)));
            Assert.DoesNotContain(c.Timeline, e => e.Kind == CaseEventKind.ResolutionOverdue);
            Assert.Equal([(SlaKind.Response, 2), (SlaKind.Resolution, 2)], await TimersAsync(app.Factory, id));
        }
    }

    /// <summary>The stored timers of a case, as the next process would find them.</summary>
    static async Task<List<(SlaKind, int)>> TimersAsync(LinliAppFactory node, long caseId)
    {
        using var scope = node.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        var timers = await db.CaseTimers.Where(t => t.CaseId == caseId).Select(t => new { t.Kind, t.Round }).ToListAsync();
        return timers.Select(t => (t.Kind, t.Round)).Order().ToList();
    }
}

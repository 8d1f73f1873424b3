using System.Net;
using System.Net.Http.Json;
using Linli.Domain.Cases;
using Linli.Web.Features.Cases;
using Linli.Web.Features.Registry;
using Linli.Web.Features.Shared;
using static Linli.Web.Tests.CaseKit;

namespace Linli.Web.Tests;

/// <summary>
/// One app for the case API tests that only add cases of their own and look at those: the demo district plus a
/// neighbour of resident1 in the same building, a resident of another building, a two-account household and a second
/// property worker.
/// </summary>
public sealed class CaseApiApp : IAsyncLifetime
{
    TestApp? _app;
    DemoPlaces? _places;

    public TestApp App => _app ?? throw new InvalidOperationException("Not started.");
    internal DemoPlaces Places => _places ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        // The tests of this class report far more than one person would in a day.
        _app = await LinliAppFactory.StartAsync(new Dictionary<string, string> { ["Linli:Cases:DailyLimitPerResident"] = "1000" });
        _places = await DemoPlaces.LoadAsync(_app);
        await AddResidentAccountAsync(_app, "neighbour1", Home.SameBuildingAsResident1);
        await AddResidentAccountAsync(_app, "resident3", Home.OtherBuildingOfCommunity1);
        await AddHouseholdAccountsAsync(_app, "home-a", "home-b");
        await AddPropertyWorkerAsync(_app, "repair1");
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}

/// <summary>Who sees which case, who handles it, who may dispatch to whom, and what bad input gets back.</summary>
public sealed class CaseApiTests(CaseApiApp shared) : IClassFixture<CaseApiApp>
{
    TestApp App => shared.App;
    DemoPlaces Places => shared.Places;

    // ---- Scope ----

    [Fact]
    public async Task Property_staff_see_only_their_communitys_cases_and_community_2_cannot_reach_community_1s()
    {
        var resident1 = await App.ClientAsAsync("resident1");
        var resident2 = await App.ClientAsAsync("resident2");
        var c1Lamp = await ReportAsync(resident1, "lighting", "3号楼楼道灯不亮");
        var c1Noise = await ReportAsync(resident1, "noise", "楼上深夜装修");
        var c2Lamp = await ReportAsync(resident2, "lighting", "车库灯坏了");
        Assert.Equal((Places.C1.Id, Places.C2.Id), (c1Lamp.CommunityId, c2Lamp.CommunityId));

        var property1 = await App.ClientAsAsync("property1");
        var queue = await property1.AllPagesAsync<CaseListItemDto>("/api/v1/cases");
        Assert.Contains(queue, c => c.Id == c1Lamp.Id);
        Assert.DoesNotContain(queue, c => c.Id == c2Lamp.Id);
        Assert.All(queue, c => Assert.Equal(Places.C1.Id, c.CommunityId));
        // Their queue is their team's: the community's noise complaint is not in it.
        Assert.DoesNotContain(queue, c => c.Id == c1Noise.Id);
        await (await property1.GetAsync($"/api/v1/cases/{c2Lamp.Id}")).ExpectAsync(HttpStatusCode.NotFound);

        var admin2 = await App.ClientAsAsync("admin2");
        var queue2 = await admin2.AllPagesAsync<CaseListItemDto>("/api/v1/cases?status=all");
        Assert.Contains(queue2, c => c.Id == c2Lamp.Id);
        Assert.All(queue2, c => Assert.Equal(Places.C2.Id, c.CommunityId));
        foreach (var id in new[] { c1Lamp.Id, c1Noise.Id })
        {
            await (await admin2.GetAsync($"/api/v1/cases/{id}")).ExpectAsync(HttpStatusCode.NotFound);
            await (await admin2.GetAsync($"/api/v1/cases/{id}/assignees")).ExpectAsync(HttpStatusCode.NotFound);
            foreach (var action in new[] { CaseAction.Accept, CaseAction.Reject, CaseAction.Transfer, CaseAction.Escalate, CaseAction.Comment, CaseAction.MeToo })
            {
                using var response = await ActAsync(admin2, id, action, new { note = "越界操作", level = "Street" });
                await response.ExpectAsync(HttpStatusCode.NotFound);
            }
            using var photo = await UploadAsync(admin2, id, Png(), "a.png", "image/png");
            await photo.ExpectAsync(HttpStatusCode.NotFound);
        }
        var untouched = await DetailAsync(await App.ClientAsAsync("admin1"), c1Noise.Id);
        Assert.Equal((CaseStatus.Reported, HandlingLevel.Community, 1, 0), (untouched.Status, untouched.Level, untouched.Timeline.Count, untouched.Photos.Count));

        foreach (var (user, id) in new[] { ("grid2", c1Lamp.Id), ("resident2", c1Lamp.Id), ("resident1", c2Lamp.Id) })
            await (await (await App.ClientAsAsync(user)).GetAsync($"/api/v1/cases/{id}")).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_street_officer_sees_the_cases_of_both_communities_and_oversees_them()
    {
        var c1 = await ReportAsync(await App.ClientAsAsync("resident1"), "sanitation", "垃圾桶满了没人清");
        var c2 = await ReportAsync(await App.ClientAsAsync("resident2"), "sanitation", "楼道堆满杂物");
        var street = await App.ClientAsAsync("street");
        var queue = await street.AllPagesAsync<CaseListItemDto>("/api/v1/cases");
        Assert.Contains(queue, c => c.Id == c1.Id);
        Assert.Contains(queue, c => c.Id == c2.Id);
        var seen = await DetailAsync(street, c2.Id);
        Assert.Equal(CaseRelation.Supervisor, seen.MyRelation);
        Assert.DoesNotContain(CaseAction.Accept, seen.AllowedActions);
        Assert.Contains(CaseAction.Transfer, seen.AllowedActions);
    }

    [Fact]
    public async Task A_resident_sees_only_their_own_households_cases()
    {
        var homeA = await App.ClientAsAsync("home-a");
        var plumbing = await CategoryAsync(homeA, "plumbing");
        var leak = await ReportAsync(homeA, new { categoryId = plumbing.Id, title = "卫生间地漏反水" });
        Assert.NotNull(leak.RoomId);
        var lamp = await ReportAsync(homeA, "lighting", "单元门口灯坏了");

        // Another household of the same community: neither case is theirs, and the in-home one is not for them at all.
        var resident1 = await App.ClientAsAsync("resident1");
        foreach (var id in new[] { leak.Id, lamp.Id })
        {
            await (await resident1.GetAsync($"/api/v1/cases/{id}")).ExpectAsync(HttpStatusCode.NotFound);
            using var comment = await ActAsync(resident1, id, CaseAction.Comment, new { note = "我也看看" });
            await comment.ExpectAsync(HttpStatusCode.NotFound);
        }
        using (var join = await ActAsync(resident1, leak.Id, CaseAction.MeToo))
            await join.ExpectAsync(HttpStatusCode.NotFound);
        var mine = await resident1.AllPagesAsync<CaseListItemDto>("/api/v1/cases");
        Assert.DoesNotContain(mine, c => c.Id == leak.Id || c.Id == lamp.Id);
        Assert.Equal(0, (await DetailAsync(await App.ClientAsAsync("property1"), leak.Id)).MeTooCount);

        // The other member of the household sees both as their own.
        var homeB = await App.ClientAsAsync("home-b");
        var theirs = await homeB.AllPagesAsync<CaseListItemDto>("/api/v1/cases");
        Assert.Contains(theirs, c => c.Id == leak.Id);
        Assert.Contains(theirs, c => c.Id == lamp.Id);
        var asB = await DetailAsync(homeB, leak.Id);
        Assert.Equal(CaseRelation.Reporter, asB.MyRelation);
        Assert.Contains(CaseAction.Remind, asB.AllowedActions);
    }

    // ---- Routing ----

    [Theory]
    [InlineData("plumbing", HandlingLevel.Property, "property1", "安居物业服务有限公司")]
    [InlineData("noise", HandlingLevel.Community, "admin1", null)]
    [InlineData("illegal-construction", HandlingLevel.Street, "street", null)]
    public async Task The_category_decides_which_team_gets_the_report(string code, HandlingLevel level, string team, string? company)
    {
        var created = await ReportAsync(await App.ClientAsAsync("resident1"), code, "需要处理的问题");
        Assert.Equal((level, company), (created.Level, created.OrganizationName));
        Assert.Equal(Places.C1.Id, created.CommunityId);

        var asTeam = await DetailAsync(await App.ClientAsAsync(team), created.Id);
        Assert.Equal(CaseRelation.Team, asTeam.MyRelation);
        Assert.Contains(CaseAction.Accept, asTeam.AllowedActions);
        // Nobody else accepts it for them.
        foreach (var other in new[] { "property1", "admin1", "street" }.Where(u => u != team))
        {
            using var response = await ActAsync(await App.ClientAsAsync(other), created.Id, CaseAction.Accept);
            await response.ExpectAsync(HttpStatusCode.Conflict);
        }
        Assert.Equal(CaseStatus.Reported, (await DetailAsync(await App.ClientAsAsync(team), created.Id)).Status);
    }

    [Fact]
    public async Task People_who_stand_in_the_wrong_relation_to_a_case_are_refused()
    {
        var resident1 = await App.ClientAsAsync("resident1");
        var property1 = await App.ClientAsAsync("property1");
        var admin1 = await App.ClientAsAsync("admin1");
        var street = await App.ClientAsAsync("street");
        var created = await ReportAsync(resident1, "lighting", "电动车棚灯不亮");

        async Task Expect(HttpClient client, CaseAction action, HttpStatusCode status, object? body = null)
        {
            using var response = await ActAsync(client, created.Id, action, body);
            await response.ExpectAsync(status);
        }

        // A neighbour does not even see another household's report; a service provider has no access to cases at all.
        await Expect(await App.ClientAsAsync("neighbour1"), CaseAction.Accept, HttpStatusCode.NotFound);
        var provider = await App.ClientAsAsync("provider1");
        await (await provider.GetAsync($"/api/v1/cases/{created.Id}")).ExpectAsync(HttpStatusCode.Forbidden);
        await Expect(provider, CaseAction.Accept, HttpStatusCode.Forbidden);
        // The community and the street oversee the property company; they do not accept for it.
        await Expect(admin1, CaseAction.Accept, HttpStatusCode.Conflict);
        await Expect(street, CaseAction.Accept, HttpStatusCode.Conflict);
        await Expect(resident1, CaseAction.Accept, HttpStatusCode.Conflict);

        await ActOkAsync(property1, created.Id, CaseAction.Accept);
        await ActOkAsync(property1, created.Id, CaseAction.Grab);
        await ActOkAsync(property1, created.Id, CaseAction.Handle, new { note = "更换灯管" });
        await Expect(property1, CaseAction.Rate, HttpStatusCode.Conflict, new { rating = 5 });
        await Expect(resident1, CaseAction.Close, HttpStatusCode.Conflict);
        await ActOkAsync(resident1, created.Id, CaseAction.Verify);
        await Expect(resident1, CaseAction.Close, HttpStatusCode.Conflict);
        await Expect(admin1, CaseAction.Close, HttpStatusCode.Conflict);
        var closed = await ActOkAsync(property1, created.Id, CaseAction.Close);
        Assert.Equal((CaseStatus.Closed, (int?)null), (closed.Status, closed.Rating));
        Assert.Equal(5, (await ActOkAsync(resident1, created.Id, CaseAction.Rate, new { rating = 5 })).Rating);
    }

    // ---- Dispatch and grab ----

    [Fact]
    public async Task A_case_is_dispatched_only_to_a_member_of_the_team_that_handles_it()
    {
        var property1 = await App.ClientAsAsync("property1");
        var repair1 = await App.ClientAsAsync("repair1");
        var lift = await ReportAsync(await App.ClientAsAsync("resident1"), "lift", "电梯按钮失灵");
        Assert.Equal(DispatchMode.Assign, lift.Mode);
        await ActOkAsync(property1, lift.Id, CaseAction.Accept);

        var (me1, me2) = (await property1.MeAsync(), await repair1.MeAsync());
        var team = await property1.GetOkAsync<List<AssigneeDto>>($"/api/v1/cases/{lift.Id}/assignees");
        Assert.Equal(new[] { me1.Id, me2.Id }.Order(), team.Select(a => a.UserId).Order());

        var outsiders = new List<int?> { (await (await App.ClientAsAsync("admin1")).MeAsync()).Id, (await (await App.ClientAsAsync("resident1")).MeAsync()).Id, 999_999, null };
        foreach (var outsider in outsiders)
        {
            using var response = await ActAsync(property1, lift.Id, CaseAction.Dispatch, new { assigneeUserId = outsider });
            await response.ExpectFieldErrorAsync("assigneeUserId");
        }
        var still = await DetailAsync(property1, lift.Id);
        Assert.Equal((CaseStatus.Accepted, (int?)null), (still.Status, still.AssigneeUserId));

        var dispatched = await ActOkAsync(property1, lift.Id, CaseAction.Dispatch, new { assigneeUserId = me2.Id });
        Assert.Equal((CaseStatus.Dispatched, me2.Id, me2.DisplayName), (dispatched.Status, dispatched.AssigneeUserId, dispatched.AssigneeName));
        Assert.Contains(CaseAction.Start, (await DetailAsync(repair1, lift.Id)).AllowedActions);
        Assert.DoesNotContain(CaseAction.Start, (await DetailAsync(property1, lift.Id)).AllowedActions);
    }

    [Fact]
    public async Task When_two_staff_grab_the_same_case_at_once_one_gets_it_and_the_other_is_told_409()
    {
        var resident1 = await App.ClientAsAsync("resident1");
        var staff = new[] { await App.ClientAsAsync("property1"), await App.ClientAsAsync("repair1") };
        var ids = new[] { (await staff[0].MeAsync()).Id, (await staff[1].MeAsync()).Id };
        for (var round = 0; round < 5; round++)
        {
            var created = await ReportAsync(resident1, "door-lock", $"单元门禁刷不开 {round}");
            Assert.Equal(DispatchMode.Grab, created.Mode);
            await ActOkAsync(staff[0], created.Id, CaseAction.Accept);

            using var start = new SemaphoreSlim(0, 2);
            var grabs = staff.Select(async client =>
            {
                await start.WaitAsync();
                using var response = await ActAsync(client, created.Id, CaseAction.Grab);
                return response.StatusCode;
            }).ToList();
            start.Release(2);
            var statuses = await Task.WhenAll(grabs);

            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], statuses.Order());
            var winner = ids[Array.IndexOf(statuses, HttpStatusCode.OK)];
            var after = await DetailAsync(staff[0], created.Id);
            Assert.Equal((CaseStatus.Dispatched, winner), (after.Status, after.AssigneeUserId));
            Assert.Single(after.Timeline, e => e.Kind == CaseEventKind.Grabbed);
        }
    }

    // ---- Bad input ----

    [Theory]
    [InlineData("no category", "categoryId")]
    [InlineData("unknown category", "categoryId")]
    [InlineData("empty title", "title")]
    [InlineData("blank title", "title")]
    [InlineData("title of 81 characters", "title")]
    [InlineData("description of 2001 characters", "description")]
    [InlineData("room of another community", "roomId")]
    [InlineData("building of another community", "buildingId")]
    [InlineData("latitude without longitude", "longitude")]
    [InlineData("longitude without latitude", "latitude")]
    [InlineData("latitude beyond 90", "latitude")]
    [InlineData("place detail of 81 characters", "address")]
    [InlineData("unknown kind", "kind")]
    [InlineData("in-home repair in someone else's home", "roomId")]
    public async Task A_bad_report_gets_400_naming_the_field_and_nothing_is_created(string what, string field)
    {
        var resident1 = await App.ClientAsAsync("resident1");
        var lighting = (await CategoryAsync(resident1, "lighting")).Id;
        var plumbing = (await CategoryAsync(resident1, "plumbing")).Id;
        var home = (await resident1.MeAsync()).ScopeId;
        var building = await (await App.ClientAsAsync("admin1")).GetOkAsync<BuildingDetailDto>($"/api/v1/buildings/{Places.C1.BuildingIds[^1]}");
        var someoneElses = building.Rooms.First(r => r.Id != home).Id;
        object body = what switch
        {
            "no category" => new { title = "灯坏了" },
            "unknown category" => new { categoryId = 999_999, title = "灯坏了" },
            "empty title" => new { categoryId = lighting, title = "" },
            "blank title" => new { categoryId = lighting, title = "   " },
            "title of 81 characters" => new { categoryId = lighting, title = new string('灯', 81) },
            "description of 2001 characters" => new { categoryId = lighting, title = "灯坏了", description = new string('说', 2001) },
            "room of another community" => new { categoryId = lighting, title = "灯坏了", roomId = Places.C2.OccupiedRoomId },
            "building of another community" => new { categoryId = lighting, title = "灯坏了", buildingId = Places.C2.BuildingIds[0] },
            "latitude without longitude" => new { categoryId = lighting, title = "灯坏了", latitude = 30.27 },
            "longitude without latitude" => new { categoryId = lighting, title = "灯坏了", longitude = 120.15 },
            "latitude beyond 90" => new { categoryId = lighting, title = "灯坏了", latitude = 95.0, longitude = 120.15 },
            "place detail of 81 characters" => new { categoryId = lighting, title = "灯坏了", address = new string('楼', 81) },
            "unknown kind" => new { categoryId = lighting, title = "灯坏了", kind = "Gossip" },
            "in-home repair in someone else's home" => new { categoryId = plumbing, title = "水管漏水", roomId = someoneElses },
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };
        var before = await CountAllAsync(App);
        using var response = await resident1.PostJsonAsync("/api/v1/cases", body);
        await response.ExpectFieldErrorAsync(field);
        Assert.Equal(before, await CountAllAsync(App));
    }

    [Theory]
    [InlineData("status=unknown", "status")]
    [InlineData("status=open,sleeping", "status")]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=201", "pageSize")]
    [InlineData("page=0", "page")]
    [InlineData("level=Moon", "level")]
    [InlineData("overdue=perhaps", "overdue")]
    public async Task A_bad_filter_on_the_queue_gets_400_naming_it(string query, string field)
    {
        using var response = await (await App.ClientAsAsync("admin1")).GetAsync($"/api/v1/cases?{query}");
        await response.ExpectFieldErrorAsync(field);
    }

    [Fact]
    public async Task A_search_of_more_than_forty_characters_gets_400_naming_it()
    {
        using var response = await (await App.ClientAsAsync("admin1")).GetAsync($"/api/v1/cases?search={new string('灯', 41)}");
        await response.ExpectFieldErrorAsync("search");
    }

    [Fact]
    public async Task Bad_input_to_an_action_gets_400_naming_the_field_and_leaves_the_case_as_it_was()
    {
        var resident1 = await App.ClientAsAsync("resident1");
        var property1 = await App.ClientAsAsync("property1");
        var created = await ReportAsync(resident1, "lighting", "路灯闪烁");

        async Task Refused(HttpClient client, CaseAction action, object body, string field)
        {
            var before = await DetailAsync(property1, created.Id);
            using var response = await ActAsync(client, created.Id, action, body);
            await response.ExpectFieldErrorAsync(field);
            var after = await DetailAsync(property1, created.Id);
            Assert.Equal((before.Status, before.Level, before.Version, before.Timeline.Count), (after.Status, after.Level, after.Version, after.Timeline.Count));
        }

        // Longer than the timeline's column too: refused as input, never a database error.
        await Refused(property1, CaseAction.Accept, new { note = new string('长', 2000) }, "note");
        await Refused(property1, CaseAction.Reject, new { }, "note");
        await Refused(property1, CaseAction.Reject, new { note = "  " }, "note");
        await Refused(property1, CaseAction.Transfer, new { note = "归社区" }, "level");
        await Refused(property1, CaseAction.Transfer, new { note = "归社区", level = "Moon" }, "level");
        await Refused(property1, CaseAction.Transfer, new { note = "", level = "Community" }, "note");
        await Refused(property1, CaseAction.Escalate, new { }, "note");
        await Refused(resident1, CaseAction.Comment, new { note = "" }, "note");

        await ActOkAsync(property1, created.Id, CaseAction.Accept);
        await ActOkAsync(property1, created.Id, CaseAction.Grab);
        await Refused(property1, CaseAction.Handle, new { }, "note");
        await ActOkAsync(property1, created.Id, CaseAction.Handle, new { note = "更换了镇流器" });
        await Refused(resident1, CaseAction.Rate, new { note = "好" }, "rating");
        await Refused(resident1, CaseAction.Rate, new { rating = 6 }, "rating");
        await Refused(resident1, CaseAction.Rate, new { rating = "five" }, "rating");
        await Refused(resident1, CaseAction.Reopen, new { }, "note");
        await Refused(property1, CaseAction.FollowUp, new { note = new string('长', 1001) }, "note");
    }

    [Fact]
    public async Task An_action_the_state_does_not_allow_gets_409_and_says_why()
    {
        var resident1 = await App.ClientAsAsync("resident1");
        var created = await ReportAsync(resident1, "lighting", "草坪灯不亮");
        using var close = await ActAsync(resident1, created.Id, CaseAction.Close);
        await close.ExpectAsync(HttpStatusCode.Conflict);
        var problem = await close.Content.ReadFromJsonAsync<Api.ValidationProblem>(Api.Json);
        Assert.Contains("Close", problem!.Errors!["action"][0], StringComparison.Ordinal);
        using var handle = await ActAsync(await App.ClientAsAsync("property1"), created.Id, CaseAction.Handle, new { note = "修好了" });
        await handle.ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal(CaseStatus.Reported, (await DetailAsync(resident1, created.Id)).Status);
    }

    // ---- Similar reports and "me too" ----

    [Fact]
    public async Task A_neighbour_in_the_same_building_finds_the_open_report_joins_it_and_follows_it()
    {
        var resident1 = await App.ClientAsAsync("resident1");
        var neighbour = await App.ClientAsAsync("neighbour1");
        var greenery = await CategoryAsync(resident1, "greenery");
        var first = await ReportAsync(resident1, new { categoryId = greenery.Id, title = "楼下的树枝挡住窗户" });
        using (var photo = await UploadAsync(resident1, first.Id, Png(), "tree.png", "image/png"))
            await photo.ExpectAsync(HttpStatusCode.Created);

        var similar = await (await neighbour.PostJsonAsync("/api/v1/cases/similar", new { categoryId = greenery.Id, title = "树枝挡窗" })).OkAsync<List<SimilarCaseDto>>();
        var found = Assert.Single(similar, s => s.Id == first.Id);
        Assert.Equal(("楼下的树枝挡住窗户", 0), (found.Title, found.MeTooCount));
        // The reporter is not offered their own report, and a resident of another building far off is not offered it.
        var own = await (await resident1.PostJsonAsync("/api/v1/cases/similar", new { categoryId = greenery.Id, title = "树" })).OkAsync<List<SimilarCaseDto>>();
        Assert.DoesNotContain(own, s => s.Id == first.Id);
        var far = await (await (await App.ClientAsAsync("resident3")).PostJsonAsync("/api/v1/cases/similar", new { categoryId = greenery.Id, title = "树" }))
            .OkAsync<List<SimilarCaseDto>>();
        Assert.DoesNotContain(far, s => s.Id == first.Id);

        var joined = await ActOkAsync(neighbour, first.Id, CaseAction.MeToo);
        Assert.Equal((1, CaseRelation.Follower), (joined.MeTooCount, joined.MyRelation));
        Assert.Contains(CaseAction.Remind, joined.AllowedActions);
        Assert.Contains(await neighbour.AllPagesAsync<CaseListItemDto>("/api/v1/cases"), c => c.Id == first.Id);
        // Following it, they see what the reporter sees: the timeline and the photo.
        var photoOfReport = Assert.Single(joined.Photos);
        await (await neighbour.GetAsync(photoOfReport.Url)).ExpectAsync(HttpStatusCode.OK);

        using (var again = await ActAsync(neighbour, first.Id, CaseAction.MeToo))
            await again.ExpectAsync(HttpStatusCode.Conflict);
        using (var byReporter = await ActAsync(resident1, first.Id, CaseAction.MeToo))
            await byReporter.ExpectAsync(HttpStatusCode.Conflict);
        using (var otherCommunity = await ActAsync(await App.ClientAsAsync("resident2"), first.Id, CaseAction.MeToo))
            await otherCommunity.ExpectAsync(HttpStatusCode.NotFound);
        await ActOkAsync(neighbour, first.Id, CaseAction.Remind);
        var asReporter = await DetailAsync(resident1, first.Id);
        Assert.Equal((1, 1), (asReporter.MeTooCount, asReporter.RemindCount));
        Assert.Contains(asReporter.Timeline, e => e.Kind == CaseEventKind.JoinedByNeighbour);
        Assert.Equal(1, (await (await neighbour.PostJsonAsync("/api/v1/cases/similar", new { categoryId = greenery.Id, title = "树" }))
            .OkAsync<List<SimilarCaseDto>>()).Single(s => s.Id == first.Id).MeTooCount);
    }
}

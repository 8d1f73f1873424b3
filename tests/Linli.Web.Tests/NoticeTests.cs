using System.Net;
using System.Net.Http.Headers;
using Linli.Domain.Identity;
using Linli.Domain.Notices;
using Linli.Domain.Registry;
using Linli.Infrastructure.Persistence;
using Linli.Infrastructure.Seeding;
using Linli.Web.Features.Identity;
using Linli.Web.Features.Notices;
using Linli.Web.Features.Registry;
using Linli.Web.Features.Shared;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>Notices: who is sent what and when, read receipts and the door-knocking list, and what publishers may not do.</summary>
public sealed class NoticeTests
{
    const string Notices = "/api/v1/notices";

    static async Task<NoticeDto> PublishAsync(HttpClient client, NoticeRequest request)
    {
        using var response = await client.PostJsonAsync(Notices, request);
        return await response.OkAsync<NoticeDto>();
    }

    static NoticeRequest Water(string title = "3号楼明日停水") => new(title, "明天 **9:00–12:00** 停水，请提前储水。");

    static async Task<List<NoticeSummaryDto>> MyNoticesAsync(HttpClient client, string query = "") =>
        await client.AllPagesAsync<NoticeSummaryDto>(Notices + query);

    /// <summary>The ids on a reader's board now: the demo district's own notices, before a test adds any.</summary>
    static async Task<List<int>> BoardAsync(HttpClient client) => [.. (await MyNoticesAsync(client)).Select(n => n.Id)];

    /// <summary>The board in its order, without the notices that were on it before the test (<paramref name="before"/>).</summary>
    static async Task<List<int>> AddedSinceAsync(HttpClient client, IReadOnlyCollection<int> before) =>
        [.. (await MyNoticesAsync(client)).Select(n => n.Id).Where(id => !before.Contains(id))];

    static async Task<RoomDto> HomeOfAsync(HttpClient resident) =>
        await resident.GetOkAsync<RoomDto>($"/api/v1/rooms/{(await resident.MeAsync()).ScopeId}");

    /// <summary>Gives a registered resident an account with the demo password: most residents have none.</summary>
    static async Task AddResidentAccountAsync(TestApp app, int residentId, string userName)
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        var resident = await db.Residents.IgnoreQueryFilters().SingleAsync(r => r.Id == residentId);
        var community = await db.Nodes.IgnoreQueryFilters().SingleAsync(n => n.Id == resident.CommunityId);
        var account = new UserAccount(userName, resident.Name, Role.Resident, community, residentId);
        account.SetPasswordHash(new PasswordHasher<UserAccount>().HashPassword(account, RegistrySeeder.DemoPassword));
        db.Users.Add(account);
        await db.SaveChangesAsync();
    }

    // ---- who sees what

    [Fact]
    public async Task A_community_notice_reaches_its_own_residents_and_staff_and_nobody_in_the_other_community()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var notice = await PublishAsync(await app.ClientAsAsync("admin1"), Water());
        Assert.Equal(NoticeStatus.Published, notice.Status);

        var resident1 = await app.ClientAsAsync("resident1");
        var mine = Assert.Single(await MyNoticesAsync(resident1), n => n.Id == notice.Id);
        Assert.False(mine.Read);
        Assert.Equal("3号楼明日停水", mine.Title);
        Assert.Contains(notice.Id, (await MyNoticesAsync(await app.ClientAsAsync("grid1"))).Select(n => n.Id));

        var resident2 = await app.ClientAsAsync("resident2");
        Assert.DoesNotContain(notice.Id, (await MyNoticesAsync(resident2)).Select(n => n.Id));
        Assert.Equal(HttpStatusCode.NotFound, await resident2.GetAsync($"{Notices}/{notice.Id}").StatusOfAsync());
        Assert.DoesNotContain(notice.Id, (await MyNoticesAsync(await app.ClientAsAsync("grid2"))).Select(n => n.Id));
    }

    [Fact]
    public async Task A_street_notice_reaches_both_communities_and_each_admin_follows_up_their_own_households()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var notice = await PublishAsync(await app.ClientAsAsync("street"), Water("街道防汛通知"));
        Assert.Contains(notice.Id, (await MyNoticesAsync(await app.ClientAsAsync("resident1"))).Select(n => n.Id));
        Assert.Contains(notice.Id, (await MyNoticesAsync(await app.ClientAsAsync("resident2"))).Select(n => n.Id));

        // Published above admin1: not theirs to manage or withdraw, but theirs to follow up, counted in their community only.
        var admin1 = await app.ClientAsAsync("admin1");
        Assert.DoesNotContain(notice.Id, (await admin1.AllPagesAsync<ManagedNoticeDto>($"{Notices}/managed")).Select(n => n.Id));
        Assert.Equal(HttpStatusCode.Forbidden, await admin1.PostAsync($"{Notices}/{notice.Id}/withdraw", null).StatusOfAsync());
        var street = await (await app.ClientAsAsync("street")).GetOkAsync<ReceiptSummaryDto>($"{Notices}/{notice.Id}/receipts");
        var c1 = await admin1.GetOkAsync<ReceiptSummaryDto>($"{Notices}/{notice.Id}/receipts");
        var c2 = await (await app.ClientAsAsync("admin2")).GetOkAsync<ReceiptSummaryDto>($"{Notices}/{notice.Id}/receipts");
        Assert.Equal(await OccupiedRoomsAsync(admin1, places.C1.Id), c1.TargetedHouseholds);
        Assert.Equal(street.TargetedHouseholds, c1.TargetedHouseholds + c2.TargetedHouseholds);
        Assert.Equal(places.C1.ResidentCount + places.C2.ResidentCount, street.TargetedResidents);
    }

    [Fact]
    public async Task A_notice_for_grid_workers_only_goes_to_grid_workers()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var street = await app.ClientAsAsync("street");
        var notice = await PublishAsync(street, Water("网格员例会") with { Roles = [Role.GridWorker] });

        var grid1 = await app.ClientAsAsync("grid1");
        Assert.Contains(notice.Id, (await MyNoticesAsync(grid1)).Select(n => n.Id));
        Assert.Contains(notice.Id, (await MyNoticesAsync(await app.ClientAsAsync("grid2"))).Select(n => n.Id));
        Assert.DoesNotContain(notice.Id, (await MyNoticesAsync(await app.ClientAsAsync("resident1"))).Select(n => n.Id));
        Assert.DoesNotContain(notice.Id, (await MyNoticesAsync(await app.ClientAsAsync("property1"))).Select(n => n.Id));
        Assert.Equal(HttpStatusCode.NotFound, await (await app.ClientAsAsync("resident1")).GetAsync($"{Notices}/{notice.Id}").StatusOfAsync());

        var before = await street.GetOkAsync<ReceiptSummaryDto>($"{Notices}/{notice.Id}/receipts");
        Assert.False(before.IncludesResidents);
        Assert.Equal((0, 2, 0), (before.TargetedHouseholds, before.TargetedStaff, before.StaffReads));
        await grid1.GetOkAsync<NoticeDto>($"{Notices}/{notice.Id}");
        var after = await street.GetOkAsync<ReceiptSummaryDto>($"{Notices}/{notice.Id}/receipts");
        Assert.Equal((1, 50), (after.StaffReads, after.ReadPercent));
    }

    [Fact]
    public async Task A_scheduled_notice_is_invisible_to_readers_until_its_time_and_drops_out_when_it_expires()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var now = app.Clock.GetUtcNow();
        var admin1 = await app.ClientAsAsync("admin1");
        var notice = await PublishAsync(admin1, Water() with { PublishAt = now.AddMinutes(30), ExpiresAt = now.AddMinutes(45) });
        Assert.Equal(NoticeStatus.Scheduled, notice.Status);

        var resident1 = await app.ClientAsAsync("resident1");
        Assert.DoesNotContain(notice.Id, (await MyNoticesAsync(resident1)).Select(n => n.Id));
        Assert.Equal(HttpStatusCode.NotFound, await resident1.GetAsync($"{Notices}/{notice.Id}").StatusOfAsync());
        // Staff below it (grid1) do not see it before it is out either; its publishers do.
        Assert.Equal(HttpStatusCode.NotFound, await (await app.ClientAsAsync("grid1")).GetAsync($"{Notices}/{notice.Id}").StatusOfAsync());
        Assert.Equal(NoticeStatus.Scheduled, Assert.Single(await admin1.AllPagesAsync<ManagedNoticeDto>($"{Notices}/managed?status=Scheduled")).Status);

        app.Clock.Advance(TimeSpan.FromMinutes(31));
        Assert.Contains(notice.Id, (await MyNoticesAsync(resident1)).Select(n => n.Id));
        Assert.Equal(NoticeStatus.Published, (await resident1.GetOkAsync<NoticeDto>($"{Notices}/{notice.Id}")).Status);

        app.Clock.Advance(TimeSpan.FromMinutes(15));
        Assert.DoesNotContain(notice.Id, (await MyNoticesAsync(resident1)).Select(n => n.Id));
        Assert.Equal(HttpStatusCode.NotFound, await resident1.GetAsync($"{Notices}/{notice.Id}").StatusOfAsync());
        Assert.Equal(NoticeStatus.Expired, (await admin1.GetOkAsync<NoticeDto>($"{Notices}/{notice.Id}")).Status);
    }

    [Fact]
    public async Task A_scheduled_notice_can_be_changed_or_published_at_once_but_a_published_one_cannot_be_changed()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin1 = await app.ClientAsAsync("admin1");
        var scheduled = await PublishAsync(admin1, Water() with { PublishAt = app.Clock.GetUtcNow().AddHours(2) });

        using (var edit = await admin1.PutJsonAsync($"{Notices}/{scheduled.Id}", Water("3号楼明日停水（更正）") with { PublishAt = scheduled.PublishAt }))
            Assert.Equal("3号楼明日停水（更正）", (await edit.OkAsync<NoticeDto>()).Title);
        using (var now = await admin1.PostAsync($"{Notices}/{scheduled.Id}/publish", null))
            Assert.Equal(NoticeStatus.Published, (await now.OkAsync<NoticeDto>()).Status);
        Assert.Contains(scheduled.Id, (await MyNoticesAsync(await app.ClientAsAsync("resident1"))).Select(n => n.Id));

        using var late = await admin1.PutJsonAsync($"{Notices}/{scheduled.Id}", Water("偷偷改标题"));
        await late.ExpectFieldErrorAsync("status");
        Assert.Equal("3号楼明日停水（更正）", (await admin1.GetOkAsync<NoticeDto>($"{Notices}/{scheduled.Id}")).Title);
    }

    [Fact]
    public async Task Pinned_notices_come_first_then_urgent_ones_then_the_newest()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin1 = await app.ClientAsAsync("admin1");
        var resident1 = await app.ClientAsAsync("resident1");
        var board = await BoardAsync(resident1);
        var plain = await PublishAsync(admin1, Water("垃圾分类宣传"));
        var urgent = await PublishAsync(admin1, Water("燃气泄漏紧急疏散") with { Urgent = true });
        var pinned = await PublishAsync(admin1, Water("社区办公时间") with { Pinned = true });
        var newest = await PublishAsync(admin1, Water("周末义诊"));

        Assert.Equal([pinned.Id, urgent.Id, newest.Id, plain.Id], await AddedSinceAsync(resident1, board));
        Assert.Equal([urgent.Id], (await MyNoticesAsync(resident1, "?urgent=true&unread=true")).Select(n => n.Id));

        await resident1.GetOkAsync<NoticeDto>($"{Notices}/{urgent.Id}");
        Assert.Empty(await MyNoticesAsync(resident1, "?urgent=true&unread=true"));
        using (var unpin = await admin1.PostAsync($"{Notices}/{pinned.Id}/pin?pinned=false", null)) Assert.False((await unpin.OkAsync<NoticeDto>()).Pinned);
        Assert.Equal([urgent.Id, newest.Id, pinned.Id, plain.Id], await AddedSinceAsync(resident1, board));
    }

    [Fact]
    public async Task Urgent_notices_stay_on_the_home_page_until_they_are_read()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin1 = await app.ClientAsAsync("admin1");
        var urgent = await PublishAsync(admin1, Water("燃气泄漏紧急疏散") with { Urgent = true });
        await PublishAsync(admin1, Water("周末义诊"));
        var resident1 = await app.ClientAsAsync("resident1");

        var home = await PageAsync(resident1, "/");
        Assert.Contains("燃气泄漏紧急疏散", home, StringComparison.Ordinal);
        Assert.Contains($"href=\"/notices/{urgent.Id}\"", home, StringComparison.Ordinal);
        Assert.DoesNotContain("周末义诊", home, StringComparison.Ordinal);
        // Staff see the box on their home page too, next to the page's own counts.
        Assert.Contains("燃气泄漏紧急疏散", await PageAsync(admin1, "/"), StringComparison.Ordinal);
        Assert.DoesNotContain("燃气泄漏紧急疏散", await PageAsync(await app.ClientAsAsync("resident2"), "/"), StringComparison.Ordinal);

        Assert.Contains("燃气泄漏紧急疏散", await PageAsync(resident1, $"/notices/{urgent.Id}"), StringComparison.Ordinal);
        Assert.DoesNotContain("燃气泄漏紧急疏散", await PageAsync(resident1, "/"), StringComparison.Ordinal);
    }

    static async Task<string> PageAsync(HttpClient client, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        using var response = await client.SendAsync(request);
        await response.ExpectAsync(HttpStatusCode.OK);
        return await response.Content.ReadAsStringAsync();
    }

    // ---- targeting residents

    [Fact]
    public async Task A_notice_for_people_living_alone_reaches_a_resident_once_they_are_labelled_so()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin1 = await app.ClientAsAsync("admin1");
        var notice = await PublishAsync(admin1, Water("独居居民安全提醒") with { Groups = [ResidentGroups.LivingAlone] });
        var resident1 = await app.ClientAsAsync("resident1");
        Assert.DoesNotContain(notice.Id, (await MyNoticesAsync(resident1)).Select(n => n.Id));
        Assert.Equal(HttpStatusCode.NotFound, await resident1.GetAsync($"{Notices}/{notice.Id}").StatusOfAsync());

        var name = (await resident1.MeAsync()).DisplayName;
        var me = (await HomeOfAsync(resident1)).Household.Single(p => p.Name == name);
        using (var label = await admin1.PutJsonAsync($"/api/v1/residents/{me.Id}", new UpdateResidentRequest(me.Name, null, null, ["LivingAlone"], null, null)))
            await label.ExpectAsync(HttpStatusCode.OK);

        Assert.Contains(notice.Id, (await MyNoticesAsync(resident1)).Select(n => n.Id));
    }

    [Fact]
    public async Task A_notice_for_the_elderly_living_alone_targets_exactly_them_and_their_households_make_the_door_knocking_list()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var admin1 = await app.ClientAsAsync("admin1");
        var notice = await PublishAsync(admin1, Water("寒潮来袭，独居老人请注意保暖") with { Groups = [ResidentGroups.ElderlyLivingAlone], Urgent = true });
        Assert.DoesNotContain(notice.Id, (await MyNoticesAsync(await app.ClientAsAsync("resident1"))).Select(n => n.Id));

        var elders = await admin1.AllPagesAsync<ResidentSummaryDto>($"/api/v1/residents?communityId={places.C1.Id}&label=ElderlyLivingAlone");
        Assert.NotEmpty(elders);
        var receipt = await admin1.GetOkAsync<ReceiptSummaryDto>($"{Notices}/{notice.Id}/receipts");
        Assert.Equal(elders.Count, receipt.TargetedResidents);
        Assert.Equal(elders.Select(e => e.RoomId).Distinct().Count(), receipt.TargetedHouseholds);
        Assert.Equal(0, receipt.ReachedHouseholds);

        var unread = await admin1.AllPagesAsync<UnreadHouseholdDto>($"{Notices}/{notice.Id}/unread");
        Assert.Equal(receipt.TargetedHouseholds, unread.Count);
        var listed = unread.SelectMany(h => h.People).ToList();
        Assert.Equal(elders.Select(e => e.Id).Order(), listed.Select(p => p.ResidentId).Order());
        Assert.All(listed, p => Assert.True(p.Age >= 60 && p.Labels.Contains("LivingAlone"), $"{p.Name} is {p.Age}: {string.Join(',', p.Labels)}"));

        // One of them has an account and opens the notice on their phone: their household drops off the list.
        var elder = elders[0];
        await AddResidentAccountAsync(app, elder.Id, "elder1");
        var elderClient = await app.ClientAsAsync("elder1");
        var theirs = Assert.Single(await MyNoticesAsync(elderClient, "?urgent=true&unread=true"), n => n.Id == notice.Id);
        Assert.True(theirs.Urgent);
        Assert.True((await elderClient.GetOkAsync<NoticeDto>($"{Notices}/{notice.Id}")).Read);

        var after = await admin1.GetOkAsync<ReceiptSummaryDto>($"{Notices}/{notice.Id}/receipts");
        Assert.Equal((1, 1), (after.ReachedHouseholds, after.ResidentReads));
        var stillUnread = await admin1.AllPagesAsync<UnreadHouseholdDto>($"{Notices}/{notice.Id}/unread");
        Assert.Equal(unread.Count - 1, stillUnread.Count);
        Assert.DoesNotContain(elder.RoomId!.Value, stillUnread.Select(h => h.RoomId));
    }

    [Fact]
    public async Task Read_receipts_move_when_a_resident_reads_and_reading_twice_counts_once()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var admin1 = await app.ClientAsAsync("admin1");
        var notice = await PublishAsync(admin1, Water());
        var before = await admin1.GetOkAsync<ReceiptSummaryDto>($"{Notices}/{notice.Id}/receipts");
        Assert.True(before.IncludesResidents);
        Assert.Equal(await OccupiedRoomsAsync(admin1, places.C1.Id), before.TargetedHouseholds);
        Assert.Equal(places.C1.ResidentCount, before.TargetedResidents);
        Assert.Equal((0, 0, 0), (before.ReachedHouseholds, before.ResidentReads, before.ReadPercent));

        var resident1 = await app.ClientAsAsync("resident1");
        var opened = await resident1.GetOkAsync<NoticeDto>($"{Notices}/{notice.Id}");
        Assert.True(opened.Read);
        Assert.False(opened.CanManage);
        Assert.Equal("", opened.AuthorName);
        await resident1.GetOkAsync<NoticeDto>($"{Notices}/{notice.Id}");

        var after = await admin1.GetOkAsync<ReceiptSummaryDto>($"{Notices}/{notice.Id}/receipts");
        Assert.Equal((1, 1, before.TargetedHouseholds - 1), (after.ReachedHouseholds, after.ResidentReads, after.UnreadHouseholds));
        Assert.True(Assert.Single(await MyNoticesAsync(resident1), n => n.Id == notice.Id).Read);

        var home = await HomeOfAsync(resident1);
        var building = await admin1.AllPagesAsync<BuildingReceiptDto>($"{Notices}/{notice.Id}/receipts/buildings");
        Assert.Equal(before.TargetedHouseholds, building.Sum(b => b.TargetedHouseholds));
        Assert.Equal(1, Assert.Single(building, b => b.BuildingId == home.BuildingId).ReachedHouseholds);
        Assert.Equal(0, building.Where(b => b.BuildingId != home.BuildingId).Sum(b => b.ReachedHouseholds));
    }

    [Fact]
    public async Task The_unread_list_gives_room_numbers_per_building_in_door_order_and_a_grid_worker_gets_their_grid()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var admin1 = await app.ClientAsAsync("admin1");
        var (b1, b2) = (places.C1.BuildingIds[0], places.C1.BuildingIds[1]);
        var notice = await PublishAsync(admin1, Water() with { BuildingIds = [b1, b2] });

        var perBuilding = await admin1.AllPagesAsync<BuildingReceiptDto>($"{Notices}/{notice.Id}/receipts/buildings");
        Assert.Equal([b1, b2], perBuilding.Select(b => b.BuildingId).Order());
        var first = perBuilding.Single(b => b.BuildingId == b1);
        var unread = await admin1.AllPagesAsync<UnreadHouseholdDto>($"{Notices}/{notice.Id}/unread?buildingId={b1}");
        Assert.Equal(first.TargetedHouseholds, unread.Count);
        Assert.All(unread, h =>
        {
            Assert.Equal(b1, h.BuildingId);
            Assert.Equal($"{first.BuildingName}{h.UnitNo}单元{h.Number}", h.Label);
            Assert.NotEmpty(h.People);
        });
        Assert.Equal(unread.OrderBy(h => h.UnitNo).ThenBy(h => h.Floor).ThenBy(h => h.Number, StringComparer.Ordinal).Select(h => h.RoomId), unread.Select(h => h.RoomId));

        // A building the notice is not for has nobody to visit.
        var other = places.C1.BuildingIds.First(id => id != b1 && id != b2);
        Assert.Empty(await admin1.AllPagesAsync<UnreadHouseholdDto>($"{Notices}/{notice.Id}/unread?buildingId={other}"));

        // Grid 1's worker follows up the same notice for the buildings of their grid only.
        var grid1 = await app.ClientAsAsync("grid1");
        var gridBuildings = (await grid1.AllPagesAsync<BuildingDto>("/api/v1/buildings")).Select(b => b.Id).ToHashSet();
        var theirs = await grid1.AllPagesAsync<UnreadHouseholdDto>($"{Notices}/{notice.Id}/unread");
        Assert.All(theirs, h => Assert.Contains(h.BuildingId, gridBuildings));
        Assert.Equal(perBuilding.Where(b => gridBuildings.Contains(b.BuildingId)).Sum(b => b.UnreadHouseholds), theirs.Count);
    }

    // ---- safe text

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("<img src=x onerror=alert(1)>")]
    [InlineData("[点这里](javascript:alert(1))")]
    [InlineData("[点这里](JaVaScRiPt:alert(1))")]
    [InlineData("[点这里](java&#x09;script:alert(1))")]
    [InlineData("[点这里](vbscript:msgbox(1))")]
    [InlineData("[点这里](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)")]
    [InlineData("<javascript:alert(1)>")]
    [InlineData("![图](javascript:alert(1))")]
    [InlineData("[点这里][x]\n\n[x]: javascript:alert(1)")]
    public void Markdown_keeps_no_script_and_no_unsafe_link(string markdown)
    {
        var html = NoticeMarkdown.ToHtml("通知：" + markdown);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img src=\"x\"", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"javascript", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"vbscript", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"data:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=\"javascript", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"java", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("通知", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Markdown_keeps_ordinary_formatting_and_safe_links()
    {
        var html = NoticeMarkdown.ToHtml("**停水**时间：\n9:00–12:00\n\n- 请储水\n\n[详情](https://example.org/a?b=1) · [电话](tel:057186001201) · [本站](/facilities)");
        Assert.Contains("<strong>停水</strong>", html, StringComparison.Ordinal);
        Assert.Contains("<br />", html, StringComparison.Ordinal);
        Assert.Contains("<li>请储水</li>", html, StringComparison.Ordinal);
        Assert.Contains("href=\"https://example.org/a?b=1\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"tel:057186001201\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/facilities\"", html, StringComparison.Ordinal);
        Assert.Equal("停水时间： 9:00–12:00 请储水", NoticeMarkdown.Excerpt("**停水**时间：\n9:00–12:00\n\n- 请储水"));
    }

    [Fact]
    public async Task A_script_in_a_notice_reaches_readers_as_harmless_text()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var notice = await PublishAsync(await app.ClientAsAsync("admin1"),
            new NoticeRequest("安全测试", "<script>alert('x')</script>\n\n[领取补贴](javascript:alert(1))"));
        var resident1 = await app.ClientAsAsync("resident1");
        var read = await resident1.GetOkAsync<NoticeDto>($"{Notices}/{notice.Id}");
        Assert.DoesNotContain("<script", read.BodyHtml, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("javascript:", read.BodyHtml, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;", read.BodyHtml, StringComparison.Ordinal);
        Assert.Contains("领取补贴", read.BodyHtml, StringComparison.Ordinal);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/notices/{notice.Id}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        using var page = await resident1.SendAsync(request);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("安全测试", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"javascript:alert", html, StringComparison.Ordinal);
    }

    // ---- bad input and forbidden changes

    [Fact]
    public async Task Bad_input_is_refused_naming_the_field_and_nothing_is_published()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var admin1 = await app.ClientAsAsync("admin1");
        var resident1 = await app.ClientAsAsync("resident1");
        var managed = (await admin1.AllPagesAsync<ManagedNoticeDto>($"{Notices}/managed")).Select(n => n.Id).ToList();
        var board = await BoardAsync(resident1);
        var now = app.Clock.GetUtcNow();

        async Task Refused(object request, string field)
        {
            using var response = await admin1.PostJsonAsync(Notices, request);
            await response.ExpectFieldErrorAsync(field);
        }
        await Refused(Water("  "), "title");
        await Refused(Water(new string('长', Notice.TitleMaxLength + 1)), "title");
        await Refused(Water() with { Body = "" }, "body");
        await Refused(Water() with { PublishAt = now.AddDays(2), ExpiresAt = now.AddDays(1) }, "expiresAt");
        await Refused(Water() with { PublishAt = now.AddDays(-1) }, "publishAt");
        await Refused(Water() with { BuildingIds = [999_999] }, "buildingIds");
        await Refused(Water() with { BuildingIds = [places.C2.BuildingIds[0]] }, "buildingIds");
        await Refused(Water() with { Groups = [ResidentGroups.Elderly80], Roles = [Role.GridWorker] }, "roles");
        await Refused(Water() with { NodeId = places.C2.Id }, "nodeId");
        await Refused(new { title = "停水", body = "停水", groups = new[] { "Nobody" } }, "groups[0]");
        await Refused(new { title = "停水", body = "停水", publishAt = "tomorrow" }, "publishAt");

        Assert.Equal(managed, (await admin1.AllPagesAsync<ManagedNoticeDto>($"{Notices}/managed")).Select(n => n.Id));
        Assert.Equal(board, await BoardAsync(resident1));
    }

    [Fact]
    public async Task A_resident_cannot_publish_or_see_receipts()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var resident1 = await app.ClientAsAsync("resident1");
        var board = await BoardAsync(resident1);
        var notice = await PublishAsync(await app.ClientAsAsync("admin1"), Water());

        Assert.Equal(HttpStatusCode.Forbidden, await resident1.PostJsonAsync(Notices, Water("居民自己发的")).StatusOfAsync());
        Assert.Equal(HttpStatusCode.Forbidden, await resident1.GetAsync($"{Notices}/managed").StatusOfAsync());
        Assert.Equal(HttpStatusCode.Forbidden, await resident1.GetAsync($"{Notices}/{notice.Id}/receipts").StatusOfAsync());
        Assert.Equal(HttpStatusCode.Forbidden, await resident1.GetAsync($"{Notices}/{notice.Id}/unread").StatusOfAsync());
        Assert.Equal(HttpStatusCode.Forbidden, await resident1.PostAsync($"{Notices}/{notice.Id}/withdraw", null).StatusOfAsync());
        Assert.Equal([notice.Id], await AddedSinceAsync(resident1, board));
        Assert.Equal(HttpStatusCode.Unauthorized, await app.Anonymous().GetAsync(Notices).StatusOfAsync());
    }

    [Fact]
    public async Task Another_community_admin_can_neither_see_nor_withdraw_a_notice_and_its_own_admin_can()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin1 = await app.ClientAsAsync("admin1");
        var resident1 = await app.ClientAsAsync("resident1");
        var board = await BoardAsync(resident1);
        var notice = await PublishAsync(admin1, Water());
        var admin2 = await app.ClientAsAsync("admin2");

        Assert.Equal(HttpStatusCode.NotFound, await admin2.GetAsync($"{Notices}/{notice.Id}").StatusOfAsync());
        Assert.Equal(HttpStatusCode.NotFound, await admin2.PostAsync($"{Notices}/{notice.Id}/withdraw", null).StatusOfAsync());
        Assert.Equal(HttpStatusCode.NotFound, await admin2.PutJsonAsync($"{Notices}/{notice.Id}", Water("改")).StatusOfAsync());
        Assert.Equal(HttpStatusCode.NotFound, await admin2.GetAsync($"{Notices}/{notice.Id}/receipts").StatusOfAsync());
        Assert.Equal(HttpStatusCode.NotFound, await admin2.GetAsync($"{Notices}/{notice.Id}/unread").StatusOfAsync());
        Assert.DoesNotContain(notice.Id, (await admin2.AllPagesAsync<ManagedNoticeDto>($"{Notices}/managed")).Select(n => n.Id));
        Assert.Equal(NoticeStatus.Published, (await admin1.GetOkAsync<NoticeDto>($"{Notices}/{notice.Id}")).Status);

        // A grid worker under admin1 sees it out, but withdrawing is for those who published in their area.
        Assert.Equal(HttpStatusCode.Forbidden, await (await app.ClientAsAsync("grid1")).PostAsync($"{Notices}/{notice.Id}/withdraw", null).StatusOfAsync());

        using (var withdrawn = await admin1.PostAsync($"{Notices}/{notice.Id}/withdraw", null))
            Assert.Equal(NoticeStatus.Withdrawn, (await withdrawn.OkAsync<NoticeDto>()).Status);
        Assert.Equal(board, await BoardAsync(resident1));
        Assert.Equal(HttpStatusCode.NotFound, await resident1.GetAsync($"{Notices}/{notice.Id}").StatusOfAsync());
        using var twice = await admin1.PostAsync($"{Notices}/{notice.Id}/withdraw", null);
        await twice.ExpectFieldErrorAsync("status");
    }

    [Fact]
    public async Task A_grid_worker_publishes_for_their_grid_only()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var grid1 = await app.ClientAsAsync("grid1");
        var me = await grid1.MeAsync();
        var notice = await PublishAsync(grid1, Water("网格楼道清理"));
        Assert.Equal(me.NodeId, notice.NodeId);

        using (var above = await grid1.PostJsonAsync(Notices, Water() with { NodeId = places.C1.Id }))
            await above.ExpectFieldErrorAsync("nodeId");

        var receipt = await grid1.GetOkAsync<ReceiptSummaryDto>($"{Notices}/{notice.Id}/receipts");
        var gridRooms = (await grid1.AllPagesAsync<BuildingDto>("/api/v1/buildings")).Sum(b => b.OccupiedRooms);
        Assert.Equal(gridRooms, receipt.TargetedHouseholds);
        Assert.True(receipt.TargetedHouseholds < await OccupiedRoomsAsync(await app.ClientAsAsync("admin1"), places.C1.Id));
        // The community admin above it manages it; the other community's grid worker does not see it.
        Assert.Contains(notice.Id, (await (await app.ClientAsAsync("admin1")).AllPagesAsync<ManagedNoticeDto>($"{Notices}/managed")).Select(n => n.Id));
        Assert.DoesNotContain(notice.Id, (await MyNoticesAsync(await app.ClientAsAsync("grid2"))).Select(n => n.Id));
    }

    static async Task<int> OccupiedRoomsAsync(HttpClient client, int communityId) =>
        (await client.AllPagesAsync<BuildingDto>($"/api/v1/buildings?communityId={communityId}")).Sum(b => b.OccupiedRooms);
}

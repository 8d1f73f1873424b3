using Linli.Domain.Identity;
using Linli.Domain.Notices;
using Linli.Domain.Registry;

namespace Linli.Domain.Tests;

public sealed class NoticeTests
{
    static readonly DateTimeOffset Now = new(2026, 3, 2, 1, 0, 0, TimeSpan.Zero);
    static readonly DateOnly Today = new(2026, 3, 2);

    static Notice Publish(HierarchyNode node, NoticeDraft? draft = null) =>
        Places.WithId(new Notice(node, 7, "管理员", draft ?? new NoticeDraft("停水通知", "明天 9:00–12:00 停水。"), Now), 1);

    static NoticeDraft Draft(DateTimeOffset? publishAt = null, DateTimeOffset? expiresAt = null, NoticeAudience? audience = null) =>
        new("停水通知", "明天 9:00–12:00 停水。", publishAt, expiresAt, Audience: audience);

    static bool IsFor(Notice notice, NoticeReader reader) => NoticeRules.For(reader).Compile()(notice);

    static bool IsLive(Notice notice, DateTimeOffset at) => NoticeRules.LiveAt(at).Compile()(notice);

    // ---- state

    [Fact]
    public void A_notice_sits_at_the_node_it_is_published_at()
    {
        var (_, street, _, _) = Places.Hierarchy();
        var notice = Publish(street);
        Assert.Equal((1, 2, 0, 0), (notice.DistrictId, notice.StreetId, notice.CommunityId, notice.GridId));
        Assert.Equal("春晖街道", notice.FromName);
        Assert.Equal(Now, notice.PublishAt);
        Assert.Equal(NoticeStatus.Published, notice.StatusAt(Now));
    }

    [Theory]
    [InlineData("", "正文", "title")]
    [InlineData("   ", "正文", "title")]
    [InlineData("标题", "", "body")]
    [InlineData("标题", "  \n ", "body")]
    public void Title_and_text_are_required(string title, string body, string field)
    {
        var (_, _, community, _) = Places.Hierarchy();
        var e = Places.Refused(() => new Notice(community, 7, "管理员", new NoticeDraft(title, body), Now));
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void Title_and_text_have_limits()
    {
        var (_, _, community, _) = Places.Hierarchy();
        Assert.Equal("title", Places.Refused(() => new Notice(community, 7, "x", new NoticeDraft(new string('通', Notice.TitleMaxLength + 1), "正文"), Now)).Field);
        Assert.Equal("body", Places.Refused(() => new Notice(community, 7, "x", new NoticeDraft("标题", new string('字', Notice.BodyMaxLength + 1)), Now)).Field);
        var longest = new Notice(community, 7, "x", new NoticeDraft(new string('通', Notice.TitleMaxLength), new string('字', Notice.BodyMaxLength)), Now);
        Assert.Equal(Notice.TitleMaxLength, longest.Title.Length);
    }

    [Fact]
    public void A_publishing_time_in_the_past_is_refused_but_a_form_sent_a_minute_late_publishes_now()
    {
        var (_, _, community, _) = Places.Hierarchy();
        Assert.Equal("publishAt", Places.Refused(() => Publish(community, Draft(publishAt: Now.AddHours(-1)))).Field);
        Assert.Equal("publishAt", Places.Refused(() => Publish(community, Draft(publishAt: Now.AddYears(2)))).Field);
        Assert.Equal(Now, Publish(community, Draft(publishAt: Now.AddMinutes(-1))).PublishAt);
    }

    [Fact]
    public void A_time_with_an_offset_is_stored_in_utc()
    {
        var (_, _, community, _) = Places.Hierarchy();
        var shanghai = new DateTimeOffset(2026, 3, 3, 9, 0, 0, TimeSpan.FromHours(8));
        var notice = Publish(community, Draft(publishAt: shanghai));
        Assert.Equal(TimeSpan.Zero, notice.PublishAt.Offset);
        Assert.Equal(shanghai, notice.PublishAt);
    }

    [Fact]
    public void The_expiry_must_come_after_publishing()
    {
        var (_, _, community, _) = Places.Hierarchy();
        Assert.Equal("expiresAt", Places.Refused(() => Publish(community, Draft(publishAt: Now.AddDays(2), expiresAt: Now.AddDays(1)))).Field);
        Assert.Equal("expiresAt", Places.Refused(() => Publish(community, Draft(expiresAt: Now))).Field);
    }

    [Fact]
    public void A_notice_is_scheduled_then_published_then_expired_as_time_passes()
    {
        var (_, _, community, _) = Places.Hierarchy();
        var notice = Publish(community, Draft(publishAt: Now.AddHours(1), expiresAt: Now.AddDays(1)));
        Assert.Equal(NoticeStatus.Scheduled, notice.StatusAt(Now));
        Assert.False(IsLive(notice, Now));
        Assert.Equal(NoticeStatus.Published, notice.StatusAt(Now.AddHours(1)));
        Assert.True(IsLive(notice, Now.AddHours(1)));
        Assert.Equal(NoticeStatus.Expired, notice.StatusAt(Now.AddDays(1)));
        Assert.False(IsLive(notice, Now.AddDays(1)));
    }

    [Fact]
    public void Only_a_notice_not_yet_published_can_be_edited()
    {
        var (_, _, community, _) = Places.Hierarchy();
        var scheduled = Publish(community, Draft(publishAt: Now.AddHours(2)));
        scheduled.Edit(new NoticeDraft("停水通知（更正）", "改为 10:00 开始。", Now.AddHours(3)), Now);
        Assert.Equal("停水通知（更正）", scheduled.Title);
        Assert.Equal(Now.AddHours(3), scheduled.PublishAt);

        var published = Publish(community);
        var e = Places.Refused(() => published.Edit(new NoticeDraft("改", "改"), Now.AddMinutes(1)));
        Assert.Equal("status", e.Field);
        Assert.Equal("停水通知", published.Title);
    }

    [Fact]
    public void Editing_keeps_the_rules_of_a_new_notice()
    {
        var (_, _, community, _) = Places.Hierarchy();
        var scheduled = Publish(community, Draft(publishAt: Now.AddHours(2)));
        Assert.Equal("title", Places.Refused(() => scheduled.Edit(new NoticeDraft("", "正文", Now.AddHours(2)), Now)).Field);
        Assert.Equal("停水通知", scheduled.Title);
    }

    [Fact]
    public void A_scheduled_notice_can_be_published_at_once_and_only_then()
    {
        var (_, _, community, _) = Places.Hierarchy();
        var scheduled = Publish(community, Draft(publishAt: Now.AddHours(2)));
        scheduled.PublishNow(Now.AddMinutes(5));
        Assert.Equal(NoticeStatus.Published, scheduled.StatusAt(Now.AddMinutes(5)));
        Assert.Equal("status", Places.Refused(() => scheduled.PublishNow(Now.AddMinutes(6))).Field);
    }

    [Fact]
    public void A_withdrawn_notice_is_no_longer_live_and_cannot_be_withdrawn_twice()
    {
        var (_, _, community, _) = Places.Hierarchy();
        var notice = Publish(community);
        notice.Withdraw(9, Now.AddMinutes(10));
        Assert.Equal(NoticeStatus.Withdrawn, notice.StatusAt(Now.AddMinutes(10)));
        Assert.False(IsLive(notice, Now.AddMinutes(10)));
        Assert.Equal(9, notice.WithdrawnById);
        Assert.Equal("status", Places.Refused(() => notice.Withdraw(9, Now.AddMinutes(11))).Field);
        Assert.Equal("status", Places.Refused(() => notice.SetPinned(true, Now.AddMinutes(11))).Field);
    }

    [Fact]
    public void An_expired_notice_cannot_be_withdrawn()
    {
        var (_, _, community, _) = Places.Hierarchy();
        var notice = Publish(community, Draft(expiresAt: Now.AddHours(1)));
        Assert.Equal("status", Places.Refused(() => notice.Withdraw(9, Now.AddHours(2))).Field);
        Assert.Null(notice.WithdrawnAt);
    }

    // ---- audience

    [Fact]
    public void Buildings_and_groups_choose_among_residents_so_a_staff_only_notice_cannot_have_them()
    {
        Assert.Equal("roles", Places.Refused(() => new NoticeAudience([10], ResidentGroups.None, [Role.GridWorker])).Field);
        Assert.Equal("roles", Places.Refused(() => new NoticeAudience([], ResidentGroups.Elderly80, [Role.GridWorker])).Field);
        Assert.True(new NoticeAudience([10], ResidentGroups.Elderly80, [Role.GridWorker, Role.Resident]).IncludesResidents);
    }

    [Fact]
    public void At_most_so_many_buildings_and_only_real_ids()
    {
        Assert.Equal("buildingIds", Places.Refused(() => new NoticeAudience(Enumerable.Range(1, NoticeAudience.MaxBuildings + 1), ResidentGroups.None, [])).Field);
        Assert.Equal("buildingIds", Places.Refused(() => new NoticeAudience([0], ResidentGroups.None, [])).Field);
        Assert.Equal([3, 5], new NoticeAudience([5, 3, 5], ResidentGroups.None, []).BuildingIds);
    }

    [Fact]
    public void The_audience_survives_the_round_trip_through_the_stored_columns()
    {
        var (_, _, community, _) = Places.Hierarchy();
        var audience = new NoticeAudience([11, 10], ResidentGroups.ElderlyLivingAlone | ResidentGroups.Disabled, [Role.Resident, Role.GridWorker]);
        var notice = Publish(community, Draft(audience: audience));
        Assert.Equal([10, 11], notice.Audience.BuildingIds);
        Assert.Equal(audience.Groups, notice.Audience.Groups);
        Assert.Equal([Role.Resident, Role.GridWorker], notice.Audience.Roles);
        Assert.Equal([Role.GridWorker], notice.Audience.StaffRoles);
    }

    [Fact]
    public void Editing_the_buildings_replaces_them()
    {
        var (_, _, community, _) = Places.Hierarchy();
        var notice = Publish(community, Draft(publishAt: Now.AddHours(1), audience: new NoticeAudience([10, 11], ResidentGroups.None, [])));
        notice.Edit(Draft(publishAt: Now.AddHours(1), audience: new NoticeAudience([11, 12], ResidentGroups.None, [])), Now);
        Assert.Equal([11, 12], notice.Buildings.Select(b => b.BuildingId).Order());
    }

    // ---- who it is for

    [Fact]
    public void A_notice_reaches_the_places_at_and_below_its_node_and_no_others()
    {
        var (district, street, community, grid) = Places.Hierarchy();
        var otherCommunity = Places.WithId(street.AddChild("枫林社区", "3301990102", 30.27, 120.15), 5);
        otherCommunity.FixScopeKeys(street);
        var room = Places.Room();

        Assert.True(IsFor(Publish(street), NoticeReader.Resident(room, ResidentGroups.None)));
        Assert.True(IsFor(Publish(community), NoticeReader.Resident(room, ResidentGroups.None)));
        Assert.True(IsFor(Publish(grid), NoticeReader.Resident(room, ResidentGroups.None)));
        Assert.False(IsFor(Publish(otherCommunity), NoticeReader.Resident(room, ResidentGroups.None)));
        Assert.True(IsFor(Publish(district), NoticeReader.Staff(Role.CommunityAdmin, community)));
        // A grid's notice is for the grid; the community's admin above it manages it but is not sent it.
        Assert.False(IsFor(Publish(grid), NoticeReader.Staff(Role.CommunityAdmin, community)));
        Assert.False(IsFor(Publish(community), NoticeReader.Staff(Role.CommunityAdmin, otherCommunity)));
        Assert.Equal(Publish(street).Reaches(room), IsFor(Publish(street), NoticeReader.Resident(room, ResidentGroups.None)));
    }

    [Fact]
    public void With_roles_only_those_roles_are_sent_the_notice()
    {
        var (_, _, community, grid) = Places.Hierarchy();
        var notice = Publish(community, Draft(audience: new NoticeAudience([], ResidentGroups.None, [Role.GridWorker])));
        Assert.True(IsFor(notice, NoticeReader.Staff(Role.GridWorker, grid)));
        Assert.False(IsFor(notice, NoticeReader.Staff(Role.PropertyStaff, community)));
        Assert.False(IsFor(notice, NoticeReader.Resident(Places.Room(), ResidentGroups.None)));
        Assert.True(IsFor(Publish(community), NoticeReader.Staff(Role.PropertyStaff, community)));
    }

    [Fact]
    public void Outside_service_providers_get_only_notices_that_name_them()
    {
        var (_, _, community, _) = Places.Hierarchy();
        Assert.False(IsFor(Publish(community), NoticeReader.Staff(Role.ServiceProvider, community)));
        Assert.DoesNotContain(Role.ServiceProvider, NoticeAudience.Everyone.StaffRoles);
        var forProviders = Publish(community, Draft(audience: new NoticeAudience([], ResidentGroups.None, [Role.ServiceProvider])));
        Assert.True(IsFor(forProviders, NoticeReader.Staff(Role.ServiceProvider, community)));
    }

    [Fact]
    public void With_buildings_only_residents_of_those_buildings_are_sent_it_while_staff_still_are()
    {
        var (_, _, community, grid) = Places.Hierarchy();
        var room = Places.Room();
        Assert.True(IsFor(Publish(community, Draft(audience: new NoticeAudience([room.BuildingId], ResidentGroups.None, []))), NoticeReader.Resident(room, ResidentGroups.None)));
        var elsewhere = Publish(community, Draft(audience: new NoticeAudience([room.BuildingId + 1], ResidentGroups.None, [])));
        Assert.False(IsFor(elsewhere, NoticeReader.Resident(room, ResidentGroups.None)));
        Assert.True(IsFor(elsewhere, NoticeReader.Staff(Role.GridWorker, grid)));
    }

    [Fact]
    public void With_groups_only_residents_in_one_of_them_are_sent_it()
    {
        var (_, _, community, _) = Places.Hierarchy();
        var room = Places.Room();
        var notice = Publish(community, Draft(audience: new NoticeAudience([], ResidentGroups.ElderlyLivingAlone | ResidentGroups.Disabled, [])));
        Assert.True(IsFor(notice, NoticeReader.Resident(room, ResidentGroupsOf.Person(ResidentLabels.LivingAlone, 75))));
        Assert.True(IsFor(notice, NoticeReader.Resident(room, ResidentGroupsOf.Person(ResidentLabels.Disabled, 30))));
        Assert.False(IsFor(notice, NoticeReader.Resident(room, ResidentGroupsOf.Person(ResidentLabels.None, 75))));
        Assert.False(IsFor(notice, NoticeReader.Resident(room, ResidentGroupsOf.Person(ResidentLabels.LivingAlone, 45))));
    }

    [Theory]
    [InlineData(ResidentLabels.None, 59, ResidentGroups.None)]
    [InlineData(ResidentLabels.None, 60, ResidentGroups.Elderly60)]
    [InlineData(ResidentLabels.None, 80, ResidentGroups.Elderly60 | ResidentGroups.Elderly80)]
    [InlineData(ResidentLabels.LivingAlone, 45, ResidentGroups.LivingAlone)]
    [InlineData(ResidentLabels.LivingAlone | ResidentLabels.Veteran, 82,
        ResidentGroups.LivingAlone | ResidentGroups.Veteran | ResidentGroups.Elderly60 | ResidentGroups.Elderly80 | ResidentGroups.ElderlyLivingAlone)]
    public void A_persons_groups_come_from_their_labels_and_age(ResidentLabels labels, int age, ResidentGroups expected) =>
        Assert.Equal(expected, ResidentGroupsOf.Person(labels, age));

    [Fact]
    public void The_database_filter_for_groups_agrees_with_a_persons_groups()
    {
        var people = new[]
        {
            Born(Today.AddYears(-85), ResidentLabels.LivingAlone), Born(Today.AddYears(-80), ResidentLabels.None),
            Born(Today.AddYears(-80).AddDays(1), ResidentLabels.None), Born(Today.AddYears(-60), ResidentLabels.LivingAlone),
            Born(Today.AddYears(-60).AddDays(1), ResidentLabels.LivingAlone), Born(Today.AddYears(-40), ResidentLabels.Disabled | ResidentLabels.PartyMember),
            Born(Today.AddYears(-30), ResidentLabels.LowIncome), Born(Today.AddYears(-70), ResidentLabels.Veteran),
        };
        foreach (var groups in ResidentGroupsOf.All.Append(ResidentGroups.Elderly80 | ResidentGroups.Disabled).Append(ResidentGroups.None))
        {
            var filter = NoticeRules.InGroups(groups, Today).Compile();
            foreach (var p in people)
            {
                var mine = ResidentGroupsOf.Person(p.Labels, p.AgeOn(Today));
                var expected = groups == ResidentGroups.None || (mine & groups) != 0;
                Assert.True(expected == filter(p), $"{groups}: born {p.BirthDate}, {p.Labels}");
            }
        }
    }

    static int _sequence;

    static Resident Born(DateOnly born, ResidentLabels labels)
    {
        var first17 = $"110105{born:yyyyMMdd}{Interlocked.Increment(ref _sequence) % 1000:000}";
        return new Resident("测试", IdCardNumber.Parse(first17 + IdCardNumber.CheckCharacter(first17)), null, labels, new FakeProtector());
    }
}

using Linli.Domain.Cases;
using Linli.Domain.Identity;
using Linli.Domain.Registry;
using static Linli.Domain.Tests.CaseTestKit;

namespace Linli.Domain.Tests;

/// <summary>Who a case goes to, and who stands how to it: the decisions behind reporting, dispatching and the action table.</summary>
public sealed class CaseRoutingTests
{
    [Fact]
    public void A_property_matter_goes_to_the_communitys_property_company()
    {
        Assert.Equal(new CaseRoute(HandlingLevel.Property, 42), CaseRouting.Route(Category(level: HandlingLevel.Property), 42));
    }

    [Fact]
    public void Without_a_property_company_the_residents_committee_takes_property_matters()
    {
        Assert.Equal(new CaseRoute(HandlingLevel.Community, null), CaseRouting.Route(Category(level: HandlingLevel.Property), null));
    }

    [Fact]
    public void Other_matters_go_to_the_level_of_their_category_and_need_no_company()
    {
        foreach (var level in new[] { HandlingLevel.Community, HandlingLevel.Street, HandlingLevel.District })
        {
            Assert.False(CaseRouting.NeedsPropertyCompany(Category(level: level)));
            Assert.Equal(new CaseRoute(level, null), CaseRouting.Route(Category(level: level), 42));
        }
        Assert.True(CaseRouting.NeedsPropertyCompany(Category(level: HandlingLevel.Property)));
    }

    [Fact]
    public void A_grid_workers_report_is_a_patrol_finding_unless_they_say_otherwise()
    {
        Assert.Equal((CaseKind.Patrol, CaseSource.Patrol), CaseRouting.Intake(Role.GridWorker, null, Category()));
        Assert.Equal((CaseKind.Complaint, CaseSource.Web), CaseRouting.Intake(Role.GridWorker, CaseKind.Complaint, Category()));
    }

    [Fact]
    public void A_residents_report_takes_the_kind_of_its_category_unless_they_choose_one()
    {
        Assert.Equal((CaseKind.Repair, CaseSource.Web), CaseRouting.Intake(Role.Resident, null, Category()));
        Assert.Equal((CaseKind.Suggestion, CaseSource.Web), CaseRouting.Intake(Role.Resident, CaseKind.Suggestion, Category()));
    }

    [Fact]
    public void People_report_within_their_own_community_and_officers_above_it_within_none()
    {
        Assert.Equal(3, CaseRouting.ReportingCommunity(new Scope(ScopeLevel.Household, 100, 10, 3)));
        Assert.Equal(3, CaseRouting.ReportingCommunity(new Scope(ScopeLevel.Grid, 4, CommunityId: 3)));
        Assert.Equal(3, CaseRouting.ReportingCommunity(new Scope(ScopeLevel.Community, 3)));
        Assert.Null(CaseRouting.ReportingCommunity(new Scope(ScopeLevel.Street, 2)));
        Assert.Null(CaseRouting.ReportingCommunity(Scope.System));
    }

    [Fact]
    public void Staff_at_the_cases_level_are_its_team_and_those_above_supervise_it()
    {
        Assert.Equal(CaseRelation.Team, CaseTeams.StaffRelation(Role.PropertyStaff, true, HandlingLevel.Property));
        Assert.Equal(CaseRelation.Team, CaseTeams.StaffRelation(Role.GridWorker, true, HandlingLevel.Community));
        Assert.Equal(CaseRelation.Supervisor, CaseTeams.StaffRelation(Role.StreetOfficer, true, HandlingLevel.Community));
        Assert.Equal(CaseRelation.Onlooker, CaseTeams.StaffRelation(Role.PropertyStaff, true, HandlingLevel.Community));
        Assert.Equal(CaseRelation.Onlooker, CaseTeams.StaffRelation(Role.CommunityAdmin, false, HandlingLevel.Community));
        Assert.Equal(CaseRelation.Onlooker, CaseTeams.StaffRelation(Role.ServiceProvider, true, HandlingLevel.Property));
    }

    [Fact]
    public void A_household_reported_the_case_when_anyone_of_it_did()
    {
        var c = Report();
        Assert.True(CaseTeams.IsReporter(c, Reporter.UserId, null));
        Assert.True(CaseTeams.IsReporter(c, 999, 100));
        Assert.False(CaseTeams.IsReporter(c, 999, 101));
    }

    [Fact]
    public void A_resident_who_joined_follows_a_neighbour_may_join_and_others_look_on()
    {
        var c = Report();
        Assert.Equal(CaseRelation.Follower, CaseTeams.NonReporterRelation(c, follows: true, residentCommunityId: 30));
        Assert.Equal(CaseRelation.Neighbour, CaseTeams.NonReporterRelation(c, follows: false, residentCommunityId: 3));
        Assert.Equal(CaseRelation.Onlooker, CaseTeams.NonReporterRelation(c, follows: false, residentCommunityId: 30));
    }

    [Fact]
    public void The_team_of_a_case_is_the_accounts_at_its_level_and_place()
    {
        var (district, street, community, grid) = Places.Hierarchy();
        var otherGrid = Places.WithId(community.AddChild("第二网格", "330199010102", 30.27, 120.15), 40);
        UserAccount[] users =
        [
            Places.WithId(new UserAccount("property", "物业", Role.PropertyStaff, community), 1),
            Places.WithId(new UserAccount("admin", "社区", Role.CommunityAdmin, community), 2),
            Places.WithId(new UserAccount("grid", "网格员", Role.GridWorker, grid), 3),
            Places.WithId(new UserAccount("grid2", "网格员二", Role.GridWorker, otherGrid), 4),
            Places.WithId(new UserAccount("street", "街道", Role.StreetOfficer, street), 5),
            Places.WithId(new UserAccount("district", "区", Role.DistrictOfficer, district), 6),
        ];
        // Grid 40 is counted as not in the case's community here, to show the caller's list of grids decides.
        var gridsOfCommunity = new[] { grid.Id }.AsQueryable();
        int[] Team(HandlingLevel level) => [.. users.AsQueryable().Where(CaseTeams.Members(Report(Category(level: level)), gridsOfCommunity)).Select(u => u.Id)];

        Assert.Equal([1], Team(HandlingLevel.Property));
        Assert.Equal([2, 3], Team(HandlingLevel.Community));
        Assert.Equal([5], Team(HandlingLevel.Street));
        Assert.Equal([6], Team(HandlingLevel.District));
    }
}

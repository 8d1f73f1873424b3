using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Domain.Registry;

namespace Linli.Domain.Tests;

public sealed class PlaceKeysTests
{
    // District 1 with streets 2 and 20; street 2 has communities 3 and 30; community 3 has grids 4 and 40.
    static readonly PlaceKeys Home = new(1, 2, 3, 4);
    static readonly PlaceKeys OtherGrid = new(1, 2, 3, 40);
    static readonly PlaceKeys OtherCommunity = new(1, 2, 30, 41);
    static readonly PlaceKeys OtherStreet = new(1, 20, 31, 42);
    static readonly PlaceKeys OtherDistrict = new(9, 2, 3, 4);

    [Fact]
    public void A_district_rule_covers_every_community_of_its_district()
    {
        var district = new PlaceKeys(1, 0, 0, 0);
        Assert.All([Home, OtherGrid, OtherCommunity, OtherStreet], p => Assert.True(district.Covers(p)));
        Assert.False(district.Covers(OtherDistrict));
    }

    [Fact]
    public void A_street_covers_its_communities_and_not_the_next_street()
    {
        var street = new PlaceKeys(1, 2, 0, 0);
        Assert.True(street.Covers(Home));
        Assert.True(street.Covers(OtherCommunity));
        Assert.False(street.Covers(OtherStreet));
    }

    [Fact]
    public void A_community_covers_its_grids_and_not_its_neighbour()
    {
        var community = new PlaceKeys(1, 2, 3, 0);
        Assert.True(community.Covers(Home));
        Assert.True(community.Covers(OtherGrid));
        Assert.False(community.Covers(OtherCommunity));
    }

    [Fact]
    public void A_grid_covers_only_itself()
    {
        Assert.True(Home.Covers(Home));
        Assert.False(Home.Covers(OtherGrid));
    }

    [Fact]
    public void The_same_keys_in_another_district_are_not_covered()
    {
        Assert.False(new PlaceKeys(1, 2, 3, 4).Covers(OtherDistrict));
        Assert.False(new PlaceKeys(9, 0, 0, 0).Covers(Home));
    }

    [Fact]
    public void The_database_form_of_covering_answers_as_the_value_does()
    {
        var (district, street, community, grid) = Places.Hierarchy();
        var room = Places.Room();
        PlaceKeys[] nodes = [new(1, 0, 0, 0), new(1, 2, 0, 0), new(1, 2, 3, 0), new(1, 2, 3, 4), new(1, 20, 0, 0), new(1, 2, 30, 0), new(1, 2, 3, 40), new(9, 0, 0, 0)];
        ScopedEntity[] places = [district, street, community, grid, room];
        var pairwise = PlaceKeys.CoversExpression<ScopedEntity, ScopedEntity>().Compile();
        foreach (var node in nodes)
        {
            var coveredBy = node.CoveredByExpression<ScopedEntity>().Compile();
            foreach (var place in places) Assert.Equal(place.Keys.Covers(node), coveredBy(place));
        }
        foreach (var node in places)
            foreach (var place in places)
                Assert.Equal(node.Keys.Covers(place.Keys), pairwise(node, place));
    }

    [Fact]
    public void Rows_kept_at_nodes_that_cover_a_place_are_found_by_the_database_form()
    {
        var room = Places.Room();
        PlaceKeys[] kept = [new(1, 0, 0, 0), new(1, 2, 0, 0), new(1, 2, 3, 0), new(1, 2, 3, 4), new(1, 20, 0, 0), new(1, 2, 30, 0), new(1, 2, 3, 40), new(9, 0, 0, 0)];
        var rows = kept.Select(k => new Row(k)).ToList();
        var found = rows.AsQueryable().Where(room.Keys.CoveredByExpression<Row>()).Select(r => r.Keys).ToList();
        Assert.Equal([new(1, 0, 0, 0), new(1, 2, 0, 0), new(1, 2, 3, 0), new(1, 2, 3, 4)], found);
    }

    [Fact]
    public void A_scope_covers_the_rows_of_its_subtree()
    {
        Assert.True(new Scope(ScopeLevel.District, 1).Covers(Home));
        Assert.True(new Scope(ScopeLevel.Street, 2).Covers(Home));
        Assert.False(new Scope(ScopeLevel.Street, 2).Covers(OtherStreet));
        Assert.True(new Scope(ScopeLevel.Community, 3).Covers(OtherGrid));
        Assert.False(new Scope(ScopeLevel.Grid, 4).Covers(OtherGrid));
        Assert.True(Scope.System.Covers(OtherDistrict));
        Assert.False(Scope.None.Covers(Home));
    }

    [Fact]
    public void A_scope_does_not_reach_a_rule_kept_above_it()
    {
        // A district's rule covers the community, but the community does not own it.
        var districtRule = new PlaceKeys(1, 0, 0, 0);
        Assert.False(new Scope(ScopeLevel.Community, 3).Covers(districtRule));
        Assert.True(new Scope(ScopeLevel.District, 1).Covers(districtRule));
    }

    [Fact]
    public void A_household_scope_is_not_decided_by_place_keys()
    {
        Assert.False(new Scope(ScopeLevel.Household, 100).Covers(Home));
        Assert.Empty(new[] { new Row(Home) }.AsQueryable().Where(new Scope(ScopeLevel.Household, 100).CoversExpression<Row>()));
    }

    [Fact]
    public void The_database_form_of_a_scope_answers_as_the_scope_does()
    {
        Scope[] scopes = [Scope.System, Scope.None, new(ScopeLevel.District, 1), new(ScopeLevel.Street, 2), new(ScopeLevel.Community, 3),
            new(ScopeLevel.Grid, 4), new(ScopeLevel.Grid, 40), new(ScopeLevel.Household, 100)];
        PlaceKeys[] places = [Home, OtherGrid, OtherCommunity, OtherStreet, OtherDistrict];
        foreach (var scope in scopes)
        {
            var covers = scope.CoversExpression<Row>().Compile();
            foreach (var place in places) Assert.Equal(scope.Covers(place), covers(new Row(place)));
        }
    }

    sealed class Row : ScopedEntity
    {
        public Row(PlaceKeys keys) => PlaceIn(keys);
    }
}

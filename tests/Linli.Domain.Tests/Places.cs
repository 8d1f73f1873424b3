using System.Reflection;
using Linli.Domain.Common;
using Linli.Domain.Registry;

namespace Linli.Domain.Tests;

/// <summary>Builds a small hierarchy, a building, rooms and people for domain tests.</summary>
static class Places
{
    static readonly FakeProtector Protector = new();
    static int _sequence;

    /// <summary>Gives an entity the id the database would assign (ids have private setters on purpose).</summary>
    public static T WithId<T>(T entity, int id) where T : class
    {
        typeof(T).GetProperty("Id", BindingFlags.Public | BindingFlags.Instance)!.SetValue(entity, id);
        return entity;
    }

    public static (HierarchyNode District, HierarchyNode Street, HierarchyNode Community, HierarchyNode Grid) Hierarchy()
    {
        var district = WithId(HierarchyNode.District("明湖区", "330199", 30.27, 120.15), 1);
        district.FixScopeKeys(null);
        var street = WithId(district.AddChild("春晖街道", "33019901", 30.27, 120.15), 2);
        street.FixScopeKeys(district);
        var community = WithId(street.AddChild("桂花苑社区", "3301990101", 30.27, 120.15), 3);
        community.FixScopeKeys(street);
        var grid = WithId(community.AddChild("第一网格", "330199010101", 30.27, 120.15), 4);
        grid.FixScopeKeys(community);
        return (district, street, community, grid);
    }

    public static Room Room(int id = 100)
    {
        var building = WithId(new Building(Hierarchy().Grid, "3号楼", 2, 6, 2, (0, 0, 100, 50), 30.27, 120.15), 10);
        return WithId(new Room(building, 2, 3, "302", 89.5m), id);
    }

    /// <summary>A person with a valid, distinct ID card number; <paramref name="id"/> 0 means not saved yet.</summary>
    public static Resident Person(string name, int id = 0)
    {
        var n = Interlocked.Increment(ref _sequence);
        var first17 = $"11010519800101{n % 1000:000}";
        var resident = new Resident(name, IdCardNumber.Parse(first17 + IdCardNumber.CheckCharacter(first17)),
            PhoneNumber.Parse("13812345678"), ResidentLabels.None, Protector);
        return id == 0 ? resident : WithId(resident, id);
    }

    public static DomainException Refused(Action action) => Assert.ThrowsAny<DomainException>(action);
}

using Linli.Domain.Common;

namespace Linli.Domain.Registry;

/// <summary>A district, street, community or grid. Its own scope keys point at itself and its ancestors.</summary>
public sealed class HierarchyNode : ScopedEntity
{
    public const int NameMaxLength = 60;
    public const int CodeMaxLength = 20;

    public int Id { get; private set; }
    public int? ParentId { get; private set; }
    public NodeKind Kind { get; private set; }
    public string Name { get; private set; } = "";
    public string Code { get; private set; } = "";
    public double Latitude { get; private set; }
    public double Longitude { get; private set; }

    HierarchyNode() { }

    public static HierarchyNode District(string name, string code, double lat, double lng) =>
        new() { Kind = NodeKind.District, Name = name, Code = code, Latitude = lat, Longitude = lng };

    /// <summary>Creates a child; its scope keys are set once the ids are known (see <see cref="FixScopeKeys"/>).</summary>
    public HierarchyNode AddChild(string name, string code, double lat, double lng)
    {
        if (Kind == NodeKind.Grid) throw new DomainException("A grid has no child nodes.");
        return new HierarchyNode { ParentId = Id, Kind = Kind + 1, Name = name, Code = code, Latitude = lat, Longitude = lng };
    }

    /// <summary>Sets the scope keys from the parent's and the node's own id.</summary>
    public void FixScopeKeys(HierarchyNode? parent)
    {
        if (parent is not null) PlaceIn(parent);
        switch (Kind)
        {
            case NodeKind.District: DistrictId = Id; break;
            case NodeKind.Street: StreetId = Id; break;
            case NodeKind.Community: CommunityId = Id; break;
            case NodeKind.Grid: GridId = Id; break;
        }
    }
}

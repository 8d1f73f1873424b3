namespace Linli.Domain.Common;

/// <summary>
/// Where in the hierarchy a row lives. Every scoped row carries all four keys so that a scope filter at any level
/// is one indexed equality, not a walk up the tree.
/// </summary>
public abstract class ScopedEntity
{
    public int DistrictId { get; protected set; }
    public int StreetId { get; protected set; }
    public int CommunityId { get; protected set; }
    public int GridId { get; protected set; }

    protected void PlaceIn(ScopedEntity other)
    {
        ArgumentNullException.ThrowIfNull(other);
        DistrictId = other.DistrictId;
        StreetId = other.StreetId;
        CommunityId = other.CommunityId;
        GridId = other.GridId;
    }
}

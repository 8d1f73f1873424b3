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

    /// <summary>The four keys as a value, to ask <see cref="PlaceKeys.Covers"/>. Computed, so not stored.</summary>
    public PlaceKeys Keys => new(DistrictId, StreetId, CommunityId, GridId);

    protected void PlaceIn(ScopedEntity other)
    {
        ArgumentNullException.ThrowIfNull(other);
        PlaceIn(other.Keys);
    }

    protected void PlaceIn(PlaceKeys keys)
    {
        DistrictId = keys.DistrictId;
        StreetId = keys.StreetId;
        CommunityId = keys.CommunityId;
        GridId = keys.GridId;
    }
}

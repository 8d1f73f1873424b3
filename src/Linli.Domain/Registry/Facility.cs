using Linli.Domain.Common;

namespace Linli.Domain.Registry;

/// <summary>A facility inside the community (parking lot, pump room, gate…) or a service around it (clinic, school…).</summary>
public sealed class Facility : ScopedEntity
{
    public const int NameMaxLength = 60;
    public const int AddressMaxLength = 120;

    public int Id { get; private set; }
    public FacilityCategory Category { get; private set; }
    public string Name { get; private set; } = "";
    public string? Address { get; private set; }
    public string? Phone { get; private set; }
    public double Latitude { get; private set; }
    public double Longitude { get; private set; }
    public int? PlanX { get; private set; }
    public int? PlanY { get; private set; }

    Facility() { }

    public Facility(HierarchyNode community, FacilityCategory category, string name, string? address, string? phone,
        double lat, double lng, (int X, int Y)? plan)
    {
        ArgumentNullException.ThrowIfNull(community);
        if (community.Kind != NodeKind.Community) throw new DomainException("A facility belongs to a community.", "communityId");
        if (string.IsNullOrWhiteSpace(name) || name.Length > NameMaxLength) throw new DomainException("Name is required.", "name");
        Geo.CheckPoint(lat, lng);
        PlaceIn(community);
        Category = category;
        Name = name.Trim();
        Address = address;
        Phone = phone;
        Latitude = lat;
        Longitude = lng;
        PlanX = plan?.X;
        PlanY = plan?.Y;
    }
}

/// <summary>An organization working in a community: property company, committees, social organizations, merchants.</summary>
public sealed class Organization : ScopedEntity
{
    public const int NameMaxLength = 80;

    public int Id { get; private set; }
    public OrganizationKind Kind { get; private set; }
    public string Name { get; private set; } = "";
    public string? ContactName { get; private set; }
    public string? Phone { get; private set; }

    Organization() { }

    public Organization(HierarchyNode community, OrganizationKind kind, string name, string? contactName, string? phone)
    {
        ArgumentNullException.ThrowIfNull(community);
        if (string.IsNullOrWhiteSpace(name) || name.Length > NameMaxLength) throw new DomainException("Name is required.", "name");
        PlaceIn(community);
        Kind = kind;
        Name = name.Trim();
        ContactName = contactName;
        Phone = phone;
    }
}

/// <summary>Points on the map: which coordinates are one (WGS84, finite, in range), and great-circle distance for "nearest clinic" lists.</summary>
public static class Geo
{
    /// <summary>Refuses a latitude or longitude that is not a point on the earth (NaN, 1e308, 91), naming its field.</summary>
    public static void CheckPoint(double? lat, double? lng, string latField = "latitude", string lngField = "longitude")
    {
        if (lat is { } a && (!double.IsFinite(a) || a is < -90 or > 90)) throw new DomainException("Latitude must be between -90 and 90.", latField);
        if (lng is { } b && (!double.IsFinite(b) || b is < -180 or > 180)) throw new DomainException("Longitude must be between -180 and 180.", lngField);
    }

    public static double DistanceMeters(double lat1, double lng1, double lat2, double lng2)
    {
        const double R = 6_371_000;
        static double Rad(double d) => d * Math.PI / 180;
        var dLat = Rad(lat2 - lat1);
        var dLng = Rad(lng2 - lng1);
        var a = Math.Sin(dLat / 2) * Math.Sin(dLat / 2) + Math.Cos(Rad(lat1)) * Math.Cos(Rad(lat2)) * Math.Sin(dLng / 2) * Math.Sin(dLng / 2);
        return 2 * R * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }
}

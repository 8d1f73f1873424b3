namespace Linli.Domain.Registry;

public enum NodeKind { District, Street, Community, Grid }

public enum Gender { Male, Female }

/// <summary>How a person is tied to a room.</summary>
public enum Relation { Owner, Family, Tenant }

/// <summary>What a room is used for right now; kept on the room so statistics need no join over history.</summary>
public enum Occupancy { Vacant, OwnerOccupied, Rented }

/// <summary>Labels recorded by hand. Age labels (elderly 60+/80+, child) are derived from the birth date, never stored.</summary>
[Flags]
public enum ResidentLabels
{
    None = 0,
    LivingAlone = 1,
    Disabled = 2,
    LowIncome = 4,
    Veteran = 8,
    PartyMember = 16,
}

public enum FacilityCategory
{
    // Inside the community
    ParkingLot, GreenSpace, Playground, PumpRoom, Gate, ActivityCenter, GarbageStation,
    // Surrounding services
    Clinic, Hospital, School, Kindergarten, Bank, Market, Supermarket, Pharmacy,
}

public enum OrganizationKind { PropertyCompany, ResidentsCommittee, OwnersCommittee, SocialOrganization, Merchant }

/// <summary>Age bands used by statistics.</summary>
public enum AgeBand { Child0To17, Adult18To34, Adult35To59, Elderly60To79, Elderly80Plus }

public static class FacilityCategories
{
    public static bool IsSurroundingService(this FacilityCategory c) => c >= FacilityCategory.Clinic;
}

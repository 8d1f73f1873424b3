using Linli.Domain.Common;

namespace Linli.Domain.Parking;

/// <summary>What the entry barrier needs of a lot's state: how many visitor spaces there are and how many paying vehicles are inside.</summary>
public sealed record LotOccupancy(int LotId, int TemporaryCapacity, int TemporaryInside)
{
    public bool Full => TemporaryInside >= TemporaryCapacity;
}

/// <summary>
/// A car park of a community (停车场): its spaces counted by kind, and the tariff schedule temporary vehicles pay by.
/// Temporary and announced vehicles share the visitor spaces; residents and pass holders have a place of their own.
/// </summary>
public sealed class ParkingLot : ScopedEntity
{
    public const int CodeMaxLength = 40;
    public const int NameMaxLength = 60;
    public const int MaxSpacesPerKind = 20_000;

    public int Id { get; private set; }
    /// <summary>The lot's id on the wire, as a barrier controller names it.</summary>
    public string Code { get; private set; } = "";
    public string Name { get; private set; } = "";
    /// <summary>The registry's facility for the lot, when there is one (for the map).</summary>
    public int? FacilityId { get; private set; }
    public int OwnedSpaces { get; private set; }
    public int RentedSpaces { get; private set; }
    public int VisitorSpaces { get; private set; }
    /// <summary>What the exit barrier does for a vehicle that owes a fee it has not paid.</summary>
    public UnpaidExit UnpaidExit { get; private set; }

    // Every version stays while a stay that began under it may still be open; the schedule is built from them on demand.
    // Not readonly: storage sets it when it reads a lot.
    List<TariffVersion> _tariffs = [];

    ParkingLot() { }

    public ParkingLot(string code, string name, PlaceKeys community, ParkingTariff tariff, DateTimeOffset tariffFrom,
        int ownedSpaces = 0, int rentedSpaces = 0, int visitorSpaces = 0, int? facilityId = null, UnpaidExit unpaidExit = UnpaidExit.RecordDue)
    {
        Code = Codes.Check(code, CodeMaxLength, "code");
        Name = Names.Check(name, NameMaxLength, "name");
        PlaceIn(community with { GridId = 0 });
        FacilityId = facilityId;
        SetCapacity(ownedSpaces, rentedSpaces, visitorSpaces);
        WhenUnpaidAtExit(unpaidExit);
        _tariffs.AddRange(TariffSchedule.Starting(tariffFrom, tariff).Versions);
    }

    public TariffSchedule Schedule => new(_tariffs);

    /// <summary>What temporary and announced vehicles can take: the visitor spaces.</summary>
    public int TemporaryCapacity => VisitorSpaces;

    public int Capacity(SpaceKind kind) => kind switch
    {
        SpaceKind.Owned => OwnedSpaces,
        SpaceKind.Rented => RentedSpaces,
        _ => VisitorSpaces,
    };

    public void SetCapacity(int ownedSpaces, int rentedSpaces, int visitorSpaces)
    {
        OwnedSpaces = Count(ownedSpaces, "ownedSpaces");
        RentedSpaces = Count(rentedSpaces, "rentedSpaces");
        VisitorSpaces = Count(visitorSpaces, "visitorSpaces");
    }

    public void WhenUnpaidAtExit(UnpaidExit unpaidExit) =>
        UnpaidExit = Enum.IsDefined(unpaidExit) ? unpaidExit : throw new DomainException("Choose RecordDue or Refuse.", "unpaidExit");

    /// <summary>A price change from <paramref name="effectiveFrom"/> (not in the past); stays already inside are charged the new prices only from then.</summary>
    public void ChangeTariff(ParkingTariff tariff, DateTimeOffset effectiveFrom, DateTimeOffset now)
    {
        var changed = Schedule.ChangeAt(effectiveFrom, tariff, now);
        _tariffs.Clear();
        _tariffs.AddRange(changed.Versions);
    }

    /// <summary>The lot's state for the entry barrier, given how many paying vehicles are inside (counted from the session events).</summary>
    public LotOccupancy Occupancy(int temporaryInside) => new(Id, TemporaryCapacity, temporaryInside);

    static int Count(int count, string field) =>
        count is < 0 or > MaxSpacesPerKind ? throw new DomainException($"A lot has 0 to {MaxSpacesPerKind} spaces of a kind.", field) : count;
}

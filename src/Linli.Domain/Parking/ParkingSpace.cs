using Linli.Domain.Common;

namespace Linli.Domain.Parking;

/// <summary>
/// One numbered space of a lot. An owned or rented space belongs to a resident and names the plates that may use it
/// (a household's two cars on one space); a visitor space is for whoever comes.
/// </summary>
public sealed class ParkingSpace : ScopedEntity
{
    public const int NumberMaxLength = 20;
    public const int MaxPlates = 3;

    public int Id { get; private set; }
    public int LotId { get; private set; }
    /// <summary>As painted on the ground: "B2-031".</summary>
    public string Number { get; private set; } = "";
    public SpaceKind Kind { get; private set; }
    public int? ResidentId { get; private set; }

    List<string> _plates = [];
    /// <summary>The plates allowed on an owned or rented space, as <see cref="LicensePlate.Value"/>.</summary>
    public IReadOnlyList<string> Plates => _plates;

    ParkingSpace() { }

    /// <summary>A visitor space, or (with the resident and plates) an owned or rented one.</summary>
    public ParkingSpace(ParkingLot lot, string number, SpaceKind kind = SpaceKind.Visitor, int? residentId = null, IEnumerable<LicensePlate>? plates = null)
    {
        ArgumentNullException.ThrowIfNull(lot);
        var trimmed = (StorableText.Check(number, "number") ?? "").Trim();
        if (trimmed.Length == 0) throw new DomainException("Give the space's number.", "number");
        if (trimmed.Length > NumberMaxLength) throw new DomainException($"A space's number is at most {NumberMaxLength} characters.", "number");
        Number = trimmed;
        LotId = lot.Id;
        PlaceIn(lot);
        Kind = SpaceKind.Visitor;
        if (kind != SpaceKind.Visitor) AssignTo(kind, residentId ?? 0, plates ?? []);
        else if (residentId is not null || plates?.Any() == true) throw new DomainException("A visitor space has no resident or plates.", "residentId");
    }

    /// <summary>Bought or rented by a resident, for these plates (replacing any before).</summary>
    public void AssignTo(SpaceKind kind, int residentId, IEnumerable<LicensePlate> plates)
    {
        ArgumentNullException.ThrowIfNull(plates);
        if (kind == SpaceKind.Visitor) throw new DomainException("A resident's space is owned or rented.", "kind");
        if (residentId <= 0) throw new DomainException("Name the resident the space is for.", "residentId");
        var list = plates.Select(p => p.Value).Distinct().ToList();
        if (list.Count == 0) throw new DomainException("Name at least one plate for the space.", "plates");
        if (list.Count > MaxPlates) throw new DomainException($"A space allows at most {MaxPlates} plates.", "plates");
        Kind = kind;
        ResidentId = residentId;
        _plates = list;
    }

    /// <summary>The resident's right ended (sold, lease over, moved out): a visitor space again.</summary>
    public void Release()
    {
        if (Kind == SpaceKind.Visitor) throw new ConflictException("The space is a visitor space already.");
        Kind = SpaceKind.Visitor;
        ResidentId = null;
        _plates = [];
    }

    /// <summary>Whether <paramref name="plate"/> parks here as a resident's vehicle.</summary>
    public bool Allows(LicensePlate plate)
    {
        ArgumentNullException.ThrowIfNull(plate);
        return Kind != SpaceKind.Visitor && _plates.Contains(plate.Value);
    }
}

using Linli.Domain.Common;

namespace Linli.Domain.Parking;

/// <summary>
/// A plate on a lot's blacklist (refused at the entry: fees left unpaid, a danger to others) or whitelist (in and out free:
/// police, ambulance, the property's own car), with the reason staff gave and, optionally, until when.
/// </summary>
public sealed class PlateListEntry : ScopedEntity
{
    public const int ReasonMaxLength = 200;

    public long Id { get; private set; }
    public int LotId { get; private set; }
    /// <summary>As <see cref="LicensePlate.Value"/>.</summary>
    public string Plate { get; private set; } = "";
    public PlateListKind List { get; private set; }
    public string Reason { get; private set; } = "";
    public DateTimeOffset AddedAt { get; private set; }
    /// <summary>It stops applying at this moment (exclusive); null: until lifted.</summary>
    public DateTimeOffset? Until { get; private set; }

    PlateListEntry() { }

    public PlateListEntry(ParkingLot lot, LicensePlate plate, PlateListKind list, string reason, DateTimeOffset now, DateTimeOffset? until = null)
    {
        ArgumentNullException.ThrowIfNull(lot);
        ArgumentNullException.ThrowIfNull(plate);
        if (until is { } u && DateWindow.Check(u, "until") <= now) throw new DomainException("The entry would already be over.", "until");
        LotId = lot.Id;
        PlaceIn(lot);
        Plate = plate.Value;
        List = list;
        // Staff answer for what they put on a list: the reason is required.
        var trimmed = (StorableText.Check(reason, "reason") ?? "").Trim();
        if (trimmed.Length == 0) throw new DomainException("Say why the plate is on the list.", "reason");
        if (trimmed.Length > ReasonMaxLength) throw new DomainException($"A reason is at most {ReasonMaxLength} characters.", "reason");
        Reason = trimmed;
        AddedAt = now;
        Until = until;
    }

    public bool Applies(DateTimeOffset at) => Until is not { } until || at < until;

    /// <summary>Taken off the list from <paramref name="now"/>.</summary>
    public void Lift(DateTimeOffset now)
    {
        if (!Applies(now)) throw new ConflictException("The plate is off the list already.");
        Until = now;
    }
}

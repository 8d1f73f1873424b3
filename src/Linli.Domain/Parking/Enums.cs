namespace Linli.Domain.Parking;

/// <summary>Whose a space is: a resident's own (产权车位), rented to a resident, or open to visitors and temporary vehicles.</summary>
public enum SpaceKind { Owned, Rented, Visitor }

/// <summary>What a vehicle is to the car park, decided at the barrier when it enters and kept for its whole stay.</summary>
public enum VehicleKind
{
    /// <summary>A plate allowed on a resident's owned or rented space.</summary>
    Resident,
    /// <summary>A plate with a monthly pass (月卡) valid on the day it entered.</summary>
    MonthlyPass,
    /// <summary>Anyone else (临时车): parks on a visitor space and pays by the tariff.</summary>
    Temporary,
    /// <summary>A plate a resident announced: parks on a visitor space and pays by the tariff, told apart for the host's records.</summary>
    Visitor,
    /// <summary>A plate on the lot's whitelist (police, ambulance, the property's own car): in and out free, even when the lot is full.</summary>
    Whitelisted,
}

/// <summary>A stay's life: inside, paid at a pay station (with a grace to leave), gone.</summary>
public enum SessionState { Open, Paid, Closed }

/// <summary>Which list of a lot a plate is on.</summary>
public enum PlateListKind { Blacklist, Whitelist }

/// <summary>Which of a tariff's prices a stretch of a stay is charged at.</summary>
public enum FeePeriod { Day, Night }

/// <summary>Why a barrier stayed down; shown on the barrier's display and in the staff log.</summary>
public enum BarrierRefusal
{
    /// <summary>The plate is on the lot's blacklist.</summary>
    Blacklisted,
    /// <summary>Every visitor space is taken: temporary and visitor vehicles wait; residents and pass holders still enter.</summary>
    LotFull,
    /// <summary>Leaving with a fee not paid yet; the display shows the amount.</summary>
    FeeUnpaid,
    /// <summary>Paid, but leaving after the grace: the time since is owed.</summary>
    GraceExpired,
    /// <summary>Leaving with no open stay for the plate (the entry camera missed it): staff decide by hand.</summary>
    NoEntryRecord,
}

/// <summary>
/// What a lot's exit barrier does for a vehicle that owes a fee it has not paid. Chinese car parks show the fee on the exit's
/// display with a code to scan, and open once the driver has paid there; until the platform has a payment gateway,
/// <see cref="RecordDue"/> stands in for that payment.
/// </summary>
public enum UnpaidExit
{
    /// <summary>
    /// Open, and keep the fee as due on the stay (先离场后付费, leave first and pay afterwards): no queue forms behind a driver
    /// who cannot pay at the barrier. The default.
    /// </summary>
    RecordDue,
    /// <summary>Stay down showing the amount: the driver pays at a pay station first (or staff let the car out by hand).</summary>
    Refuse,
}

/// <summary>Which vehicles pay and which park on visitor spaces.</summary>
public static class VehicleKinds
{
    /// <summary>Temporary and announced vehicles pay by the tariff; residents, pass holders and whitelisted vehicles do not.</summary>
    public static bool Pays(this VehicleKind kind) => kind is VehicleKind.Temporary or VehicleKind.Visitor;

    /// <summary>The vehicles that take a visitor space, so count against <see cref="ParkingLot.TemporaryCapacity"/>.</summary>
    public static bool TakesVisitorSpace(this VehicleKind kind) => kind is VehicleKind.Temporary or VehicleKind.Visitor;
}

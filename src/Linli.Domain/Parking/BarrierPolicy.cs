using Linli.Domain.Common;

namespace Linli.Domain.Parking;

/// <summary>A barrier's answer: open (at the entry, with the kind the stay opens as), or stay down with the reason and, at the exit, the amount owed.</summary>
public readonly record struct BarrierDecision(bool Open, VehicleKind? Kind, BarrierRefusal? Reason, decimal Owed)
{
    public static BarrierDecision Admit(VehicleKind kind) => new(true, kind, null, 0m);

    public static readonly BarrierDecision LetOut = new(true, null, null, 0m);

    public static BarrierDecision Refuse(BarrierRefusal reason, decimal owed = 0m) => new(false, null, reason, owed);
}

/// <summary>
/// What the entry barrier knows of the plates of a lot: its black- and whitelist, the monthly passes, the residents'
/// spaces and the plates residents announced as visitors. Rows of other lots or other plates are ignored, so a caller
/// may pass more than it needs.
/// </summary>
public sealed record PlateRoster(IReadOnlyList<PlateListEntry> Lists, IReadOnlyList<MonthlyPass> Passes, IReadOnlyList<ParkingSpace> Spaces,
    IReadOnlyCollection<string>? AnnouncedVisitors = null)
{
    public static readonly PlateRoster Empty = new([], [], []);
}

/// <summary>
/// Whether a lot's barrier opens for a plate. At the entry: a blacklisted plate never; a whitelisted plate, a resident's
/// vehicle or a valid pass always (they do not take a visitor space); anyone else while a visitor space is free. At the
/// exit: once the stay's fee is settled.
/// </summary>
public static class BarrierPolicy
{
    public static BarrierDecision Decide(LicensePlate plate, LotOccupancy lot, PlateRoster roster, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(plate);
        ArgumentNullException.ThrowIfNull(lot);
        ArgumentNullException.ThrowIfNull(roster);
        bool Ours(int lotId, string entryPlate) => lotId == lot.LotId && entryPlate == plate.Value;
        var listed = roster.Lists.Where(e => Ours(e.LotId, e.Plate) && e.Applies(at)).Select(e => e.List).ToHashSet();
        // A blacklisting is a deliberate refusal by staff: it outranks everything the plate may otherwise have.
        if (listed.Contains(PlateListKind.Blacklist)) return BarrierDecision.Refuse(BarrierRefusal.Blacklisted);
        if (listed.Contains(PlateListKind.Whitelist)) return BarrierDecision.Admit(VehicleKind.Whitelisted);
        if (roster.Spaces.Any(s => s.LotId == lot.LotId && s.Allows(plate))) return BarrierDecision.Admit(VehicleKind.Resident);
        if (roster.Passes.Any(p => Ours(p.LotId, p.Plate) && p.Covers(at))) return BarrierDecision.Admit(VehicleKind.MonthlyPass);
        // Past this point the vehicle needs a visitor space, an expired pass's holder included.
        if (lot.Full) return BarrierDecision.Refuse(BarrierRefusal.LotFull);
        return BarrierDecision.Admit(roster.AnnouncedVisitors?.Contains(plate.Value) == true ? VehicleKind.Visitor : VehicleKind.Temporary);
    }

    /// <summary>At the exit: open when nothing is owed for the plate's open stay (none found: staff decide).</summary>
    public static BarrierDecision Decide(ParkingSession? session, TariffSchedule schedule, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (session is null || session.State == SessionState.Closed) return BarrierDecision.Refuse(BarrierRefusal.NoEntryRecord);
        var owed = session.Owed(at, schedule).Total;
        if (owed == 0) return BarrierDecision.LetOut;
        return BarrierDecision.Refuse(session.State == SessionState.Paid ? BarrierRefusal.GraceExpired : BarrierRefusal.FeeUnpaid, owed);
    }

    /// <summary>
    /// At <paramref name="lot"/>'s exit: as above, except that a lot which records unpaid fees as due
    /// (<see cref="UnpaidExit.RecordDue"/>) lets the vehicle out owing <see cref="BarrierDecision.Owed"/>, which
    /// <see cref="ParkingSession.Exit"/> then keeps as due.
    /// </summary>
    public static BarrierDecision Decide(ParkingLot lot, ParkingSession? session, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(lot);
        var decision = Decide(session, lot.Schedule, at);
        return decision is { Open: false, Reason: BarrierRefusal.FeeUnpaid or BarrierRefusal.GraceExpired } && lot.UnpaidExit == UnpaidExit.RecordDue
            ? decision with { Open = true, Reason = null }
            : decision;
    }
}

using Linli.Domain.Common;
using Linli.Domain.Parking;

namespace Linli.Domain.Tests;

/// <summary>What a car park charges and when its barriers open: tariffs over time, stays, passes, lists.</summary>
public sealed class ParkingTests
{
    static readonly PlaceKeys Keys = new(1, 2, 3, 4);
    static readonly LicensePlate Car = LicensePlate.Parse("浙A12345");
    static readonly LicensePlate OtherCar = LicensePlate.Parse("浙AD12345");

    /// <summary>Beijing wall-clock time on a day of December 2026 (the 7th is a Monday).</summary>
    static DateTimeOffset Beijing(int day, int hour, int minute = 0) => new(2026, 12, day, hour, minute, 0, TimeSpan.FromHours(8));

    /// <summary>When the first tariff of every schedule here took effect.</summary>
    static readonly DateTimeOffset Opened = Beijing(1, 0);

    static ParkingTariff Hourly(decimal price = 5m, int free = 15, int grace = 15, decimal? cap = null, NightRate? night = null) =>
        new(free, price, night, cap, grace);

    static TariffSchedule Schedule(ParkingTariff tariff) => TariffSchedule.Starting(Opened, tariff);

    /// <summary>A schedule whose tariff changes from <paramref name="first"/> to <paramref name="then"/> at <paramref name="changeAt"/>.</summary>
    static TariffSchedule Changing(ParkingTariff first, DateTimeOffset changeAt, ParkingTariff then) =>
        Schedule(first).ChangeAt(changeAt, then, Opened);

    static readonly NightRate NightPerHour = NightRate.PerHour(new TimeOnly(20, 0), new TimeOnly(7, 0), 1m);
    static readonly NightRate FlatNight = NightRate.Flat(new TimeOnly(20, 0), new TimeOnly(7, 0), 5m);

    static ParkingLot Lot(ParkingTariff? tariff = null, int visitorSpaces = 10, int id = 7) =>
        Places.WithId(new ParkingLot("P1", "地下停车场", Keys, tariff ?? Hourly(), Opened, ownedSpaces: 50, rentedSpaces: 20, visitorSpaces: visitorSpaces), id);

    static int Hours(ParkingFee fee) => fee.Pieces.Sum(p => p.Hours);

    // ---- Free minutes and started hours

    [Fact]
    public void A_stay_of_exactly_the_free_minutes_is_free_and_one_minute_more_is_charged_from_entry()
    {
        var schedule = Schedule(Hourly(price: 5m, free: 15));
        var entry = Beijing(7, 10);
        var free = schedule.Fee(entry, entry.AddMinutes(15));
        Assert.Equal(0m, free.Total);
        Assert.True(free.WithinFreeMinutes);
        var over = schedule.Fee(entry, entry.AddMinutes(16));
        Assert.Equal(5m, over.Total);
        Assert.False(over.WithinFreeMinutes);
        Assert.Equal(entry, Assert.Single(over.Pieces).From);
    }

    [Theory]
    [InlineData(60, 5)]
    [InlineData(61, 10)]
    [InlineData(120, 10)]
    [InlineData(179, 15)]
    public void Every_started_hour_is_charged_as_a_whole_hour(int minutes, int yuan)
    {
        var entry = Beijing(7, 10);
        Assert.Equal(yuan, Schedule(Hourly(price: 5m)).Fee(entry, entry.AddMinutes(minutes)).Total);
    }

    [Fact]
    public void Prices_are_kept_in_fen_and_a_fee_adds_up_exactly()
    {
        var tariff = Hourly(price: 2.005m, cap: 20.004m);
        Assert.Equal(2.01m, tariff.DayPricePerHour);
        Assert.Equal(20.00m, tariff.DailyCap);
        var entry = Beijing(7, 10);
        Assert.Equal(6.03m, Schedule(tariff).Fee(entry, entry.AddHours(3)).Total);
    }

    // ---- Night

    [Fact]
    public void The_night_price_runs_from_eight_in_the_evening_across_midnight_to_seven()
    {
        var fee = Schedule(Hourly(price: 3m, night: NightPerHour)).Fee(Beijing(7, 18), Beijing(8, 9));
        Assert.Equal(2 * 3m + 11 * 1m + 2 * 3m, fee.Total);
        Assert.Equal([FeePeriod.Day, FeePeriod.Night, FeePeriod.Day], fee.Pieces.Select(p => p.Period));
        Assert.Equal([Beijing(7, 20), Beijing(8, 7)], fee.Pieces.Skip(1).Select(p => p.From));
        Assert.Equal([2, 11, 2], fee.Pieces.Select(p => p.Hours));
    }

    [Fact]
    public void An_hour_started_in_the_day_runs_its_full_sixty_minutes_into_the_night_at_the_day_price()
    {
        var schedule = Schedule(Hourly(price: 3m, night: NightPerHour));
        var fee = schedule.Fee(Beijing(7, 19, 30), Beijing(7, 20, 10));
        Assert.Equal(3m, fee.Total);
        var night = fee.Pieces[^1];
        Assert.Equal((FeePeriod.Night, 0, 0m), (night.Period, night.Hours, night.Amount));
        // The second hour starts at 20:30, in the night.
        Assert.Equal(3m + 1m, schedule.Fee(Beijing(7, 19, 30), Beijing(7, 20, 40)).Total);
    }

    [Fact]
    public void A_flat_night_price_is_charged_once_for_each_night_the_stay_reaches()
    {
        var schedule = Schedule(Hourly(price: 3m, night: FlatNight));
        Assert.Equal(2 * 3m + 5m + 2 * 3m, schedule.Fee(Beijing(7, 18), Beijing(8, 9)).Total);
        // Two nights and the whole day between them (07:00–20:00, 13 hours).
        Assert.Equal(2 * 3m + 5m + 13 * 3m + 5m + 2 * 3m, schedule.Fee(Beijing(7, 18), Beijing(9, 9)).Total);
        // A stay inside one night: the flat price once, however many hours.
        Assert.Equal(5m, schedule.Fee(Beijing(7, 21), Beijing(8, 6, 30)).Total);
    }

    // ---- The 24-hour cap

    [Fact]
    public void A_three_day_stay_pays_the_cap_for_each_24_hours_from_entry_and_a_fourth_day_starts_a_new_window()
    {
        var schedule = Schedule(Hourly(price: 2m, cap: 20m, night: NightPerHour));
        var fee = schedule.Fee(Beijing(7, 10), Beijing(10, 10));
        Assert.Equal(3 * 20m, fee.Total);
        Assert.Equal([20m, 20m, 20m], fee.Pieces.GroupBy(p => p.Window).Select(w => w.Sum(p => p.Amount)));
        // Without the cap each window would be 10 day hours, 11 night hours and 3 morning hours.
        Assert.Equal(10 * 2m + 11 * 1m + 3 * 2m, fee.Pieces.Where(p => p.Window == 0).Sum(p => p.ListAmount));
        Assert.Equal(3 * 20m + 2m, schedule.Fee(Beijing(7, 10), Beijing(10, 10, 1)).Total);
    }

    // ---- Price changes

    [Fact]
    public void A_price_change_during_a_stay_charges_each_hour_at_the_price_in_force_when_it_starts()
    {
        var fee = Changing(Hourly(price: 5m), Beijing(7, 12), Hourly(price: 8m)).Fee(Beijing(7, 10), Beijing(7, 14, 30));
        Assert.Equal(2 * 5m + 3 * 8m, fee.Total);
        Assert.Equal([Beijing(7, 10), Beijing(7, 12)], fee.Pieces.Select(p => p.From));
        Assert.Equal([Opened, Beijing(7, 12)], fee.Pieces.Select(p => p.Version.EffectiveFrom));
        Assert.Equal([10m, 24m], fee.Pieces.Select(p => p.Amount));
    }

    [Fact]
    public void Splitting_a_stay_at_a_price_change_never_charges_more_hours_than_the_same_stay_under_one_tariff()
    {
        // 10:00–12:00 with a change at 11:30: two hours, both begun before the change; not 1.5 + 0.5 rounded up to three.
        var halfPast = Changing(Hourly(price: 5m), Beijing(7, 11, 30), Hourly(price: 8m)).Fee(Beijing(7, 10), Beijing(7, 12));
        Assert.Equal(2, Hours(halfPast));
        Assert.Equal(10m, halfPast.Total);

        // A stay across the start of the night, with the price changing at any minute of it.
        var day = Hourly(price: 5m, night: NightRate.PerHour(new TimeOnly(20, 0), new TimeOnly(7, 0), 2m));
        var dearer = Hourly(price: 8m, night: NightRate.PerHour(new TimeOnly(20, 0), new TimeOnly(7, 0), 3m));
        var (entry, exit) = (Beijing(7, 18, 20), Beijing(7, 22, 0));
        var underOne = Hours(Schedule(day).Fee(entry, exit));
        Assert.Equal(4, underOne);
        for (var change = entry.AddMinutes(1); change < exit; change = change.AddMinutes(1))
            Assert.Equal(underOne, Hours(Changing(day, change, dearer).Fee(entry, exit)));
    }

    [Fact]
    public void A_grace_period_straddling_a_price_change_is_charged_at_the_entry_tariff()
    {
        var entry = Beijing(7, 10);
        // Fifteen free minutes at the gate; from 10:10 the new tariff would give an hour. Twenty minutes is over the
        // fifteen the driver was told: charged from entry, the hour begun under the entry tariff.
        var generous = Changing(Hourly(price: 5m, free: 15), entry.AddMinutes(10), Hourly(price: 8m, free: 60));
        var fee = generous.Fee(entry, entry.AddMinutes(20));
        Assert.Equal(5m, fee.Total);
        Assert.Equal(Opened, Assert.Single(fee.Pieces, p => p.Hours > 0).Version.EffectiveFrom);
    }

    [Fact]
    public void Free_minutes_told_at_the_gate_are_not_lost_when_a_change_during_them_removes_them()
    {
        var entry = Beijing(7, 10);
        var stingy = Changing(Hourly(price: 5m, free: 30), entry.AddMinutes(10), Hourly(price: 8m, free: 0));
        Assert.True(stingy.Fee(entry, entry.AddMinutes(30)).WithinFreeMinutes);
        Assert.Equal(5m, stingy.Fee(entry, entry.AddMinutes(31)).Total);
    }

    [Fact]
    public void After_paying_the_driver_has_the_entry_tariff_s_grace_even_when_the_price_changes_during_it()
    {
        // Fifteen minutes' grace at entry; from 11:55 the tariff gives only five, at a higher price.
        var schedule = Changing(Hourly(price: 5m, grace: 15), Beijing(7, 11, 55), Hourly(price: 8m, grace: 5));
        var entry = Beijing(7, 10);
        var paid = Beijing(7, 11, 50);
        Assert.Equal(10m, schedule.Fee(entry, paid).Total);
        Assert.Equal(Beijing(7, 12, 5), schedule.LeaveBy(entry, [paid]));
        Assert.Equal(0m, schedule.Owed(entry, [paid], Beijing(7, 12, 4)).Total);
        var late = schedule.Owed(entry, [paid], Beijing(7, 12, 30));
        var piece = Assert.Single(late.Pieces);
        Assert.Equal((Beijing(7, 12, 5), 1, 8m), (piece.From, piece.Hours, piece.Amount));
        Assert.Equal(Beijing(7, 11, 55), piece.Version.EffectiveFrom);

        // Paying after the change does not shorten the grace either: it is the one told at the gate.
        var changedBefore = Changing(Hourly(price: 5m, grace: 15), Beijing(7, 11), Hourly(price: 8m, grace: 5));
        Assert.Equal(Beijing(7, 12, 5), changedBefore.LeaveBy(entry, [paid]));
        Assert.Equal(0m, changedBefore.Owed(entry, [paid], Beijing(7, 12, 4)).Total);
    }

    [Fact]
    public void An_hour_paid_for_is_the_driver_s_even_when_it_lasts_beyond_the_grace()
    {
        var schedule = Schedule(Hourly(price: 5m, grace: 15));
        var entry = Beijing(7, 10);
        var paid = Beijing(7, 11, 20);
        // Two hours paid at 11:20: the second runs to 12:00, later than the grace's 11:35.
        Assert.Equal(Beijing(7, 12), schedule.LeaveBy(entry, [paid]));
        Assert.Equal(0m, schedule.Owed(entry, [paid], Beijing(7, 11, 50)).Total);
        var late = schedule.Owed(entry, [paid], Beijing(7, 12, 10));
        Assert.Equal((Beijing(7, 12), 5m), (Assert.Single(late.Pieces).From, late.Total));
    }

    [Fact]
    public void The_cap_of_a_24_hour_window_is_the_cap_in_force_when_the_window_began()
    {
        // 2 yuan an hour capped at 30; from 16:00 on the 8th, 5 an hour capped at 60.
        var schedule = Changing(Hourly(price: 2m, cap: 30m), Beijing(8, 16), Hourly(price: 5m, cap: 60m));
        var fee = schedule.Fee(Beijing(7, 10), Beijing(10, 10));
        var windows = fee.Pieces.GroupBy(p => p.Window).Select(w => (List: w.Sum(p => p.ListAmount), Charged: w.Sum(p => p.Amount))).ToList();
        // The second window began at 10:00 on the 8th, under the old cap: 6 hours at 2 and 18 at 5 are capped at 30.
        Assert.Equal([(48m, 30m), (6 * 2m + 18 * 5m, 30m), (24 * 5m, 60m)], windows);
        Assert.Equal(120m, fee.Total);
    }

    [Fact]
    public void What_was_paid_towards_a_capped_window_counts_against_its_cap_when_the_driver_stays_on()
    {
        var schedule = Schedule(Hourly(price: 2m, cap: 20m));
        var entry = Beijing(7, 10);
        var paid = Beijing(7, 20);
        Assert.Equal(20m, schedule.Fee(entry, paid).Total);
        Assert.Equal(0m, schedule.Owed(entry, [paid], Beijing(8, 9)).Total);
        // The next window began at 10:00 on the 8th: its first hour is owed.
        Assert.Equal(2m, schedule.Owed(entry, [paid], Beijing(8, 11)).Total);
        Assert.Equal(20m + 2m, schedule.Fee(entry, Beijing(8, 11)).Total);
    }

    [Fact]
    public void The_night_is_Beijing_s_night_whatever_clock_the_instants_were_stored_in()
    {
        var schedule = Schedule(Hourly(price: 3m, night: NightPerHour));
        // 11:30 UTC is 19:30 in Beijing: one day hour, then one night hour from 20:30 Beijing.
        var fee = schedule.Fee(new DateTimeOffset(2026, 12, 7, 11, 30, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 7, 13, 30, 0, TimeSpan.Zero));
        Assert.Equal(3m + 1m, fee.Total);
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero), fee.Pieces[1].From);
        Assert.Equal(TimeSpan.FromHours(8), fee.Pieces[1].From.Offset);
    }

    [Fact]
    public void A_price_change_takes_effect_from_now_on_and_never_rewrites_the_past()
    {
        var schedule = Schedule(Hourly());
        var now = Beijing(7, 12);
        Assert.Equal("effectiveFrom", Places.Refused(() => schedule.ChangeAt(now.AddMinutes(-1), Hourly(price: 8m), now)).Field);
        var changed = schedule.ChangeAt(Beijing(10, 0), Hourly(price: 8m), now).ChangeAt(Beijing(10, 0), Hourly(price: 9m), now);
        Assert.Equal([5m, 9m], changed.Versions.Select(v => v.Tariff.DayPricePerHour));
        Assert.Equal(5m, changed.At(Beijing(9, 23, 59)).Tariff.DayPricePerHour);
        Assert.Equal("entryAt", Places.Refused(() => changed.Fee(Opened.AddMinutes(-1), Beijing(7, 10))).Field);
        Assert.Equal("exitAt", Places.Refused(() => changed.Fee(Beijing(7, 10), Beijing(7, 9))).Field);

        var lot = Lot();
        Assert.Equal("effectiveFrom", Places.Refused(() => lot.ChangeTariff(Hourly(price: 8m), now.AddDays(-1), now)).Field);
        lot.ChangeTariff(Hourly(price: 8m), Beijing(10, 0), now);
        Assert.Equal(2, lot.Schedule.Versions.Count);
    }

    [Fact]
    public void A_tariff_refuses_what_cannot_be_charged_naming_the_field()
    {
        Assert.Equal("freeMinutes", Places.Refused(() => new ParkingTariff(-1, 5m)).Field);
        Assert.Equal("freeMinutes", Places.Refused(() => new ParkingTariff(ParkingTariff.MaxFreeMinutes + 1, 5m)).Field);
        Assert.Equal("dayPricePerHour", Places.Refused(() => new ParkingTariff(15, -0.01m)).Field);
        Assert.Equal("dayPricePerHour", Places.Refused(() => new ParkingTariff(15, 100_000m)).Field);
        Assert.Equal("dailyCap", Places.Refused(() => new ParkingTariff(15, 5m, dailyCap: 0m)).Field);
        Assert.Equal("graceMinutes", Places.Refused(() => new ParkingTariff(15, 5m, graceMinutes: 500)).Field);
        Assert.Equal("nightUntil", Places.Refused(() => NightRate.PerHour(new TimeOnly(20, 0), new TimeOnly(20, 0), 1m)).Field);
        Assert.Equal("nightPricePerHour", Places.Refused(() => NightRate.PerHour(new TimeOnly(20, 0), new TimeOnly(7, 0), -1m)).Field);
        Assert.Equal("nightFlatPrice", Places.Refused(() => NightRate.Flat(new TimeOnly(20, 0), new TimeOnly(7, 0), -1m)).Field);
    }

    // ---- Sessions

    [Fact]
    public void A_temporary_vehicle_is_charged_at_the_exit_and_a_resident_is_not()
    {
        var lot = Lot();
        var temporary = new ParkingSession(lot, Car, VehicleKind.Temporary, Beijing(7, 10));
        Assert.Equal(15m, temporary.Exit(Beijing(7, 12, 30), lot.Schedule).Total);
        Assert.Equal((SessionState.Closed, 15m), (temporary.State, temporary.Charged));

        var resident = new ParkingSession(lot, OtherCar, VehicleKind.Resident, Beijing(7, 10));
        Assert.Equal(0m, resident.Exit(Beijing(9, 12), lot.Schedule).Total);
        Assert.Equal((0m, 0m), (resident.Charged, resident.Due));
    }

    [Fact]
    public void A_fee_not_paid_at_the_exit_is_recorded_as_due_until_it_is_settled()
    {
        var lot = Lot();
        var session = new ParkingSession(lot, Car, VehicleKind.Temporary, Beijing(7, 10));
        session.Exit(Beijing(7, 11, 30), lot.Schedule);
        Assert.Equal(10m, session.Due);
        session.SettleDue(Beijing(8, 9));
        Assert.Equal((0m, 10m, 10m), (session.Due, session.Paid, session.Charged));
        Assert.Throws<ConflictException>(() => session.SettleDue(Beijing(8, 10)));
    }

    [Fact]
    public void Paying_at_a_pay_station_leaves_nothing_owed_at_the_exit_within_the_grace_and_the_time_after_it_otherwise()
    {
        var lot = Lot(Hourly(price: 5m, grace: 15));
        var session = new ParkingSession(lot, Car, VehicleKind.Temporary, Beijing(7, 10));
        Assert.Equal(10m, session.Pay(Beijing(7, 11, 50), lot.Schedule).Total);
        Assert.Equal((SessionState.Paid, Beijing(7, 12, 5)), (session.State, session.LeaveBy));
        Assert.Equal(TimeSpan.Zero, session.LeaveBy!.Value.Offset);   // stored as UTC, as PostgreSQL takes instants
        // Too slow: the hour from 12:05 is paid at the exit's machine, then the barrier opens.
        Assert.Equal(5m, session.Pay(Beijing(7, 12, 30), lot.Schedule).Total);
        Assert.Equal(Beijing(7, 13, 5), session.LeaveBy);
        Assert.Equal(0m, session.Exit(Beijing(7, 12, 31), lot.Schedule).Total);
        Assert.Equal((15m, 0m, 2), (session.Charged, session.Due, session.Payments.Count));
    }

    [Fact]
    public void A_session_refuses_what_its_state_does_not_allow()
    {
        var lot = Lot(Hourly(price: 5m, free: 15));
        var session = new ParkingSession(lot, Car, VehicleKind.Temporary, Beijing(7, 10));
        Assert.Throws<ConflictException>(() => session.Pay(Beijing(7, 10, 10), lot.Schedule));   // still free
        Assert.Throws<ConflictException>(() => session.SettleDue(Beijing(7, 10, 10)));            // still inside
        session.Pay(Beijing(7, 11), lot.Schedule);
        Assert.Throws<ConflictException>(() => session.Pay(Beijing(7, 11, 5), lot.Schedule));    // paid, within the grace
        Assert.Equal("exitAt", Places.Refused(() => session.Exit(Beijing(7, 10, 59), lot.Schedule)).Field);
        session.Exit(Beijing(7, 11, 10), lot.Schedule);
        Assert.Throws<ConflictException>(() => session.Exit(Beijing(7, 11, 20), lot.Schedule));
        Assert.Throws<ConflictException>(() => session.Pay(Beijing(7, 11, 20), lot.Schedule));
        Assert.Throws<ConflictException>(() => session.Owed(Beijing(7, 11, 20), lot.Schedule));
        Assert.Throws<ConflictException>(() => session.SettleDue(Beijing(7, 11, 20)));          // nothing due

        var resident = new ParkingSession(lot, OtherCar, VehicleKind.Resident, Beijing(7, 10));
        Assert.Throws<ConflictException>(() => resident.Pay(Beijing(7, 12), lot.Schedule));
    }

    [Fact]
    public void Entering_and_leaving_are_each_recorded_once_for_occupancy()
    {
        var lot = Lot();
        var session = new ParkingSession(lot, Car, VehicleKind.Temporary, Beijing(7, 10));
        typeof(ParkingSession).GetProperty(nameof(ParkingSession.Id))!.SetValue(session, 31L);
        var opened = Assert.IsType<ParkingSessionOpened>(Assert.Single(session.TakeEvents()));
        Assert.Equal((31L, 7, "浙A12345", VehicleKind.Temporary, Beijing(7, 10)), (opened.SessionId, opened.LotId, opened.Plate, opened.Kind, opened.At));
        Assert.Empty(session.TakeEvents());
        session.Exit(Beijing(7, 11, 30), lot.Schedule);
        Assert.True(session.HasPendingEvents);
        var closed = Assert.IsType<ParkingSessionClosed>(Assert.Single(session.TakeEvents()));
        Assert.Equal((10m, 10m, Beijing(7, 11, 30)), (closed.Charged, closed.Due, closed.At));
        Assert.False(session.HasPendingEvents);
    }

    // ---- Barriers

    static PlateRoster Roster(ParkingLot lot, params object[] rows) => new(
        rows.OfType<PlateListEntry>().ToList(), rows.OfType<MonthlyPass>().ToList(), rows.OfType<ParkingSpace>().ToList(),
        rows.OfType<string>().ToList());

    static ParkingSpace ResidentSpace(ParkingLot lot, LicensePlate plate) => new(lot, "B2-031", SpaceKind.Owned, residentId: 42, plates: [plate]);

    [Fact]
    public void A_blacklisted_plate_is_refused_even_on_a_resident_s_space_until_the_listing_ends()
    {
        var lot = Lot();
        var listing = new PlateListEntry(lot, Car, PlateListKind.Blacklist, "欠费三个月未缴", Beijing(7, 9), until: Beijing(9, 0));
        var roster = Roster(lot, listing, ResidentSpace(lot, Car));
        Assert.Equal(BarrierDecision.Refuse(BarrierRefusal.Blacklisted), BarrierPolicy.Decide(Car, lot.Occupancy(0), roster, Beijing(8, 23, 59)));
        Assert.Equal(BarrierDecision.Admit(VehicleKind.Resident), BarrierPolicy.Decide(Car, lot.Occupancy(0), roster, Beijing(9, 0)));

        var indefinite = new PlateListEntry(lot, OtherCar, PlateListKind.Blacklist, "冲卡", Beijing(7, 9));
        Assert.False(BarrierPolicy.Decide(OtherCar, lot.Occupancy(0), Roster(lot, indefinite), Beijing(7, 10)).Open);
        indefinite.Lift(Beijing(7, 11));
        Assert.Equal(BarrierDecision.Admit(VehicleKind.Temporary), BarrierPolicy.Decide(OtherCar, lot.Occupancy(0), Roster(lot, indefinite), Beijing(7, 11)));
        Assert.Throws<ConflictException>(() => indefinite.Lift(Beijing(7, 12)));
    }

    [Fact]
    public void A_full_lot_refuses_temporary_vehicles_but_admits_residents_pass_holders_and_whitelisted_vehicles()
    {
        var lot = Lot(visitorSpaces: 10);
        var full = lot.Occupancy(10);
        var now = Beijing(7, 18);
        var resident = LicensePlate.Parse("浙A11111");
        var holder = LicensePlate.Parse("浙A22222");
        var ambulance = LicensePlate.Parse("浙A33333");
        var roster = Roster(lot, ResidentSpace(lot, resident), new MonthlyPass(lot, holder, new DateOnly(2026, 12, 1), new DateOnly(2026, 12, 31), 300m),
            new PlateListEntry(lot, ambulance, PlateListKind.Whitelist, "120急救", Beijing(1, 9)));
        Assert.Equal(BarrierDecision.Refuse(BarrierRefusal.LotFull), BarrierPolicy.Decide(Car, full, roster, now));
        Assert.Equal(BarrierDecision.Admit(VehicleKind.Resident), BarrierPolicy.Decide(resident, full, roster, now));
        Assert.Equal(BarrierDecision.Admit(VehicleKind.MonthlyPass), BarrierPolicy.Decide(holder, full, roster, now));
        Assert.Equal(BarrierDecision.Admit(VehicleKind.Whitelisted), BarrierPolicy.Decide(ambulance, full, roster, now));
        Assert.Equal(BarrierDecision.Admit(VehicleKind.Temporary), BarrierPolicy.Decide(Car, lot.Occupancy(9), roster, now));
    }

    [Fact]
    public void An_announced_visitor_enters_as_a_visitor_and_waits_like_anyone_when_the_lot_is_full()
    {
        var lot = Lot(visitorSpaces: 2);
        var roster = Roster(lot, Car.Value);
        Assert.Equal(BarrierDecision.Admit(VehicleKind.Visitor), BarrierPolicy.Decide(Car, lot.Occupancy(1), roster, Beijing(7, 10)));
        Assert.Equal(BarrierDecision.Refuse(BarrierRefusal.LotFull), BarrierPolicy.Decide(Car, lot.Occupancy(2), roster, Beijing(7, 10)));
    }

    [Fact]
    public void Another_lot_s_pass_space_or_listing_does_not_count_here()
    {
        var here = Lot(visitorSpaces: 0);
        var there = Lot(id: 8);
        var roster = Roster(there, new MonthlyPass(there, Car, new DateOnly(2026, 12, 1), new DateOnly(2026, 12, 31), 300m),
            ResidentSpace(there, Car), new PlateListEntry(there, OtherCar, PlateListKind.Blacklist, "冲卡", Beijing(1, 9)));
        Assert.Equal(BarrierDecision.Refuse(BarrierRefusal.LotFull), BarrierPolicy.Decide(Car, here.Occupancy(0), roster, Beijing(7, 10)));
        Assert.Equal(BarrierDecision.Refuse(BarrierRefusal.LotFull), BarrierPolicy.Decide(OtherCar, here.Occupancy(0), roster, Beijing(7, 10)));
    }

    [Fact]
    public void The_exit_barrier_opens_once_the_fee_is_settled()
    {
        var lot = Lot(Hourly(price: 5m, grace: 15));
        var session = new ParkingSession(lot, Car, VehicleKind.Temporary, Beijing(7, 10));
        Assert.Equal(BarrierDecision.Refuse(BarrierRefusal.FeeUnpaid, 5m), BarrierPolicy.Decide(session, lot.Schedule, Beijing(7, 11)));
        session.Pay(Beijing(7, 11), lot.Schedule);
        Assert.Equal(BarrierDecision.LetOut, BarrierPolicy.Decide(session, lot.Schedule, Beijing(7, 11, 15)));
        // Paid for 10:00–11:00 with a grace to 11:15; at 12:20 two hours have started since.
        Assert.Equal(BarrierDecision.Refuse(BarrierRefusal.GraceExpired, 10m), BarrierPolicy.Decide(session, lot.Schedule, Beijing(7, 12, 20)));

        var resident = new ParkingSession(lot, OtherCar, VehicleKind.Resident, Beijing(7, 10));
        Assert.Equal(BarrierDecision.LetOut, BarrierPolicy.Decide(resident, lot.Schedule, Beijing(9, 10)));
        Assert.Equal(BarrierDecision.Refuse(BarrierRefusal.NoEntryRecord), BarrierPolicy.Decide(null, lot.Schedule, Beijing(9, 10)));
    }

    [Fact]
    public void A_lot_that_records_unpaid_fees_as_due_lets_the_vehicle_out_owing_them_and_one_that_refuses_keeps_the_barrier_down()
    {
        var lot = Lot(Hourly(price: 5m));
        var session = new ParkingSession(lot, Car, VehicleKind.Temporary, Beijing(7, 10));
        Assert.Equal(UnpaidExit.RecordDue, lot.UnpaidExit);
        Assert.Equal(new BarrierDecision(true, null, null, 10m), BarrierPolicy.Decide(lot, session, Beijing(7, 11, 30)));
        Assert.Equal(10m, session.Exit(Beijing(7, 11, 30), lot.Schedule).Total);
        Assert.Equal(10m, session.Due);

        lot.WhenUnpaidAtExit(UnpaidExit.Refuse);
        var another = new ParkingSession(lot, Car, VehicleKind.Temporary, Beijing(8, 10));
        Assert.Equal(BarrierDecision.Refuse(BarrierRefusal.FeeUnpaid, 10m), BarrierPolicy.Decide(lot, another, Beijing(8, 11, 30)));
        // Nothing owed, or no stay at all: the lot's choice changes nothing.
        Assert.Equal(BarrierDecision.LetOut, BarrierPolicy.Decide(lot, new ParkingSession(lot, OtherCar, VehicleKind.Resident, Beijing(7, 10)), Beijing(9, 10)));
        lot.WhenUnpaidAtExit(UnpaidExit.RecordDue);
        Assert.Equal(BarrierDecision.Refuse(BarrierRefusal.NoEntryRecord), BarrierPolicy.Decide(lot, null, Beijing(9, 10)));
        Assert.Equal("unpaidExit", Places.Refused(() => lot.WhenUnpaidAtExit((UnpaidExit)9)).Field);
    }

    // ---- Monthly passes, spaces, lots

    [Fact]
    public void A_monthly_pass_admits_from_its_first_to_its_last_Beijing_day_inclusive()
    {
        var lot = Lot(visitorSpaces: 10);
        var pass = new MonthlyPass(lot, Car, new DateOnly(2026, 12, 1), new DateOnly(2026, 12, 31), 300m);
        var roster = Roster(lot, pass);
        // 23:59 on the 31st in Beijing is 15:59 UTC; a minute later it is the 1st of January in Beijing.
        var lastMinute = new DateTimeOffset(2026, 12, 31, 15, 59, 0, TimeSpan.Zero);
        Assert.True(pass.Covers(lastMinute));
        Assert.False(pass.Covers(lastMinute.AddMinutes(1)));
        Assert.False(pass.Covers(new DateTimeOffset(2026, 11, 30, 15, 59, 0, TimeSpan.Zero)));
        Assert.True(pass.Covers(new DateTimeOffset(2026, 11, 30, 16, 0, 0, TimeSpan.Zero)));
        Assert.Equal(BarrierDecision.Admit(VehicleKind.MonthlyPass), BarrierPolicy.Decide(Car, lot.Occupancy(10), roster, lastMinute));
        // Expired, the car is a temporary vehicle like any other.
        Assert.Equal(BarrierDecision.Admit(VehicleKind.Temporary), BarrierPolicy.Decide(Car, lot.Occupancy(0), roster, lastMinute.AddMinutes(1)));
        Assert.Equal(BarrierDecision.Refuse(BarrierRefusal.LotFull), BarrierPolicy.Decide(Car, lot.Occupancy(10), roster, lastMinute.AddMinutes(1)));
    }

    [Fact]
    public void A_cancelled_pass_admits_no_more_and_a_pass_refuses_dates_and_prices_that_mean_nothing()
    {
        var lot = Lot();
        var pass = new MonthlyPass(lot, Car, new DateOnly(2026, 12, 1), new DateOnly(2026, 12, 31), 300m);
        pass.Cancel(Beijing(10, 12));
        Assert.True(pass.Covers(Beijing(10, 11)));
        Assert.False(pass.Covers(Beijing(10, 12)));
        Assert.Throws<ConflictException>(() => pass.Cancel(Beijing(10, 13)));
        Assert.Equal("validUntil", Places.Refused(() => new MonthlyPass(lot, Car, new DateOnly(2026, 12, 31), new DateOnly(2026, 12, 1), 300m)).Field);
        Assert.Equal("validUntil", Places.Refused(() => new MonthlyPass(lot, Car, new DateOnly(2026, 1, 1), new DateOnly(2030, 1, 1), 300m)).Field);
        Assert.Equal("price", Places.Refused(() => new MonthlyPass(lot, Car, new DateOnly(2026, 12, 1), new DateOnly(2026, 12, 31), -1m)).Field);
    }

    [Fact]
    public void A_resident_s_space_admits_its_plates_only_and_a_released_space_admits_no_one()
    {
        var lot = Lot();
        var space = new ParkingSpace(lot, "B2-031", SpaceKind.Rented, residentId: 42, plates: [Car, OtherCar]);
        Assert.True(space.Allows(Car));
        Assert.True(space.Allows(OtherCar));
        Assert.False(space.Allows(LicensePlate.Parse("京B54321")));
        space.Release();
        Assert.Equal((SpaceKind.Visitor, (int?)null), (space.Kind, space.ResidentId));
        Assert.False(space.Allows(Car));
        Assert.Throws<ConflictException>(space.Release);

        Assert.Equal("plates", Places.Refused(() => new ParkingSpace(lot, "B2-032", SpaceKind.Owned, residentId: 42)).Field);
        Assert.Equal("residentId", Places.Refused(() => new ParkingSpace(lot, "B2-033", SpaceKind.Owned, plates: [Car])).Field);
        Assert.Equal("residentId", Places.Refused(() => new ParkingSpace(lot, "B2-034", SpaceKind.Visitor, residentId: 42)).Field);
        Assert.Equal("number", Places.Refused(() => new ParkingSpace(lot, " ")).Field);
    }

    [Fact]
    public void A_lot_counts_its_spaces_by_kind_and_refuses_counts_and_codes_that_mean_nothing()
    {
        var lot = Lot(visitorSpaces: 12);
        Assert.Equal((50, 20, 12), (lot.Capacity(SpaceKind.Owned), lot.Capacity(SpaceKind.Rented), lot.Capacity(SpaceKind.Visitor)));
        Assert.True(lot.Occupancy(12).Full);
        Assert.False(lot.Occupancy(11).Full);
        Assert.Equal("visitorSpaces", Places.Refused(() => lot.SetCapacity(1, 1, -1)).Field);
        Assert.Equal("code", Places.Refused(() => new ParkingLot("P 1", "地下", Keys, Hourly(), Opened)).Field);
        Assert.Equal("name", Places.Refused(() => new ParkingLot("P1", "", Keys, Hourly(), Opened)).Field);
        Assert.Equal(0, new ParkingLot("P1", "地面", Keys with { GridId = 9 }, Hourly(), Opened).GridId);
    }
}

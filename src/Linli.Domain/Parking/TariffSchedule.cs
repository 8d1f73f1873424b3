using Linli.Domain.Common;

namespace Linli.Domain.Parking;

/// <summary>A tariff and the moment it takes effect: a price change is a new version, the old one still prices what came before.</summary>
public sealed record TariffVersion
{
    public DateTimeOffset EffectiveFrom { get; }
    public ParkingTariff Tariff { get; }

    public TariffVersion(DateTimeOffset effectiveFrom, ParkingTariff tariff)
    {
        EffectiveFrom = DateWindow.Check(effectiveFrom, "effectiveFrom");
        Tariff = tariff ?? throw new ArgumentNullException(nameof(tariff));
    }
}

/// <summary>One stretch of a stay: one tariff version, day or night, within one 24-hour window from entry. A page lists them line by line.</summary>
/// <param name="Window">Which 24 hours from entry the stretch lies in, from 0.</param>
/// <param name="Hours">The started hours that began in the stretch; an hour that began earlier runs on into it without being counted again.</param>
/// <param name="ListAmount">Those hours (or the flat night) at the version's prices.</param>
/// <param name="Amount">What is charged for them once the window's cap is applied.</param>
public sealed record FeePiece(DateTimeOffset From, DateTimeOffset Until, TariffVersion Version, FeePeriod Period, int Window, int Hours,
    decimal ListAmount, decimal Amount);

/// <summary>What a stay costs, or what is still owed of it after payments, with the stretches that make it up.</summary>
/// <param name="WithinFreeMinutes">The whole stay lay within the free minutes of the tariff at entry.</param>
public sealed record ParkingFee(IReadOnlyList<FeePiece> Pieces, decimal Total, bool WithinFreeMinutes = false)
{
    /// <summary>Nothing to pay: a resident, a pass holder, a stay already paid for.</summary>
    public static readonly ParkingFee None = new([], 0m);

    public static readonly ParkingFee Free = new([], 0m, WithinFreeMinutes: true);
}

/// <summary>
/// A car park's tariffs over time, and the fee of a stay under them. The rules, and why:
/// <list type="bullet">
/// <item>Free minutes, the paid-then-leave grace and the first 24-hour cap are those of the version in force at entry:
/// what the driver was told at the gate. A price change during the free minutes neither shortens them nor adds the new
/// version's; a stay longer than them is charged from entry.</item>
/// <item>Started hours run on one clock from entry (from the end of what was paid, after a payment): an hour is bought
/// when it starts, at the price (version, day or night) in force at that moment, and then runs its full sixty minutes
/// whatever changes during it. So no boundary — a price change, the start of the night, a new 24-hour window — can make a
/// driver buy part of an hour twice: a stay of n started hours is charged n hours however it is cut. Counting each stretch
/// on its own would charge 10:00–12:00 with a change at 11:30 as three hours instead of two.</item>
/// <item>A flat night price buys that night (the night of the date it began) the first time an hour starts in it; later
/// hours starting in the same night cost nothing more, even after a price change.</item>
/// <item>Each 24 hours from entry cost at most the cap of the version in force when those 24 hours began, as an hour costs
/// the price of its start: a change during a window does not rewrite that window's cap, it caps the next ones.</item>
/// <item>After paying, the driver has the entry version's grace minutes to leave. The hours paid for are theirs too: what
/// is owed afterwards runs from the later of the grace's end and the end of the last hour paid, priced by the versions
/// in force then, and counts towards the cap of the window it falls in together with what was paid.</item>
/// </list>
/// </summary>
public sealed class TariffSchedule
{
    static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    static readonly TimeSpan Day = TimeSpan.FromHours(24);

    readonly TariffVersion[] _versions;

    /// <summary>The versions, earliest first.</summary>
    public IReadOnlyList<TariffVersion> Versions => _versions;

    public TariffSchedule(IEnumerable<TariffVersion> versions)
    {
        ArgumentNullException.ThrowIfNull(versions);
        _versions = versions.OrderBy(v => v.EffectiveFrom).ToArray();
        if (_versions.Length == 0) throw new DomainException("A car park charges by at least one tariff.", "tariff");
        for (var i = 1; i < _versions.Length; i++)
            if (_versions[i].EffectiveFrom == _versions[i - 1].EffectiveFrom) throw new DomainException("Two tariffs take effect at the same moment.", "effectiveFrom");
    }

    public static TariffSchedule Starting(DateTimeOffset effectiveFrom, ParkingTariff tariff) => new([new TariffVersion(effectiveFrom, tariff)]);

    /// <summary>
    /// A price change from <paramref name="effectiveFrom"/> on: not before <paramref name="now"/>, so a stay already paid
    /// is never priced again differently. A change not yet in effect can be replaced by one at the same moment.
    /// </summary>
    public TariffSchedule ChangeAt(DateTimeOffset effectiveFrom, ParkingTariff tariff, DateTimeOffset now)
    {
        if (effectiveFrom < now) throw new DomainException("A new tariff takes effect from now on; what is past keeps its prices.", "effectiveFrom");
        return new(_versions.Where(v => v.EffectiveFrom != effectiveFrom).Append(new TariffVersion(effectiveFrom, tariff)));
    }

    /// <summary>The version in force at <paramref name="instant"/>.</summary>
    public TariffVersion At(DateTimeOffset instant)
    {
        for (var i = _versions.Length - 1; i >= 0; i--)
            if (_versions[i].EffectiveFrom <= instant) return _versions[i];
        throw new DomainException("No tariff of this car park was in force then.", "entryAt");
    }

    /// <summary>The fee of a stay from <paramref name="entry"/> to <paramref name="exit"/>, nothing paid on the way.</summary>
    public ParkingFee Fee(DateTimeOffset entry, DateTimeOffset exit) => Owed(entry, [], exit);

    /// <summary>
    /// What is still owed on leaving at <paramref name="exit"/> after paying at the moments <paramref name="paidAt"/>
    /// (each payment settled all that was owed then). Nothing while within the grace of the last payment.
    /// </summary>
    public ParkingFee Owed(DateTimeOffset entry, IReadOnlyList<DateTimeOffset> paidAt, DateTimeOffset exit)
    {
        ArgumentNullException.ThrowIfNull(paidAt);
        DateWindow.Check(exit, "exitAt");
        if (exit < entry) throw new DomainException("The vehicle cannot leave before it entered.", "exitAt");
        if (paidAt.Count > 0 && paidAt[^1] > exit) throw new DomainException("The vehicle cannot leave before its last payment.", "exitAt");
        var terms = At(entry).Tariff;
        if (exit - entry <= terms.Free) return ParkingFee.Free;
        var meter = new Meter(this, entry);
        var from = meter.Settle(paidAt);
        if (from >= exit) return ParkingFee.None;
        var hours = meter.Run(from, exit);
        var pieces = Pieces(entry, from, exit, hours);
        return new ParkingFee(pieces, Yuan.Round(pieces.Sum(p => p.Amount)));
    }

    /// <summary>
    /// Until when the driver can leave without owing more, after paying at the moments <paramref name="paidAt"/>: the
    /// later of the grace's end and the end of the last hour paid for. Null before any payment.
    /// </summary>
    public DateTimeOffset? LeaveBy(DateTimeOffset entry, IReadOnlyList<DateTimeOffset> paidAt)
    {
        ArgumentNullException.ThrowIfNull(paidAt);
        if (paidAt.Count == 0) return null;
        var from = new Meter(this, entry).Settle(paidAt);
        return from == entry ? null : ToBeijing(from);
    }

    /// <summary>One started hour: when it began, its price and what was charged for it under the window's cap.</summary>
    readonly record struct StartedHour(DateTimeOffset Start, decimal Price, decimal Charged);

    /// <summary>
    /// Runs the started hours of one stay in order, keeping what each 24-hour window has been charged (for its cap) and
    /// which nights were bought at a flat price, across the stretches before and after each payment.
    /// </summary>
    sealed class Meter(TariffSchedule schedule, DateTimeOffset entry)
    {
        readonly Dictionary<long, decimal> _chargedInWindow = [];
        readonly HashSet<DateOnly> _nightsBought = [];

        /// <summary>Runs the stretches the payments settled; returns where what is owed now starts.</summary>
        public DateTimeOffset Settle(IReadOnlyList<DateTimeOffset> paidAt)
        {
            var terms = schedule.At(entry).Tariff;
            var from = entry;
            var previous = entry;
            foreach (var paid in paidAt)
            {
                if (paid < previous) throw new DomainException("Payments are listed in the order they were made, after entry.", "paidAt");
                previous = paid;
                // A payment within the free minutes, or while the last one still covers the car, bought nothing and
                // gives no grace: the session refuses such payments, and this keeps the meter honest if one slips by.
                if (paid - entry <= terms.Free || paid <= from) continue;
                var bought = Run(from, paid).Count;
                var paidUntil = from + bought * Hour;
                var graceEnds = paid + terms.Grace;
                from = graceEnds > paidUntil ? graceEnds : paidUntil;
            }
            return from;
        }

        public List<StartedHour> Run(DateTimeOffset from, DateTimeOffset until)
        {
            var hours = new List<StartedHour>();
            for (var start = from; start < until; start += Hour)
            {
                var version = schedule.At(start);
                var local = ToBeijing(start).DateTime;
                var night = version.Tariff.Night is { } n && n.Covers(TimeOnly.FromDateTime(local)) ? n : null;
                var price = night switch
                {
                    null => version.Tariff.DayPricePerHour,
                    { IsFlat: true } => _nightsBought.Add(night.NightOf(local)) ? night.Price : 0m,
                    _ => night.Price,
                };
                var window = WindowOf(entry, start);
                var cap = schedule.At(entry + window * Day).Tariff.DailyCap;
                var before = _chargedInWindow.GetValueOrDefault(window);
                var charged = cap is { } c ? Math.Min(price, Math.Max(0m, c - before)) : price;
                _chargedInWindow[window] = before + charged;
                hours.Add(new StartedHour(start, price, charged));
            }
            return hours;
        }
    }

    /// <summary>
    /// Cuts [<paramref name="from"/>, <paramref name="until"/>) where the version, day or night, or 24-hour window changes,
    /// and gives each stretch the started hours that began in it.
    /// </summary>
    List<FeePiece> Pieces(DateTimeOffset entry, DateTimeOffset from, DateTimeOffset until, List<StartedHour> hours)
    {
        var cuts = new SortedSet<DateTimeOffset> { from, until };
        void Cut(DateTimeOffset at)
        {
            if (at > from && at < until) cuts.Add(at);
        }
        foreach (var version in _versions) Cut(version.EffectiveFrom);
        for (var window = WindowOf(entry, from) + 1; entry + window * Day < until; window++) Cut(entry + window * Day);
        // Every version's night edges on every day the stretch touches; a cut that changes nothing is merged away below.
        var firstDay = DateOnly.FromDateTime(ToBeijing(from).DateTime).AddDays(-1);
        var lastDay = DateOnly.FromDateTime(ToBeijing(until).DateTime).AddDays(1);
        foreach (var night in _versions.Select(v => v.Tariff.Night).OfType<NightRate>().Distinct())
            for (var day = firstDay; day <= lastDay; day = day.AddDays(1))
            {
                Cut(FromBeijing(day.ToDateTime(night.From)));
                Cut(FromBeijing(day.ToDateTime(night.Until)));
            }

        var pieces = new List<FeePiece>();
        var edges = cuts.ToList();
        var next = 0;
        for (var i = 0; i < edges.Count - 1; i++)
        {
            var (start, end) = (edges[i], edges[i + 1]);
            var version = At(start);
            var period = version.Tariff.Night is { } n && n.Covers(TimeOnly.FromDateTime(ToBeijing(start).DateTime)) ? FeePeriod.Night : FeePeriod.Day;
            var window = (int)WindowOf(entry, start);
            var count = 0;
            decimal list = 0m, charged = 0m;
            for (; next < hours.Count && hours[next].Start < end; next++, count++)
            {
                list += hours[next].Price;
                charged += hours[next].Charged;
            }
            if (pieces.Count > 0 && pieces[^1] is var last && last.Version == version && last.Period == period && last.Window == window)
                pieces[^1] = last with { Until = ToBeijing(end), Hours = last.Hours + count, ListAmount = last.ListAmount + list, Amount = last.Amount + charged };
            else
                pieces.Add(new FeePiece(ToBeijing(start), ToBeijing(end), version, period, window, count, list, charged));
        }
        return pieces.ConvertAll(p => p with { ListAmount = Yuan.Round(p.ListAmount), Amount = Yuan.Round(p.Amount) });
    }

    static long WindowOf(DateTimeOffset entry, DateTimeOffset at) => (at - entry).Ticks / Day.Ticks;

    // Stored instants are UTC; the night and a page's times are Beijing wall-clock time.
    static DateTimeOffset ToBeijing(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, ChinaTime.Zone);

    static DateTimeOffset FromBeijing(DateTime local) => new(local, ChinaTime.Zone.GetUtcOffset(local));
}

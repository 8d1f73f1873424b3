using Linli.Domain.Cases;
using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Domain.Registry;
using Linli.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Linli.Infrastructure.Seeding;

/// <summary>What <see cref="CaseSeeder"/> wrote, and how many planned cases the workflow refused (none, unless a rule changed).</summary>
public sealed record SeededCases(int Written, int LeftOut);

/// <summary>
/// The demo district's case history: about 500 reports from the last 60 days, each taken through the domain's workflow
/// by the demo staff at plausible times, with every SLA timer that came due on the way fired as the timer service fires
/// it. Timelines, breaches, escalations and ratings are therefore real; most old cases are closed and rated, recent ones
/// are still being worked on, a few have climbed to the district and are overdue. No timer already due is left to fire
/// at start-up; the open cases keep their future ones. Same seed and same "now", same cases.
/// </summary>
public sealed class CaseSeeder(LinliDbContext db, TimeProvider time, ILogger<CaseSeeder> logger)
{
    /// <summary>How far back the history reaches.</summary>
    public const int Days = 60;

    /// <summary>New reports per community per day, roughly; the first community is the busier one.</summary>
    static readonly double[] DailyRates = [4.6, 3.8];

    // China keeps UTC+8 all year; report times follow a day there.
    static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    // Residents report mostly in the morning and the evening.
    static readonly double[] HourWeights = [0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.6, 1.2, 2.0, 2.2, 2.0, 1.6, 1.0, 1.0, 1.4, 1.5, 1.5, 1.6, 2.0, 2.2, 2.0, 1.4, 0.8, 0.4];

    static readonly string[] StuckCategories = ["lift", "leak-public", "parking", "fire-safety"];

    /// <summary>Plays the history and writes it; returns how many cases were written and how many the workflow refused.</summary>
    public async Task<SeededCases> SeedAsync(int seed, CancellationToken ct = default)
    {
        var started = time.GetTimestamp();
        var now = time.GetUtcNow();
        var categories = await db.CaseCategories.AsNoTracking().Where(c => c.Active).ToDictionaryAsync(c => c.Code, ct);
        var areas = await LoadAreasAsync(now, ct);
        if (areas.Count == 0 || categories.Count == 0) return new SeededCases(0, 0);

        var slots = Schedule(areas, categories, seed, now);
        MarkSpecialSlots(slots, areas, categories, now);
        var histories = new List<History>();
        for (var i = 0; i < slots.Count; i++)
        {
            var slot = slots[i];
            // One generator per case, so a case is the same whatever happened to the cases before it.
            var rng = new Random(unchecked(seed * 397 + i));
            try
            {
                var history = new History(slot, categories[slot.CategoryCode], rng, now);
                history.Run();
                histories.Add(history);
            }
            catch (DomainException e)
            {
                // A demo case that the workflow refuses is left out rather than stopping the first start.
                logger.LogWarning("Demo case {Index} ({Category}) left out: {Reason}", i, slot.CategoryCode, e.Message);
            }
        }
        if (histories.Count == 0) return new SeededCases(0, slots.Count);

        // The domain added a timer for every deadline it set. Those that came due were fired above, and those that can no
        // longer matter (an earlier round, a case already handled) would only wake the timer service for nothing.
        var pending = histories.SelectMany(h => h.PendingTimers()).ToHashSet();
        await CaseBulkWriter.WriteAsync(db, histories.Select(h => h.Case).ToList(), pending.Contains, ct);
        // The registry seeding gathered planner statistics before these tables had rows.
        await db.Database.ExecuteSqlRawAsync("ANALYZE cases", ct);
        await db.Database.ExecuteSqlRawAsync("ANALYZE case_events", ct);
        await db.Database.ExecuteSqlRawAsync("ANALYZE case_timers", ct);

        logger.LogInformation("Seeded {Count} demo cases in {Elapsed}", histories.Count, time.GetElapsedTime(started));
        return new SeededCases(histories.Count, slots.Count - histories.Count);
    }

    /// <summary>Report times and categories per community and day, oldest first; the rest of each case is drawn per case.</summary>
    static List<Slot> Schedule(IReadOnlyList<Area> areas, Dictionary<string, CaseCategory> categories, int seed, DateTimeOffset now)
    {
        var weighted = DemoCaseTexts.Weights.Where(w => categories.ContainsKey(w.Key)).ToList();
        var total = weighted.Sum(w => w.Value);
        var today = DateOnly.FromDateTime(now.ToOffset(ChinaOffset).DateTime);
        var slots = new List<Slot>();
        for (var a = 0; a < areas.Count; a++)
        {
            var area = areas[a];
            var rng = new Random(unchecked(seed + 7919 * (a + 1)));
            var rate = DailyRates[a % DailyRates.Length];
            for (var d = Days - 1; d >= 0; d--)
            {
                var day = today.AddDays(-d);
                var weekend = day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 1.25 : 1.0;
                var count = Math.Max(0, (int)Math.Round(rate * weekend + (rng.NextDouble() - 0.5) * 4));
                for (var n = 0; n < count; n++)
                {
                    var pick = rng.Next(total);
                    var code = weighted.First(w => (pick -= w.Value) < 0).Key;
                    if (code == "patrol" && area.GridWorker is null) code = "sanitation";
                    // Grid workers patrol in working hours; devices report at any hour; residents in their own rhythm.
                    var hour = code switch
                    {
                        "patrol" => 8 + rng.Next(9),
                        "device-alarm" => rng.Next(24),
                        _ => WeightedHour(rng),
                    };
                    var local = new DateTimeOffset(day.ToDateTime(new TimeOnly(hour, rng.Next(60), rng.Next(60))), ChinaOffset);
                    if (local.ToUniversalTime() < now) slots.Add(new Slot(area, code, local.ToUniversalTime()));
                }
            }
        }
        slots.Sort((x, y) => x.ReportedAt.CompareTo(y.ReportedAt));
        return slots;
    }

    static int WeightedHour(Random rng)
    {
        var x = rng.NextDouble() * HourWeights.Sum();
        for (var h = 0; h < 24; h++)
        {
            if ((x -= HourWeights[h]) < 0) return h;
        }
        return 23;
    }

    /// <summary>
    /// Each resident account gets two old, closed cases of its own, so "my cases" has a history; and two cases per community
    /// got stuck, climbed to the district on breached deadlines and are overdue there now.
    /// </summary>
    static void MarkSpecialSlots(List<Slot> slots, IReadOnlyList<Area> areas, Dictionary<string, CaseCategory> categories, DateTimeOffset now)
    {
        foreach (var area in areas)
        {
            var own = slots.Where(s => s.Area == area && s.CategoryCode != "patrol" && s.CategoryCode != "device-alarm").ToList();
            if (area.Account is not null)
            {
                foreach (var (minDays, code) in new[] { (12, "plumbing"), (31, "lighting") })
                {
                    var slot = own.FirstOrDefault(s => s.Special == Special.None && now - s.ReportedAt >= TimeSpan.FromDays(minDays));
                    if (slot is null || !categories.ContainsKey(code)) continue;
                    slot.Special = Special.AccountHolder;
                    slot.CategoryCode = code;
                }
            }
            var stuck = StuckCategories.Where(categories.ContainsKey).ToList();
            foreach (var minDays in new[] { 4, 9 })
            {
                if (stuck.Count == 0) break;
                var slot = own.LastOrDefault(s => s.Special == Special.None && now - s.ReportedAt >= TimeSpan.FromDays(minDays));
                if (slot is null) continue;
                slot.Special = Special.Stuck;
                slot.CategoryCode = stuck[(minDays + area.Community.Id) % stuck.Count];
            }
        }
    }

    async Task<IReadOnlyList<Area>> LoadAreasAsync(DateTimeOffset now, CancellationToken ct)
    {
        var communities = await db.Nodes.AsNoTracking().Where(n => n.Kind == NodeKind.Community).OrderBy(n => n.Id).ToListAsync(ct);
        var grids = await db.Nodes.AsNoTracking().Where(n => n.Kind == NodeKind.Grid).OrderBy(n => n.Id).ToListAsync(ct);
        var users = await db.Users.AsNoTracking().OrderBy(u => u.Id).ToListAsync(ct);
        var buildings = await db.Buildings.AsNoTracking().OrderBy(b => b.Id).ToListAsync(ct);
        var facilities = await db.Facilities.AsNoTracking().Where(f => f.PlanX != null).OrderBy(f => f.Id).ToListAsync(ct);
        var companies = await db.Organizations.AsNoTracking().Where(o => o.Kind == OrganizationKind.PropertyCompany)
            .OrderBy(o => o.Id).Select(o => new { o.Id, o.CommunityId }).ToListAsync(ct);
        var rooms = await db.Rooms.AsNoTracking().ToDictionaryAsync(r => r.Id, ct);
        var adults = DateOnly.FromDateTime(now.ToOffset(ChinaOffset).DateTime).AddYears(-20);
        var residents = await db.Residents.AsNoTracking().Where(r => r.RoomId != null && r.BirthDate <= adults)
            .OrderBy(r => r.Id).Select(r => new { r.Id, r.Name, RoomId = r.RoomId!.Value, r.CommunityId }).ToListAsync(ct);
        var buildingById = buildings.ToDictionary(b => b.Id);

        var areas = new List<Area>();
        foreach (var community in communities)
        {
            var gridIds = grids.Where(g => g.CommunityId == community.Id).Select(g => g.Id).ToHashSet();
            Staff? One(Func<UserAccount, bool> match) => users.Where(match).Select(u => new Staff(u.Id, u.DisplayName)).FirstOrDefault();
            var property = One(u => u.Role == Role.PropertyStaff && u.NodeId == community.Id);
            var admin = One(u => u.Role == Role.CommunityAdmin && u.NodeId == community.Id);
            var gridWorker = users.FirstOrDefault(u => u.Role == Role.GridWorker && gridIds.Contains(u.NodeId));
            var street = One(u => u.Role == Role.StreetOfficer && u.NodeId == community.StreetId);
            var district = One(u => u.Role == Role.DistrictOfficer && u.NodeId == community.DistrictId);
            var teams = new Dictionary<HandlingLevel, Team>();
            if (property is not null) teams[HandlingLevel.Property] = new Team(property, [property]);
            if (admin is not null)
            {
                // The committee's admin accepts and dispatches; the grid worker does most of the legwork.
                var worker = gridWorker is null ? null : new Staff(gridWorker.Id, gridWorker.DisplayName);
                teams[HandlingLevel.Community] = new Team(admin, worker is null ? [admin] : [worker, worker, admin]);
            }
            if (street is not null) teams[HandlingLevel.Street] = new Team(street, [street]);
            if (district is not null) teams[HandlingLevel.District] = new Team(district, [district]);

            var account = users.FirstOrDefault(u => u.Role == Role.Resident && u.NodeId == community.Id && u.ResidentId is not null);
            var accountHome = account is null ? null : residents.FirstOrDefault(r => r.Id == account.ResidentId);
            var neighbours = residents.Where(r => r.CommunityId == community.Id && r.RoomId != accountHome?.RoomId && rooms.ContainsKey(r.RoomId))
                .Select(r => new Neighbour(null, r.Name, rooms[r.RoomId])).ToList();
            if (neighbours.Count == 0) continue;
            areas.Add(new Area(community,
                buildings.Where(b => b.CommunityId == community.Id).ToList(),
                facilities.Where(f => f.CommunityId == community.Id).ToList(),
                buildingById, neighbours,
                companies.FirstOrDefault(o => o.CommunityId == community.Id)?.Id,
                teams,
                gridWorker is null ? null : (new Staff(gridWorker.Id, gridWorker.DisplayName), gridWorker.NodeId),
                account is null || accountHome is null || !rooms.ContainsKey(accountHome.RoomId) ? null
                    : new Neighbour(account.Id, account.DisplayName, rooms[accountHome.RoomId])));
        }
        return areas;
    }

    internal enum Special { None, AccountHolder, Stuck }

    internal sealed class Slot(Area area, string categoryCode, DateTimeOffset reportedAt)
    {
        public Area Area { get; } = area;
        public string CategoryCode { get; set; } = categoryCode;
        public DateTimeOffset ReportedAt { get; } = reportedAt;
        public Special Special { get; set; }
    }

    internal sealed record Staff(int Id, string Name)
    {
        public CaseActor Actor => new(Id, Name, CaseRelation.Team);
    }

    /// <summary>A level's team in one community: who accepts and dispatches, and who is sent to do the work.</summary>
    internal sealed record Team(Staff Lead, IReadOnlyList<Staff> Handlers);

    /// <summary>A resident who reports from home; <see cref="UserId"/> only for the demo resident accounts.</summary>
    internal sealed record Neighbour(int? UserId, string Name, Room Room);

    internal sealed record Area(HierarchyNode Community, List<Building> Buildings, List<Facility> Facilities,
        Dictionary<int, Building> BuildingById, List<Neighbour> Residents, int? PropertyCompanyId,
        Dictionary<HandlingLevel, Team> Teams, (Staff Staff, int GridId)? GridWorker, Neighbour? Account);

    /// <summary>How one case goes: the path it takes, and the reporter's habits.</summary>
    enum Path { Smooth, Reject, Transfer, SlowResponse, SlowResolution, Stuck }

    /// <summary>
    /// One case from report to where it is now: at each step the team at the case's current level acts after a delay
    /// drawn against the deadline it is working to; deadlines that pass first fire exactly as the timer service would.
    /// </summary>
    sealed class History
    {
        readonly CaseCategory _category;
        readonly Area _area;
        readonly Random _rng;
        readonly DateTimeOffset _now;
        readonly Path _path;
        readonly bool _reopens;
        readonly bool _rates;
        readonly bool _comments;
        readonly CaseActor? _reporter;
        readonly HashSet<CaseTimer> _fired = [];
        bool _commented;

        public Case Case { get; }

        public History(Slot slot, CaseCategory category, Random rng, DateTimeOffset now)
        {
            _category = category;
            _area = slot.Area;
            _rng = rng;
            _now = now;
            var code = slot.CategoryCode;
            var community = _area.Community;

            var problems = DemoCaseTexts.Problems.GetValueOrDefault(code) ?? [new DemoProblem(category.Name, null, DemoWhere.Building)];
            var problem = Pick(problems);
            var resident = slot.Special == Special.AccountHolder && _area.Account is { } account ? account : Pick(_area.Residents);
            if (category.InHome) problem = problem with { Where = DemoWhere.Home };
            var place = PlaceOf(problem, resident, code == "patrol" ? _area.GridWorker?.GridId : null);

            CaseReporter reporter;
            var (kind, source) = (category.DefaultKind, CaseSource.Web);
            if (code == "patrol" && _area.GridWorker is { } patrol)
            {
                reporter = new CaseReporter(patrol.Staff.Id, null, patrol.Staff.Name);
                (kind, source) = (CaseKind.Patrol, CaseSource.Patrol);
            }
            else if (code == "device-alarm")
            {
                reporter = new CaseReporter(null, null, "设备监测平台");
                (kind, source) = (CaseKind.Device, CaseSource.Device);
            }
            else
            {
                reporter = new CaseReporter(resident.UserId, resident.Room.Id, resident.Name);
                _reporter = new CaseActor(resident.UserId ?? 0, resident.Name, CaseRelation.Reporter);
            }

            // The routing rule of live reports: property matters go to the community's property company, if it has one.
            var level = category.Level == HandlingLevel.Property && _area.PropertyCompanyId is null ? HandlingLevel.Community : category.Level;
            Case = Case.Report(category, kind, source, problem.Title, problem.Description, place, reporter, level,
                _area.PropertyCompanyId, slot.ReportedAt);

            _path = slot.Special switch
            {
                Special.Stuck => Path.Stuck,
                Special.AccountHolder => Path.Smooth,
                _ => _rng.NextDouble() switch
                {
                    < 0.04 when _reporter is not null => Path.Reject,
                    < 0.07 when level == HandlingLevel.Property && code is "parking" or "sanitation" or "door-lock" or "fire-safety" => Path.Transfer,
                    < 0.15 => Path.SlowResponse,
                    < 0.22 => Path.SlowResolution,
                    _ => Path.Smooth,
                },
            };
            _reopens = slot.Special == Special.None && _reporter is not null && _rng.NextDouble() < 0.03;
            _rates = _reporter is not null && (slot.Special == Special.AccountHolder || _rng.NextDouble() < 0.82);
            _comments = _rng.NextDouble() < 0.15;
        }

        /// <summary>Plays the case forward until nothing more happens before now.</summary>
        public void Run()
        {
            var t = Case.ReportedAt;
            while (true)
            {
                var step = Next(t);
                var until = step is not null && step.At < _now ? step.At : _now;
                if (FireTimers(until) is { } escalatedAt)
                {
                    // Another team has it now, with fresh deadlines: their first move is drawn from here.
                    t = escalatedAt;
                    continue;
                }
                if (step is null || step.At >= _now) return;
                step.Act(step.At);
                t = step.At;
            }
        }

        /// <summary>The timers still worth keeping: in the future, of the current round, for a deadline that still matters.</summary>
        public IEnumerable<CaseTimer> PendingTimers() => Case.Timers.Where(t => !_fired.Contains(t) && t.DueAt > _now
            && t.Round == Case.SlaRound && Case.Status.IsOpen() && (t.Kind == SlaKind.Resolution || Case.Status == CaseStatus.Reported));

        /// <summary>Fires the timers due by <paramref name="until"/> in order; returns when one of them escalated the case.</summary>
        DateTimeOffset? FireTimers(DateTimeOffset until)
        {
            foreach (var timer in Case.Timers.Where(t => !_fired.Contains(t) && t.DueAt <= until).OrderBy(t => t.DueAt).ToList())
            {
                _fired.Add(timer);
                if (Case.SlaDue(timer, _category, timer.DueAt)) return timer.DueAt;
            }
            return null;
        }

        sealed record Step(DateTimeOffset At, Action<DateTimeOffset> Act);

        Step? Next(DateTimeOffset t)
        {
            var c = Case;
            if (!_area.Teams.TryGetValue(c.Level, out var team)) return null; // nobody at this level in the demo: the deadlines decide
            var lead = team.Lead.Actor;
            var firstRound = c.SlaRound == 1;
            switch (c.Status)
            {
                case CaseStatus.Reported:
                {
                    var window = Positive(c.ResponseDueAt - t);
                    if (_path == Path.Reject && firstRound)
                        return new(t + Part(window, 0.1, 0.6), at => c.Reject(lead, Pick(DemoCaseTexts.RejectReasons), at));
                    if (_path == Path.Transfer && firstRound && c.Level == HandlingLevel.Property && _area.Teams.ContainsKey(HandlingLevel.Community))
                        return new(t + Part(window, 0.1, 0.5), at => c.Transfer(lead, HandlingLevel.Community, null, Pick(DemoCaseTexts.TransferReasons), _category, at));
                    if (_path == Path.SlowResponse && firstRound)
                    {
                        if (_reporter is not null && c.RemindCount == 0 && window > TimeSpan.FromMinutes(20))
                            return new(t + Part(window, 0.5, 0.9), at => c.Remind(_reporter, at, Pick(DemoCaseTexts.Reminders)));
                        return new(t + Part(Positive(c.ResponseDueAt - t), 1.3, 2.5), at => c.Accept(lead, at));
                    }
                    return new(t + Part(window, 0.05, 0.7), at => c.Accept(lead, at));
                }
                case CaseStatus.Accepted:
                {
                    var soon = Soon(c, t, 2, 45);
                    var handler = Pick(team.Handlers);
                    return c.Mode == DispatchMode.Grab && c.AssigneeUserId is null
                        ? new(t + soon, at => c.Grab(handler.Actor, at))
                        : new(t + soon, at => c.Dispatch(lead, handler.Id, handler.Name, at));
                }
                case CaseStatus.Dispatched or CaseStatus.InProgress:
                {
                    var assignee = team.Handlers.Concat([team.Lead]).FirstOrDefault(h => h.Id == c.AssigneeUserId) ?? team.Lead;
                    if (_comments && !_commented)
                        return new(t + Soon(c, t, 5, 60), at => { _commented = true; c.Comment(assignee.Actor, Pick(DemoCaseTexts.Comments), at); });
                    if (c.Status == CaseStatus.Dispatched && c.AssigneeUserId == assignee.Id && _rng.NextDouble() < 0.6)
                        return new(t + Soon(c, t, 5, 90), at => c.Start(assignee.Actor, at));
                    var remaining = c.ResolutionDueAt - t;
                    TimeSpan delay;
                    if (_path == Path.Stuck)
                    {
                        if (c.Level == HandlingLevel.District) return null; // still not done: overdue at the top
                        delay = Part(Positive(remaining), 1.2, 2.0);
                    }
                    else if (_path == Path.SlowResolution && firstRound)
                    {
                        if (_reporter is not null && c.RemindCount == 0 && remaining > TimeSpan.FromMinutes(30))
                            return new(t + Part(remaining, 0.4, 0.9), at => c.Remind(_reporter, at, Pick(DemoCaseTexts.Reminders)));
                        delay = Part(Positive(remaining), 1.2, 2.0);
                    }
                    else
                    {
                        delay = remaining > TimeSpan.FromMinutes(10) ? Part(remaining, 0.1, 0.85) : TimeSpan.FromHours(2 + _rng.Next(70));
                    }
                    var feedback = Pick(DemoCaseTexts.Feedback.GetValueOrDefault(_category.Code) ?? ["已处理"]);
                    return new(t + delay, at => c.Handle(assignee.Actor, feedback, at));
                }
                case CaseStatus.Handled:
                    if (_reopens && c.ReopenCount == 0 && _reporter is not null)
                        return new(t + Hours(3, 72), at => c.Reopen(_reporter, Pick(DemoCaseTexts.ReopenReasons), _category, at));
                    if (_rates && _reporter is not null)
                    {
                        return new(t + Hours(0.3, 36), at =>
                        {
                            var (stars, comment) = Rating(c.ResponseBreached || c.ResolutionBreached || c.ReopenCount > 0);
                            c.Rate(_reporter, stars, comment, at);
                        });
                    }
                    return new(t + Hours(20, 72), at =>
                    {
                        c.FollowUp(lead, Pick(DemoCaseTexts.FollowUps), at);
                        c.Verify(lead, at.AddMinutes(1));
                    });
                case CaseStatus.Verified:
                    return new(t + Hours(0.2, 24), at => c.Close(lead, at));
                default:
                    return null;
            }
        }

        (int Stars, string? Comment) Rating(bool late)
        {
            var x = _rng.NextDouble();
            var stars = late
                ? x switch { < 0.25 => 5, < 0.60 => 4, < 0.85 => 3, < 0.95 => 2, _ => 1 }
                : x switch { < 0.58 => 5, < 0.88 => 4, < 0.97 => 3, < 0.99 => 2, _ => 1 };
            var comment = stars switch
            {
                5 => Pick(DemoCaseTexts.PraiseComments),
                4 => Pick(DemoCaseTexts.MildComments),
                _ => Pick(DemoCaseTexts.ComplaintComments),
            };
            return (stars, comment);
        }

        /// <summary>A short delay for a quick step, kept well inside the resolution deadline.</summary>
        TimeSpan Soon(Case c, DateTimeOffset t, int minMinutes, int maxMinutes)
        {
            var minutes = minMinutes + _rng.NextDouble() * (maxMinutes - minMinutes);
            var room = (c.ResolutionDueAt - t).TotalMinutes * 0.15;
            return TimeSpan.FromMinutes(Math.Max(1, room > 1 ? Math.Min(minutes, room) : minutes));
        }

        TimeSpan Part(TimeSpan window, double from, double to) =>
            TimeSpan.FromMinutes(Math.Max(0.5, window.TotalMinutes * (from + _rng.NextDouble() * (to - from))));

        TimeSpan Hours(double from, double to) => TimeSpan.FromHours(from + _rng.NextDouble() * (to - from));

        // After a breach at the top level the deadline lies behind; the team still takes a while.
        static TimeSpan Positive(TimeSpan window) => window > TimeSpan.Zero ? window : TimeSpan.FromMinutes(30);

        T Pick<T>(IReadOnlyList<T> items) => items[_rng.Next(items.Count)];

        CasePlace PlaceOf(DemoProblem problem, Neighbour resident, int? inGrid)
        {
            var a = _area;
            var community = a.Community.Name;
            var home = a.BuildingById[resident.Room.BuildingId];
            var buildings = inGrid is { } g ? a.Buildings.Where(b => b.GridId == g).ToList() : a.Buildings;
            if (buildings.Count == 0) buildings = a.Buildings;
            switch (problem.Where)
            {
                case DemoWhere.Home:
                    return new CasePlace(home.DistrictId, home.StreetId, home.CommunityId, home.GridId, $"{community} {resident.Room.Label(home.Name)}",
                        home.Id, resident.Room.Id, null, home.Latitude, home.Longitude);
                case DemoWhere.Facility when a.Facilities.Where(f => f.Category == problem.Facility).ToList() is { Count: > 0 } matching:
                {
                    var f = Pick(matching);
                    // A facility's grid is its nearest building's, as for live reports.
                    var nearest = a.Buildings.MinBy(b => Geo.DistanceMeters(f.Latitude, f.Longitude, b.Latitude, b.Longitude))!;
                    return new CasePlace(nearest.DistrictId, nearest.StreetId, nearest.CommunityId, nearest.GridId, $"{community} {f.Name}",
                        null, null, f.Id, f.Latitude, f.Longitude);
                }
                default:
                {
                    Building b;
                    if (problem.Where == DemoWhere.TallBuilding)
                    {
                        // Lifts are in the high-rise buildings.
                        var tall = buildings.Where(x => x.Floors >= 11).ToList();
                        b = home.Floors >= 11 && inGrid is null ? home : tall.Count > 0 ? Pick(tall) : home;
                    }
                    else
                    {
                        b = inGrid is null ? home : Pick(buildings);
                    }
                    return new CasePlace(b.DistrictId, b.StreetId, b.CommunityId, b.GridId, $"{community} {b.Name}", b.Id, null, null, b.Latitude, b.Longitude);
                }
            }
        }
    }
}

using System.Text.RegularExpressions;
using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Domain.Registry;
using Linli.Application.Common;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Registry;

/// <summary>What a resident list can be filtered by. <see cref="Q"/> is the one search box: name, phone, ID number or fragment, or room.</summary>
public sealed record ResidentFilter(string? Q = null, int? CommunityId = null, int? GridId = null, int? BuildingId = null, int? RoomId = null,
    LabelFilter? Label = null, AgeBand? AgeBand = null, Gender? Gender = null, bool IncludeMovedOut = false);

/// <summary>
/// Builds resident queries for the API, the pages and exports alike. The scope filter of the DbContext decides what the
/// caller may see; this class only adds the caller's own filters, plus an equality on the caller's scope key so the
/// database can use the (scope, name) indexes. Given by DI it reads the primary (a list read right after an edit shows
/// it); an export builds one over the stale-tolerant reads with <see cref="Over"/>.
/// </summary>
public sealed partial class ResidentSearch
{
    readonly ILinliReadDb db;
    readonly IPersonalDataProtector protector;
    readonly TimeProvider time;

    public ResidentSearch(ILinliDb db, IPersonalDataProtector protector, TimeProvider time) : this((ILinliReadDb)db, protector, time)
    {
    }

    ResidentSearch(ILinliReadDb db, IPersonalDataProtector protector, TimeProvider time)
    {
        this.db = db;
        this.protector = protector;
        this.time = time;
    }

    /// <summary>The same searches over <paramref name="reads"/> (the replica while it is healthy), for exports.</summary>
    public static ResidentSearch Over(ILinliReadDb reads, IPersonalDataProtector protector, TimeProvider time) => new(reads, protector, time);

    public const int MaxQueryLength = 40;

    /// <summary>
    /// Residents are counted exactly up to here. Counting a whole district (500,000 people) costs more than the rest of the
    /// page together, and nobody pages through 10,000 rows; the statistics give exact totals.
    /// </summary>
    public const int CountLimit = 10_000;

    [GeneratedRegex(@"^(\d{1,3})(?:号楼|栋|幢|-|—)(?:(\d{1,2})(?:单元|-|—))?(\d{3,4})(?:室)?$")]
    private static partial Regex RoomPattern();

    [GeneratedRegex(@"^\d{17}[\dXx]$")]
    private static partial Regex IdPattern();

    public IQueryable<Resident> Query(ResidentFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var today = time.Today();
        var q = db.Residents.AsNoTracking();
        if (!filter.IncludeMovedOut) q = q.Where(r => r.RoomId != null);
        if (filter.CommunityId is { } c) q = q.Where(r => r.CommunityId == c);
        if (filter.GridId is { } g) q = q.Where(r => r.GridId == g);
        if (filter.RoomId is { } room) q = q.Where(r => r.RoomId == room);
        if (filter.BuildingId is { } b) q = q.Where(r => db.Rooms.Any(x => x.Id == r.RoomId && x.BuildingId == b));
        if (filter.Gender is { } gender) q = q.Where(r => r.Gender == gender);
        if (filter.AgeBand is { } band)
        {
            var (min, max) = Ages.Bounds(band);
            var (from, to) = Ages.BirthRange(today, min, max);
            // An open-ended band (80+) gets a one-sided range: with a dummy lower bound SQLite reads the range as
            // selective, takes the birth-date index and sorts 25,000 rows for a page of 20.
            q = max is null ? q.Where(r => r.BirthDate <= to) : q.Where(r => r.BirthDate >= from && r.BirthDate <= to);
        }
        if (filter.Label is { } label) q = ApplyLabel(q, label, today);
        var keyLookup = false;
        if (!string.IsNullOrWhiteSpace(filter.Q)) q = ApplyText(q, filter.Q.Trim(), out keyLookup);
        // A look-up by key (phone, ID, last 4, room) finds a handful of rows through its own index. With the scope equality
        // next to it, SQLite (no statistics) walks the (scope, name) index for the ORDER BY instead: 25,000 rows, ~300 ms.
        return keyLookup ? q : ScopeHint(q, db.Scope);
    }

    public async Task<Page<ResidentSummaryDto>> SearchAsync(ResidentFilter filter, PageRequest page, CancellationToken ct)
    {
        var q = Query(filter);
        var (total, lowerBound) = await CountAsync(q, ct);
        var rows = await q.OrderBy(r => r.Name).ThenBy(r => r.Id).Skip(page.Offset).Take(page.PageSize).ToListAsync(ct);
        return new Page<ResidentSummaryDto>(await SummariesAsync(rows, ct), page.Page, page.PageSize, total, lowerBound);
    }

    /// <summary>How many residents match, exactly up to <see cref="CountLimit"/> ("10,000+" beyond).</summary>
    public Task<(int Total, bool LowerBound)> CountAsync(ResidentFilter filter, CancellationToken ct) => CountAsync(Query(filter), ct);

    static async Task<(int Total, bool LowerBound)> CountAsync(IQueryable<Resident> q, CancellationToken ct)
    {
        var counted = await q.Take(CountLimit + 1).CountAsync(ct);
        return (Math.Min(counted, CountLimit), counted > CountLimit);
    }

    /// <summary>Maps residents to list rows, fetching the room labels of the page in one query.</summary>
    public async Task<IReadOnlyList<ResidentSummaryDto>> SummariesAsync(IReadOnlyList<Resident> rows, CancellationToken ct)
    {
        var labels = await RoomLabelsAsync(db, rows.Where(r => r.RoomId != null).Select(r => r.RoomId!.Value), ct);
        var today = time.Today();
        return rows.Select(r => Summary(r, r.RoomId is { } id ? labels.GetValueOrDefault(id) : null, today)).ToList();
    }

    public static ResidentSummaryDto Summary(Resident r, string? roomLabel, DateOnly today) =>
        new(r.Id, r.Name, r.Gender, r.AgeOn(today), r.PhoneMasked, r.IdNumberMasked, r.RoomId, roomLabel, r.Relation, LabelNames(r, today), r.GridId);

    public static IReadOnlyList<string> LabelNames(Resident r, DateOnly today)
    {
        var names = new List<string>();
        var age = r.AgeOn(today);
        if (age >= 80) names.Add(nameof(LabelFilter.Elderly80));
        else if (age >= 60) names.Add(nameof(LabelFilter.Elderly60));
        else if (age < 18) names.Add(nameof(LabelFilter.Child));
        foreach (var flag in Enum.GetValues<ResidentLabels>())
            if (flag != ResidentLabels.None && r.Labels.HasFlag(flag)) names.Add(flag.ToString());
        return names;
    }

    public static async Task<Dictionary<int, string>> RoomLabelsAsync(ILinliReadDb db, IEnumerable<int> roomIds, CancellationToken ct)
    {
        var ids = roomIds.Distinct().ToList();
        if (ids.Count == 0) return [];
        var rooms = await (from room in db.Rooms.AsNoTracking()
                           join b in db.Buildings on room.BuildingId equals b.Id
                           where ids.Contains(room.Id)
                           select new { room.Id, b.Name, room.UnitNo, room.Number }).ToListAsync(ct);
        return rooms.ToDictionary(r => r.Id, r => Room.LabelFor(r.Name, r.UnitNo, r.Number));
    }

    /// <summary>An equality on the caller's own scope key: redundant with the scope filter, but it lets the database use an index.</summary>
    public static IQueryable<Resident> ScopeHint(IQueryable<Resident> q, Scope scope) => scope.Level switch
    {
        ScopeLevel.Grid or ScopeLevel.Community or ScopeLevel.Street or ScopeLevel.District => q.Where(scope.CoversExpression<Resident>()),
        ScopeLevel.Household => q.Where(r => r.RoomId == scope.Id),
        _ => q,
    };

    static IQueryable<Resident> ApplyLabel(IQueryable<Resident> q, LabelFilter label, DateOnly today)
    {
        var elder60 = Ages.BirthRange(today, 60, null).BornTo;
        var elder80 = Ages.BirthRange(today, 80, null).BornTo;
        var child = Ages.BirthRange(today, 0, 17).BornFrom;
        return label switch
        {
            LabelFilter.Elderly60 => q.Where(r => r.BirthDate <= elder60),
            LabelFilter.Elderly80 => q.Where(r => r.BirthDate <= elder80),
            LabelFilter.Child => q.Where(r => r.BirthDate >= child),
            LabelFilter.ElderlyLivingAlone => q.Where(r => r.BirthDate <= elder60 && (r.Labels & ResidentLabels.LivingAlone) != 0),
            // Constant flags (not parameters) so a database can match them against an index expression.
            LabelFilter.LivingAlone => q.Where(r => (r.Labels & ResidentLabels.LivingAlone) != 0),
            LabelFilter.Disabled => q.Where(r => (r.Labels & ResidentLabels.Disabled) != 0),
            LabelFilter.LowIncome => q.Where(r => (r.Labels & ResidentLabels.LowIncome) != 0),
            LabelFilter.Veteran => q.Where(r => (r.Labels & ResidentLabels.Veteran) != 0),
            LabelFilter.PartyMember => q.Where(r => (r.Labels & ResidentLabels.PartyMember) != 0),
            _ => throw new DomainException($"Unknown label {label}.", "label"),
        };
    }

    IQueryable<Resident> ApplyText(IQueryable<Resident> q, string text, out bool keyLookup)
    {
        keyLookup = true;
        if (text.Length > MaxQueryLength) throw new DomainException($"Search text must be at most {MaxQueryLength} characters.", "q");
        var compact = text.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        // The room goes first and keeps its dashes: "12-2-601" with the dashes removed would look like a 6-digit ID prefix.
        var room = RoomPattern().Match(text.Replace(" ", "", StringComparison.Ordinal));
        if (room.Success)
        {
            var building = room.Groups[1].Value + "号楼";
            var unit = room.Groups[2].Success ? int.Parse(room.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : (int?)null;
            var number = room.Groups[3].Value;
            // Buildings by name first, then rooms through the (building, unit, number) index; joining the other way round
            // scans all rooms of the district (SQLite: ~50 ms instead of ~1 ms).
            var buildings = db.Buildings.Where(b => b.Name == building).Select(b => b.Id);
            var rooms = db.Rooms.Where(x => buildings.Contains(x.BuildingId) && x.Number == number);
            if (unit is { } u) rooms = rooms.Where(x => x.UnitNo == u);
            var roomIds = rooms.Select(x => (int?)x.Id);
            return q.Where(r => roomIds.Contains(r.RoomId));
        }
        if (PhoneNumber.TryParse(text, out var phone) && compact.Length >= 11)
        {
            var index = protector.BlindIndex(phone!.Value);
            return q.Where(r => r.PhoneIndex == index);
        }
        if (IdPattern().IsMatch(compact))
        {
            var index = protector.BlindIndex(compact.ToUpperInvariant());
            return q.Where(r => r.IdNumberIndex == index);
        }
        if (compact.Length == 4 && compact[..3].All(char.IsAsciiDigit) && (char.IsAsciiDigit(compact[3]) || compact[3] is 'X' or 'x'))
        {
            var last4 = compact.ToUpperInvariant();
            return q.Where(r => r.PhoneLast4 == last4 || r.IdNumberLast4 == last4);
        }
        keyLookup = false;
        if (compact.Length == 6 && compact.All(char.IsAsciiDigit))
        {
            return q.Where(r => r.IdNumberMasked.StartsWith(compact));
        }
        // A name, or the start of one: a range on the binary-collated name index.
        var upper = text + "\U0010FFFF";
        return q.Where(r => string.Compare(r.Name, text) >= 0 && string.Compare(r.Name, upper) < 0);
    }
}

using System.Text.RegularExpressions;
using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Domain.Registry;
using Linli.Infrastructure.Persistence;
using Linli.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace Linli.Web.Features.Registry;

/// <summary>What a resident list can be filtered by. <see cref="Q"/> is the one search box: name, phone, ID number or fragment, or room.</summary>
public sealed record ResidentFilter(string? Q = null, int? CommunityId = null, int? GridId = null, int? BuildingId = null, int? RoomId = null,
    LabelFilter? Label = null, AgeBand? AgeBand = null, Gender? Gender = null, bool IncludeMovedOut = false);

/// <summary>
/// Builds resident queries for the API, the pages and exports alike. The scope filter of the DbContext decides what the
/// caller may see; this class only adds the caller's own filters, plus an equality on the caller's scope key so the
/// database can use the (scope, name) indexes.
/// </summary>
public sealed partial class ResidentSearch(LinliDbContext db, IPersonalDataProtector protector, TimeProvider time)
{
    public const int MaxQueryLength = 40;

    [GeneratedRegex(@"^(\d{1,3})(?:号楼|栋|幢|-|—)(?:(\d{1,2})(?:单元|-|—))?(\d{3,4})(?:室)?$")]
    private static partial Regex RoomPattern();

    [GeneratedRegex(@"^\d{17}[\dXx]$")]
    private static partial Regex IdPattern();

    public IQueryable<Resident> Query(ResidentFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var today = time.Today();
        var q = ScopeHint(db.Residents.AsNoTracking(), db.Scope);
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
            q = q.Where(r => r.BirthDate >= from && r.BirthDate <= to);
        }
        if (filter.Label is { } label) q = ApplyLabel(q, label, today);
        if (!string.IsNullOrWhiteSpace(filter.Q)) q = ApplyText(q, filter.Q.Trim());
        return q;
    }

    public async Task<Page<ResidentSummaryDto>> SearchAsync(ResidentFilter filter, PageRequest page, CancellationToken ct)
    {
        var q = Query(filter);
        var total = await q.CountAsync(ct);
        var rows = await q.OrderBy(r => r.Name).ThenBy(r => r.Id).Skip(page.Skip).Take(page.PageSize).ToListAsync(ct);
        return new Page<ResidentSummaryDto>(await SummariesAsync(rows, ct), page.Page, page.PageSize, total);
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

    public static async Task<Dictionary<int, string>> RoomLabelsAsync(LinliDbContext db, IEnumerable<int> roomIds, CancellationToken ct)
    {
        var ids = roomIds.Distinct().ToList();
        if (ids.Count == 0) return [];
        var rooms = await (from room in db.Rooms.AsNoTracking()
                           join b in db.Buildings on room.BuildingId equals b.Id
                           where ids.Contains(room.Id)
                           select new { room.Id, b.Name, room.UnitNo, room.Number }).ToListAsync(ct);
        return rooms.ToDictionary(r => r.Id, r => $"{r.Name}{r.UnitNo}单元{r.Number}");
    }

    /// <summary>An equality on the caller's own scope key: redundant with the scope filter, but it lets the database use an index.</summary>
    public static IQueryable<Resident> ScopeHint(IQueryable<Resident> q, Scope scope) => scope.Level switch
    {
        ScopeLevel.Grid => q.Where(r => r.GridId == scope.Id),
        ScopeLevel.Community => q.Where(r => r.CommunityId == scope.Id),
        ScopeLevel.Street => q.Where(r => r.StreetId == scope.Id),
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
            _ => Flag(q, Enum.Parse<ResidentLabels>(label.ToString())),
        };
    }

    static IQueryable<Resident> Flag(IQueryable<Resident> q, ResidentLabels flag) => q.Where(r => (r.Labels & flag) != 0);

    IQueryable<Resident> ApplyText(IQueryable<Resident> q, string text)
    {
        if (text.Length > MaxQueryLength) throw new DomainException($"Search text must be at most {MaxQueryLength} characters.", "q");
        var compact = text.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
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
        // Before the digit-only forms: "7-1-1702" would otherwise read as the 6-digit region code 711702. Hyphens separate
        // building, unit and room, so the room pattern sees the text with them.
        var room = RoomPattern().Match(text.Replace(" ", "", StringComparison.Ordinal));
        if (room.Success)
        {
            var building = room.Groups[1].Value + "号楼";
            var unit = room.Groups[2].Success ? int.Parse(room.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : (int?)null;
            var number = room.Groups[3].Value;
            var rooms = db.Rooms.Where(x => x.Number == number && (unit == null || x.UnitNo == unit)
                && db.Buildings.Any(b => b.Id == x.BuildingId && b.Name == building)).Select(x => (int?)x.Id);
            return q.Where(r => rooms.Contains(r.RoomId));
        }
        if (compact.Length == 4 && compact[..3].All(char.IsAsciiDigit) && (char.IsAsciiDigit(compact[3]) || compact[3] is 'X' or 'x'))
        {
            var last4 = compact.ToUpperInvariant();
            return q.Where(r => r.PhoneLast4 == last4 || r.IdNumberLast4 == last4);
        }
        if (compact.Length == 6 && compact.All(char.IsAsciiDigit))
        {
            return q.Where(r => r.IdNumberMasked.StartsWith(compact));
        }
        // A name, or the start of one: a range on the binary-collated name index.
        var upper = text + "\U0010FFFF";
        return q.Where(r => string.Compare(r.Name, text) >= 0 && string.Compare(r.Name, upper) < 0);
    }
}

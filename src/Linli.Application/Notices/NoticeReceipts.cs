using Linli.Domain.Identity;
using Linli.Domain.Notices;
using Linli.Domain.Registry;
using Linli.Application.Common;
using Linli.Application.Registry;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Notices;

/// <summary>
/// Who a notice reached, counted within the caller's area (the DbContext filters rooms, residents and receipts by it): a
/// district notice's receipt shows a community admin their community. The targeted households are the occupied rooms at
/// or below the notice's node, in its buildings, with someone of its groups living there.
/// </summary>
public sealed class NoticeReceipts(ILinliDb db, NoticeQueries queries, TimeProvider time)
{
    public async Task<ReceiptSummaryDto> SummaryAsync(Notice notice, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var today = time.Today();
        var rooms = TargetRooms(notice, today);
        var targetedHouseholds = await rooms.CountAsync(ct);
        var reachedHouseholds = await Reached(rooms, notice.Id).CountAsync(ct);
        var targetedResidents = await TargetResidents(notice, today).CountAsync(ct);
        var id = notice.Id;
        var residentReads = await db.NoticeReads.CountAsync(r => r.NoticeId == id && r.ResidentId != null, ct);
        var staff = TargetStaff(notice);
        var targetedStaff = await staff.CountAsync(ct);
        var staffReads = await db.NoticeReads.CountAsync(r => r.NoticeId == id && r.ResidentId == null && staff.Any(u => u.Id == r.UserId), ct);
        return new ReceiptSummaryDto(id, notice.Audience.IncludesResidents, targetedHouseholds, reachedHouseholds, targetedResidents, residentReads,
            targetedStaff, staffReads);
    }

    /// <summary>Targeted and reached households per building, buildings in the order they were added.</summary>
    public async Task<Page<BuildingReceiptDto>> BuildingsAsync(Notice notice, PageRequest page, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var rooms = TargetRooms(notice, time.Today());
        // Two grouped counts over the rooms index rather than one with a subquery inside the aggregate.
        var targeted = await rooms.GroupBy(r => r.BuildingId).Select(g => new { BuildingId = g.Key, Count = g.Count() }).ToListAsync(ct);
        var reached = await Reached(rooms, notice.Id).GroupBy(r => r.BuildingId).Select(g => new { BuildingId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.BuildingId, x => x.Count, ct);
        var slice = targeted.OrderBy(t => t.BuildingId).Skip(page.Offset).Take(page.PageSize).ToList();
        var ids = slice.Select(t => t.BuildingId).ToList();
        var names = await db.Buildings.AsNoTracking().Where(b => ids.Contains(b.Id)).ToDictionaryAsync(b => b.Id, b => b.Name, ct);
        var items = slice.Select(t => new BuildingReceiptDto(t.BuildingId, names.GetValueOrDefault(t.BuildingId, ""), t.Count, reached.GetValueOrDefault(t.BuildingId))).ToList();
        return new Page<BuildingReceiptDto>(items, page.Page, page.PageSize, targeted.Count);
    }

    /// <summary>
    /// The door-knocking list: targeted households where no account has read the notice, by building, unit, floor and door,
    /// with the people in each that the notice is for.
    /// </summary>
    public async Task<Page<UnreadHouseholdDto>> UnreadAsync(Notice notice, int? buildingId, PageRequest page, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var today = time.Today();
        var id = notice.Id;
        var rooms = TargetRooms(notice, today).Where(r => !db.NoticeReads.Any(x => x.NoticeId == id && x.RoomId == r.Id));
        if (buildingId is { } b) rooms = rooms.Where(r => r.BuildingId == b);
        var total = await rooms.CountAsync(ct);
        var rows = await rooms.OrderBy(r => r.BuildingId).ThenBy(r => r.UnitNo).ThenBy(r => r.Floor).ThenBy(r => r.Number)
            .Skip(page.Offset).Take(page.PageSize)
            .Select(r => new { r.Id, r.BuildingId, r.UnitNo, r.Floor, r.Number })
            .ToListAsync(ct);
        var roomIds = rows.Select(r => (int?)r.Id).ToList();
        var buildingIds = rows.Select(r => r.BuildingId).Distinct().ToList();
        var names = await db.Buildings.AsNoTracking().Where(x => buildingIds.Contains(x.Id)).ToDictionaryAsync(x => x.Id, x => x.Name, ct);
        var people = await db.Residents.AsNoTracking().Where(r => roomIds.Contains(r.RoomId)).Where(NoticeRules.InGroups(notice.Groups, today))
            .OrderBy(r => r.Id).ToListAsync(ct);
        var byRoom = people.ToLookup(p => p.RoomId!.Value);
        var items = rows.Select(r =>
        {
            var building = names.GetValueOrDefault(r.BuildingId, "");
            return new UnreadHouseholdDto(r.Id, r.BuildingId, building, r.UnitNo, r.Floor, r.Number, Room.LabelFor(building, r.UnitNo, r.Number),
                byRoom[r.Id].Select(p => new UnreadPersonDto(p.Id, p.Name, p.AgeOn(today), ResidentSearch.LabelNames(p, today))).ToList());
        }).ToList();
        return new Page<UnreadHouseholdDto>(items, page.Page, page.PageSize, total);
    }

    /// <summary>The households the notice is for, within the caller's area.</summary>
    IQueryable<Room> TargetRooms(Notice notice, DateOnly today)
    {
        var audience = notice.Audience;
        var rooms = queries.InMyArea(NoticeQueries.Within(db.Rooms.AsNoTracking(), notice)).Where(r => r.Occupancy != Occupancy.Vacant);
        if (!audience.IncludesResidents) return rooms.Where(r => false);
        var buildings = audience.BuildingIds.ToList();
        if (buildings.Count > 0) rooms = rooms.Where(r => buildings.Contains(r.BuildingId));
        if (notice.Groups != ResidentGroups.None)
        {
            // The rooms of the group's members, found once through the residents' indexes (groups such as 80+ or living
            // alone are few), rather than a look-up into residents for every room of the area. "RoomId IS NOT NULL" lets
            // the database take the partial index of people living alone.
            var members = queries.InMyArea(NoticeQueries.Within(db.Residents, notice)).Where(p => p.RoomId != null)
                .Where(NoticeRules.InGroups(notice.Groups, today)).Select(p => p.RoomId);
            rooms = rooms.Where(r => members.Contains(r.Id));
        }
        return rooms;
    }

    IQueryable<Resident> TargetResidents(Notice notice, DateOnly today)
    {
        var audience = notice.Audience;
        var residents = queries.InMyArea(NoticeQueries.Within(db.Residents.AsNoTracking(), notice)).Where(r => r.RoomId != null)
            .Where(NoticeRules.InGroups(notice.Groups, today));
        if (!audience.IncludesResidents) return residents.Where(r => false);
        var buildings = audience.BuildingIds.ToList();
        if (buildings.Count > 0) residents = residents.Where(r => db.Rooms.Any(x => x.Id == r.RoomId && buildings.Contains(x.BuildingId)));
        return residents;
    }

    IQueryable<Room> Reached(IQueryable<Room> rooms, int noticeId) =>
        rooms.Where(r => db.NoticeReads.Any(x => x.NoticeId == noticeId && x.RoomId == r.Id));

    /// <summary>Staff accounts of the notice's roles at nodes in both its subtree and the caller's; the author does not count.</summary>
    IQueryable<UserAccount> TargetStaff(Notice notice)
    {
        var roles = notice.Audience.StaffRoles.ToList();
        var nodes = queries.InMyArea(NoticeQueries.Within(db.Nodes.AsNoTracking(), notice));
        var author = notice.AuthorId;
        return db.Users.AsNoTracking().Where(u => roles.Contains(u.Role) && u.Id != author && nodes.Any(x => x.Id == u.NodeId));
    }
}

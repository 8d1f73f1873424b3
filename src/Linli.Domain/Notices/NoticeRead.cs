using Linli.Domain.Common;
using Linli.Domain.Registry;

namespace Linli.Domain.Notices;

/// <summary>
/// A read receipt: one account opened one notice (once; the first time counts). It sits where the reader is, a resident's
/// room or a staff member's node, so each area sees the receipts of its own people, and a household counts as reached
/// when any of its accounts read the notice.
/// </summary>
public sealed class NoticeRead : ScopedEntity
{
    public long Id { get; private set; }
    public int NoticeId { get; private set; }
    public int UserId { get; private set; }
    public int? ResidentId { get; private set; }
    public int? RoomId { get; private set; }
    public int? BuildingId { get; private set; }
    public DateTimeOffset At { get; private set; }

    NoticeRead() { }

    public static NoticeRead ByResident(Notice notice, int userId, int residentId, Room room, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(notice);
        ArgumentNullException.ThrowIfNull(room);
        var read = new NoticeRead { NoticeId = notice.Id, UserId = userId, ResidentId = residentId, RoomId = room.Id, BuildingId = room.BuildingId, At = at };
        read.PlaceIn(room);
        return read;
    }

    public static NoticeRead ByStaff(Notice notice, int userId, HierarchyNode node, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(notice);
        ArgumentNullException.ThrowIfNull(node);
        var read = new NoticeRead { NoticeId = notice.Id, UserId = userId, At = at };
        read.PlaceIn(node);
        return read;
    }
}

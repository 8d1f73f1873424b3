using Linli.Domain.Registry;

namespace Linli.Application.Common;

/// <summary>
/// Claims due timers of one kind exactly once inside the caller's transaction (raw SQL per provider in Infrastructure):
/// a claimed timer is gone when the transaction commits and due again when it rolls back.
/// </summary>
public interface IDueTimerClaims<T>
{
    Task<IReadOnlyList<T>> ClaimDueAsync(ILinliDb db, DateTimeOffset now, int max, CancellationToken ct);
}

/// <summary>Writes many new rooms, residents and occupancies at once, inside the caller's transaction (COPY on PostgreSQL).</summary>
public interface IRegistryBulkWriter
{
    Task WriteAsync(ILinliDb db, IReadOnlyList<Room> newRooms, IReadOnlyList<Resident> residents,
        IReadOnlyList<(RoomOccupancy Occupancy, Room Room)> occupancies, DateTimeOffset now, CancellationToken ct);
}

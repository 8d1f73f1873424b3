using Linli.Application.Common;
using Linli.Application.Live;
using Linli.Domain.Parking;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Parking;

/// <summary>
/// Pushes a lot's occupancy to the live operations view (and its site plan) whenever a vehicle enters or leaves it. The
/// count is read again rather than moved by one, so a repeated or late delivery pushes the truth, not a drift.
/// </summary>
public sealed class OccupancyPush(ILinliDb db, ParkingQueries queries, ILiveBus bus) : IDomainEventHandler<ParkingSessionOpened>, IDomainEventHandler<ParkingSessionClosed>
{
    public const string Method = "parkingOccupancy";

    public Task HandleAsync(ParkingSessionOpened e, CancellationToken ct) => PushAsync(e?.LotId ?? throw new ArgumentNullException(nameof(e)), ct);

    public Task HandleAsync(ParkingSessionClosed e, CancellationToken ct) => PushAsync(e?.LotId ?? throw new ArgumentNullException(nameof(e)), ct);

    async Task PushAsync(int lotId, CancellationToken ct)
    {
        var lot = await db.ParkingLots.AsNoTracking().FirstOrDefaultAsync(l => l.Id == lotId, ct);
        if (lot is null) return;
        var occupancy = await queries.LotOccupancyAsync(lotId, ct);
        await bus.PublishAsync(new LiveMessage(LiveHubs.Ops, LiveHubs.NodeGroups(lot.GridId, lot.CommunityId, lot.StreetId, lot.DistrictId), Method, occupancy), ct);
    }
}

using Linli.Domain.Common;
using Linli.Domain.Parking;
using Linli.Domain.Registry;
using Linli.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Linli.Infrastructure.Seeding;

/// <summary>
/// The demo district's car parks: one per parking facility, with a tariff as Hangzhou's residential car parks post them
/// (15 free minutes, ¥3 an hour by day, ¥1 by night, at most ¥30 a day), owned and rented spaces for the first residents
/// with their cars, and a monthly pass. The barriers the monitoring seed put there answer for them (code <c>L-C1-1</c>).
/// </summary>
public sealed class ParkingSeeder(LinliDbContext db, TimeProvider time, ILogger<ParkingSeeder> logger)
{
    static readonly ParkingTariff Tariff = new(15, 3m, NightRate.PerHour(new TimeOnly(20, 0), new TimeOnly(7, 0), 1m), 30m, 15);

    public async Task<int> SeedAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var communities = await db.Nodes.AsNoTracking().Where(n => n.Kind == NodeKind.Community).OrderBy(n => n.Id).ToListAsync(ct);
        var lots = 0;
        var communityNo = 0;
        foreach (var community in communities)
        {
            communityNo++;
            var keys = community.Keys with { CommunityId = community.Id };
            var facilities = await db.Facilities.AsNoTracking().Where(f => f.CommunityId == community.Id && f.Category == FacilityCategory.ParkingLot)
                .OrderBy(f => f.Id).ToListAsync(ct);
            var owners = await db.Residents.AsNoTracking().Where(r => r.CommunityId == community.Id && r.RoomId != null && r.Relation != Relation.Family)
                .OrderBy(r => r.Id).Select(r => new { r.Id, r.Relation }).Take(40 * Math.Max(1, facilities.Count)).ToListAsync(ct);
            var lotNo = 0;
            foreach (var f in facilities)
            {
                lotNo++;
                var lot = new ParkingLot($"L-C{communityNo}-{lotNo}", f.Name, keys, Tariff, now.AddDays(-30), ownedSpaces: 120, rentedSpaces: 40, visitorSpaces: 30,
                    facilityId: f.Id);
                db.ParkingLots.Add(lot);
                await db.SaveChangesAsync(ct);
                var mine = owners.Skip((lotNo - 1) * 40).Take(40).ToList();
                for (var i = 0; i < mine.Count; i++)
                {
                    // Plates of the district's own registration office (浙A), numbered so no two demo cars share one.
                    var plate = LicensePlate.Parse($"浙A{communityNo}{lotNo}{i:000}");
                    var kind = mine[i].Relation == Relation.Tenant ? SpaceKind.Rented : SpaceKind.Owned;
                    db.ParkingSpaces.Add(new ParkingSpace(lot, $"{(kind == SpaceKind.Owned ? "A" : "B")}-{i + 1:000}", kind, mine[i].Id, [plate]));
                }
                var today = DateOnly.FromDateTime(ChinaTime.Local(now));
                db.MonthlyPasses.Add(new MonthlyPass(lot, LicensePlate.Parse($"浙B{communityNo}{lotNo}888"), today.AddDays(-10), today.AddDays(20), 300m));
                await db.SaveChangesAsync(ct);
                lots++;
            }
            db.ChangeTracker.Clear();
        }
        logger.LogInformation("Seeded {Lots} demo car parks", lots);
        return lots;
    }
}

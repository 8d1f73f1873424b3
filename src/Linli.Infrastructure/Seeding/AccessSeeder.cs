using System.Globalization;
using Linli.Application.Access;
using Linli.Domain.Access;
using Linli.Domain.Common;
using Linli.Domain.Devices;
using Linli.Domain.Registry;
using Linli.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Linli.Infrastructure.Seeding;

/// <summary>A demo card: whose, and the UID a reader (or the simulated controller) sends.</summary>
public sealed record SeededCard(string Holder, string Uid);

/// <summary>
/// The demo district's one card, after its devices: every community gate, unit door and car park barrier wired to the
/// door controller or barrier the monitoring seed put there; a card for every resident with an account and for the first
/// residents of each community, a phone code for every resident with an account, and a cleaner's card for daytime hours.
/// </summary>
public sealed class AccessSeeder(LinliDbContext db, IPersonalDataProtector protector, TimeProvider time, ILogger<AccessSeeder> logger)
{
    /// <summary>Residents per community (besides those with accounts) who get a card.</summary>
    const int CardsPerCommunity = 200;

    public async Task<IReadOnlyList<SeededCard>> SeedAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var communities = await db.Nodes.AsNoTracking().Where(n => n.Kind == NodeKind.Community).OrderBy(n => n.Id).ToListAsync(ct);
        var controllers = await db.Devices.AsNoTracking().Where(d => d.Type == DeviceType.DoorController || d.Type == DeviceType.ParkingBarrier)
            .ToListAsync(ct);
        var buildings = await db.Buildings.AsNoTracking().ToDictionaryAsync(b => b.Id, ct);
        var facilities = await db.Facilities.AsNoTracking().Where(f => f.CommunityId != 0).ToDictionaryAsync(f => f.Id, ct);
        var leases = await db.Set<RoomOccupancy>().AsNoTracking().Where(o => o.MovedOutOn == null && o.LeaseEnd != null)
            .ToDictionaryAsync(o => o.ResidentId, o => o.LeaseEnd!.Value, ct);
        var cards = new List<SeededCard>();
        var gates = 0;
        foreach (var community in communities)
        {
            var keys = community.Keys with { CommunityId = community.Id };
            foreach (var device in controllers.Where(d => d.CommunityId == community.Id).OrderBy(d => d.Code, StringComparer.Ordinal))
            {
                // DC-C1-B03-U2 → U-C1-B03-2; DC-C1-G1 → G-C1-1; PB-C1-1 → P-C1-1.
                Gate? gate = device switch
                {
                    { Type: DeviceType.ParkingBarrier, FacilityId: { } f } => new Gate($"P{device.Code[2..]}", facilities[f].Name + "道闸", GateKind.CarParkBarrier, keys),
                    { BuildingId: { } b, Unit: { } u } => new Gate($"U{device.Code[2..device.Code.LastIndexOf('-')]}-{u}", $"{buildings[b].Name}{u}单元门",
                        GateKind.UnitDoor, keys, buildings[b], u),
                    { FacilityId: { } f } => new Gate($"G{device.Code[2..]}", facilities[f].Name, GateKind.CommunityGate, keys),
                    _ => null,
                };
                if (gate is null) continue;
                gate.WireTo(device.Id);
                db.Gates.Add(gate);
                gates++;
            }
            var residentsWithAccounts = await db.Users.AsNoTracking().Where(u => u.ResidentId != null && u.NodeId == community.Id)
                .Select(u => u.ResidentId!.Value).ToListAsync(ct);
            var first = await db.Residents.AsNoTracking().Where(r => r.CommunityId == community.Id && r.RoomId != null).OrderBy(r => r.Id)
                .Take(CardsPerCommunity).Select(r => r.Id).ToListAsync(ct);
            var holders = await db.Residents.AsNoTracking().Where(r => residentsWithAccounts.Contains(r.Id) || first.Contains(r.Id))
                .Join(db.Rooms.AsNoTracking(), r => r.RoomId, room => room.Id, (r, room) => new { r.Id, r.Name, r.Relation, Room = room })
                .ToListAsync(ct);
            foreach (var h in holders.OrderBy(h => h.Id))
            {
                // A demo UID that reads like a real one: 4 bytes, the resident's number in the low ones.
                var uid = (0xD0000000u + (uint)h.Id).ToString("X8", CultureInfo.InvariantCulture);
                var home = new List<AccessGrant>
                {
                    AccessGrant.AlwaysAt(GateSelector.Community(community.Id, GateKind.CommunityGate)),
                    AccessGrant.AlwaysAt(GateSelector.UnitOf(h.Room.BuildingId, h.Room.UnitNo)),
                };
                // A tenant's card ends with the lease the registry holds.
                DateTimeOffset? until = leases.TryGetValue(h.Id, out var lease) ? ChinaTime.StartOf(lease.AddDays(1)) : null;
                db.Credentials.Add(new Credential(CredentialKind.Card, HolderKind.Resident, h.Name, keys, CardUids.Hash(uid, protector), protector.Protect(uid),
                    home, now, h.Id, validUntil: until));
                if (residentsWithAccounts.Contains(h.Id))
                {
                    db.Credentials.Add(new Credential(CredentialKind.PhoneQr, HolderKind.Resident, h.Name, keys, "", protector.Protect(PhoneCodes.NewSecret()),
                        home, now, h.Id, validUntil: until));
                    cards.Add(new SeededCard(h.Name, uid));
                }
            }
            // The cleaner: every building's doors, 06:00–20:00.
            var cleanerUid = (0xC1000000u + (uint)community.Id).ToString("X8", CultureInfo.InvariantCulture);
            db.Credentials.Add(new Credential(CredentialKind.Card, HolderKind.Staff, "保洁 · 王阿姨", keys, CardUids.Hash(cleanerUid, protector), protector.Protect(cleanerUid),
                [new AccessGrant(GateSelector.Community(community.Id), new AccessSchedule(from: new TimeOnly(6, 0), until: new TimeOnly(20, 0)))], now));
            cards.Add(new SeededCard($"{community.Name} 保洁", cleanerUid));
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }
        logger.LogInformation("Seeded {Gates} demo gates and the one card's credentials", gates);
        return cards;
    }
}

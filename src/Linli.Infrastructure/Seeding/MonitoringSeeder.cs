using Linli.Application.Access;
using Linli.Domain.Alarms;
using Linli.Domain.Devices;
using Linli.Domain.Registry;
using Linli.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Linli.Infrastructure.Seeding;

/// <summary>A seeded device with its plain secret, which is shown once and kept nowhere in the database.</summary>
public sealed record SeededDevice(string Code, string Secret, DeviceType Type);

/// <summary>
/// The demo district's devices and its default alarm rules. Every community gets what a property company installs: a smoke
/// detector and a door controller in each stairwell unit, lift monitors in the high-rises, gas detectors, water-leak
/// detectors in the pump room and the basements, SOS buttons in the homes of elderly people living alone, water meters in
/// a few homes, AI cameras at the gates and fire lanes, parking barriers, bin-fill and environment sensors, and one gateway.
/// Same registry, same devices in the same places; only the secrets are new on every seeding.
/// </summary>
public sealed class MonitoringSeeder(LinliDbContext db, TimeProvider time, ILogger<MonitoringSeeder> logger)
{
    /// <summary>Homes with a water meter reporting remotely, per community (a pilot, not every home).</summary>
    const int WaterMetersPerCommunity = 12;

    /// <summary>Elderly people living alone get an SOS button at home, up to this many homes per community.</summary>
    const int SosHomesPerCommunity = 60;

    /// <summary>Writes the devices and rules; returns the devices with their secrets so the demo can drive them.</summary>
    public async Task<IReadOnlyList<SeededDevice>> SeedAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var nodes = await db.Nodes.AsNoTracking().OrderBy(n => n.Id).ToListAsync(ct);
        var district = nodes.FirstOrDefault(n => n.Kind == NodeKind.District);
        if (district is null) return [];
        var seeded = new List<SeededDevice>();
        var communityNo = 0;
        foreach (var community in nodes.Where(n => n.Kind == NodeKind.Community))
        {
            communityNo++;
            var devices = await CommunityDevicesAsync(community, nodes.Where(n => n.ParentId == community.Id).ToList(), communityNo, now, ct);
            var gateway = devices.First(d => d.Device.Type == DeviceType.Gateway).Device;
            db.Devices.AddRange(devices.Select(d => d.Device));
            await db.SaveChangesAsync(ct);
            // Battery devices talk through the community's LoRa gateway; powered ones (cameras, barriers, doors) have their own line.
            foreach (var (device, _) in devices.Where(d => d.Device.Type is DeviceType.SmokeDetector or DeviceType.GasDetector
                or DeviceType.WaterLeakDetector or DeviceType.BinFillSensor or DeviceType.EnvironmentSensor or DeviceType.WaterMeter))
                device.ConnectThrough(gateway);
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            seeded.AddRange(devices.Select(d => new SeededDevice(d.Device.Code, d.Secret, d.Device.Type)));
        }

        db.AlarmRules.AddRange(DefaultRules(district.Id, now));
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        logger.LogInformation("Seeded {Count} demo devices and the district's default alarm rules", seeded.Count);
        return seeded;
    }

    async Task<List<(Device Device, string Secret)>> CommunityDevicesAsync(HierarchyNode community, List<HierarchyNode> grids, int no, DateTimeOffset now, CancellationToken ct)
    {
        var buildings = await db.Buildings.AsNoTracking().Where(b => b.CommunityId == community.Id).OrderBy(b => b.Id).ToListAsync(ct);
        var facilities = await db.Facilities.AsNoTracking()
            .Where(f => f.CommunityId == community.Id && f.PlanX != null).OrderBy(f => f.Id).ToListAsync(ct);
        var grid = grids.OrderBy(g => g.Id).First();
        var list = new List<(Device, string)>();
        var prefix = $"C{no}";
        void Add(string code, string name, DeviceType type, DevicePlace place) => list.Add(Device.Register(code, name, type, place, now));
        string B(Building b) => $"B{int.Parse(new string(b.Name.TakeWhile(char.IsAsciiDigit).ToArray()), System.Globalization.CultureInfo.InvariantCulture):00}";

        var hub = facilities.FirstOrDefault(f => f.Category == FacilityCategory.ActivityCenter) ?? facilities.First();
        Add($"GW-{prefix}-01", $"{hub.Name} LoRa 网关", DeviceType.Gateway, DevicePlace.AtFacility(hub, grid));

        foreach (var b in buildings)
        {
            for (var u = 1; u <= b.Units; u++)
            {
                var place = DevicePlace.InBuilding(b, u);
                Add($"SD-{prefix}-{B(b)}-U{u}", $"{b.Name}{u}单元楼道烟感", DeviceType.SmokeDetector, place);
                Add($"DC-{prefix}-{B(b)}-U{u}", $"{b.Name}{u}单元门禁", DeviceType.DoorController, place);
                // High-rises (11 floors and more) have a lift per unit.
                if (b.Floors >= 11) Add($"LM-{prefix}-{B(b)}-U{u}", $"{b.Name}{u}单元电梯", DeviceType.LiftMonitor, place);
            }
            // The gas meter cupboard on the ground floor of the first unit.
            Add($"GD-{prefix}-{B(b)}", $"{b.Name}燃气表间可燃气体探测器", DeviceType.GasDetector, DevicePlace.InBuilding(b, 1));
            // Only the high-rises have basements (garage and plant rooms).
            if (b.Floors >= 11) Add($"WL-{prefix}-{B(b)}", $"{b.Name}地下室水浸", DeviceType.WaterLeakDetector, DevicePlace.InBuilding(b, null));
        }

        var byCategory = facilities.ToLookup(f => f.Category);
        var pumpNo = 0;
        foreach (var f in byCategory[FacilityCategory.PumpRoom].OrderBy(f => f.Id))
            Add($"WL-{prefix}-PUMP{++pumpNo}", $"{f.Name}水浸", DeviceType.WaterLeakDetector, DevicePlace.AtFacility(f, grid));
        var gateNo = 0;
        foreach (var f in byCategory[FacilityCategory.Gate])
        {
            Add($"CAM-{prefix}-G{++gateNo}", $"{f.Name}AI 摄像头", DeviceType.CameraAi, DevicePlace.AtFacility(f, grid));
            // The gate's pedestrian turnstile: cards, phone codes and visitor passes (the one card's readers).
            Add($"DC-{prefix}-G{gateNo}", $"{f.Name}门禁", DeviceType.DoorController, DevicePlace.AtFacility(f, grid));
        }
        // Fire lanes run along the building rows; a camera watches every fourth building's lane.
        foreach (var b in buildings.Where((_, i) => i % 4 == 0))
            Add($"CAM-{prefix}-FL-{B(b)}", $"{b.Name}消防通道 AI 摄像头", DeviceType.CameraAi, DevicePlace.InBuilding(b, null));
        var parkNo = 0;
        foreach (var f in byCategory[FacilityCategory.ParkingLot])
            Add($"PB-{prefix}-{++parkNo}", $"{f.Name}道闸", DeviceType.ParkingBarrier, DevicePlace.AtFacility(f, grid));
        var binNo = 0;
        foreach (var f in byCategory[FacilityCategory.GarbageStation])
            foreach (var kind in new[] { "其他垃圾", "厨余垃圾", "可回收物" })
                Add($"BIN-{prefix}-{++binNo}", $"{f.Name}{kind}桶", DeviceType.BinFillSensor, DevicePlace.AtFacility(f, grid));
        var envNo = 0;
        foreach (var f in byCategory[FacilityCategory.GreenSpace].Concat(byCategory[FacilityCategory.Playground]))
            Add($"ENV-{prefix}-{++envNo}", $"{f.Name}环境监测", DeviceType.EnvironmentSensor, DevicePlace.AtFacility(f, grid));

        var buildingById = buildings.ToDictionary(b => b.Id);
        var rooms = await db.Rooms.AsNoTracking().Where(r => r.CommunityId == community.Id).OrderBy(r => r.Id).ToListAsync(ct);
        var roomById = rooms.ToDictionary(r => r.Id);
        var alone = await db.Residents.AsNoTracking()
            .Where(r => r.CommunityId == community.Id && r.RoomId != null && (r.Labels & ResidentLabels.LivingAlone) != 0)
            .OrderBy(r => r.Id).Select(r => new { r.RoomId, r.BirthDate }).ToListAsync(ct);
        var elderly = alone.Where(r => Ages.On(r.BirthDate, DateOnly.FromDateTime(now.UtcDateTime)) >= 60)
            .Select(r => r.RoomId!.Value).Distinct().Take(SosHomesPerCommunity).ToList();
        var sosNo = 0;
        foreach (var roomId in elderly)
        {
            var room = roomById[roomId];
            Add($"SOS-{prefix}-{++sosNo:000}", $"{buildingById[room.BuildingId].Name}{room.Number}室一键呼救", DeviceType.SosButton, DevicePlace.InRoom(room, buildingById[room.BuildingId]));
        }
        // A pilot of remote water meters: homes spread evenly over the community.
        var step = Math.Max(1, rooms.Count / WaterMetersPerCommunity);
        var meterNo = 0;
        for (var i = step / 2; i < rooms.Count && meterNo < WaterMetersPerCommunity; i += step)
        {
            var room = rooms[i];
            Add($"WM-{prefix}-{++meterNo:000}", $"{buildingById[room.BuildingId].Name}{room.Number}室水表", DeviceType.WaterMeter, DevicePlace.InRoom(room, buildingById[room.BuildingId]));
        }
        return list;
    }

    /// <summary>The district's default rules; communities add their own or tune these in the rules view.</summary>
    public static IReadOnlyList<AlarmRule> DefaultRules(int districtId, DateTimeOffset now)
    {
        AlarmRule Rule(string name, AlarmKind kind, AlarmSeverity severity, DeviceType type, Condition condition, bool autoClear, bool opensCase = false) =>
            new(districtId, 0, 0, name, kind, severity, type, null, condition, autoClear, null, opensCase, now);
        return
        [
            Rule("烟雾浓度超标", AlarmKind.Fire, AlarmSeverity.Critical, DeviceType.SmokeDetector, new Threshold("smoke", Comparison.Above, 0.1), autoClear: true),
            Rule("可燃气体泄漏", AlarmKind.Gas, AlarmSeverity.Critical, DeviceType.GasDetector, new Threshold("gas_ppm", Comparison.Above, 50), autoClear: true),
            Rule("水浸报警", AlarmKind.WaterLeak, AlarmSeverity.Major, DeviceType.WaterLeakDetector, new State("leak"), autoClear: true, opensCase: true),
            Rule("一键呼救", AlarmKind.Sos, AlarmSeverity.Critical, DeviceType.SosButton, new EventSeen("sos"), autoClear: false),
            Rule("消防通道占用", AlarmKind.Security, AlarmSeverity.Major, DeviceType.CameraAi, new EventSeen("fire_lane_blocked"), autoClear: false),
            Rule("设备离线", AlarmKind.Offline, AlarmSeverity.Minor, DeviceType.SmokeDetector, new NoData(30), autoClear: true),
            Rule("垃圾桶满溢", AlarmKind.Environment, AlarmSeverity.Warning, DeviceType.BinFillSensor,
                new HoldsFor(10, new Threshold("fill_pct", Comparison.AtLeast, 90)), autoClear: true),
            Rule("PM2.5 超标", AlarmKind.Environment, AlarmSeverity.Warning, DeviceType.EnvironmentSensor,
                new HoldsFor(30, new Threshold("pm25", Comparison.Above, 150)), autoClear: true),
            // GB 50396: five refusals in a row at one reader (someone trying cards, or a reader gone wrong).
            Rule("门禁连续刷卡失败", AlarmKind.Security, AlarmSeverity.Major, DeviceType.DoorController, new EventSeen(AccessFailures.EventName), autoClear: false),
            Rule("道闸连续识别失败", AlarmKind.Security, AlarmSeverity.Warning, DeviceType.ParkingBarrier, new EventSeen(AccessFailures.EventName), autoClear: false),
            Rule("电梯故障", AlarmKind.Equipment, AlarmSeverity.Major, DeviceType.LiftMonitor, new State("fault"), autoClear: true),
        ];
    }
}

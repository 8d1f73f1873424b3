using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Domain.Registry;
using Linli.Infrastructure.Persistence;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Linli.Infrastructure.Seeding;

/// <summary>How big a district to build. Same profile and seed, same data.</summary>
public sealed record SeedProfile(string Name, int Communities, int GridsPerCommunity, int BuildingsPerCommunity, int[] FloorChoices, int[] UnitChoices, int RoomsPerFloor, int Seed = 20261122)
{
    /// <summary>1 district, 1 street, 2 communities, 6 grids, 34 buildings, ~2,000 rooms, ~5,000 residents.</summary>
    public static readonly SeedProfile Demo = new("demo", 2, 3, 17, [6, 11, 11, 18], [2, 3], 2);

    /// <summary>20 communities, 200,000 rooms, ~500,000 residents: the district-scale set the benchmarks use.</summary>
    public static readonly SeedProfile Large = new("large", 20, 8, 50, [25], [2], 4);

    public static SeedProfile? Named(string? name) => name?.ToLowerInvariant() switch
    {
        "demo" => Demo,
        "large" => Large,
        _ => null,
    };
}

/// <summary>A demo account: everyone shares <see cref="RegistrySeeder.DemoPassword"/>.</summary>
public sealed record DemoSignIn(string UserName, Role Role, string Node, string? Phone);

/// <summary>
/// Builds a realistic, deterministic district: hierarchy, buildings on a site plan, rooms, households with Chinese names,
/// ages, labels and history, facilities, surrounding services, organizations and one account per role.
/// </summary>
public sealed class RegistrySeeder(LinliDbContext db, IPersonalDataProtector protector, TimeProvider time, ILogger<RegistrySeeder> logger)
{
    public const string DemoPassword = "Linli@2026";

    /// <summary>The day ages are generated against, fixed so that the same seed gives the same people.</summary>
    static readonly DateOnly Reference = new(2026, 1, 1);

    static readonly string[] CommunityNames = ["桂花苑", "枫林", "荷塘", "翠竹", "梧桐", "香樟", "银杏", "海棠", "玉兰", "紫薇", "芙蓉", "丁香", "石榴", "青松", "春晓", "夏荷", "秋实", "冬暖", "明月", "清风"];
    static readonly string[] StreetNames = ["春晖街道", "湖滨街道"];
    static readonly string[] GridNumerals = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    static readonly string[] BirthRegions = ["330199", "330106", "330102", "110101", "310104", "320102", "340104", "410105", "510104", "430102", "360102", "420106", "330302", "330602"];
    static readonly string[] PhonePrefixes = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "157", "158", "159", "170", "177", "180", "181", "182", "185", "186", "187", "188", "189", "198", "199"];

    public async Task<bool> IsSeededAsync(CancellationToken ct = default) => await db.Nodes.AnyAsync(ct);

    public async Task<IReadOnlyList<DemoSignIn>> SeedAsync(SeedProfile profile, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var started = time.GetTimestamp();
        var rng = new Random(profile.Seed);
        var now = time.GetUtcNow();
        var usedIds = new HashSet<string>(StringComparer.Ordinal);

        // Hierarchy: district → streets → communities → grids.
        var district = HierarchyNode.District("明湖区", "330199", 30.2741, 120.1551);
        await SaveNodeAsync(district, null, ct);
        var streets = new List<HierarchyNode>();
        var streetCount = profile.Communities > 4 ? 2 : 1;
        for (var s = 0; s < streetCount; s++)
        {
            var street = district.AddChild(StreetNames[s], $"330199{s + 1:00}", 30.2741 + s * 0.03, 120.1551 + s * 0.03);
            await SaveNodeAsync(street, district, ct);
            streets.Add(street);
        }

        var communities = new List<(HierarchyNode Community, List<HierarchyNode> Grids)>();
        for (var c = 0; c < profile.Communities; c++)
        {
            var street = streets[c * streets.Count / profile.Communities];
            var (lat, lng) = (street.Latitude + (c % 5) * 0.008, street.Longitude + (c / 5) * 0.008);
            var community = street.AddChild($"{CommunityNames[c]}社区", $"{street.Code}{c + 1:00}", lat, lng);
            await SaveNodeAsync(community, street, ct);
            var grids = new List<HierarchyNode>();
            for (var g = 0; g < profile.GridsPerCommunity; g++)
            {
                var grid = community.AddChild($"第{GridNumerals[g % 10]}网格", $"{community.Code}{g + 1:00}", lat, lng);
                await SaveNodeAsync(grid, community, ct);
                grids.Add(grid);
            }
            communities.Add((community, grids));
        }

        var signIns = new List<DemoSignIn>();
        var hasher = new Identity.Pbkdf2PasswordHasher();
        var firstResidents = new List<(Resident Resident, string Phone)>();

        foreach (var (community, grids) in communities)
        {
            // Buildings on a 6-column site plan, 1000 × 700 plan units, roads between rows.
            var buildings = new List<Building>();
            for (var b = 0; b < profile.BuildingsPerCommunity; b++)
            {
                var cols = 6;
                var rows = (profile.BuildingsPerCommunity + cols - 1) / cols;
                var (col, row) = (b % cols, b / cols);
                var plan = (X: 60 + col * 150, Y: 60 + row * (560 / rows), W: 100, H: Math.Max(30, 560 / rows - 50));
                var grid = grids[b * grids.Count / profile.BuildingsPerCommunity];
                // Sizes cycle through the choices rather than being drawn: drawn sizes left the demo a quarter short of its promised ~2,000 rooms.
                var (units, floors) = (profile.UnitChoices[b % profile.UnitChoices.Length], profile.FloorChoices[b % profile.FloorChoices.Length]);
                var building = new Building(grid, $"{b + 1}号楼", units, floors, profile.RoomsPerFloor,
                    plan, community.Latitude + (350 - plan.Y) * 0.0000045, community.Longitude + (plan.X - 500) * 0.0000052);
                buildings.Add(building);
            }
            db.Buildings.AddRange(buildings);
            AddFacilities(community, rng);
            AddOrganizations(community, rng);
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();

            var rooms = new List<Room>();
            var residents = new List<Resident>();
            var occupancies = new List<(RoomOccupancy, Room)>();
            foreach (var building in buildings)
            {
                foreach (var room in building.LayOutRooms((f, d) => d == 1 ? 89.5m : 112.3m))
                {
                    rooms.Add(room);
                    if (rng.NextDouble() < 0.05) AddFormerTenant(room, rng, usedIds, residents, occupancies);
                    if (rng.NextDouble() < 0.08) continue; // vacant
                    foreach (var (person, relation, movedIn, leaseEnd) in Household(rng, usedIds))
                    {
                        residents.Add(person);
                        occupancies.Add((room.MoveIn(person, relation, movedIn, leaseEnd), room));
                    }
                }
            }
            await RegistryBulkWriter.WriteAsync(db, rooms, residents, occupancies, now, ct);
            var owner = residents.First(r => r.Relation == Relation.Owner && r.PhoneProtected is not null && r.AgeOn(Reference) is > 30 and < 60);
            firstResidents.Add((owner, protector.Unprotect(owner.PhoneProtected!)));
        }

        // One account per role, all sharing the demo password.
        var c1 = communities[0];
        var c2 = communities.Count > 1 ? communities[1] : communities[0];
        var (index1, index2) = (firstResidents[0].Resident.IdNumberIndex, firstResidents[^1].Resident.IdNumberIndex);
        var residentIds = await db.Residents
            .Where(r => r.IdNumberIndex == index1 || r.IdNumberIndex == index2)
            .Select(r => new { r.Id, r.IdNumberIndex }).ToListAsync(ct);
        int IdOf(Resident r) => residentIds.Single(x => x.IdNumberIndex == r.IdNumberIndex).Id;
        var accounts = new List<(UserAccount Account, string Node, string? Phone)>
        {
            (new UserAccount("district", "区级管理员 · 周建国", Role.DistrictOfficer, district), district.Name, null),
            (new UserAccount("street", "街道干部 · 陈晓燕", Role.StreetOfficer, streets[0]), streets[0].Name, null),
            (new UserAccount("admin1", $"{c1.Community.Name}管理员 · 李红梅", Role.CommunityAdmin, c1.Community), c1.Community.Name, null),
            (new UserAccount("admin2", $"{c2.Community.Name}管理员 · 王志强", Role.CommunityAdmin, c2.Community), c2.Community.Name, null),
            (new UserAccount("grid1", "网格员 · 张丽", Role.GridWorker, c1.Grids[0]), $"{c1.Community.Name}{c1.Grids[0].Name}", null),
            (new UserAccount("grid2", "网格员 · 刘洋", Role.GridWorker, c2.Grids[0]), $"{c2.Community.Name}{c2.Grids[0].Name}", null),
            (new UserAccount("property1", "物业客服 · 赵敏", Role.PropertyStaff, c1.Community), c1.Community.Name, null),
            (new UserAccount("provider1", "服务商 · 邻里家政", Role.ServiceProvider, c1.Community), c1.Community.Name, null),
            (new UserAccount("resident1", firstResidents[0].Resident.Name, Role.Resident, c1.Community, residentId: IdOf(firstResidents[0].Resident)), c1.Community.Name, firstResidents[0].Phone),
            (new UserAccount("resident2", firstResidents[^1].Resident.Name, Role.Resident, c2.Community, residentId: IdOf(firstResidents[^1].Resident)), c2.Community.Name, firstResidents[^1].Phone),
            // Last, so the accounts above keep their ids: the second community's property company needs someone to take its cases.
            (new UserAccount("property2", "物业客服 · 孙磊", Role.PropertyStaff, c2.Community), c2.Community.Name, null),
        };
        foreach (var (account, node, phone) in accounts)
        {
            account.SetPasswordHash(hasher.Hash(account, DemoPassword));
            if (phone is not null) account.SetPhone(PhoneNumber.Parse(phone), protector);
            db.Users.Add(account);
            signIns.Add(new DemoSignIn(account.UserName, account.Role, node, phone));
        }
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        await PlannerStatistics.RefreshAsync(db, ct);

        logger.LogInformation("Seeded the {Profile} district in {Elapsed}", profile.Name, time.GetElapsedTime(started));
        return signIns;
    }

    async Task SaveNodeAsync(HierarchyNode node, HierarchyNode? parent, CancellationToken ct)
    {
        db.Nodes.Add(node);
        await db.SaveChangesAsync(ct);
        node.FixScopeKeys(parent);
        await db.SaveChangesAsync(ct);
    }

    static T Pick<T>(Random rng, T[] items) => items[rng.Next(items.Length)];

    void AddFacilities(HierarchyNode community, Random rng)
    {
        (FacilityCategory Category, string Name, int X, int Y)[] inside =
        [
            (FacilityCategory.Gate, "东门", 990, 350), (FacilityCategory.Gate, "南门", 500, 690),
            (FacilityCategory.ParkingLot, "地面停车场", 975, 30), (FacilityCategory.ParkingLot, "地下车库入口", 930, 620),
            (FacilityCategory.GreenSpace, "中心花园", 485, 222), (FacilityCategory.GreenSpace, "北侧绿地", 300, 25),
            (FacilityCategory.Playground, "儿童游乐场", 635, 408), (FacilityCategory.PumpRoom, "二次供水泵房", 40, 650),
            (FacilityCategory.ActivityCenter, "居民活动中心", 335, 408), (FacilityCategory.GarbageStation, "垃圾分类投放点 A", 20, 222),
            (FacilityCategory.GarbageStation, "垃圾分类投放点 B", 980, 592),
        ];
        foreach (var (category, name, x, y) in inside)
            db.Facilities.Add(new Facility(community, category, name, null, null,
                community.Latitude + (350 - y) * 0.0000045, community.Longitude + (x - 500) * 0.0000052, (x, y)));

        (FacilityCategory Category, string Name, string Phone)[] around =
        [
            (FacilityCategory.Clinic, "社区卫生服务站", "0571-8600 1201"), (FacilityCategory.Hospital, "明湖区人民医院", "0571-8600 2120"),
            (FacilityCategory.School, "春晖小学", "0571-8600 3301"), (FacilityCategory.Kindergarten, "向日葵幼儿园", "0571-8600 3402"),
            (FacilityCategory.Bank, "工商银行春晖支行", "95588"), (FacilityCategory.Market, "春晖农贸市场", "0571-8600 5501"),
            (FacilityCategory.Supermarket, "邻家生活超市", "0571-8600 5602"), (FacilityCategory.Pharmacy, "康民大药房", "0571-8600 5703"),
        ];
        foreach (var (category, name, phone) in around)
        {
            var distance = 150 + rng.Next(1800);
            var angle = rng.NextDouble() * 2 * Math.PI;
            var lat = community.Latitude + distance * Math.Cos(angle) / 111_000;
            var lng = community.Longitude + distance * Math.Sin(angle) / (111_000 * Math.Cos(community.Latitude * Math.PI / 180));
            db.Facilities.Add(new Facility(community, category, name, $"明湖区春晖路{rng.Next(1, 400)}号", phone, lat, lng, null));
        }
    }

    void AddOrganizations(HierarchyNode community, Random rng)
    {
        db.Organizations.AddRange(
            new Organization(community, OrganizationKind.PropertyCompany, "安居物业服务有限公司", "赵经理", "0571-8700 0001"),
            new Organization(community, OrganizationKind.ResidentsCommittee, $"{community.Name}居民委员会", "书记 李红梅", "0571-8700 0002"),
            new Organization(community, OrganizationKind.OwnersCommittee, $"{community.Name}业主委员会", "主任 孙立", "0571-8700 0003"),
            new Organization(community, OrganizationKind.SocialOrganization, "夕阳红志愿服务队", "队长 何秀兰", "0571-8700 0004"),
            new Organization(community, OrganizationKind.SocialOrganization, "邻里互助社", "社长 郭明", "0571-8700 0005"),
            new Organization(community, OrganizationKind.Merchant, "邻里家政服务部", "周师傅", $"1389000{rng.Next(1000, 9999)}"),
            new Organization(community, OrganizationKind.Merchant, "便民维修点", "钱师傅", $"1379000{rng.Next(1000, 9999)}"));
    }

    void AddFormerTenant(Room room, Random rng, HashSet<string> usedIds, List<Resident> residents, List<(RoomOccupancy, Room)> occupancies)
    {
        var male = rng.NextDouble() < 0.5;
        var person = NewPerson(rng, usedIds, ChineseNames.Surname(rng), male, 25 + rng.Next(20), ResidentLabels.None);
        var movedIn = Reference.AddDays(-(400 + rng.Next(1500)));
        var occupancy = room.MoveIn(person, Relation.Tenant, movedIn, movedIn.AddYears(1));
        room.MoveOut(person, movedIn.AddDays(300 + rng.Next(60)));
        residents.Add(person);
        occupancies.Add((occupancy, room));
    }

    IEnumerable<(Resident, Relation, DateOnly, DateOnly?)> Household(Random rng, HashSet<string> usedIds)
    {
        var tenant = rng.NextDouble() < 0.22;
        var relation = tenant ? Relation.Tenant : Relation.Owner;
        var movedIn = tenant ? Reference.AddDays(-rng.Next(30, 900)) : Reference.AddDays(-rng.Next(200, 9000));
        DateOnly? lease = tenant ? Reference.AddDays(rng.Next(-20, 720)) : null;
        if (lease <= movedIn) lease = movedIn.AddYears(1);
        var shared = rng.NextDouble() switch { < 0.03 => ResidentLabels.LowIncome, < 0.05 => ResidentLabels.Disabled, _ => ResidentLabels.None };
        var surname = ChineseNames.Surname(rng);
        var kind = rng.NextDouble();
        var people = new List<(Resident, Relation)>();
        Resident Add(bool male, int age, Relation r, string? family = null, ResidentLabels extra = ResidentLabels.None)
        {
            var p = NewPerson(rng, usedIds, family ?? surname, male, age, shared | extra);
            people.Add((p, r));
            return p;
        }
        var member = tenant ? Relation.Tenant : Relation.Family;
        if (!tenant && kind < 0.12)
        {
            var elder = Add(rng.NextDouble() < 0.4, 70 + rng.Next(26), relation, extra: ResidentLabels.LivingAlone);
            var child = ChineseNames.Given(rng, rng.NextDouble() < 0.5);
            elder.SetEmergencyContact($"{surname}{child}", RandomPhone(rng), protector);
        }
        else if (kind < 0.20) Add(rng.NextDouble() < 0.55, 22 + rng.Next(24), relation);
        else if (kind < 0.50)
        {
            var age = 25 + rng.Next(56);
            Add(true, age, relation);
            Add(false, Math.Max(22, age - 3 + rng.Next(6)), member, ChineseNames.Surname(rng));
        }
        else
        {
            var age = 30 + rng.Next(21);
            Add(true, age, relation);
            Add(false, Math.Max(24, age - 3 + rng.Next(6)), member, ChineseNames.Surname(rng));
            var children = kind < 0.85 ? 1 : 2;
            for (var i = 0; i < children; i++) Add(rng.NextDouble() < 0.52, rng.Next(Math.Min(20, age - 22)), member);
            if (kind >= 0.78)
            {
                var grand = 60 + rng.Next(31);
                Add(true, grand, member);
                if (rng.NextDouble() < 0.6) Add(false, grand - 2 + rng.Next(4), member, ChineseNames.Surname(rng));
            }
        }
        return people.Select(p => (p.Item1, p.Item2, movedIn, p.Item2 == Relation.Tenant ? lease : (DateOnly?)null));
    }

    Resident NewPerson(Random rng, HashSet<string> usedIds, string surname, bool male, int age, ResidentLabels labels)
    {
        var born = Reference.AddYears(-age).AddDays(-rng.Next(365));
        IdCardNumber id;
        do
        {
            var region = rng.NextDouble() < 0.6 ? BirthRegions[0] : Pick(rng, BirthRegions);
            var genderDigit = male ? 1 + 2 * rng.Next(5) : 2 * rng.Next(5);
            var first17 = $"{region}{born:yyyyMMdd}{rng.Next(100):00}{genderDigit}";
            id = IdCardNumber.Parse(first17 + IdCardNumber.CheckCharacter(first17));
        } while (!usedIds.Add(id.Value));
        PhoneNumber? phone = age < 14 || (age >= 80 && rng.NextDouble() < 0.5) ? null : RandomPhone(rng);
        if (age >= 22 && rng.NextDouble() < 0.10) labels |= ResidentLabels.PartyMember;
        if (male && age is >= 45 and <= 95 && rng.NextDouble() < 0.03) labels |= ResidentLabels.Veteran;
        return new Resident(surname + ChineseNames.Given(rng, male), id, phone, labels, protector);
    }

    static PhoneNumber RandomPhone(Random rng) => PhoneNumber.Parse($"{Pick(rng, PhonePrefixes)}{rng.Next(10_000_000, 99_999_999)}");
}

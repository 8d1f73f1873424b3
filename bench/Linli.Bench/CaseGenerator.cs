namespace Linli.Bench;

/// <summary>
/// Deterministic realistic cases as rows (see <see cref="CaseBulk.Cases"/> for the column order). The timelines follow the
/// workflow of <c>Case</c>: reported → accepted → dispatched or grabbed → handled → verified (or rated) → closed, or rejected;
/// open cases are somewhere along the way with their SLA timers pending.
/// </summary>
public sealed class CaseGenerator(CaseWorld world, DateTimeOffset now, int seed)
{
    /// <summary>Each case draws from its own generator, seeded from the plan, so it comes out the same in both passes.</summary>
    Random rng = new(seed);
    (long Ticks, int Seed)[] _plan = [];
    int _planned;

    public sealed record Batch(List<object?[]> Cases, List<object?[]> Events, List<object?[]> Timers);

    /// <summary>Share of open cases (the rest are closed or rejected).</summary>
    public const double OpenShare = 0.05;

    static readonly Dictionary<string, int> Weights = new()
    {
        ["plumbing"] = 18, ["door-lock"] = 8, ["lift"] = 6, ["lighting"] = 8, ["leak-public"] = 5, ["sanitation"] = 10, ["greenery"] = 4,
        ["parking"] = 8, ["fire-safety"] = 5, ["neighbour-dispute"] = 4, ["noise"] = 6, ["illegal-construction"] = 2, ["public-facility"] = 3,
        ["suggestion"] = 4, ["patrol"] = 10, ["device-alarm"] = 2,
    };

    internal static readonly Dictionary<string, string[]> Titles = new()
    {
        ["plumbing"] = ["厨房水管漏水", "卫生间下水道堵塞", "热水器不出热水", "客厅插座跳闸", "阳台地漏返水", "马桶水箱一直流水"],
        ["door-lock"] = ["单元门禁刷卡无反应", "楼道防盗门关不上", "单元门闭门器损坏", "门禁对讲不响"],
        ["lift"] = ["电梯运行有异响", "电梯按钮失灵", "电梯门反复开关", "电梯停在两层之间"],
        ["lighting"] = ["楼道声控灯不亮", "地下车库灯坏了", "小区路灯不亮", "单元门口灯闪烁"],
        ["leak-public"] = ["楼道水管渗水", "地下车库顶部漏水", "屋顶漏水到楼道", "消防管道滴水"],
        ["sanitation"] = ["垃圾桶满了没人清", "楼道堆放杂物有异味", "绿化带有狗粪", "垃圾分类点污水横流"],
        ["greenery"] = ["树枝挡住窗户", "草坪枯黄需要补种", "树木倾斜有倒伏风险", "绿化带杂草过高"],
        ["parking"] = ["车辆堵住消防通道", "非机动车乱停挡路", "外来车辆占用车位", "车辆长期停放不动"],
        ["fire-safety"] = ["电动车在楼道充电", "消防通道被占用", "灭火器过期", "楼道堆放易燃杂物"],
        ["neighbour-dispute"] = ["楼上漏水邻居不处理", "邻居占用公共走廊", "宠物扰邻协商不成", "装修损坏共用墙体"],
        ["noise"] = ["楼上夜间噪音", "广场舞音量过大", "夜间装修施工", "空调外机噪音扰民"],
        ["illegal-construction"] = ["顶楼违章加盖", "一楼私自扩建院子", "阳台违规外扩", "绿地上搭建棚屋"],
        ["public-facility"] = ["小区外人行道砖松动", "井盖缺失", "路口红绿灯故障", "公交站棚破损"],
        ["suggestion"] = ["建议增设电动车充电桩", "建议增加休息座椅", "建议延长活动中心开放时间", "建议加装楼道扶手"],
        ["patrol"] = ["巡查发现楼道堆物", "巡查发现路面破损", "巡查发现独居老人家中无人应答", "巡查发现违规张贴小广告"],
        ["device-alarm"] = ["水泵房液位告警", "烟感报警", "门禁控制器离线", "电梯困人告警"],
    };

    static readonly string[] Resolutions = ["已上门维修，恢复正常", "已更换损坏部件", "已清理完毕", "已协调相关方处理", "已现场查看并整改", "已联系专业单位处理完毕"];
    static readonly string[] Rejections = ["不属于本小区管理范围", "重复上报，已合并处理", "信息不完整，无法核实"];

    readonly (CaseWorld.Category Category, int Cumulative)[] _weighted = Weighted(world);
    readonly CaseWorld.Category[] _streetLevel = [.. world.Categories.Where(c => c.Level == "Street")];
    readonly Dictionary<int, List<CaseWorld.Room>> _occupied = world.RoomsByCommunity.ToDictionary(kv => kv.Key, kv => kv.Value.Where(r => r.ResidentName is not null).ToList());
    readonly Dictionary<int, List<CaseWorld.Room>> _occupiedByBuilding = world.RoomsByCommunity.Values.SelectMany(r => r)
        .Where(r => r.ResidentName is not null).GroupBy(r => r.Building.Id).ToDictionary(g => g.Key, g => g.ToList());
    static readonly Dictionary<string, int> Column = CaseBulk.Cases.Select((c, i) => (c.Name, i)).ToDictionary(x => x.Name, x => x.i);
    long _eventId;
    long _timerId;

    static (CaseWorld.Category, int)[] Weighted(CaseWorld world)
    {
        var sum = 0;
        return [.. world.Categories.Select(c => (c, sum += Weights.GetValueOrDefault(c.Code, 2)))];
    }

    /// <summary>
    /// Decides every case's report time first and numbers the cases in that order, as a live system does: ids follow report
    /// time, and the open cases (all recent) sit together at the end of the table rather than scattered through two years.
    /// </summary>
    public void Plan(int count)
    {
        var master = new Random(seed);
        _plan = new (long, int)[count];
        for (var i = 0; i < count; i++)
        {
            var s = master.Next();
            rng = new Random(s);
            _plan[i] = (One(0, null).UtcTicks, s);
        }
        Array.Sort(_plan);
        _planned = 0;
    }

    /// <summary>The next <paramref name="count"/> cases of the plan, with ids in report order.</summary>
    public Batch Next(int count)
    {
        var batch = new Batch(new List<object?[]>(count), new List<object?[]>(count * 6), new List<object?[]>(count / 10));
        for (var i = 0; i < count && _planned < _plan.Length; i++)
        {
            rng = new Random(_plan[_planned].Seed);
            _planned++;
            One(_planned, batch);
        }
        return batch;
    }

    CaseWorld.Category PickCategory()
    {
        var x = rng.Next(_weighted[^1].Cumulative);
        foreach (var (c, cumulative) in _weighted)
            if (x < cumulative) return c;
        return _weighted[^1].Category;
    }

    DateTimeOffset Minutes(DateTimeOffset t, double minutes) => t.AddSeconds(Math.Round(minutes * 60));
    double Between(double lo, double hi) => lo + rng.NextDouble() * (hi - lo);

    /// <summary>Makes one case (into <paramref name="batch"/>, or only its report time when planning) and returns its report time.</summary>
    DateTimeOffset One(long id, Batch? batch)
    {
        var community = world.Communities[rng.Next(world.Communities.Count)];
        var open = rng.NextDouble() < OpenShare;
        var overdueAtDistrict = open && _streetLevel.Length > 0 && rng.NextDouble() < 0.10;
        var category = overdueAtDistrict ? _streetLevel[rng.Next(_streetLevel.Length)] : PickCategory();
        var rooms = _occupied[community.Id];
        var home = rooms[rng.Next(rooms.Count)];
        var building = category.InHome ? home.Building : world.BuildingsByCommunity[community.Id][rng.Next(world.BuildingsByCommunity[community.Id].Count)];
        if (!category.InHome && rng.NextDouble() < 0.5)
        {
            // Half of the public matters are reported by someone living in that building.
            if (_occupiedByBuilding.TryGetValue(building.Id, out var neighbours)) home = neighbours[rng.Next(neighbours.Count)];
        }
        var address = category.InHome ? $"{community.Name} {home.Label}" : $"{community.Name} {building.Name}";
        var title = Titles.TryGetValue(category.Code, out var titles) ? titles[rng.Next(titles.Length)] : category.Name;

        // Reporter: a grid worker on patrol, a device, or a resident (who reports from home).
        CaseWorld.Account? patroller = category.Code == "patrol" ? world.Handler("Community", community, building.GridId) : null;
        var device = category.Code == "device-alarm";
        var reporterName = patroller?.DisplayName ?? (device ? "设备告警" : home.ResidentName!);
        int? reporterRoom = patroller is null && !device ? home.Id : null;
        var source = patroller is not null ? "Patrol" : device ? "Device" : rng.NextDouble() < 0.8 ? "Web" : rng.NextDouble() < 0.5 ? "Api" : "Open311";
        var kind = patroller is not null ? "Patrol" : category.Kind;

        var level = category.Level == "Property" && community.PropertyCompanyId is null ? "Community" : category.Level;
        var handler = world.Handler(level, community, building.GridId);

        var row = new object?[CaseBulk.Cases.Length];
        void Set(string column, object? value) => row[Column[column]] = value;
        var events = new List<(DateTimeOffset At, int Actor, string Name, string Kind, string? From, string? To, string? Note)>(6);
        var reporterActor = (Id: patroller?.Id ?? 0, Name: reporterName);

        DateTimeOffset reported;
        string status;
        var escalations = 0;
        var round = 1;
        DateTimeOffset responseDue, resolutionDue;
        DateTimeOffset? accepted = null, handled = null, closed = null, overdueSince = null;
        int? assignee = null, rating = null;
        string? assigneeName = null, resolution = null, reject = null;
        bool responseBreached = false, resolutionBreached = false;
        var reportPhotos = 0;
        var timers = new List<(string Kind, DateTimeOffset Due, int Round)>(2);

        if (!open)
        {
            // The durations first, then the report time, so that the whole story (up to closing) lies in the past two years.
            const double TwoYears = 730 * 24 * 60;
            if (rng.NextDouble() < 0.06)
            {
                status = "Rejected";
                reject = Rejections[rng.Next(Rejections.Length)];
                var askedAfter = Between(5, Math.Max(6, category.ResponseMinutes));
                var rejectedAfter = askedAfter + Between(30, 24 * 60);
                reported = now.AddMinutes(-(rejectedAfter + Between(60, TwoYears - rejectedAfter)));
                var asked = Minutes(reported, askedAfter);
                closed = Minutes(reported, rejectedAfter);
                events.Add((reported, reporterActor.Id, reporterActor.Name, "Reported", null, "Reported", null));
                events.Add((asked, handler.Id, handler.DisplayName, "Commented", null, null, "请补充具体位置和照片"));
                events.Add((closed.Value, handler.Id, handler.DisplayName, "Rejected", "Reported", "Rejected", reject));
            }
            else
            {
                status = "Closed";
                var acceptedAfter = category.ResponseMinutes * Between(0.1, 1.3);
                var dispatchedAfter = acceptedAfter + Between(1, 60);
                var handledAfter = dispatchedAfter + (category.ResolutionMinutes - category.ResponseMinutes) * Between(0.05, 1.15);
                var verifiedAfter = handledAfter + Between(60, 48 * 60);
                var closedAfter = verifiedAfter + Between(10, 24 * 60);
                reported = now.AddMinutes(-(closedAfter + Between(60, TwoYears - closedAfter)));
                accepted = Minutes(reported, acceptedAfter);
                responseBreached = acceptedAfter > category.ResponseMinutes;
                var dispatched = Minutes(reported, dispatchedAfter);
                handled = Minutes(reported, handledAfter);
                resolutionBreached = handledAfter > category.ResolutionMinutes;
                var verified = Minutes(reported, verifiedAfter);
                closed = Minutes(reported, closedAfter);
                assignee = handler.Id;
                assigneeName = handler.DisplayName;
                resolution = Resolutions[rng.Next(Resolutions.Length)];
                var grab = category.Mode == "Grab";
                events.Add((reported, reporterActor.Id, reporterActor.Name, "Reported", null, "Reported", null));
                events.Add((accepted.Value, handler.Id, handler.DisplayName, "Accepted", "Reported", "Accepted", null));
                events.Add((dispatched, handler.Id, handler.DisplayName, grab ? "Grabbed" : "Dispatched", "Accepted", "Dispatched", grab ? null : handler.DisplayName));
                events.Add((handled.Value, handler.Id, handler.DisplayName, "Handled", "Dispatched", "Handled", resolution));
                if (reporterRoom is not null && rng.NextDouble() < 0.6)
                {
                    rating = rng.NextDouble() < 0.8 ? 5 : rng.Next(1, 5);
                    events.Add((verified, 0, reporterName, "Rated", "Handled", "Verified", $"{rating}★"));
                }
                else events.Add((verified, handler.Id, handler.DisplayName, "Verified", "Handled", "Verified", "回访确认已解决"));
                events.Add((closed.Value, handler.Id, handler.DisplayName, "Closed", "Verified", "Closed", null));
            }
            responseDue = Minutes(reported, category.ResponseMinutes);
            resolutionDue = Minutes(reported, category.ResolutionMinutes);
        }
        else if (overdueAtDistrict)
        {
            // Not accepted at the street in time: the timer escalated it to the district, which let its response deadline pass too.
            reported = now.AddMinutes(-(2 * category.ResponseMinutes + Between(60, 3 * 24 * 60)));
            var escalatedAt = Minutes(reported, category.ResponseMinutes);
            status = "Reported";
            level = "District";
            escalations = 1;
            round = 2;
            responseBreached = true;
            responseDue = Minutes(escalatedAt, category.ResponseMinutes);
            resolutionDue = Minutes(escalatedAt, category.ResolutionMinutes);
            overdueSince = responseDue;
            events.Add((reported, reporterActor.Id, reporterActor.Name, "Reported", null, "Reported", null));
            events.Add((escalatedAt, 0, "system", "ResponseOverdue", null, null, null));
            events.Add((escalatedAt, 0, "system", "Escalated", "Reported", "Reported", "District: not accepted in time"));
            events.Add((responseDue, 0, "system", "ResponseOverdue", null, null, null));
            if (resolutionDue > now) timers.Add(("Resolution", resolutionDue, round));
            else
            {
                resolutionBreached = true;
                events.Add((resolutionDue, 0, "system", "ResolutionOverdue", null, null, null));
            }
        }
        else if (category.ResponseMinutes >= 2 * 60 && rng.NextDouble() < 0.5)
        {
            // Reported, waiting to be accepted: both deadlines at least an hour ahead, so that no seeded timer falls due during
            // a benchmark run (the bench moves the open cases forward to the present before each run). Categories with a
            // shorter response time appear as accepted instead.
            status = "Reported";
            reported = now.AddMinutes(-Between(0, category.ResponseMinutes - 60));
            responseDue = Minutes(reported, category.ResponseMinutes);
            resolutionDue = Minutes(reported, category.ResolutionMinutes);
            reportPhotos = 1;
            events.Add((reported, reporterActor.Id, reporterActor.Name, "Reported", null, "Reported", null));
            var photo = Later(reported, 0.2);
            events.Add((photo, reporterActor.Id, reporterActor.Name, "PhotoAdded", null, null, null));
            events.Add((Later(photo, 0.5), reporterActor.Id, reporterActor.Name, "Commented", null, null, "麻烦尽快处理，谢谢"));
            timers.Add(("Response", responseDue, round));
            timers.Add(("Resolution", resolutionDue, round));
        }
        else
        {
            // Accepted and on its way: the resolution deadline is at least an hour ahead.
            var x = rng.NextDouble();
            status = x < 0.2 ? "Accepted" : x < 0.6 ? "Dispatched" : "InProgress";
            var span = category.ResolutionMinutes - category.ResponseMinutes;
            reported = now.AddMinutes(-(category.ResponseMinutes + Between(0, span - 60)));
            responseDue = Minutes(reported, category.ResponseMinutes);
            resolutionDue = Minutes(reported, category.ResolutionMinutes);
            accepted = Minutes(reported, category.ResponseMinutes * Between(0.1, 0.95));
            events.Add((reported, reporterActor.Id, reporterActor.Name, "Reported", null, "Reported", null));
            events.Add((accepted.Value, handler.Id, handler.DisplayName, "Accepted", "Reported", "Accepted", null));
            var last = accepted.Value;
            if (status != "Accepted")
            {
                var grab = category.Mode == "Grab";
                last = Later(last, Between(1, 30));
                assignee = handler.Id;
                assigneeName = handler.DisplayName;
                events.Add((last, handler.Id, handler.DisplayName, grab ? "Grabbed" : "Dispatched", "Accepted", "Dispatched", grab ? null : handler.DisplayName));
            }
            if (status == "InProgress")
            {
                last = Later(last, Between(5, 60));
                events.Add((last, handler.Id, handler.DisplayName, "Started", "Dispatched", "InProgress", null));
            }
            if (events.Count < 4 || rng.NextDouble() < 0.3)
                events.Add((Later(last, Between(1, 120)), handler.Id, handler.DisplayName, "Commented", null, null, "已联系报事人，预计今天处理"));
            timers.Add(("Resolution", resolutionDue, round));
        }

        if (batch is null) return reported;
        Set("Id", id);
        Set("CategoryId", category.Id);
        Set("Kind", kind);
        Set("Source", source);
        Set("Title", title);
        Set("Description", rng.NextDouble() < 0.4 ? $"{title}，已经有一段时间了，麻烦尽快安排人看看。" : null);
        Set("Status", status);
        Set("Finished", status is "Closed" or "Rejected");
        Set("Level", level);
        Set("Mode", category.Mode);
        Set("OrganizationId", level == "Property" ? community.PropertyCompanyId : null);
        Set("AssigneeUserId", assignee);
        Set("AssigneeName", assigneeName);
        Set("Address", address);
        Set("BuildingId", building.Id);
        Set("RoomId", category.InHome ? home.Id : null);
        Set("FacilityId", null);
        Set("Latitude", building.Latitude);
        Set("Longitude", building.Longitude);
        Set("Private", category.InHome);
        Set("ReporterUserId", patroller?.Id);
        Set("ReporterRoomId", reporterRoom);
        Set("ReporterName", reporterName);
        Set("ReporterPhoneMasked", null);
        Set("ReporterPhoneProtected", null);
        Set("ExternalClient", source == "Open311" ? "city-311" : null);
        Set("ReportedAt", reported);
        Set("UpdatedAt", events.Max(e => e.At));
        Set("AcceptedAt", accepted);
        Set("HandledAt", handled);
        Set("ClosedAt", closed);
        Set("ResponseDueAt", responseDue);
        Set("ResolutionDueAt", resolutionDue);
        Set("OverdueSince", overdueSince);
        Set("ResponseBreached", responseBreached);
        Set("ResolutionBreached", resolutionBreached);
        Set("SlaRound", round);
        Set("Resolution", resolution);
        Set("RejectReason", reject);
        Set("Rating", rating);
        Set("RatingComment", null);
        Set("LastRemindedAt", null);
        Set("RemindCount", 0);
        Set("EscalationCount", escalations);
        Set("ReopenCount", 0);
        Set("MeTooCount", 0);
        Set("ReportPhotos", reportPhotos);
        Set("HandlingPhotos", 0);
        Set("Version", events.Count - 1);
        Set("DistrictId", building.DistrictId);
        Set("StreetId", building.StreetId);
        Set("CommunityId", building.CommunityId);
        Set("GridId", building.GridId);
        batch.Cases.Add(row);
        foreach (var e in events)
            batch.Events.Add([++_eventId, id, e.At, e.Actor, e.Name, e.Kind, e.From, e.To, e.Note, building.DistrictId, building.StreetId, building.CommunityId, building.GridId]);
        foreach (var t in timers) batch.Timers.Add([++_timerId, id, t.Kind, t.Due, t.Round]);
        return reported;
    }

    /// <summary>
    /// A case just reported and not yet accepted, as the app writes it: status Reported at the category's level (the community
    /// when it has no property company), response and resolution deadlines from <paramref name="reported"/>.
    /// </summary>
    public static object?[] ReportedRow(long id, CaseWorld.Category category, CaseWorld.Community community, CaseWorld.Building building,
        CaseWorld.Room? room, string reporterName, int? reporterUserId, int? reporterRoomId, string title, DateTimeOffset reported)
    {
        ArgumentNullException.ThrowIfNull(category);
        ArgumentNullException.ThrowIfNull(community);
        ArgumentNullException.ThrowIfNull(building);
        var level = category.Level == "Property" && community.PropertyCompanyId is null ? "Community" : category.Level;
        var row = new object?[CaseBulk.Cases.Length];
        void Set(string column, object? value) => row[Column[column]] = value;
        Set("Id", id);
        Set("CategoryId", category.Id);
        Set("Kind", category.Kind);
        Set("Source", "Web");
        Set("Title", title);
        Set("Status", "Reported");
        Set("Finished", false);
        Set("Level", level);
        Set("Mode", category.Mode);
        Set("OrganizationId", level == "Property" ? community.PropertyCompanyId : null);
        Set("Address", room is not null ? $"{community.Name} {room.Label}" : $"{community.Name} {building.Name}");
        Set("BuildingId", building.Id);
        Set("RoomId", category.InHome ? room?.Id : null);
        Set("Latitude", building.Latitude);
        Set("Longitude", building.Longitude);
        Set("Private", category.InHome);
        Set("ReporterUserId", reporterUserId);
        Set("ReporterRoomId", reporterRoomId);
        Set("ReporterName", reporterName);
        Set("ReportedAt", reported);
        Set("UpdatedAt", reported);
        Set("ResponseDueAt", reported.AddMinutes(category.ResponseMinutes));
        Set("ResolutionDueAt", reported.AddMinutes(category.ResolutionMinutes));
        Set("ResponseBreached", false);
        Set("ResolutionBreached", false);
        Set("SlaRound", 1);
        foreach (var counter in new[] { "RemindCount", "EscalationCount", "ReopenCount", "MeTooCount", "ReportPhotos", "HandlingPhotos", "Version" }) Set(counter, 0);
        Set("DistrictId", building.DistrictId);
        Set("StreetId", building.StreetId);
        Set("CommunityId", building.CommunityId);
        Set("GridId", building.GridId);
        return row;
    }

    /// <summary>The value of a column of a case row.</summary>
    public static object? Get(object?[] row, string column) => row[Column[column]];

    /// <summary>A moment after <paramref name="t"/>, but never in the future: an open case's history has happened.</summary>
    DateTimeOffset Later(DateTimeOffset t, double minutes)
    {
        var x = Minutes(t, minutes);
        return x < now ? x : t.AddSeconds((now - t).TotalSeconds * rng.NextDouble());
    }
}

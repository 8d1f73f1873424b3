using Linli.Domain.Registry;

namespace Linli.Infrastructure.Seeding;

/// <summary>Where a demo problem is: in the reporter's home, at their building, at a tall building (lifts), or at a facility.</summary>
enum DemoWhere { Home, Building, TallBuilding, Facility }

/// <summary>One kind of problem residents report, with the place it belongs to, so a title never points at the wrong place.</summary>
sealed record DemoProblem(string Title, string? Description, DemoWhere Where, FacilityCategory? Facility = null);

/// <summary>What the demo cases say: titles, the handlers' feedback, reasons and comments, per default category code.</summary>
static class DemoCaseTexts
{
    /// <summary>How often each default category is reported, relative to each other.</summary>
    public static readonly IReadOnlyDictionary<string, int> Weights = new Dictionary<string, int>
    {
        ["plumbing"] = 15, ["door-lock"] = 7, ["lift"] = 6, ["lighting"] = 8, ["leak-public"] = 4, ["sanitation"] = 10,
        ["greenery"] = 4, ["parking"] = 9, ["fire-safety"] = 5, ["neighbour-dispute"] = 4, ["noise"] = 7,
        ["illegal-construction"] = 2, ["public-facility"] = 4, ["suggestion"] = 4, ["patrol"] = 8, ["device-alarm"] = 3,
    };

    static DemoProblem Home(string title, string? description = null) => new(title, description, DemoWhere.Home);
    static DemoProblem Building(string title, string? description = null) => new(title, description, DemoWhere.Building);
    static DemoProblem Tall(string title, string? description = null) => new(title, description, DemoWhere.TallBuilding);
    static DemoProblem At(FacilityCategory facility, string title, string? description = null) => new(title, description, DemoWhere.Facility, facility);

    public static readonly IReadOnlyDictionary<string, DemoProblem[]> Problems = new Dictionary<string, DemoProblem[]>
    {
        ["plumbing"] =
        [
            Home("厨房水管漏水", "水槽下面一直滴水，地板已经湿了"), Home("卫生间下水道堵塞", "洗澡水下不去，用了疏通剂也没用"),
            Home("家里跳闸没电", "空调一开就跳闸，合不上"), Home("马桶水箱一直流水"), Home("阳台地漏返臭味"),
            Home("插座冒火花", "厨房插座插电饭煲时冒火花，不敢再用"), Home("水龙头关不紧，一直滴水"), Home("热水器进水阀漏水"),
        ],
        ["door-lock"] =
        [
            Building("单元门禁刷卡没反应", "刷卡和刷脸都开不了门"), Building("单元门闭门器坏了，门关不上"), Building("楼道窗户玻璃破了"),
            Building("单元门对讲机没有声音"), At(FacilityCategory.Gate, "小区大门道闸抬不起来"), At(FacilityCategory.ParkingLot, "停车场出口道闸故障"),
        ],
        ["lift"] =
        [
            Tall("电梯运行时有异响", "上下行时咯噔响，老人不敢坐"), Tall("电梯按钮失灵", "按 8 楼没反应"), Tall("电梯门关不严"),
            Tall("电梯显示屏不亮"), Tall("电梯经常停在两层之间", "今天早上停了两次，过一会儿自己又好了"),
        ],
        ["lighting"] =
        [
            Building("楼道灯不亮", "三楼到五楼的声控灯都不亮了，晚上上楼很黑"), Building("单元门口的灯一直闪"),
            At(FacilityCategory.GreenSpace, "中心花园景观灯不亮"), At(FacilityCategory.ParkingLot, "停车场照明不足，晚上看不清"),
            At(FacilityCategory.Playground, "儿童游乐场旁边的路灯坏了"),
        ],
        ["leak-public"] =
        [
            Building("楼顶水箱漏水", "顶楼天花板渗水发黄"), Building("楼道消防管道渗水"), Building("外墙落水管破裂，下雨时水直接冲到一楼"),
            At(FacilityCategory.PumpRoom, "泵房管道漏水，地面积水"), Building("地下室管道爆裂"),
        ],
        ["sanitation"] =
        [
            At(FacilityCategory.GarbageStation, "垃圾桶满了没人清理"), At(FacilityCategory.GarbageStation, "垃圾分类投放点异味很大"),
            Building("楼道里堆放杂物", "楼梯口堆了旧家具，进出不方便"), Building("单元门口有宠物粪便没人清理"),
            At(FacilityCategory.GreenSpace, "花园里有建筑垃圾"),
        ],
        ["greenery"] =
        [
            Building("树枝挡住窗户需要修剪", "二楼窗户被树枝挡住，屋里很暗"), At(FacilityCategory.GreenSpace, "草坪枯黄需要补种"),
            At(FacilityCategory.GreenSpace, "大风后有树倒在路边"), Building("楼下树上有马蜂窝", "孩子们经常在下面玩，很危险"),
            At(FacilityCategory.GreenSpace, "绿化带被踩出一条路"),
        ],
        ["parking"] =
        [
            Building("电动车乱停挡住单元门"), At(FacilityCategory.ParkingLot, "车位被别人长期占用"),
            At(FacilityCategory.Gate, "消防通道被车辆占用"), At(FacilityCategory.ParkingLot, "僵尸车长期占用车位"),
            At(FacilityCategory.ParkingLot, "外来车辆随意停放"),
        ],
        ["fire-safety"] =
        [
            Building("电动车在楼道里充电", "每天晚上拉电线到楼道充电，很危险"), Building("楼道消防栓箱门坏了"),
            Building("安全出口指示灯不亮"), Building("楼道堆放纸箱等易燃物"), Building("楼层灭火器过期了"),
        ],
        ["neighbour-dispute"] =
        [
            Building("楼上漏水到我家，协商不成", "楼上卫生间漏水到我家天花板，找了几次都不处理"), Building("邻居长期占用公共走廊"),
            Building("邻居养的狗整夜叫"), Building("装修损坏了公共楼道，双方有争议"),
        ],
        ["noise"] =
        [
            Building("楼上深夜有噪音", "每天晚上十二点以后还在拖椅子"), Building("装修超时施工", "周末早上七点就开始电钻"),
            At(FacilityCategory.ActivityCenter, "广场舞音乐太吵"), Building("空调外机噪音很大"), At(FacilityCategory.Gate, "门口商铺音响扰民"),
        ],
        ["illegal-construction"] =
        [
            Building("一楼住户私自搭建阳光房"), Building("顶楼加建彩钢棚"), At(FacilityCategory.GreenSpace, "有人占用绿地搭棚子"),
            Building("一楼住户私自开挖地下室"),
        ],
        ["public-facility"] =
        [
            At(FacilityCategory.Gate, "小区门口路面塌陷"), At(FacilityCategory.Gate, "门口井盖松动，车压过去响"),
            At(FacilityCategory.Gate, "小区外人行道地砖破损"), At(FacilityCategory.Gate, "门口路灯杆歪了"),
        ],
        ["suggestion"] =
        [
            At(FacilityCategory.ParkingLot, "建议增加电动车充电桩"), At(FacilityCategory.GreenSpace, "建议在中心花园增设座椅"),
            At(FacilityCategory.ActivityCenter, "建议延长活动中心开放时间"), Building("建议楼道加装扶手，方便老人上下楼"),
            At(FacilityCategory.Gate, "建议在门口增设快递柜"),
        ],
        ["patrol"] =
        [
            Building("巡查发现楼道堆放杂物"), Building("巡查发现外墙瓷砖脱落"), Building("巡查发现消防通道堵塞"),
            Building("巡查发现空置房屋窗户破损"), Building("巡查发现楼道有小广告"),
        ],
        ["device-alarm"] =
        [
            At(FacilityCategory.PumpRoom, "二次供水泵房水位低告警"), At(FacilityCategory.PumpRoom, "泵房水泵故障告警"),
            Tall("电梯困人报警", "轿厢紧急按钮触发，维保已到场"), Tall("楼道烟感报警器告警"),
        ],
    };

    public static readonly IReadOnlyDictionary<string, string[]> Feedback = new Dictionary<string, string[]>
    {
        ["plumbing"] = ["已上门更换角阀，试水正常", "已疏通下水管道", "已更换空气开关，线路检测正常", "已更换水箱配件，不再漏水", "已更换水龙头阀芯"],
        ["door-lock"] = ["已更换读卡模块，测试正常", "已更换闭门器", "已更换破损玻璃", "已维修对讲主机", "已调试道闸，恢复正常"],
        ["lift"] = ["维保单位已到场检修，更换门机皮带", "已更换按钮面板", "已调整门刀间隙，运行正常", "已更换显示板", "已全面检测，更换平层感应器"],
        ["lighting"] = ["已更换声控灯", "已更换灯具和感应器", "已维修线路，灯已亮", "已增加照明灯具"],
        ["leak-public"] = ["已更换破损管段", "已做防水处理，观察无渗漏", "已更换落水管", "已关阀抢修，恢复供水"],
        ["sanitation"] = ["已安排保洁清运", "已清理并通知业主不再堆放", "已对投放点清洗消毒", "已清理干净"],
        ["greenery"] = ["已修剪树枝", "已补种草皮", "已清理倒伏树木", "已请专业人员摘除马蜂窝"],
        ["parking"] = ["已联系车主挪车", "已张贴告知单并联系车主", "已协调拖移僵尸车", "已加强门岗登记管理"],
        ["fire-safety"] = ["已劝导住户停止楼道充电，并告知充电点位置", "已维修消防栓箱门", "已更换指示灯", "已清理易燃杂物", "已更换灭火器"],
        ["neighbour-dispute"] = ["已组织双方调解，达成一致", "已上门沟通，邻居同意整改", "已协调物业共同处理，双方认可"],
        ["noise"] = ["已上门沟通，对方表示注意", "已约定广场舞音量和时间", "已告知装修施工时间规定", "已联系商铺降低音量"],
        ["illegal-construction"] = ["已下发整改通知，当事人已自行拆除", "已联合执法拆除违建", "已责令停止施工并恢复原状"],
        ["public-facility"] = ["已通知市政部门修复", "已更换井盖", "已修补路面", "已扶正加固灯杆"],
        ["suggestion"] = ["已采纳，纳入本季度实施计划", "感谢建议，已提交业委会讨论", "已落实"],
        ["patrol"] = ["已清理完毕", "已通知物业处理", "已设置警示并安排维修", "已通知产权人整改"],
        ["device-alarm"] = ["已到场复位，设备运行正常", "已更换故障水泵", "维保已解救被困人员并检修", "误报，已清洁烟感探头"],
    };

    public static readonly string[] RejectReasons =
    [
        "经核实属于业主户内自行装修问题，不属于服务范围，已电话告知",
        "重复上报，已并入同一工单处理",
        "现场核实未发现该问题，已电话与报告人确认",
        "属于供电公司维护范围，已告知报修电话 95598",
    ];

    public static readonly string[] TransferReasons = ["涉及多户协调，需社区居委会出面", "需要社区协调相关住户处理"];

    public static readonly string[] ReopenReasons = ["修好后又开始漏了", "问题没有彻底解决", "过了两天又坏了"];

    public static readonly string[] Reminders = ["怎么还没人来处理？", "麻烦尽快安排一下", "已经等了很久了"];

    public static readonly string[] Comments = ["已联系报告人，约定明天上午上门", "配件已下单，预计两天到货", "已通知维保单位", "已到现场查看，需要进一步处理"];

    public static readonly string[] FollowUps = ["电话回访，报告人表示已经解决", "上门回访，问题已解决", "电话回访，对处理结果认可"];

    public static readonly string?[] PraiseComments = ["师傅很专业，速度快", "处理及时，非常满意", "态度很好", null, null, "谢谢！"];

    public static readonly string?[] MildComments = ["处理得不错", null, "还可以", null];

    public static readonly string?[] ComplaintComments = ["等的时间有点长", "解决了，但是沟通不够", "拖了很久才处理", "反复报修才解决"];
}

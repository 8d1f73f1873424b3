using Linli.Domain.Cases;
using Linli.Application.Common;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Cases;

/// <summary>
/// The categories every installation starts with, in Chinese and English, added on start-up when missing (by code, so an
/// edited category is left as the operators set it; migration 0014 gave the English words to those added before). SLA
/// times follow common property-service commitments: urgent faults within the hour.
/// </summary>
public static class CaseCategoryDefaults
{
    public static IReadOnlyList<CaseCategory> All() => [.. Chinese().Select(c =>
    {
        var (name, group, description) = English[c.Code];
        c.Translate(name, group, description);
        return c;
    })];

    static IReadOnlyList<CaseCategory> Chinese() =>
    [
        new("plumbing", "室内水电维修", "报修", CaseKind.Repair, HandlingLevel.Property, DispatchMode.Grab, 30, 24 * 60, inHome: true, "漏水、堵塞、跳闸等户内问题"),
        new("door-lock", "门窗门禁故障", "报修", CaseKind.Repair, HandlingLevel.Property, DispatchMode.Grab, 60, 24 * 60),
        new("lift", "电梯故障", "报修", CaseKind.Repair, HandlingLevel.Property, DispatchMode.Assign, 15, 4 * 60, description: "困人请直接拨打电梯内紧急电话"),
        new("lighting", "公共照明", "报修", CaseKind.Repair, HandlingLevel.Property, DispatchMode.Grab, 4 * 60, 48 * 60),
        new("leak-public", "公共管道漏水", "报修", CaseKind.Repair, HandlingLevel.Property, DispatchMode.Assign, 30, 12 * 60),
        new("sanitation", "环境卫生", "环境", CaseKind.Complaint, HandlingLevel.Property, DispatchMode.Grab, 2 * 60, 24 * 60),
        new("greenery", "绿化养护", "环境", CaseKind.Repair, HandlingLevel.Property, DispatchMode.Grab, 24 * 60, 7 * 24 * 60),
        new("parking", "车辆乱停", "秩序", CaseKind.Complaint, HandlingLevel.Property, DispatchMode.Grab, 60, 8 * 60),
        new("fire-safety", "消防安全隐患", "安全", CaseKind.Complaint, HandlingLevel.Community, DispatchMode.Assign, 30, 24 * 60, description: "堵塞消防通道、电动车楼道充电等"),
        new("neighbour-dispute", "邻里纠纷", "矛盾调解", CaseKind.Complaint, HandlingLevel.Community, DispatchMode.Assign, 4 * 60, 7 * 24 * 60),
        new("noise", "噪音扰民", "矛盾调解", CaseKind.Complaint, HandlingLevel.Community, DispatchMode.Assign, 2 * 60, 3 * 24 * 60),
        new("illegal-construction", "违章搭建", "城市管理", CaseKind.Complaint, HandlingLevel.Street, DispatchMode.Assign, 24 * 60, 15 * 24 * 60),
        new("public-facility", "市政设施损坏", "城市管理", CaseKind.Repair, HandlingLevel.Street, DispatchMode.Assign, 8 * 60, 7 * 24 * 60, description: "小区外道路、路灯、井盖等"),
        new("suggestion", "意见建议", "建议", CaseKind.Suggestion, HandlingLevel.Community, DispatchMode.Assign, 24 * 60, 15 * 24 * 60),
        new("patrol", "网格巡查发现", "网格事件", CaseKind.Patrol, HandlingLevel.Community, DispatchMode.Assign, 2 * 60, 3 * 24 * 60),
        new("device-alarm", "设备告警", "设备", CaseKind.Device, HandlingLevel.Property, DispatchMode.Assign, 15, 4 * 60),
    ];

    /// <summary>Their English words, by code (migration 0014 writes the same into installations that had the categories already).</summary>
    static readonly Dictionary<string, (string Name, string Group, string? Description)> English = new()
    {
        ["plumbing"] = ("Water and power at home", "Repairs", "Leaks, blockages, tripped switches and other problems inside the home"),
        ["door-lock"] = ("Doors, windows and entry system", "Repairs", null),
        ["lift"] = ("Lift fault", "Repairs", "If someone is trapped, call on the emergency phone inside the lift"),
        ["lighting"] = ("Public lighting", "Repairs", null),
        ["leak-public"] = ("Leaking shared pipes", "Repairs", null),
        ["sanitation"] = ("Cleanliness", "Environment", null),
        ["greenery"] = ("Trees and green spaces", "Environment", null),
        ["parking"] = ("Badly parked vehicles", "Public order", null),
        ["fire-safety"] = ("Fire hazard", "Safety", "Blocked fire exits, e-bikes charged in the stairwell and the like"),
        ["neighbour-dispute"] = ("Dispute between neighbours", "Mediation", null),
        ["noise"] = ("Noise nuisance", "Mediation", null),
        ["illegal-construction"] = ("Unauthorised building work", "City management", null),
        ["public-facility"] = ("Damaged public facilities", "City management", "Roads, street lights, manhole covers and the like outside the estate"),
        ["suggestion"] = ("Comments and suggestions", "Suggestions", null),
        ["patrol"] = ("Grid patrol finding", "Grid events", null),
        ["device-alarm"] = ("Device alarm", "Devices", null),
    };

    public static async Task EnsureAsync(ILinliDb db, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var existing = await db.CaseCategories.Select(c => c.Code).ToListAsync(ct);
        var missing = All().Where(c => !existing.Contains(c.Code)).ToList();
        if (missing.Count == 0) return;
        db.CaseCategories.AddRange(missing);
        await db.SaveChangesAsync(ct);
    }
}

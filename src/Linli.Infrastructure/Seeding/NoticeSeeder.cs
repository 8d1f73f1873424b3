using Linli.Domain.Identity;
using Linli.Domain.Notices;
using Linli.Domain.Registry;
using Linli.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Linli.Infrastructure.Seeding;

/// <summary>
/// The demo district's notice board: what residents find on it the first time they look. The district and the street
/// publish one notice each (every office with a demo account), every community office three (one of them pinned); all are current, none urgent, so the home
/// page's urgent box is left to what someone publishes during the demo. Each is published by the demo account of the
/// office it comes from, at seeding time, and expires on a date that suits what it says.
/// </summary>
public sealed class NoticeSeeder(LinliDbContext db, TimeProvider time, ILogger<NoticeSeeder> logger)
{
    public async Task<int> SeedAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var nodes = await db.Nodes.AsNoTracking().ToDictionaryAsync(n => n.Id, ct);
        var publishers = await db.Users.AsNoTracking()
            .Where(u => u.Role == Role.DistrictOfficer || u.Role == Role.StreetOfficer || u.Role == Role.CommunityAdmin)
            .OrderBy(u => u.Id).ToListAsync(ct);
        var notices = new List<Notice>();
        foreach (var user in publishers.DistinctBy(u => u.NodeId))
        {
            if (!nodes.TryGetValue(user.NodeId, out var node)) continue;
            foreach (var (title, body, days, pinned) in Texts(node))
                notices.Add(new Notice(node, user.Id, user.DisplayName, new NoticeDraft(title, body, null, days is { } d ? now.AddDays(d) : null, pinned), now));
        }
        db.Notices.AddRange(notices);
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        logger.LogInformation("Seeded {Count} demo notices", notices.Count);
        return notices.Count;
    }

    /// <summary>Title, Markdown body, days until it expires (none: until withdrawn), pinned.</summary>
    static IEnumerable<(string Title, string Body, int? Days, bool Pinned)> Texts(HierarchyNode node) => node.Kind switch
    {
        NodeKind.District =>
        [
            ("汛期安全提示", $"""
                {node.Name}已进入汛期。请各位居民：

                - 暴雨天气尽量减少外出，远离河道、地下通道和低洼路段；
                - 检查阳台、窗台上的花盆和杂物，防止坠落；
                - 地下车库进水时请及时挪车，不要涉水。

                遇险情请拨打 **119** 或联系所在社区。
                """, 30, false),
        ],
        NodeKind.Street =>
        [
            ("65 岁以上老人免费健康体检", $"""
                {node.Name}社区卫生服务中心为辖区 65 岁以上常住老人提供 **免费健康体检**（血常规、心电图、B 超等）。

                请携带身份证和医保卡，工作日上午 7:30–10:00 空腹前往。行动不便的老人可联系社区预约上门服务。
                """, 45, false),
        ],
        NodeKind.Community =>
        [
            ("社区便民服务电话", $"""
                {node.Name}居委会办公时间：工作日 8:30–17:30，周六上午 9:00–12:00。

                - 物业服务中心：报修、停车、保洁
                - 居委会：证明开具、老年人优待、困难帮扶
                - 夜间紧急情况：请按 **SOS 呼叫求助**，或拨打 110 / 120
                """, null, true),
            ("二次供水水箱清洗，周六停水", """
                为保证饮用水卫生，物业将于 **本周六 9:00–15:00** 清洗二次供水水箱，届时高区住户停水。

                请提前储水，恢复供水后先放水一两分钟再使用。给您带来不便，敬请谅解。
                """, 7, false),
            ("垃圾分类定时定点投放", """
                即日起，小区生活垃圾实行定时定点投放：每天 **7:00–9:00、18:00–20:00**，投放点有志愿者值守。

                厨余垃圾请破袋投放，大件垃圾和装修垃圾请先联系物业预约清运。
                """, 60, false),
        ],
        _ => [],
    };
}

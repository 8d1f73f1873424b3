using Linli.Domain.Cases;
using Linli.Domain.Common;

namespace Linli.Domain.Tests;

/// <summary>
/// A case in a small community, the people around it and a fixed "now", for the workflow and SLA tests. Every helper that
/// moves a case forward goes through the public workflow methods, so a test starts from a state the real loop can reach.
/// </summary>
static class CaseTestKit
{
    /// <summary>A Monday morning in Shanghai (UTC+8), so nothing lands on a day boundary by accident.</summary>
    public static readonly DateTimeOffset T0 = new(2026, 3, 2, 1, 0, 0, TimeSpan.Zero);

    public const int ResponseMinutes = 30;
    public const int ResolutionMinutes = 240;

    public static readonly CaseActor Reporter = new(501, "王芳", CaseRelation.Reporter);
    public static readonly CaseActor Follower = new(502, "李强", CaseRelation.Follower);
    public static readonly CaseActor Neighbour = new(503, "孙丽", CaseRelation.Neighbour);
    public static readonly CaseActor Handler = new(601, "物业 · 赵敏", CaseRelation.Team);
    public static readonly CaseActor Colleague = new(602, "物业 · 钱师傅", CaseRelation.Team);
    public static readonly CaseActor Supervisor = new(701, "社区 · 李红梅", CaseRelation.Supervisor);
    public static readonly CaseActor Onlooker = new(901, "路人", CaseRelation.Onlooker);

    public static CaseCategory Category(DispatchMode mode = DispatchMode.Assign, HandlingLevel level = HandlingLevel.Property, bool inHome = false) =>
        Places.WithId(new CaseCategory("lighting", "公共照明", "报修", CaseKind.Repair, level, mode, ResponseMinutes, ResolutionMinutes, inHome), 7);

    public static readonly CasePlace Place = new(1, 2, 3, 4, "桂花苑 3号楼", BuildingId: 10, RoomId: 100);

    public static Case Report(CaseCategory? category = null, HandlingLevel? level = null, DateTimeOffset? at = null, string title = "楼道灯不亮")
    {
        category ??= Category();
        var c = Case.Report(category, CaseKind.Repair, CaseSource.Web, title, "三楼楼道", Place, new CaseReporter(Reporter.UserId, 100, Reporter.Name),
            level ?? category.Level, level is null or HandlingLevel.Property ? 42 : null, at ?? T0);
        typeof(Case).GetProperty(nameof(Case.Id))!.SetValue(c, 1000L);
        return c;
    }

    /// <summary>A case brought to <paramref name="status"/> through the workflow, each step a minute after the last.</summary>
    public static Case At(CaseStatus status, CaseCategory? category = null)
    {
        var c = Report(category);
        var t = T0;
        DateTimeOffset Next() => t = t.AddMinutes(1);
        if (status == CaseStatus.Reported) return c;
        if (status == CaseStatus.Rejected)
        {
            c.Reject(Handler, "不属于物业范围", Next());
            return c;
        }
        c.Accept(Handler, Next());
        if (status == CaseStatus.Accepted) return c;
        c.Dispatch(Handler, Handler.UserId, Handler.Name, Next());
        if (status == CaseStatus.Dispatched) return c;
        c.Start(Handler, Next());
        if (status == CaseStatus.InProgress) return c;
        c.Handle(Handler, "换了灯泡", Next());
        if (status == CaseStatus.Handled) return c;
        c.Verify(Reporter, Next());
        if (status == CaseStatus.Verified) return c;
        c.Close(Handler, Next());
        return c;
    }

    /// <summary>When the last step of <see cref="At"/> happened; actions are tried a minute later.</summary>
    public static DateTimeOffset After(Case c) => c.UpdatedAt.AddMinutes(1);

    /// <summary>Carries out <paramref name="action"/> with ordinary input, the way the API would.</summary>
    public static void Do(Case c, CaseAction action, CaseActor actor, DateTimeOffset now, CaseCategory? category = null)
    {
        category ??= Category(c.Mode);
        switch (action)
        {
            case CaseAction.Accept: c.Accept(actor, now); break;
            case CaseAction.Reject: c.Reject(actor, "重复报修", now); break;
            case CaseAction.Dispatch: c.Dispatch(actor, Colleague.UserId, Colleague.Name, now); break;
            case CaseAction.Grab: c.Grab(actor, now); break;
            case CaseAction.Start: c.Start(actor, now); break;
            case CaseAction.Handle: c.Handle(actor, "已处理", now); break;
            case CaseAction.Verify: c.Verify(actor, now); break;
            case CaseAction.Close: c.Close(actor, now); break;
            case CaseAction.Rate: c.Rate(actor, 4, null, now); break;
            case CaseAction.Reopen: c.Reopen(actor, "灯又灭了", category, now); break;
            case CaseAction.Transfer: c.Transfer(actor, c.Level == HandlingLevel.Street ? HandlingLevel.Community : HandlingLevel.Street, null, "属于街道", category, now); break;
            case CaseAction.Escalate: c.Escalate(actor, "处理不了", category, now); break;
            case CaseAction.Remind: c.Remind(actor, now); break;
            case CaseAction.MeToo: c.JoinAsNeighbour(actor, 200, now); break;
            case CaseAction.Comment: c.Comment(actor, "几点来？", now); break;
            case CaseAction.FollowUp: c.FollowUp(actor, "电话回访，满意", now); break;
            case CaseAction.AddPhoto: c.AddPhoto(actor, now); break;
            default: throw new ArgumentOutOfRangeException(nameof(action));
        }
    }

    /// <summary>Everything a person notices of a case, to check that a refused action left it exactly as it was.</summary>
    public static string Snapshot(Case c) => string.Join(", ", new object?[]
    {
        c.Status, c.Level, c.AssigneeUserId, c.AssigneeName, c.Events.Count, c.Timers.Count, c.SlaRound, c.Version, c.Finished,
        c.AcceptedAt, c.HandledAt, c.ClosedAt, c.Resolution, c.RejectReason, c.Rating, c.RatingComment, c.LastRemindedAt, c.RemindCount,
        c.MeTooCount, c.EscalationCount, c.ReopenCount, c.ReportPhotos, c.HandlingPhotos, c.OverdueSince, c.ResponseBreached, c.ResolutionBreached,
    }.Select(v => v?.ToString() ?? "-"));

    public static CaseActionNotAllowedException NotAllowed(Action action) => Assert.Throws<CaseActionNotAllowedException>(action);

    public static DomainException Refused(Action action) => Assert.ThrowsAny<DomainException>(action);

    public static CaseTimer Due(Case c, SlaKind kind, int? round = null) =>
        c.Timers.Last(t => t.Kind == kind && (round is null || t.Round == round));

    /// <summary>The stored form of a timer, as the timer service reads it back after claiming it.</summary>
    public static CaseTimer Stored(Case c, CaseTimer t) => new(1, c.Id, t.Kind, t.DueAt, t.Round);
}

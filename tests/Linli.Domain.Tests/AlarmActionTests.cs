using Linli.Domain.Alarms;
using Linli.Domain.Common;
using Linli.Domain.Identity;
using static Linli.Domain.Tests.MonitoringTestKit;

namespace Linli.Domain.Tests;

/// <summary>What the people on duty may do to an alarm, and who of them may take it.</summary>
public sealed class AlarmActionTests
{
    static readonly AlarmActor Worker = new(301, "网格员 · 陈静");
    static readonly AlarmSubject AtHome = new(1, 2, 3, 4, DeviceId: 77, ResidentId: 501, RoomId: 100, BuildingId: 10, FacilityId: null,
        PlanX: 50, PlanY: 25, PlaceLabel: "3号楼2单元302");

    static Alarm Raise() => Alarm.Raise(AlarmKind.Sos, AlarmSeverity.Critical, "紧急呼叫", null, ruleId: 5, AtHome, 60, T0);

    [Fact]
    public void A_new_alarm_asks_first_to_be_acknowledged()
    {
        Assert.Equal([AlarmAction.Acknowledge, AlarmAction.Assign, AlarmAction.Clear, AlarmAction.Close, AlarmAction.Comment], Raise().AllowedActions());
    }

    [Fact]
    public void An_acknowledged_alarm_is_not_acknowledged_again()
    {
        var a = Raise();
        a.Acknowledge(Worker, null, T0);
        Assert.Equal([AlarmAction.Assign, AlarmAction.Clear, AlarmAction.Close, AlarmAction.Comment], a.AllowedActions());
        Assert.Throws<ConflictException>(() => a.Acknowledge(Worker, null, T0));
    }

    [Fact]
    public void A_cleared_alarm_nobody_acknowledged_can_still_be_acknowledged_but_not_cleared_again()
    {
        var a = Raise();
        a.Clear(AlarmActor.Platform, null, T0);
        Assert.Equal([AlarmAction.Acknowledge, AlarmAction.Assign, AlarmAction.Close, AlarmAction.Comment], a.AllowedActions());
        Assert.Throws<ConflictException>(() => a.Clear(Worker, null, T0));
    }

    [Fact]
    public void A_closed_alarm_takes_only_comments()
    {
        var a = Raise();
        a.Close(Worker, null, T0);
        Assert.Equal([AlarmAction.Comment], a.AllowedActions());
        Assert.Throws<ConflictException>(() => a.Assign(Worker, 301, "陈静", T0));
        Assert.Throws<ConflictException>(() => a.Close(Worker, null, T0));
        a.Comment(Worker, "回访过了", T0);
    }

    [Fact]
    public void A_view_of_an_alarm_is_offered_what_the_alarm_allows()
    {
        var a = Raise();
        foreach (var step in new Action[] { () => { }, () => a.Acknowledge(Worker, null, T0), () => a.Clear(Worker, null, T0), () => a.Close(Worker, null, T0) })
        {
            step();
            Assert.Equal(a.AllowedActions(), Alarm.ActionsAllowedIn(a.Status, a.AcknowledgedAt is not null));
        }
    }

    [Fact]
    public void A_grid_worker_takes_only_the_alarms_of_their_own_grid()
    {
        var a = Raise();
        Assert.True(a.MayBeTakenBy(Role.GridWorker, 4));
        Assert.False(a.MayBeTakenBy(Role.GridWorker, 40));
    }

    [Fact]
    public void Property_staff_and_community_admins_take_any_alarm_of_their_community()
    {
        var a = Raise();
        Assert.True(a.MayBeTakenBy(Role.PropertyStaff, 3));
        Assert.True(a.MayBeTakenBy(Role.CommunityAdmin, 3));
    }
}

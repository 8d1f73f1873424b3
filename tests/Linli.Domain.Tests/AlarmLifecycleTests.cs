using Linli.Domain.Alarms;
using Linli.Domain.Common;
using static Linli.Domain.Tests.MonitoringTestKit;

namespace Linli.Domain.Tests;

/// <summary>
/// An alarm from the moment it is raised until someone closes it: until somebody acknowledges, each level of the chain is
/// called in turn every AckWithinSeconds and then everyone is reminded; acknowledging or closing stops the calling.
/// </summary>
public sealed class AlarmLifecycleTests
{
    const int Ack = 60;
    static readonly AlarmActor GridWorker = new(301, "网格员 · 陈静");
    static readonly AlarmActor Admin = new(201, "社区 · 李红梅");

    static readonly AlarmSubject AtHome = new(1, 2, 3, 4, DeviceId: 77, ResidentId: 501, RoomId: 100, BuildingId: 10, FacilityId: null,
        PlanX: 50, PlanY: 25, PlaceLabel: "3号楼2单元302");
    static readonly AlarmSubject RoomOnly = AtHome with { ResidentId = null };
    static readonly AlarmSubject AtFacility = new(1, 2, 3, 4, DeviceId: 88, ResidentId: null, RoomId: null, BuildingId: null, FacilityId: 12,
        PlanX: 500, PlanY: 500, PlaceLabel: "地下车库");

    static Alarm RaiseAt(AlarmSubject? subject = null, DateTimeOffset? at = null) =>
        Alarm.Raise(AlarmKind.Sos, AlarmSeverity.Critical, "紧急呼叫", "老人按下紧急按钮", ruleId: 5, subject ?? AtHome, Ack, at ?? T0);

    /// <summary>A lesser alarm about a home: the family is called first, alone.</summary>
    static Alarm LeakAtHome() => Alarm.Raise(AlarmKind.WaterLeak, AlarmSeverity.Major, "漏水", null, ruleId: 6, AtHome, Ack, T0);

    /// <summary>Fires the alarm's newest timer at its due time, the way the alarm worker does.</summary>
    static bool FireLatest(Alarm a) => a.EscalationDue(a.Timers[^1], a.Timers[^1].DueAt);

    [Fact]
    public void Raising_opens_an_active_alarm_with_a_timer_at_the_acknowledge_deadline()
    {
        var a = RaiseAt();

        Assert.Equal((AlarmStatus.Active, true, 1, T0, T0), (a.Status, a.Open, a.RepeatCount, a.RaisedAt, a.LastRaisedAt));
        Assert.True(a.NeedsAcknowledgement);
        var timer = Assert.Single(a.Timers);
        Assert.Equal((T0.AddSeconds(Ack), a.Round), (timer.DueAt, timer.Round));
        Assert.Equal((1, 2, 3, 4), (a.DistrictId, a.StreetId, a.CommunityId, a.GridId));
        var raised = Assert.Single(a.Events);
        Assert.Equal((AlarmEventKind.Raised, T0, AlarmActor.Platform.Name), (raised.Kind, raised.At, raised.ActorName));
    }

    [Fact]
    public void A_critical_alarm_about_a_resident_calls_the_family_and_the_staff_on_duty_at_once()
    {
        var a = RaiseAt(AtHome);
        Assert.Equal(EscalationLevel.PropertyDutyRoom, a.Level);
        Assert.Equal([EscalationLevel.FamilyContact, EscalationLevel.GridWorker, EscalationLevel.PropertyDutyRoom], a.CalledLevels());
    }

    [Fact]
    public void A_critical_alarm_about_a_home_calls_the_family_and_the_staff_on_duty_at_once()
    {
        var a = RaiseAt(RoomOnly);
        Assert.True(a.ConcernsAPerson);
        Assert.Equal([EscalationLevel.FamilyContact, EscalationLevel.GridWorker, EscalationLevel.PropertyDutyRoom], a.CalledLevels());
    }

    [Fact]
    public void A_lesser_alarm_about_a_home_calls_the_family_first()
    {
        var a = LeakAtHome();
        Assert.Equal([EscalationLevel.FamilyContact], a.CalledLevels());
        Assert.True(FireLatest(a));
        Assert.Equal([EscalationLevel.FamilyContact, EscalationLevel.GridWorker], a.CalledLevels());
    }

    [Fact]
    public void With_nobody_to_call_the_next_level_is_called_at_once_on_a_fresh_clock()
    {
        var a = LeakAtHome();
        var timers = a.Timers.Count;

        Assert.True(a.NobodyToCall(Min(0.01)));

        Assert.Equal(EscalationLevel.GridWorker, a.Level);
        Assert.Equal((AlarmEventKind.Escalated, "GridWorker"), (a.Events[^1].Kind, a.Events[^1].Note));
        Assert.Equal(timers + 1, a.Timers.Count);
        Assert.Equal(Min(0.01).AddSeconds(Ack), a.Timers[^1].DueAt);
        // The first clock's timer is from an older round now: it calls nobody.
        Assert.False(a.EscalationDue(a.Timers[0], a.Timers[0].DueAt));
        Assert.True(a.NobodyToCall(Min(0.02)));
        Assert.True(a.NobodyToCall(Min(0.03)));
        Assert.Equal(EscalationLevel.CommunityAdmin, a.Level);
        Assert.False(a.NobodyToCall(Min(0.04)));
    }

    [Fact]
    public void Once_acknowledged_nobody_is_called_on_for_lack_of_people()
    {
        var a = LeakAtHome();
        a.Acknowledge(GridWorker, null, Min(0.5));
        Assert.False(a.NobodyToCall(Min(0.6)));
        Assert.Equal(EscalationLevel.FamilyContact, a.Level);
    }

    [Fact]
    public void A_welfare_check_calls_the_grid_worker_first_even_though_it_concerns_a_person()
    {
        var a = Alarm.Raise(AlarmKind.Welfare, AlarmSeverity.Warning, "独居老人无活动", null, null, AtHome, Ack, T0);
        Assert.Equal(EscalationLevel.GridWorker, a.Level);
        Assert.Equal([EscalationLevel.GridWorker], a.CalledLevels());
    }

    [Fact]
    public void Noting_who_was_told_does_not_count_as_a_change_that_would_conflict_with_an_acknowledgement()
    {
        var a = RaiseAt();
        var version = a.Version;
        a.Notified("王芳 (家属)", "sms", Min(0.1));
        Assert.Equal(version, a.Version);
        Assert.Equal(AlarmEventKind.Notified, a.Events[^1].Kind);
    }

    [Fact]
    public void Calls_the_grid_worker_first_for_a_shared_place()
    {
        var a = RaiseAt(AtFacility);
        Assert.False(a.ConcernsAPerson);
        Assert.Equal(EscalationLevel.GridWorker, a.Level);
    }

    [Fact]
    public void Refuses_an_alarm_without_a_title_or_with_an_impossible_deadline()
    {
        Assert.Equal("title", Assert.Throws<DomainException>(() =>
            Alarm.Raise(AlarmKind.Fire, AlarmSeverity.Major, "  ", null, null, AtFacility, 300, T0)).Field);
        Assert.Equal("ackWithinSeconds", Assert.Throws<DomainException>(() =>
            Alarm.Raise(AlarmKind.Fire, AlarmSeverity.Major, "烟雾", null, null, AtFacility, 5, T0)).Field);
    }

    [Fact]
    public void Cuts_an_overlong_title_to_fit()
    {
        var a = Alarm.Raise(AlarmKind.Fire, AlarmSeverity.Major, new string('烟', 150), null, null, AtFacility, 300, T0);
        Assert.Equal(Alarm.TitleMaxLength, a.Title.Length);
    }

    [Fact]
    public void Counts_repeats_of_an_open_alarm_without_restarting_escalation()
    {
        var a = RaiseAt();
        a.Repeat("又按了一次", Min(0.5));
        a.Repeat(null, Min(0.7));

        Assert.Equal((3, Min(0.7), T0, "又按了一次"), (a.RepeatCount, a.LastRaisedAt, a.RaisedAt, a.Detail));
        Assert.Single(a.Timers);
        Assert.Equal([AlarmEventKind.Raised, AlarmEventKind.Repeated, AlarmEventKind.Repeated], a.Events.Select(e => e.Kind));
    }

    [Fact]
    public void A_closed_alarm_takes_no_repeats()
    {
        var a = RaiseAt();
        a.Close(Admin, null, Min(1));
        Assert.Throws<InvalidOperationException>(() => a.Repeat(null, Min(2)));
    }

    [Fact]
    public void Acknowledging_stops_escalation()
    {
        var a = RaiseAt();
        var timer = a.Timers[^1];

        a.Acknowledge(GridWorker, "正在上楼", Min(0.5));

        Assert.Equal((AlarmStatus.Acknowledged, true, Min(0.5), GridWorker.Name), (a.Status, a.Open, a.AcknowledgedAt, a.AcknowledgedBy));
        Assert.False(a.NeedsAcknowledgement);
        Assert.False(a.EscalationDue(timer, timer.DueAt));
        Assert.Equal(EscalationLevel.PropertyDutyRoom, a.Level);
        Assert.Single(a.Timers);
        var ack = a.Events[^1];
        Assert.Equal((AlarmEventKind.Acknowledged, GridWorker.UserId, GridWorker.Name, "正在上楼"), (ack.Kind, ack.UserId, ack.ActorName, ack.Note));
    }

    [Fact]
    public void Acknowledging_twice_is_a_conflict()
    {
        var a = RaiseAt();
        a.Acknowledge(GridWorker, null, Min(0.5));

        Assert.Throws<ConflictException>(() => a.Acknowledge(Admin, null, Min(0.6)));
        Assert.Equal(GridWorker.Name, a.AcknowledgedBy);
    }

    [Fact]
    public void A_cleared_alarm_nobody_acknowledged_keeps_escalating()
    {
        var a = RaiseAt();
        a.Clear(AlarmActor.Platform, "烟雾已散", Min(0.5));

        Assert.Equal((AlarmStatus.Cleared, false, Min(0.5)), (a.Status, a.Open, a.ClearedAt));
        Assert.True(a.NeedsAcknowledgement);
        Assert.True(FireLatest(a));
        Assert.Equal(EscalationLevel.CommunityAdmin, a.Level);
        Assert.Equal(2, a.Timers.Count);
    }

    [Fact]
    public void Acknowledging_a_cleared_alarm_stops_escalation_and_keeps_it_cleared()
    {
        var a = RaiseAt();
        a.Clear(AlarmActor.Platform, null, Min(0.5));
        a.Acknowledge(GridWorker, null, Min(0.8));

        Assert.Equal(AlarmStatus.Cleared, a.Status);
        Assert.False(FireLatest(a));
    }

    [Fact]
    public void An_alarm_clears_once()
    {
        var a = RaiseAt();
        a.Clear(AlarmActor.Platform, null, Min(0.5));
        Assert.Throws<ConflictException>(() => a.Clear(Admin, null, Min(1)));
    }

    [Fact]
    public void Closing_acknowledges_implicitly_and_stops_escalation()
    {
        var a = RaiseAt();
        a.Close(Admin, "误报，已核实", Min(2));

        Assert.Equal((AlarmStatus.Closed, false), (a.Status, a.Open));
        Assert.Equal((Min(2), Admin.Name, Min(2), Min(2), Admin.Name), (a.AcknowledgedAt, a.AcknowledgedBy, a.ClearedAt, a.ClosedAt, a.ClosedBy));
        Assert.False(a.NeedsAcknowledgement);
        Assert.False(FireLatest(a));
        Assert.Throws<ConflictException>(() => a.Close(Admin, null, Min(3)));
        Assert.Throws<ConflictException>(() => a.Acknowledge(GridWorker, null, Min(3)));
        Assert.Throws<ConflictException>(() => a.Assign(Admin, 301, "陈静", Min(3)));
    }

    [Fact]
    public void Closing_keeps_who_acknowledged_and_when_it_cleared()
    {
        var a = RaiseAt();
        a.Acknowledge(GridWorker, null, Min(1));
        a.Clear(AlarmActor.Platform, null, Min(2));
        a.Close(Admin, null, Min(3));

        Assert.Equal((Min(1), GridWorker.Name, Min(2), Min(3)), (a.AcknowledgedAt, a.AcknowledgedBy, a.ClearedAt, a.ClosedAt));
    }

    [Fact]
    public void Escalation_walks_the_chain_then_reminds_everyone_up_to_the_limit()
    {
        var a = LeakAtHome();
        var levels = new List<EscalationLevel>();

        for (var i = 0; i < 3; i++)
        {
            var due = a.Timers[^1].DueAt;
            Assert.True(FireLatest(a));
            levels.Add(a.Level);
            Assert.Equal(due.AddSeconds(Ack), a.Timers[^1].DueAt);
        }
        Assert.Equal([EscalationLevel.GridWorker, EscalationLevel.PropertyDutyRoom, EscalationLevel.CommunityAdmin], levels);
        Assert.Equal(Enum.GetValues<EscalationLevel>(), a.CalledLevels());
        Assert.Equal(0, a.Reminders);

        for (var i = 1; i <= Alarm.MaxReminders; i++)
        {
            Assert.True(FireLatest(a));
            Assert.Equal((EscalationLevel.CommunityAdmin, i), (a.Level, a.Reminders));
        }
        var timers = a.Timers.Count;
        Assert.False(FireLatest(a));
        Assert.Equal(Alarm.MaxReminders, a.Reminders);
        Assert.Equal(timers, a.Timers.Count);
        Assert.Equal(1 + 3 + Alarm.MaxReminders, timers);
    }

    [Fact]
    public void A_shared_place_escalates_from_the_grid_worker()
    {
        var a = RaiseAt(AtFacility);
        Assert.True(FireLatest(a));
        Assert.Equal(EscalationLevel.PropertyDutyRoom, a.Level);
        Assert.True(FireLatest(a));
        Assert.Equal(EscalationLevel.CommunityAdmin, a.Level);
        Assert.Equal([EscalationLevel.GridWorker, EscalationLevel.PropertyDutyRoom, EscalationLevel.CommunityAdmin], a.CalledLevels());
        Assert.True(FireLatest(a));
        Assert.Equal(1, a.Reminders);
    }

    [Fact]
    public void A_timer_of_an_older_round_does_nothing()
    {
        var a = RaiseAt();
        var first = a.Timers[0];
        Assert.True(a.EscalationDue(first, first.DueAt));

        Assert.False(a.EscalationDue(first, first.DueAt.AddSeconds(1)));
        // The same timer as stored by the database, claimed twice.
        Assert.False(a.EscalationDue(new AlarmTimer(900, a.Id, first.DueAt, first.Round), first.DueAt.AddSeconds(2)));
        Assert.Equal(EscalationLevel.CommunityAdmin, a.Level);
        Assert.Equal(2, a.Timers.Count);
    }

    [Fact]
    public void Links_a_case_once()
    {
        var a = RaiseAt();
        a.LinkCase(4242, Min(0.1));

        Assert.Equal(4242, a.CaseId);
        Assert.Equal((AlarmEventKind.CaseOpened, "#4242"), (a.Events[^1].Kind, a.Events[^1].Note));
        Assert.Throws<ConflictException>(() => a.LinkCase(4243, Min(0.2)));
        Assert.Equal(4242, a.CaseId);
    }

    [Fact]
    public void The_timeline_records_each_step_in_order()
    {
        var a = RaiseAt();
        a.Notified("王芳 (家属)", "sms", Min(0.1));
        a.Repeat(null, Min(0.5));
        Assert.True(FireLatest(a));
        a.Assign(Admin, 301, "陈静", Min(1.2));
        a.Acknowledge(GridWorker, "马上到", Min(1.5));
        a.Comment(GridWorker, "老人摔倒，已扶起", Min(3));
        a.Clear(GridWorker, null, Min(4));
        a.Close(Admin, "已处理", Min(5));

        Assert.Equal(
            [
                (AlarmEventKind.Raised, T0, "platform", (string?)null),
                (AlarmEventKind.Notified, Min(0.1), "platform", "王芳 (家属) · sms"),
                (AlarmEventKind.Repeated, Min(0.5), "platform", null),
                (AlarmEventKind.Escalated, Min(1), "platform", "CommunityAdmin"),
                (AlarmEventKind.Assigned, Min(1.2), Admin.Name, "陈静"),
                (AlarmEventKind.Acknowledged, Min(1.5), GridWorker.Name, "马上到"),
                (AlarmEventKind.Commented, Min(3), GridWorker.Name, "老人摔倒，已扶起"),
                (AlarmEventKind.Cleared, Min(4), GridWorker.Name, null),
                (AlarmEventKind.Closed, Min(5), Admin.Name, "已处理"),
            ],
            a.Events.Select(e => (e.Kind, e.At, e.ActorName, e.Note)));
        // Every step but the note of who was told is a change of the alarm.
        Assert.Equal((a.Events.Count - 1, Min(5)), (a.Version, a.UpdatedAt));
        Assert.Equal((301, "陈静"), (a.AssignedUserId, a.AssignedName));
    }

    [Fact]
    public void A_comment_needs_a_note()
    {
        var a = RaiseAt();
        Assert.Equal("note", Assert.Throws<DomainException>(() => a.Comment(GridWorker, " ", Min(1))).Field);
    }

    [Fact]
    public void A_note_too_long_is_refused_and_leaves_the_alarm_as_it_was()
    {
        var a = RaiseAt();
        var tooLong = new string('长', Alarm.NoteMaxLength + 1);

        Assert.Equal("note", Assert.Throws<DomainException>(() => a.Acknowledge(GridWorker, tooLong, Min(1))).Field);
        Assert.Equal("note", Assert.Throws<DomainException>(() => a.Clear(GridWorker, tooLong, Min(1))).Field);
        Assert.Equal("note", Assert.Throws<DomainException>(() => a.Close(GridWorker, tooLong, Min(1))).Field);

        Assert.Equal((AlarmStatus.Active, true, null, null), (a.Status, a.Open, a.AcknowledgedAt, a.ClearedAt));
        Assert.True(a.NeedsAcknowledgement);
        Assert.True(FireLatest(a));
    }
}

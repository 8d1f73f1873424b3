using Linli.Domain.Cases;
using static Linli.Domain.Cases.CaseAction;
using static Linli.Domain.Tests.CaseTestKit;

namespace Linli.Domain.Tests;

/// <summary>
/// The case loop as the people around a case live it: who may do what in which state, what each step leaves on the
/// timeline, and that everything else is refused without changing the case.
/// </summary>
public sealed class CaseWorkflowTests
{
    // ---- The table: written out here by hand, so it checks Case.AllowedActions instead of repeating it. ----

    static readonly CaseStatus[] Statuses = Enum.GetValues<CaseStatus>();

    static readonly CaseRelation[] People =
        [CaseRelation.Reporter, CaseRelation.Follower, CaseRelation.Neighbour, CaseRelation.Team, CaseRelation.Supervisor, CaseRelation.Onlooker];

    /// <summary>
    /// What each person may do in each state of an assign-mode case. "Team" is the handler the case was dispatched to
    /// (from Dispatched on); anyone missing from a state may do nothing.
    /// </summary>
    static readonly Dictionary<(CaseStatus, CaseRelation), CaseAction[]> Expected = new()
    {
        [(CaseStatus.Reported, CaseRelation.Reporter)] = [Remind, Comment, AddPhoto],
        [(CaseStatus.Reported, CaseRelation.Follower)] = [Remind],
        [(CaseStatus.Reported, CaseRelation.Neighbour)] = [MeToo],
        [(CaseStatus.Reported, CaseRelation.Team)] = [Accept, Reject, Transfer, Escalate, Comment],
        [(CaseStatus.Reported, CaseRelation.Supervisor)] = [Transfer, Comment],

        [(CaseStatus.Accepted, CaseRelation.Reporter)] = [Remind, Comment],
        [(CaseStatus.Accepted, CaseRelation.Follower)] = [Remind],
        [(CaseStatus.Accepted, CaseRelation.Neighbour)] = [MeToo],
        [(CaseStatus.Accepted, CaseRelation.Team)] = [Dispatch, Transfer, Escalate, Comment],
        [(CaseStatus.Accepted, CaseRelation.Supervisor)] = [Transfer, Comment],

        [(CaseStatus.Dispatched, CaseRelation.Reporter)] = [Remind, Comment],
        [(CaseStatus.Dispatched, CaseRelation.Follower)] = [Remind],
        [(CaseStatus.Dispatched, CaseRelation.Neighbour)] = [MeToo],
        [(CaseStatus.Dispatched, CaseRelation.Team)] = [Dispatch, Start, Handle, Transfer, Escalate, Comment, AddPhoto],
        [(CaseStatus.Dispatched, CaseRelation.Supervisor)] = [Transfer, Comment],

        [(CaseStatus.InProgress, CaseRelation.Reporter)] = [Remind, Comment],
        [(CaseStatus.InProgress, CaseRelation.Follower)] = [Remind],
        [(CaseStatus.InProgress, CaseRelation.Neighbour)] = [MeToo],
        [(CaseStatus.InProgress, CaseRelation.Team)] = [Dispatch, Handle, Transfer, Escalate, Comment, AddPhoto],
        [(CaseStatus.InProgress, CaseRelation.Supervisor)] = [Transfer, Comment],

        [(CaseStatus.Handled, CaseRelation.Reporter)] = [Verify, Rate, Reopen, Comment],
        [(CaseStatus.Handled, CaseRelation.Team)] = [Verify, Comment, FollowUp, AddPhoto],
        [(CaseStatus.Handled, CaseRelation.Supervisor)] = [Comment, FollowUp],

        [(CaseStatus.Verified, CaseRelation.Reporter)] = [Rate, Reopen, Comment],
        [(CaseStatus.Verified, CaseRelation.Team)] = [Close, Comment, FollowUp],
        [(CaseStatus.Verified, CaseRelation.Supervisor)] = [Comment, FollowUp],

        [(CaseStatus.Closed, CaseRelation.Reporter)] = [Rate, Reopen],
        [(CaseStatus.Closed, CaseRelation.Team)] = [FollowUp],
        [(CaseStatus.Closed, CaseRelation.Supervisor)] = [FollowUp],

        [(CaseStatus.Rejected, CaseRelation.Reporter)] = [Comment],
        [(CaseStatus.Rejected, CaseRelation.Team)] = [Comment],
        [(CaseStatus.Rejected, CaseRelation.Supervisor)] = [Comment],
    };

    static CaseActor ActorFor(CaseRelation relation) => relation switch
    {
        CaseRelation.Reporter => Reporter,
        CaseRelation.Follower => Follower,
        CaseRelation.Neighbour => Neighbour,
        CaseRelation.Team => Handler,
        CaseRelation.Supervisor => Supervisor,
        _ => Onlooker,
    };

    public static TheoryData<CaseStatus, CaseRelation> EveryStateAndPerson()
    {
        var data = new TheoryData<CaseStatus, CaseRelation>();
        foreach (var s in Statuses) foreach (var r in People) data.Add(s, r);
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryStateAndPerson))]
    public void Each_person_is_offered_exactly_the_actions_of_the_table(CaseStatus status, CaseRelation relation)
    {
        var c = At(status);
        Assert.Equal(status, c.Status);
        var expected = Expected.GetValueOrDefault((status, relation), []).Order();
        Assert.Equal(expected, c.AllowedActions(ActorFor(relation), After(c)).Order());
    }

    [Theory]
    [MemberData(nameof(EveryStateAndPerson))]
    public void Every_action_the_table_allows_goes_through(CaseStatus status, CaseRelation relation)
    {
        foreach (var action in Expected.GetValueOrDefault((status, relation), []))
        {
            var c = At(status);
            var events = c.Events.Count;
            Do(c, action, ActorFor(relation), After(c));
            Assert.True(c.Events.Count > events, $"{action} by the {relation} on a {status} case left nothing on the timeline");
        }
    }

    [Theory]
    [MemberData(nameof(EveryStateAndPerson))]
    public void Every_action_the_table_does_not_allow_is_refused_and_changes_nothing(CaseStatus status, CaseRelation relation)
    {
        var allowed = Expected.GetValueOrDefault((status, relation), []);
        foreach (var action in Enum.GetValues<CaseAction>().Except(allowed))
        {
            var c = At(status);
            var before = Snapshot(c);
            var e = NotAllowed(() => Do(c, action, ActorFor(relation), After(c)));
            Assert.Equal(action, e.Action);
            Assert.Equal(status, e.Status);
            Assert.Equal(before, Snapshot(c));
        }
    }

    // ---- The same rules, named the way people would ask about them. ----

    [Fact]
    public void A_neighbour_cannot_accept_a_case()
    {
        var c = Report();
        NotAllowed(() => c.Accept(Neighbour, T0.AddMinutes(1)));
        Assert.Equal(CaseStatus.Reported, c.Status);
    }

    [Fact]
    public void A_supervisor_cannot_accept_for_the_team_but_can_send_the_case_elsewhere()
    {
        var c = Report();
        NotAllowed(() => c.Accept(Supervisor, T0.AddMinutes(1)));
        c.Transfer(Supervisor, HandlingLevel.Community, null, "业主之间的纠纷，归社区", Category(), T0.AddMinutes(2));
        Assert.Equal(HandlingLevel.Community, c.Level);
    }

    [Fact]
    public void A_reporter_cannot_close_their_own_case()
    {
        var c = At(CaseStatus.Verified);
        NotAllowed(() => c.Close(Reporter, After(c)));
        Assert.Equal(CaseStatus.Verified, c.Status);
    }

    [Fact]
    public void A_team_member_cannot_rate_the_work()
    {
        var c = At(CaseStatus.Handled);
        NotAllowed(() => c.Rate(Handler, 5, "干得好", After(c)));
        Assert.Null(c.Rating);
    }

    [Fact]
    public void An_onlooker_can_do_nothing_at_any_stage()
    {
        foreach (var status in Statuses)
        {
            var c = At(status);
            Assert.Empty(c.AllowedActions(Onlooker, After(c)));
            NotAllowed(() => c.Comment(Onlooker, "路过看看", After(c)));
        }
    }

    [Fact]
    public void A_team_member_who_was_not_dispatched_can_reassign_but_not_start_or_finish_the_work()
    {
        var c = At(CaseStatus.Dispatched);
        Assert.Equal([Dispatch, Transfer, Escalate, Comment, AddPhoto], c.AllowedActions(Colleague, After(c)).Order());
        NotAllowed(() => c.Start(Colleague, After(c)));
        NotAllowed(() => c.Handle(Colleague, "我来做了", After(c)));
        Assert.Equal(Handler.UserId, c.AssigneeUserId);
    }

    [Fact]
    public void The_platform_takes_no_action_a_person_takes()
    {
        foreach (var status in Statuses)
        {
            var c = At(status);
            Assert.Empty(c.AllowedActions(CaseActor.Platform, After(c)));
            NotAllowed(() => c.Accept(CaseActor.Platform, After(c)));
        }
    }

    [Theory]
    [InlineData(CaseStatus.Handled)]
    [InlineData(CaseStatus.Verified)]
    [InlineData(CaseStatus.Closed)]
    [InlineData(CaseStatus.Rejected)]
    public void The_platform_cannot_escalate_a_finished_case(CaseStatus status)
    {
        var c = At(status);
        var before = Snapshot(c);
        NotAllowed(() => c.Escalate(CaseActor.Platform, "not handled in time", Category(), After(c)));
        Assert.Equal(before, Snapshot(c));
    }

    // ---- The loop, step by step. ----

    [Fact]
    public void A_report_waits_for_the_team_with_both_deadlines_set()
    {
        var c = Report();
        Assert.Equal(CaseStatus.Reported, c.Status);
        Assert.Equal(HandlingLevel.Property, c.Level);
        Assert.Equal(42, c.OrganizationId);
        Assert.False(c.Finished);
        Assert.Equal(T0.AddMinutes(ResponseMinutes), c.ResponseDueAt);
        Assert.Equal(T0.AddMinutes(ResolutionMinutes), c.ResolutionDueAt);
        var reported = Assert.Single(c.Events);
        Assert.Equal((CaseEventKind.Reported, Reporter.Name, "三楼楼道"), (reported.Kind, reported.ActorName, reported.Note));
    }

    [Fact]
    public void Report_accept_dispatch_start_handle_verify_close_and_rate_is_the_whole_loop()
    {
        var c = Report();
        c.Accept(Handler, T0.AddMinutes(5));
        c.Dispatch(Handler, Colleague.UserId, Colleague.Name, T0.AddMinutes(6));
        Assert.Equal((CaseStatus.Dispatched, Colleague.UserId, Colleague.Name), (c.Status, c.AssigneeUserId, c.AssigneeName));
        c.Start(Colleague, T0.AddMinutes(30));
        c.Handle(Colleague, "更换了楼道灯", T0.AddMinutes(60));
        Assert.Equal("更换了楼道灯", c.Resolution);
        c.Verify(Reporter, T0.AddMinutes(90), "亮了");
        c.Close(Handler, T0.AddMinutes(91));
        c.Rate(Reporter, 5, "很及时", T0.AddMinutes(120));

        Assert.Equal(CaseStatus.Closed, c.Status);
        Assert.True(c.Finished);
        Assert.Equal((T0.AddMinutes(5), T0.AddMinutes(60), T0.AddMinutes(91)), (c.AcceptedAt, c.HandledAt, c.ClosedAt));
        Assert.Equal((5, "很及时"), (c.Rating, c.RatingComment));
        Assert.Equal(
            [CaseEventKind.Reported, CaseEventKind.Accepted, CaseEventKind.Dispatched, CaseEventKind.Started, CaseEventKind.Handled,
             CaseEventKind.Verified, CaseEventKind.Closed, CaseEventKind.Rated],
            c.Events.Select(e => e.Kind));
        Assert.Equal(
            [(CaseStatus.Reported, CaseStatus.Accepted), (CaseStatus.Accepted, CaseStatus.Dispatched), (CaseStatus.Dispatched, CaseStatus.InProgress),
             (CaseStatus.InProgress, CaseStatus.Handled), (CaseStatus.Handled, CaseStatus.Verified), (CaseStatus.Verified, CaseStatus.Closed)],
            c.Events.Where(e => e.ToStatus is not null).Select(e => (e.FromStatus!.Value, e.ToStatus!.Value)));
        var dispatched = c.Events.Single(e => e.Kind == CaseEventKind.Dispatched);
        Assert.Equal((Colleague.Name, (string?)null), (dispatched.Subject, dispatched.Note));
    }

    [Fact]
    public void A_dispatch_note_stays_with_the_staff_and_the_person_sent_is_named_for_the_reporter()
    {
        var c = Report();
        c.Accept(Handler, T0.AddMinutes(5));
        c.Dispatch(Handler, Colleague.UserId, Colleague.Name, T0.AddMinutes(6), "带梯子，301老人行动不便");

        var dispatched = c.Events[^1];
        Assert.Equal((CaseEventKind.Dispatched, Colleague.Name, "带梯子，301老人行动不便"), (dispatched.Kind, dispatched.Subject, dispatched.Note));
        Assert.False(dispatched.Kind.NoteIsForTheReporter());
        Assert.True(CaseEventKind.Handled.NoteIsForTheReporter());
        Assert.True(CaseEventKind.Rejected.NoteIsForTheReporter());
    }

    [Fact]
    public void A_handler_may_finish_without_marking_the_start()
    {
        var c = At(CaseStatus.Dispatched);
        c.Handle(Handler, "顺手修好了", After(c));
        Assert.Equal(CaseStatus.Handled, c.Status);
    }

    [Fact]
    public void A_case_can_be_dispatched_again_to_someone_else_while_the_work_goes_on()
    {
        var c = At(CaseStatus.InProgress);
        c.Dispatch(Handler, Colleague.UserId, Colleague.Name, After(c), "换人");
        Assert.Equal((CaseStatus.Dispatched, Colleague.UserId), (c.Status, c.AssigneeUserId));
        NotAllowed(() => c.Start(Handler, After(c)));
        c.Start(Colleague, After(c));
    }

    [Fact]
    public void Dispatch_needs_someone_to_dispatch_to()
    {
        var c = At(CaseStatus.Accepted);
        Assert.Equal("assigneeUserId", Refused(() => c.Dispatch(Handler, 0, "", After(c))).Field);
        Assert.Equal(CaseStatus.Accepted, c.Status);
    }

    [Fact]
    public void In_grab_mode_a_team_member_takes_an_accepted_case_and_becomes_its_handler()
    {
        var c = Report(Category(DispatchMode.Grab));
        c.Accept(Handler, T0.AddMinutes(1));
        Assert.Contains(Grab, c.AllowedActions(Colleague, T0.AddMinutes(2)));
        c.Grab(Colleague, T0.AddMinutes(2));
        Assert.Equal((CaseStatus.Dispatched, Colleague.UserId, Colleague.Name), (c.Status, c.AssigneeUserId, c.AssigneeName));
        Assert.Equal(CaseEventKind.Grabbed, c.Events[^1].Kind);
    }

    [Fact]
    public void Once_grabbed_nobody_else_can_grab_it()
    {
        var c = Report(Category(DispatchMode.Grab));
        c.Accept(Handler, T0.AddMinutes(1));
        c.Grab(Colleague, T0.AddMinutes(2));
        NotAllowed(() => c.Grab(Handler, T0.AddMinutes(2)));
        Assert.Equal(Colleague.UserId, c.AssigneeUserId);
    }

    [Fact]
    public void A_case_in_assign_mode_cannot_be_grabbed()
    {
        var c = At(CaseStatus.Accepted);
        NotAllowed(() => c.Grab(Handler, After(c)));
    }

    [Fact]
    public void A_case_cannot_be_grabbed_before_it_is_accepted()
    {
        var c = Report(Category(DispatchMode.Grab));
        NotAllowed(() => c.Grab(Handler, T0.AddMinutes(1)));
    }

    [Fact]
    public void Rejecting_takes_a_reason_which_the_reporter_sees_and_ends_the_case()
    {
        var c = Report();
        Assert.Equal("note", Refused(() => c.Reject(Handler, "  ", T0.AddMinutes(1))).Field);
        Assert.Equal(CaseStatus.Reported, c.Status);

        c.Reject(Handler, "属于市政，请拨打12345", T0.AddMinutes(2));
        Assert.Equal((CaseStatus.Rejected, true, "属于市政，请拨打12345"), (c.Status, c.Finished, c.RejectReason));
        Assert.Equal(T0.AddMinutes(2), c.ClosedAt);
        Assert.Equal("属于市政，请拨打12345", c.Events[^1].Note);
        NotAllowed(() => c.Reopen(Reporter, "不同意", Category(), T0.AddMinutes(3)));
    }

    [Fact]
    public void Handling_needs_a_word_on_what_was_done()
    {
        var c = At(CaseStatus.InProgress);
        Assert.Equal("note", Refused(() => c.Handle(Handler, "", After(c))).Field);
        Assert.Equal(CaseStatus.InProgress, c.Status);
        Assert.Null(c.HandledAt);
    }

    [Fact]
    public void Rating_a_handled_case_also_confirms_it()
    {
        var c = At(CaseStatus.Handled);
        c.Rate(Reporter, 4, "还行", After(c));
        Assert.Equal((CaseStatus.Verified, 4, "还行"), (c.Status, c.Rating, c.RatingComment));
        Assert.Equal([CaseEventKind.Verified, CaseEventKind.Rated], c.Events.TakeLast(2).Select(e => e.Kind));
        Assert.Equal("4★ 还行", c.Events[^1].Note);
    }

    [Fact]
    public void A_case_is_rated_once()
    {
        var c = At(CaseStatus.Closed);
        c.Rate(Reporter, 3, null, After(c));
        NotAllowed(() => c.Rate(Reporter, 5, null, After(c)));
        Assert.Equal(3, c.Rating);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    [InlineData(-1)]
    public void Stars_outside_one_to_five_are_refused(int stars)
    {
        var c = At(CaseStatus.Handled);
        var before = Snapshot(c);
        Assert.Equal("rating", Refused(() => c.Rate(Reporter, stars, null, After(c))).Field);
        Assert.Equal(before, Snapshot(c));
        Assert.Null(c.Rating);
    }

    [Fact]
    public void A_team_member_can_confirm_the_work_after_a_follow_up_and_then_close()
    {
        var c = At(CaseStatus.Handled);
        c.FollowUp(Handler, "电话回访，居民说已修好", After(c));
        c.Verify(Handler, After(c));
        c.Close(Handler, After(c));
        Assert.Equal(CaseStatus.Closed, c.Status);
        Assert.Contains(c.Events, e => e.Kind == CaseEventKind.FollowedUp && e.Note == "电话回访，居民说已修好");
    }

    [Fact]
    public void A_follow_up_is_for_after_the_work_and_needs_a_note()
    {
        NotAllowed(() => At(CaseStatus.InProgress).FollowUp(Handler, "回访", T0.AddHours(1)));
        var c = At(CaseStatus.Closed);
        Assert.Equal("note", Refused(() => c.FollowUp(Handler, " ", After(c))).Field);
    }

    // ---- Transfer and escalation. ----

    [Fact]
    public void A_transfer_sends_the_case_to_another_team_who_must_accept_it_again()
    {
        var c = At(CaseStatus.Dispatched);
        var now = After(c);
        c.Transfer(Handler, HandlingLevel.Street, null, "违建归街道城管", Category(), now);
        Assert.Equal((CaseStatus.Reported, HandlingLevel.Street, (int?)null, (string?)null), (c.Status, c.Level, c.AssigneeUserId, c.AssigneeName));
        Assert.Equal(2, c.SlaRound);
        Assert.Equal((now.AddMinutes(ResponseMinutes), now.AddMinutes(ResolutionMinutes)), (c.ResponseDueAt, c.ResolutionDueAt));
        Assert.Equal([(SlaKind.Response, now.AddMinutes(ResponseMinutes)), (SlaKind.Resolution, now.AddMinutes(ResolutionMinutes))],
            c.Timers.Where(t => t.Round == 2).Select(t => (t.Kind, t.DueAt)));
        var e = c.Events[^1];
        Assert.Equal((CaseEventKind.Transferred, "Street: 违建归街道城管"), (e.Kind, e.Note));
        Assert.Equal(0, c.EscalationCount);
    }

    [Fact]
    public void A_transfer_to_the_team_that_has_it_is_refused()
    {
        var c = Report();
        Assert.Equal("level", Refused(() => c.Transfer(Handler, HandlingLevel.Property, 42, "再看看", Category(), T0.AddMinutes(1))).Field);
        Assert.Equal(1, c.SlaRound);
    }

    [Fact]
    public void A_transfer_needs_a_reason()
    {
        var c = Report();
        Assert.Equal("note", Refused(() => c.Transfer(Handler, HandlingLevel.Community, null, "", Category(), T0.AddMinutes(1))).Field);
        Assert.Equal(HandlingLevel.Property, c.Level);
    }

    [Fact]
    public void Escalation_climbs_from_property_to_community_to_street_to_district_and_stops_there()
    {
        var c = Report();
        var t = T0;
        foreach (var next in new[] { HandlingLevel.Community, HandlingLevel.Street, HandlingLevel.District })
        {
            c.Escalate(Handler, "处理不了", Category(), t = t.AddMinutes(10));
            Assert.Equal((next, CaseStatus.Reported), (c.Level, c.Status));
            Assert.Equal($"{next}: 处理不了", c.Events[^1].Note);
        }
        Assert.Equal(3, c.EscalationCount);
        Assert.DoesNotContain(Escalate, c.AllowedActions(Handler, t));
        NotAllowed(() => c.Escalate(Handler, "再往上", Category(), t.AddMinutes(1)));
        Assert.Equal("level", Refused(() => c.Escalate(CaseActor.Platform, "not handled in time", Category(), t.AddMinutes(1))).Field);
        Assert.Equal((HandlingLevel.District, 3), (c.Level, c.EscalationCount));
    }

    [Fact]
    public void An_escalation_needs_a_reason()
    {
        var c = Report();
        Assert.Equal("note", Refused(() => c.Escalate(Handler, " ", Category(), T0.AddMinutes(1))).Field);
        Assert.Equal(HandlingLevel.Property, c.Level);
    }

    [Fact]
    public void An_escalated_case_loses_its_handler_and_waits_for_the_new_team()
    {
        var c = At(CaseStatus.InProgress);
        c.Escalate(Handler, "需要社区协调", Category(), After(c));
        Assert.Equal((CaseStatus.Reported, HandlingLevel.Community, (int?)null), (c.Status, c.Level, c.AssigneeUserId));
        // The property staff are no longer the team; the community's staff are asked to accept.
        Assert.Contains(Accept, c.AllowedActions(new CaseActor(801, "社区 · 李红梅", CaseRelation.Team), After(c)));
    }

    // ---- Reopening. ----

    [Fact]
    public void The_reporter_can_reopen_within_seven_days_and_the_handler_takes_it_up_again()
    {
        var c = At(CaseStatus.Closed);
        c.Rate(Reporter, 2, null, After(c));
        var closedAt = c.ClosedAt!.Value;
        var now = closedAt + Case.ReopenWindow;
        c.Reopen(Reporter, "灯又灭了", Category(), now);
        Assert.Equal((CaseStatus.Dispatched, Handler.UserId, false, 1), (c.Status, c.AssigneeUserId, c.Finished, c.ReopenCount));
        Assert.Equal(((DateTimeOffset?)null, (DateTimeOffset?)null, (int?)null), (c.HandledAt, c.ClosedAt, c.Rating));
        Assert.Equal((CaseEventKind.Reopened, "灯又灭了"), (c.Events[^1].Kind, c.Events[^1].Note));
        // Accepted once already: only the work has a new deadline.
        var timers = c.Timers.Where(t => t.Round == c.SlaRound).ToList();
        Assert.Equal((SlaKind.Resolution, now.AddMinutes(ResolutionMinutes)), (Assert.Single(timers).Kind, timers[0].DueAt));
        // The handler finishes again and the reporter rates the new work.
        c.Handle(Handler, "换了整条线路", now.AddHours(1));
        c.Rate(Reporter, 5, null, now.AddHours(2));
        Assert.Equal(5, c.Rating);
    }

    [Fact]
    public void Reopening_more_than_seven_days_after_closing_is_refused()
    {
        var c = At(CaseStatus.Closed);
        var late = c.ClosedAt!.Value + Case.ReopenWindow + TimeSpan.FromMinutes(1);
        Assert.DoesNotContain(Reopen, c.AllowedActions(Reporter, late));
        NotAllowed(() => c.Reopen(Reporter, "又坏了", Category(), late));
        Assert.Equal(CaseStatus.Closed, c.Status);
        Assert.Equal(0, c.ReopenCount);
    }

    [Fact]
    public void The_seven_days_run_from_the_handling_when_the_case_was_never_closed()
    {
        var c = At(CaseStatus.Handled);
        var handledAt = c.HandledAt!.Value;
        Assert.Contains(Reopen, c.AllowedActions(Reporter, handledAt + Case.ReopenWindow));
        Assert.DoesNotContain(Reopen, c.AllowedActions(Reporter, handledAt + Case.ReopenWindow + TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Reopening_needs_a_reason()
    {
        var c = At(CaseStatus.Closed);
        Assert.Equal("note", Refused(() => c.Reopen(Reporter, "", Category(), After(c))).Field);
        Assert.Equal(CaseStatus.Closed, c.Status);
    }

    // ---- Reminders, "me too", comments. ----

    [Fact]
    public void The_reporter_can_remind_the_team_once_an_hour()
    {
        var c = At(CaseStatus.Accepted);
        var t = After(c);
        c.Remind(Reporter, t, "还没人来");
        Assert.Equal((1, t), (c.RemindCount, c.LastRemindedAt));
        Assert.DoesNotContain(Remind, c.AllowedActions(Reporter, t.AddMinutes(59)));
        var e = Refused(() => c.Remind(Reporter, t.AddMinutes(59)));
        Assert.IsType<Linli.Domain.Common.LimitExceededException>(e);
        Assert.Equal("remind", e.Field);
        Assert.Equal(1, c.RemindCount);
        c.Remind(Reporter, t.AddHours(1));
        Assert.Equal(2, c.RemindCount);
        Assert.Equal(2, c.Events.Count(x => x.Kind == CaseEventKind.Reminded));
    }

    [Fact]
    public void The_hour_between_reminders_is_shared_by_the_reporter_and_the_neighbours_who_joined()
    {
        var c = Report();
        c.Remind(Follower, T0.AddMinutes(10));
        Refused(() => c.Remind(Reporter, T0.AddMinutes(30)));
        c.Remind(Reporter, T0.AddMinutes(70));
        Assert.Equal(2, c.RemindCount);
    }

    [Fact]
    public void A_finished_case_cannot_be_reminded()
    {
        var c = At(CaseStatus.Handled);
        NotAllowed(() => c.Remind(Reporter, After(c)));
        Assert.Equal(0, c.RemindCount);
    }

    [Fact]
    public void A_neighbour_with_the_same_problem_joins_the_case_and_follows_it()
    {
        var c = Report();
        var follower = c.JoinAsNeighbour(Neighbour, 200, T0.AddMinutes(3));
        Assert.Equal((c.Id, Neighbour.UserId, (int?)200, T0.AddMinutes(3)), (follower.CaseId, follower.UserId, follower.RoomId, follower.At));
        Assert.Equal(1, c.MeTooCount);
        Assert.Equal((CaseEventKind.JoinedByNeighbour, Neighbour.Name), (c.Events[^1].Kind, c.Events[^1].ActorName));
        // Joined once: as a follower they can remind, not join again.
        var asFollower = Neighbour with { Relation = CaseRelation.Follower };
        NotAllowed(() => c.JoinAsNeighbour(asFollower, 200, T0.AddMinutes(4)));
        Assert.Contains(Remind, c.AllowedActions(asFollower, T0.AddMinutes(4)));
        Assert.Equal(1, c.MeTooCount);
    }

    [Fact]
    public void Nobody_joins_an_in_home_case()
    {
        var c = Report(Category(inHome: true));
        Assert.True(c.Private);
        NotAllowed(() => c.JoinAsNeighbour(Neighbour, 200, T0.AddMinutes(1)));
        Assert.Equal(0, c.MeTooCount);
    }

    [Fact]
    public void Nobody_joins_a_case_that_is_already_dealt_with()
    {
        foreach (var status in new[] { CaseStatus.Handled, CaseStatus.Verified, CaseStatus.Closed, CaseStatus.Rejected })
        {
            var c = At(status);
            NotAllowed(() => c.JoinAsNeighbour(Neighbour, 200, After(c)));
            Assert.Equal(0, c.MeTooCount);
        }
    }

    [Fact]
    public void Comments_go_on_the_timeline_with_who_wrote_them()
    {
        var c = At(CaseStatus.Dispatched);
        c.Comment(Reporter, "下午在家", After(c));
        c.Comment(Handler, "三点到", After(c));
        c.Comment(Supervisor, "请尽快", After(c));
        Assert.Equal([("下午在家", Reporter.Name), ("三点到", Handler.Name), ("请尽快", Supervisor.Name)],
            c.Events.Where(e => e.Kind == CaseEventKind.Commented).Select(e => (e.Note, e.ActorName)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void An_empty_comment_is_refused(string text)
    {
        var c = Report();
        Assert.Equal("note", Refused(() => c.Comment(Reporter, text, T0.AddMinutes(1))).Field);
        Assert.Single(c.Events);
    }

    [Fact]
    public void A_comment_is_at_most_a_thousand_characters()
    {
        var c = Report();
        c.Comment(Reporter, new string('长', Case.NoteMaxLength), T0.AddMinutes(1));
        Assert.Equal("note", Refused(() => c.Comment(Reporter, new string('长', Case.NoteMaxLength + 1), T0.AddMinutes(2))).Field);
        Assert.Equal(2, c.Events.Count);
    }

    public static TheoryData<CaseStatus, CaseAction, CaseRelation> EveryActionWithANote() => new()
    {
        { CaseStatus.Reported, Accept, CaseRelation.Team }, { CaseStatus.Reported, Reject, CaseRelation.Team },
        { CaseStatus.Accepted, Dispatch, CaseRelation.Team }, { CaseStatus.Dispatched, Start, CaseRelation.Team },
        { CaseStatus.InProgress, Handle, CaseRelation.Team }, { CaseStatus.Handled, Verify, CaseRelation.Reporter },
        { CaseStatus.Verified, Close, CaseRelation.Team }, { CaseStatus.Handled, Rate, CaseRelation.Reporter },
        { CaseStatus.Closed, Reopen, CaseRelation.Reporter }, { CaseStatus.Reported, Transfer, CaseRelation.Supervisor },
        { CaseStatus.Reported, Escalate, CaseRelation.Team }, { CaseStatus.Accepted, Remind, CaseRelation.Reporter },
        { CaseStatus.Reported, Comment, CaseRelation.Reporter }, { CaseStatus.Closed, FollowUp, CaseRelation.Team },
    };

    [Theory]
    [MemberData(nameof(EveryActionWithANote))]
    public void A_note_of_more_than_a_thousand_characters_is_refused_on_every_action(CaseStatus status, CaseAction action, CaseRelation relation)
    {
        var c = At(status);
        var before = Snapshot(c);
        var actor = ActorFor(relation);
        var note = new string('长', Case.NoteMaxLength + 1);
        var now = After(c);
        var e = Refused(() =>
        {
            switch (action)
            {
                case Accept: c.Accept(actor, now, note); break;
                case Reject: c.Reject(actor, note, now); break;
                case Dispatch: c.Dispatch(actor, Colleague.UserId, Colleague.Name, now, note); break;
                case Start: c.Start(actor, now, note); break;
                case Handle: c.Handle(actor, note, now); break;
                case Verify: c.Verify(actor, now, note); break;
                case Close: c.Close(actor, now, note); break;
                case Rate: c.Rate(actor, 5, note, now); break;
                case Reopen: c.Reopen(actor, note, Category(), now); break;
                case Transfer: c.Transfer(actor, HandlingLevel.Street, null, note, Category(), now); break;
                case Escalate: c.Escalate(actor, note, Category(), now); break;
                case Remind: c.Remind(actor, now, note); break;
                case Comment: c.Comment(actor, note, now); break;
                case FollowUp: c.FollowUp(actor, note, now); break;
                default: throw new ArgumentOutOfRangeException(nameof(action));
            }
        });
        Assert.Equal("note", e.Field);
        Assert.Equal(before, Snapshot(c));
    }

    [Fact]
    public void A_handler_with_a_long_account_name_is_kept_by_its_first_forty_characters()
    {
        var c = Report(Category(DispatchMode.Grab));
        c.Accept(Handler, T0.AddMinutes(1));
        var longName = "安居物业服务有限公司桂花苑项目部维修班" + new string('甲', 40);
        c.Grab(Handler with { Name = longName }, T0.AddMinutes(2));
        Assert.Equal(longName[..Case.NameMaxLength], c.AssigneeName);
        Assert.Equal(longName[..Case.NameMaxLength], c.Events[^1].ActorName);
    }

    // ---- Photos. ----

    [Fact]
    public void The_reporter_adds_up_to_nine_photos_with_the_report()
    {
        var c = Report();
        for (var i = 0; i < Case.MaxPhotosPerStage; i++) c.AddPhoto(Reporter, T0.AddSeconds(i));
        Assert.Equal(9, c.ReportPhotos);
        NotAllowed(() => c.AddPhoto(Reporter, T0.AddMinutes(1)));
        Assert.Equal(9, c.ReportPhotos);
        Assert.Equal(9, c.Events.Count(e => e.Kind == CaseEventKind.PhotoAdded));
    }

    [Fact]
    public void The_handler_adds_up_to_nine_photos_of_the_work_besides_the_reporters()
    {
        var c = Report();
        for (var i = 0; i < 9; i++) c.AddPhoto(Reporter, T0.AddSeconds(i));
        c.Accept(Handler, T0.AddMinutes(1));
        c.Dispatch(Handler, Handler.UserId, Handler.Name, T0.AddMinutes(2));
        for (var i = 0; i < 5; i++) c.AddPhoto(Handler, T0.AddMinutes(3));
        c.Handle(Handler, "修好了", T0.AddMinutes(4));
        for (var i = 0; i < 4; i++) c.AddPhoto(Handler, T0.AddMinutes(5));
        Assert.Equal((9, 9), (c.ReportPhotos, c.HandlingPhotos));
        NotAllowed(() => c.AddPhoto(Handler, T0.AddMinutes(6)));
        Assert.Equal(9, c.HandlingPhotos);
    }

    [Fact]
    public void The_reporter_adds_no_photos_once_the_team_has_accepted()
    {
        var c = At(CaseStatus.Accepted);
        NotAllowed(() => c.AddPhoto(Reporter, After(c)));
        Assert.Equal(0, c.ReportPhotos);
    }

    // ---- What a report must have. ----

    [Theory]
    [InlineData("", "title")]
    [InlineData("   ", "title")]
    public void A_report_needs_a_title(string title, string field)
    {
        var e = Refused(() => Report(title: title));
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void A_title_is_at_most_eighty_characters()
    {
        Assert.Equal(80, Report(title: new string('灯', 80)).Title.Length);
        Assert.Equal("title", Refused(() => Report(title: new string('灯', 81))).Field);
    }

    [Fact]
    public void A_report_in_a_category_no_longer_in_use_is_refused()
    {
        var category = Category();
        category.Deactivate();
        Assert.Equal("categoryId", Refused(() => Report(category)).Field);
    }

    [Fact]
    public void An_in_home_repair_needs_the_room()
    {
        var e = Refused(() => Case.Report(Category(inHome: true), CaseKind.Repair, CaseSource.Web, "漏水", null, Place with { RoomId = null },
            new CaseReporter(Reporter.UserId, 100, Reporter.Name), HandlingLevel.Property, 42, T0));
        Assert.Equal("roomId", e.Field);
    }

    [Fact]
    public void A_place_outside_any_community_is_refused()
    {
        var e = Refused(() => Case.Report(Category(), CaseKind.Repair, CaseSource.Web, "灯坏了", null, Place with { CommunityId = 0, GridId = 0 },
            new CaseReporter(Reporter.UserId, 100, Reporter.Name), HandlingLevel.Property, 42, T0));
        Assert.Equal("place", e.Field);
    }

    [Fact]
    public void The_description_is_at_most_two_thousand_characters()
    {
        var e = Refused(() => Case.Report(Category(), CaseKind.Repair, CaseSource.Web, "灯坏了", new string('说', 2001), Place,
            new CaseReporter(Reporter.UserId, 100, Reporter.Name), HandlingLevel.Property, 42, T0));
        Assert.Equal("description", e.Field);
    }

    [Fact]
    public void A_case_routed_away_from_the_property_level_carries_no_property_company()
    {
        var c = Case.Report(Category(level: HandlingLevel.Community), CaseKind.Complaint, CaseSource.Web, "楼上装修太吵", null, Place,
            new CaseReporter(Reporter.UserId, 100, Reporter.Name), HandlingLevel.Community, 42, T0);
        Assert.Equal((HandlingLevel.Community, (int?)null), (c.Level, c.OrganizationId));
    }
}

using Linli.Domain.Cases;
using static Linli.Domain.Tests.CaseTestKit;

namespace Linli.Domain.Tests;

/// <summary>
/// Deadlines and what happens when they pass: a case nobody accepts or finishes climbs to the next team with fresh
/// deadlines; a timer left over from an earlier round, or one whose deadline no longer matters, does nothing.
/// </summary>
public sealed class CaseSlaTests
{
    static readonly DateTimeOffset ResponseDue = T0.AddMinutes(ResponseMinutes);
    static readonly DateTimeOffset ResolutionDue = T0.AddMinutes(ResolutionMinutes);

    /// <summary>Fires the current round's timer of <paramref name="kind"/> the way the timer service does.</summary>
    static bool Fire(Case c, SlaKind kind, DateTimeOffset now, int? round = null, CaseCategory? category = null) =>
        c.SlaDue(Stored(c, Due(c, kind, round)), category ?? Category(c.Mode), now);

    [Fact]
    public void A_new_report_gets_a_response_and_a_resolution_timer_for_round_one()
    {
        var c = Report();
        Assert.Equal(1, c.SlaRound);
        Assert.Equal([(SlaKind.Response, ResponseDue, 1), (SlaKind.Resolution, ResolutionDue, 1)], c.Timers.Select(t => (t.Kind, t.DueAt, t.Round)));
        Assert.Equal((ResponseDue, ResolutionDue), (c.ResponseDueAt, c.ResolutionDueAt));
    }

    [Fact]
    public void Escalates_to_the_community_when_the_property_company_does_not_accept_in_time()
    {
        var c = Report();
        Assert.True(Fire(c, SlaKind.Response, ResponseDue));
        Assert.Equal((HandlingLevel.Community, CaseStatus.Reported, 1, true, false), (c.Level, c.Status, c.EscalationCount, c.ResponseBreached, c.ResolutionBreached));
        Assert.Equal([CaseEventKind.Reported, CaseEventKind.ResponseOverdue, CaseEventKind.Escalated], c.Events.Select(e => e.Kind));
        var escalated = c.Events[^1];
        Assert.Equal((CaseActor.Platform.Name, "Community: not accepted in time"), (escalated.ActorName, escalated.Note));
        // The new team starts with a clean slate: not overdue in their queue.
        Assert.Null(c.OverdueSince);
    }

    [Fact]
    public void A_case_past_both_deadlines_is_recorded_as_not_accepted_in_time_whichever_timer_fires_first()
    {
        // Both timers came due together (a node was down, or two nodes fire them at once in either order).
        var later = ResolutionDue.AddMinutes(1);
        var c = Report();
        var response = Stored(c, Due(c, SlaKind.Response, null));
        Assert.True(Fire(c, SlaKind.Resolution, later));
        Assert.False(c.SlaDue(response, Category(c.Mode), later));
        Assert.Equal((HandlingLevel.Community, 1, true, false), (c.Level, c.EscalationCount, c.ResponseBreached, c.ResolutionBreached));
        Assert.Equal([CaseEventKind.Reported, CaseEventKind.ResponseOverdue, CaseEventKind.Escalated], c.Events.Select(e => e.Kind));
        Assert.Equal("Community: not accepted in time", c.Events[^1].Note);
    }

    [Fact]
    public void An_escalated_case_gets_fresh_deadlines_and_new_timers_for_the_new_team()
    {
        var c = Report();
        var firedAt = ResponseDue.AddSeconds(20);
        Fire(c, SlaKind.Response, firedAt);
        Assert.Equal(2, c.SlaRound);
        Assert.Equal((firedAt.AddMinutes(ResponseMinutes), firedAt.AddMinutes(ResolutionMinutes)), (c.ResponseDueAt, c.ResolutionDueAt));
        Assert.Equal([(SlaKind.Response, firedAt.AddMinutes(ResponseMinutes)), (SlaKind.Resolution, firedAt.AddMinutes(ResolutionMinutes))],
            c.Timers.Where(t => t.Round == 2).Select(t => (t.Kind, t.DueAt)));
    }

    [Fact]
    public void The_response_timer_does_nothing_once_the_case_is_accepted()
    {
        var c = Report();
        c.Accept(Handler, ResponseDue.AddMinutes(-1));
        var before = Snapshot(c);
        Assert.False(Fire(c, SlaKind.Response, ResponseDue));
        Assert.Equal(before, Snapshot(c));
        Assert.False(c.ResponseBreached);
    }

    [Theory]
    [InlineData(CaseStatus.Rejected)]
    [InlineData(CaseStatus.Dispatched)]
    [InlineData(CaseStatus.Handled)]
    public void The_response_timer_does_nothing_once_the_team_has_answered(CaseStatus status)
    {
        var c = At(status);
        var before = Snapshot(c);
        Assert.False(Fire(c, SlaKind.Response, ResponseDue, round: 1));
        Assert.Equal(before, Snapshot(c));
    }

    [Fact]
    public void Escalates_to_the_community_when_the_property_company_accepts_but_does_not_finish_in_time()
    {
        var c = At(CaseStatus.InProgress);
        Assert.True(Fire(c, SlaKind.Resolution, ResolutionDue));
        Assert.Equal((HandlingLevel.Community, CaseStatus.Reported, (int?)null, true), (c.Level, c.Status, c.AssigneeUserId, c.ResolutionBreached));
        Assert.Equal([CaseEventKind.ResolutionOverdue, CaseEventKind.Escalated], c.Events.TakeLast(2).Select(e => e.Kind));
        Assert.Equal("Community: not handled in time", c.Events[^1].Note);
    }

    [Fact]
    public void Escalates_to_street_when_sla_breached_at_the_community()
    {
        var noise = Category(level: HandlingLevel.Community);
        var c = Report(noise);
        c.Accept(Handler, T0.AddMinutes(5));
        c.Dispatch(Handler, Handler.UserId, Handler.Name, T0.AddMinutes(6));
        Assert.True(Fire(c, SlaKind.Resolution, ResolutionDue, category: noise));
        Assert.Equal((HandlingLevel.Street, CaseStatus.Reported, 1), (c.Level, c.Status, c.EscalationCount));
    }

    [Theory]
    [InlineData(CaseStatus.Handled)]
    [InlineData(CaseStatus.Verified)]
    [InlineData(CaseStatus.Closed)]
    [InlineData(CaseStatus.Rejected)]
    public void The_resolution_timer_does_nothing_once_the_work_is_done(CaseStatus status)
    {
        var c = At(status);
        var before = Snapshot(c);
        Assert.False(Fire(c, SlaKind.Resolution, ResolutionDue, round: 1));
        Assert.Equal(before, Snapshot(c));
        Assert.False(c.ResolutionBreached);
    }

    [Fact]
    public void A_case_nobody_accepts_keeps_climbing_one_level_per_missed_deadline_up_to_the_district()
    {
        var c = Report();
        var now = T0;
        foreach (var expected in new[] { HandlingLevel.Community, HandlingLevel.Street, HandlingLevel.District })
        {
            now = c.ResponseDueAt;
            Assert.True(Fire(c, SlaKind.Response, now));
            Assert.Equal(expected, c.Level);
        }
        Assert.Equal((3, 4), (c.EscalationCount, c.SlaRound));
        Assert.Equal(3, c.Events.Count(e => e.Kind == CaseEventKind.Escalated));
    }

    [Fact]
    public void At_the_district_a_missed_deadline_marks_the_case_overdue_without_escalating()
    {
        var c = Report(Category(level: HandlingLevel.District), level: HandlingLevel.District);
        var timers = c.Timers.Count;
        Assert.False(Fire(c, SlaKind.Response, ResponseDue));
        Assert.Equal((HandlingLevel.District, CaseStatus.Reported, 0, 1), (c.Level, c.Status, c.EscalationCount, c.SlaRound));
        Assert.Equal((ResponseDue, true), (c.OverdueSince, c.ResponseBreached));
        Assert.Equal(CaseEventKind.ResponseOverdue, c.Events[^1].Kind);
        Assert.DoesNotContain(c.Events, e => e.Kind == CaseEventKind.Escalated);
        Assert.Equal(timers, c.Timers.Count);

        // The later resolution deadline is recorded too, but "overdue since" keeps the first miss.
        c.Accept(Handler, ResponseDue.AddMinutes(5));
        Assert.False(Fire(c, SlaKind.Resolution, ResolutionDue));
        Assert.Equal((ResponseDue, true), (c.OverdueSince, c.ResolutionBreached));
        Assert.Equal(HandlingLevel.District, c.Level);
    }

    [Fact]
    public void Handling_an_overdue_case_clears_the_overdue_mark_but_not_the_record_of_the_breach()
    {
        var c = Report(Category(level: HandlingLevel.District), level: HandlingLevel.District);
        Fire(c, SlaKind.Response, ResponseDue);
        c.Accept(Handler, ResponseDue.AddMinutes(1));
        c.Dispatch(Handler, Handler.UserId, Handler.Name, ResponseDue.AddMinutes(2));
        c.Handle(Handler, "已拆除", ResponseDue.AddMinutes(3));
        Assert.Null(c.OverdueSince);
        Assert.True(c.ResponseBreached);
    }

    [Fact]
    public void A_stale_timer_from_before_an_escalation_does_nothing()
    {
        var c = Report();
        Fire(c, SlaKind.Response, ResponseDue);
        c.Accept(Handler, ResponseDue.AddMinutes(1));
        var before = Snapshot(c);
        // Round one's resolution deadline passes while the community works on round two.
        Assert.False(Fire(c, SlaKind.Resolution, ResolutionDue, round: 1));
        Assert.Equal(before, Snapshot(c));
        Assert.Equal(HandlingLevel.Community, c.Level);
    }

    [Fact]
    public void A_stale_timer_from_before_a_transfer_does_nothing()
    {
        var c = Report();
        c.Transfer(Handler, HandlingLevel.Community, null, "归社区", Category(), T0.AddMinutes(10));
        var before = Snapshot(c);
        Assert.False(Fire(c, SlaKind.Response, ResponseDue, round: 1));
        Assert.Equal(before, Snapshot(c));
        // The new team's own deadline still counts.
        Assert.True(Fire(c, SlaKind.Response, T0.AddMinutes(10 + ResponseMinutes), round: 2));
        Assert.Equal(HandlingLevel.Street, c.Level);
    }

    [Fact]
    public void A_stale_timer_from_before_a_reopening_does_nothing_but_the_new_deadline_counts()
    {
        var c = At(CaseStatus.Handled);
        c.Reopen(Reporter, "又坏了", Category(), T0.AddMinutes(20));
        var before = Snapshot(c);
        Assert.False(Fire(c, SlaKind.Resolution, ResolutionDue, round: 1));
        Assert.Equal(before, Snapshot(c));

        Assert.True(Fire(c, SlaKind.Resolution, T0.AddMinutes(20 + ResolutionMinutes), round: 2));
        Assert.Equal((HandlingLevel.Community, CaseStatus.Reported, true), (c.Level, c.Status, c.ResolutionBreached));
    }

    [Fact]
    public void When_both_deadlines_have_passed_the_case_climbs_once_not_twice()
    {
        // A server that was down past both deadlines fires both timers in deadline order.
        var c = Report();
        var now = ResolutionDue.AddHours(1);
        var response = Stored(c, Due(c, SlaKind.Response, 1));
        var resolution = Stored(c, Due(c, SlaKind.Resolution, 1));
        Assert.True(c.SlaDue(response, Category(), now));
        Assert.False(c.SlaDue(resolution, Category(), now));
        Assert.Equal((HandlingLevel.Community, 1), (c.Level, c.EscalationCount));
        Assert.Equal((now.AddMinutes(ResponseMinutes), now.AddMinutes(ResolutionMinutes)), (c.ResponseDueAt, c.ResolutionDueAt));
    }

    [Fact]
    public void A_manual_escalation_also_starts_fresh_deadlines_and_retires_the_old_timers()
    {
        var c = At(CaseStatus.Accepted);
        var now = After(c);
        c.Escalate(Handler, "需社区协调", Category(), now);
        Assert.Equal((now.AddMinutes(ResponseMinutes), 2), (c.ResponseDueAt, c.SlaRound));
        var before = Snapshot(c);
        Assert.False(Fire(c, SlaKind.Resolution, ResolutionDue, round: 1));
        Assert.Equal(before, Snapshot(c));
    }
}

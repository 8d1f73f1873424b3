using Linli.Domain.Alarms;
using static Linli.Domain.Tests.MonitoringTestKit;

namespace Linli.Domain.Tests;

/// <summary>
/// Which alarms reach a person live in the browser and which by SMS. A critical alarm escalated to someone reaches them
/// whatever they chose: nobody can mute an SOS meant for them.
/// </summary>
public sealed class NotificationPreferenceTests
{
    [Theory]
    [InlineData(AlarmSeverity.Warning, true, false)]
    [InlineData(AlarmSeverity.Minor, true, false)]
    [InlineData(AlarmSeverity.Major, true, true)]
    [InlineData(AlarmSeverity.Critical, true, true)]
    public void By_default_shows_every_alarm_live_and_texts_major_or_worse(AlarmSeverity severity, bool live, bool sms)
    {
        var p = NotificationPreference.Default(7);

        Assert.Equal(live, p.WantsLive(severity, AlarmKind.Environment, escalatedToMe: false));
        Assert.Equal(sms, p.WantsSms(severity, AlarmKind.Environment));
    }

    [Fact]
    public void Muted_kinds_reach_neither_screen_nor_phone()
    {
        var p = NotificationPreference.Default(7);
        p.Set(AlarmSeverity.Warning, AlarmSeverity.Minor, [AlarmKind.Environment, AlarmKind.Offline], Min(1));

        Assert.False(p.WantsLive(AlarmSeverity.Major, AlarmKind.Offline, escalatedToMe: false));
        Assert.False(p.WantsSms(AlarmSeverity.Major, AlarmKind.Environment));
        Assert.True(p.WantsLive(AlarmSeverity.Warning, AlarmKind.Gas, escalatedToMe: false));
        Assert.True(p.WantsSms(AlarmSeverity.Minor, AlarmKind.Gas));
    }

    [Fact]
    public void Keeps_muted_kinds_once_each_in_a_stable_order()
    {
        var p = new NotificationPreference(7);
        p.Set(null, null, [AlarmKind.Sos, AlarmKind.Fire, AlarmKind.Sos], Min(1));

        Assert.Equal("Fire,Sos", p.MutedKinds);
        Assert.Equal(new HashSet<AlarmKind> { AlarmKind.Fire, AlarmKind.Sos }, p.Muted);
        Assert.Equal(Min(1), p.UpdatedAt);
    }

    [Fact]
    public void Raises_the_thresholds_as_chosen()
    {
        var p = NotificationPreference.Default(7);
        p.Set(AlarmSeverity.Major, null, [], Min(1));

        Assert.False(p.WantsLive(AlarmSeverity.Minor, AlarmKind.Fire, escalatedToMe: false));
        Assert.True(p.WantsLive(AlarmSeverity.Major, AlarmKind.Fire, escalatedToMe: false));
        Assert.False(p.WantsSms(AlarmSeverity.Critical, AlarmKind.Fire));
    }

    [Fact]
    public void A_critical_alarm_escalated_to_me_is_always_live_even_when_muted_or_switched_off()
    {
        var p = NotificationPreference.Default(7);
        p.Set(null, null, [AlarmKind.Sos], Min(1));

        Assert.True(p.WantsLive(AlarmSeverity.Critical, AlarmKind.Sos, escalatedToMe: true));
        Assert.False(p.WantsLive(AlarmSeverity.Critical, AlarmKind.Sos, escalatedToMe: false));
        Assert.False(p.WantsLive(AlarmSeverity.Major, AlarmKind.Sos, escalatedToMe: true));
    }

    [Fact]
    public void A_preference_with_nothing_chosen_sends_nothing_but_escalated_critical_alarms()
    {
        var p = new NotificationPreference(7);

        Assert.False(p.WantsLive(AlarmSeverity.Critical, AlarmKind.Fire, escalatedToMe: false));
        Assert.False(p.WantsSms(AlarmSeverity.Critical, AlarmKind.Fire));
        Assert.True(p.WantsLive(AlarmSeverity.Critical, AlarmKind.Fire, escalatedToMe: true));
    }
}

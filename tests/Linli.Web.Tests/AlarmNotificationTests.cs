using System.Net;
using Linli.Domain.Alarms;
using Linli.Domain.Common;
using Linli.Domain.Devices;
using Linli.Domain.Registry;
using Linli.Infrastructure.Persistence;
using Linli.Web.Features.Alarms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>Who hears about an alarm, on which channel, by their own choices; and the escalation reminding earlier levels.</summary>
public sealed class AlarmNotificationTests
{
    internal static async Task<(int BuildingId, int GridWorkerId)> GridOfAsync(TestApp app, string gridUser)
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        var user = await db.Users.IgnoreQueryFilters().SingleAsync(u => u.UserName == gridUser);
        var building = await db.Buildings.IgnoreQueryFilters().Where(b => b.GridId == user.NodeId).OrderBy(b => b.Id).Select(b => b.Id).FirstAsync();
        return (building, user.Id);
    }

    internal static async Task GivePhoneAsync(TestApp app, string userName, string phone)
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        var protector = scope.ServiceProvider.GetRequiredService<IPersonalDataProtector>();
        var user = await db.Users.IgnoreQueryFilters().SingleAsync(u => u.UserName == userName);
        user.SetPhone(PhoneNumber.Parse(phone), protector);
        await db.SaveChangesAsync();
    }

    static async Task<AlarmDetailDto> WaitForTimelineAsync(HttpClient staff, long alarmId, Func<AlarmDetailDto, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var detail = await staff.GetOkAsync<AlarmDetailDto>($"/api/v1/alarms/{alarmId}");
            if (done(detail)) return detail;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The expected notifications did not appear on the timeline: "
                + string.Join(" | ", detail.Timeline.Select(e => $"{e.Kind} {e.Note}")));
            await Task.Delay(100);
        }
    }

    static bool Told(AlarmDetailDto d, string who, string channel) => Times(d, who, channel) > 0;

    static int Times(AlarmDetailDto d, string who, string channel) =>
        d.Timeline.Count(e => e.Kind == AlarmEventKind.Notified && e.Note is { } n && n.Contains(who, StringComparison.Ordinal) && n.EndsWith($"· {channel}", StringComparison.Ordinal));

    [Fact]
    public async Task The_grid_worker_is_called_live_and_by_SMS_and_reminded_when_the_alarm_escalates_to_the_property()
    {
        await using var app = await LinliAppFactory.StartAsync();
        await MonitoringKit.WithoutDemoRulesAsync(app);
        var admin = await app.ClientAsAsync("admin1");
        var property = await app.ClientAsAsync("property1");
        var (buildingId, _) = await GridOfAsync(app, "grid1");
        await GivePhoneAsync(app, "grid1", "13800001111");
        await GivePhoneAsync(app, "property1", "13800002222");
        // The property's duty phone wants no SMS, only the live push.
        var saved = await (await property.PutJsonAsync("/api/v1/me/notification-preferences",
            new { liveMinSeverity = "Warning", smsMinSeverity = "Off", mutedKinds = Array.Empty<string>() })).OkAsync<NotificationPreferencesDto>();
        Assert.Equal("Off", saved.SmsMinSeverity);

        var detector = await MonitoringKit.RegisterAsync(admin, DeviceType.SmokeDetector, new { buildingId, unit = 1 });
        await MonitoringKit.RuleAsync(admin, new
        {
            name = "烟雾报警", kind = "Fire", severity = "Critical", deviceType = "SmokeDetector", ackWithinSeconds = 10,
            condition = new { type = "threshold", metric = "smoke", op = "Above", value = 0.1 },
        });
        await MonitoringKit.SendOkAsync(app.Anonymous(), detector, new { values = new { smoke = 0.4 } });
        var alarm = await MonitoringKit.WaitForAlarmAsync(admin, a => a.DeviceId == detector.Device.Id);
        Assert.Equal(EscalationLevel.GridWorker, alarm.Level);

        var raised = await WaitForTimelineAsync(admin, alarm.Id, d => Told(d, "张丽", "live") && Told(d, "张丽", "SMS"));
        Assert.DoesNotContain(raised.Timeline, e => e.Kind == AlarmEventKind.Notified && e.Note!.Contains("赵敏", StringComparison.Ordinal));
        var sms = Assert.Single(app.Factory.Sms.Sent, s => s.Phone == "13800001111");
        Assert.Contains("烟雾报警", sms.Message, StringComparison.Ordinal);

        // Nobody acknowledges within 10 s: the property duty room is called, and the grid worker is reminded.
        app.Clock.Advance(TimeSpan.FromSeconds(11));
        var escalated = await WaitForTimelineAsync(admin, alarm.Id, d => Told(d, "赵敏", "live") && Times(d, "张丽", "SMS") == 2);
        Assert.Equal(EscalationLevel.PropertyDutyRoom, escalated.Alarm.Level);
        Assert.False(Told(escalated, "赵敏", "SMS"));
        Assert.DoesNotContain(app.Factory.Sms.Sent, s => s.Phone == "13800002222");
        Assert.Equal(2, app.Factory.Sms.Sent.Count(s => s.Phone == "13800001111"));
        Assert.Contains(app.Factory.Sms.Sent, s => s.Phone == "13800001111" && s.Message.Contains("升级", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_muted_kind_and_a_low_severity_reach_nobody_and_an_SOS_reaches_the_family_by_SMS()
    {
        await using var app = await LinliAppFactory.StartAsync();
        await MonitoringKit.WithoutDemoRulesAsync(app);
        var admin = await app.ClientAsAsync("admin1");
        var grid = await app.ClientAsAsync("grid1");
        var (buildingId, _) = await GridOfAsync(app, "grid1");
        await GivePhoneAsync(app, "grid1", "13800001111");
        await (await grid.PutJsonAsync("/api/v1/me/notification-preferences",
            new { liveMinSeverity = "Minor", smsMinSeverity = "Major", mutedKinds = new[] { "WaterLeak" } })).OkAsync<NotificationPreferencesDto>();

        var leak = await MonitoringKit.RegisterAsync(admin, DeviceType.WaterLeakDetector, new { buildingId, unit = 1 });
        var smoke = await MonitoringKit.RegisterAsync(admin, DeviceType.SmokeDetector, new { buildingId, unit = 1 });
        await MonitoringKit.RuleAsync(admin, new
        {
            name = "漏水", kind = "WaterLeak", severity = "Major", deviceType = "WaterLeakDetector",
            condition = new { type = "threshold", metric = "leak", op = "Above", value = 0.5 },
        });
        await MonitoringKit.RuleAsync(admin, new
        {
            name = "烟感低电量", kind = "Equipment", severity = "Warning", deviceType = "SmokeDetector",
            condition = new { type = "threshold", metric = "battery", op = "Below", value = 10 },
        });
        await MonitoringKit.SendOkAsync(app.Anonymous(), leak, new { values = new { leak = 1 } });
        await MonitoringKit.SendOkAsync(app.Anonymous(), smoke, new { values = new { battery = 5 } });
        var leakAlarm = await MonitoringKit.WaitForAlarmAsync(admin, a => a.DeviceId == leak.Device.Id);
        var lowBattery = await MonitoringKit.WaitForAlarmAsync(admin, a => a.DeviceId == smoke.Device.Id);

        // The resident's SOS: their family's emergency contact gets an SMS, and the timeline shows the masked number only.
        var resident = await app.ClientAsAsync("resident1");
        var sos = await (await resident.PostJsonAsync("/api/v1/sos", new { })).OkAsync<AlarmDto>();
        string contactPhone;
        using (var scope = app.Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
            var protector = scope.ServiceProvider.GetRequiredService<IPersonalDataProtector>();
            var contact = await db.Residents.IgnoreQueryFilters().Where(r => r.RoomId == sos.RoomId && r.EmergencyContactPhoneProtected != null)
                .Select(r => r.EmergencyContactPhoneProtected).FirstOrDefaultAsync();
            if (contact is null)
            {
                var me = await db.Residents.IgnoreQueryFilters().SingleAsync(r => r.Id == sos.ResidentId);
                me.SetEmergencyContact("王小明", PhoneNumber.Parse("13900003333"), protector);
                await db.SaveChangesAsync();
                contactPhone = "13900003333";
            }
            else contactPhone = protector.Unprotect(contact);
        }
        var sosAlarm = await grid.GetOkAsync<AlarmDetailDto>($"/api/v1/alarms/{sos.Id}");
        // The family, the grid worker and the duty room are called at once (SosHelpTests); the next round goes to the office.
        Assert.Equal(EscalationLevel.PropertyDutyRoom, sosAlarm.Alarm.Level);
        // A reminder round after the last level calls the family again as well, whether or not they had a number at first.
        app.Clock.Advance(TimeSpan.FromSeconds(61));
        var told = await WaitForTimelineAsync(grid, sos.Id, d => d.Timeline.Any(e => e.Kind == AlarmEventKind.Notified && e.Note!.EndsWith("· SMS", StringComparison.Ordinal)
            && !e.Note.Contains("张丽", StringComparison.Ordinal)));
        Assert.Contains(app.Factory.Sms.Sent, s => s.Phone == contactPhone && s.Message.Contains("SOS", StringComparison.Ordinal));
        Assert.DoesNotContain(told.Timeline, e => e.Note is { } n && n.Contains(contactPhone, StringComparison.Ordinal));

        // The grid worker (live from Minor, SMS from Major, water leaks muted) was told of nothing about the leak or the battery.
        // (Only a critical alarm escalated to someone reaches them live whatever they muted.)
        var leakDetail = await admin.GetOkAsync<AlarmDetailDto>($"/api/v1/alarms/{leakAlarm.Id}");
        var batteryDetail = await admin.GetOkAsync<AlarmDetailDto>($"/api/v1/alarms/{lowBattery.Id}");
        Assert.DoesNotContain(leakDetail.Timeline, e => e.Kind == AlarmEventKind.Notified && e.Note!.Contains("张丽", StringComparison.Ordinal));
        Assert.DoesNotContain(batteryDetail.Timeline, e => e.Kind == AlarmEventKind.Notified && e.Note!.Contains("张丽", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Preferences_start_at_the_defaults_and_bad_choices_are_refused_naming_the_field()
    {
        await using var app = await LinliAppFactory.StartAsync();
        await MonitoringKit.WithoutDemoRulesAsync(app);
        var grid = await app.ClientAsAsync("grid1");
        var defaults = await grid.GetOkAsync<NotificationPreferencesDto>("/api/v1/me/notification-preferences");
        Assert.True(defaults.IsDefault);
        Assert.Equal("Warning", defaults.LiveMinSeverity);
        Assert.Equal("Major", defaults.SmsMinSeverity);

        await (await grid.PutJsonAsync("/api/v1/me/notification-preferences", new { liveMinSeverity = "Loud", smsMinSeverity = "Off" }))
            .ExpectFieldErrorAsync("liveMinSeverity");
        await (await grid.PutJsonAsync("/api/v1/me/notification-preferences", new { liveMinSeverity = "Off", smsMinSeverity = "Off", mutedKinds = new[] { "Ghosts" } }))
            .ExpectFieldErrorAsync("mutedKinds");
        var saved = await (await grid.PutJsonAsync("/api/v1/me/notification-preferences",
            new { liveMinSeverity = "off", smsMinSeverity = "Critical", mutedKinds = new[] { "Offline", "Environment" } })).OkAsync<NotificationPreferencesDto>();
        Assert.Equal("Off", saved.LiveMinSeverity);
        Assert.Equal("Critical", saved.SmsMinSeverity);
        Assert.Equal([AlarmKind.Offline, AlarmKind.Environment], saved.MutedKinds);
        var again = await grid.GetOkAsync<NotificationPreferencesDto>("/api/v1/me/notification-preferences");
        Assert.False(again.IsDefault);
        Assert.Equal("Off", again.LiveMinSeverity);

        var resident = await app.ClientAsAsync("resident1");
        Assert.Equal(HttpStatusCode.Forbidden, await resident.GetAsync("/api/v1/me/notification-preferences").StatusOfAsync());
    }
    [Fact]
    public async Task A_staff_member_sets_their_notifications_on_the_page_and_the_API_reads_them_back()
    {
        await using var app = await LinliAppFactory.StartAsync();
        await MonitoringKit.WithoutDemoRulesAsync(app);
        var browser = await CaseStaffPageTests.BrowserAsync(app, "property1");
        var page = await browser.GetStringAsync("/me/notifications");
        Assert.Contains("My alarm notifications", page, StringComparison.Ordinal);
        var token = System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value);
        using var posted = await browser.PostAsync("/me/notifications", new FormUrlEncodedContent(
        [
            new("_handler", "notifications"), new("__RequestVerificationToken", token),
            new("Form.Live", "Major"), new("Form.Sms", "Off"), new("Form.Muted", "Offline"), new("Form.Muted", "Environment"),
        ]));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var after = await posted.Content.ReadAsStringAsync();
        Assert.Contains("Saved.", after, StringComparison.Ordinal);
        var api = await app.ClientAsAsync("property1");
        var prefs = await api.GetOkAsync<NotificationPreferencesDto>("/api/v1/me/notification-preferences");
        Assert.Equal("Major", prefs.LiveMinSeverity);
        Assert.Equal("Off", prefs.SmsMinSeverity);
        Assert.Equal([AlarmKind.Offline, AlarmKind.Environment], prefs.MutedKinds);

        using var bad = await browser.PostAsync("/me/notifications", new FormUrlEncodedContent(
            [new("_handler", "notifications"), new("__RequestVerificationToken", token), new("Form.Live", "Loud"), new("Form.Sms", "Off")]));
        var refused = await bad.Content.ReadAsStringAsync();
        Assert.Contains("id=\"live-err\"", refused, StringComparison.Ordinal);
        Assert.Equal("Major", (await api.GetOkAsync<NotificationPreferencesDto>("/api/v1/me/notification-preferences")).LiveMinSeverity);

        var resident = await CaseStaffPageTests.BrowserAsync(app, "resident1");
        using var denied = await resident.GetAsync("/me/notifications");
        Assert.NotEqual(HttpStatusCode.OK, denied.StatusCode);
    }
}

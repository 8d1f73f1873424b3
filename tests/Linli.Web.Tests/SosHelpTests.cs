using Linli.Domain.Alarms;
using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Domain.Registry;
using Linli.Infrastructure.Persistence;
using Linli.Web.Features.Alarms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>
/// An SOS reaches people at once: the family (when a number is on file) and the staff on duty for the place, the grid
/// worker and the property duty room, together. The test clock is never moved forward here and the acknowledge time is a
/// minute, so every call the timeline shows was made within two seconds of the press, not by an escalation timer.
/// </summary>
public sealed class SosHelpTests
{
    static readonly TimeSpan AtOnce = TimeSpan.FromSeconds(2);

    static void AllWithinTwoSeconds(AlarmDetailDto detail, AlarmDto sos, AlarmEventKind kind = AlarmEventKind.Notified) =>
        Assert.All(detail.Timeline.Where(e => e.Kind == kind), e => Assert.InRange(e.At - sos.RaisedAt, TimeSpan.Zero, AtOnce));

    [Fact]
    public async Task An_SOS_from_a_home_with_no_family_number_reaches_the_grid_worker_and_the_duty_room_at_the_moment_of_the_press()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var resident = await app.ClientAsAsync("resident1");
        var admin = await app.ClientAsAsync("admin1");
        var home = await HomeOfAsync(app, "resident1");
        await SetFamilyNumbersAsync(app, home.RoomId, null);

        var sos = await (await resident.PostJsonAsync("/api/v1/sos", new { })).OkAsync<AlarmDto>();

        var staff = await OnDutyAsync(app, sos);
        var detail = await WaitForCallsAsync(admin, sos.Id, staff);
        AllWithinTwoSeconds(detail, sos);
        Assert.DoesNotContain(detail.Timeline, e => e.Kind == AlarmEventKind.Escalated);
        Assert.Equal(EscalationLevel.PropertyDutyRoom, detail.Alarm.Level);
    }

    [Fact]
    public async Task An_SOS_from_a_home_with_a_family_number_texts_the_family_and_calls_the_staff_on_duty_together()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var resident = await app.ClientAsAsync("resident2");
        var admin = await app.ClientAsAsync("admin2");
        var home = await HomeOfAsync(app, "resident2");
        await SetFamilyNumbersAsync(app, home.RoomId, "13900004444");

        var sos = await (await resident.PostJsonAsync("/api/v1/sos", new { note = "摔倒了" })).OkAsync<AlarmDto>();

        var staff = await OnDutyAsync(app, sos);
        var detail = await WaitForCallsAsync(admin, sos.Id, [.. staff, "139****4444"]);
        Assert.Contains(app.Factory.Sms.Sent, s => s.Phone == "13900004444" && s.Message.Contains("SOS", StringComparison.Ordinal));
        AllWithinTwoSeconds(detail, sos);
    }

    [Fact]
    public async Task When_nobody_holds_the_levels_called_first_the_next_level_is_called_at_once()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var resident = await app.ClientAsAsync("resident1");
        var admin = await app.ClientAsAsync("admin1");
        var home = await HomeOfAsync(app, "resident1");
        await SetFamilyNumbersAsync(app, home.RoomId, null);
        // Nobody holds this grid's or this community's duty posts (their accounts now serve elsewhere): the office is next.
        using (var scope = app.Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
            var moved = await db.Users.IgnoreQueryFilters()
                .Where(u => (u.Role == Role.GridWorker && u.NodeId == home.GridId) || (u.Role == Role.PropertyStaff && u.NodeId == home.CommunityId))
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.Role, Role.ServiceProvider));
            Assert.True(moved > 0, "the premise: the place had a grid worker or property staff on duty");
        }

        var sos = await (await resident.PostJsonAsync("/api/v1/sos", new { })).OkAsync<AlarmDto>();

        var office = await NamesAsync(app, u => u.Role == Role.CommunityAdmin && u.NodeId == home.CommunityId);
        var detail = await WaitForCallsAsync(admin, sos.Id, office);
        Assert.Equal(EscalationLevel.CommunityAdmin, detail.Alarm.Level);
        Assert.Contains(detail.Timeline, e => e.Kind == AlarmEventKind.Escalated);
        AllWithinTwoSeconds(detail, sos, AlarmEventKind.Escalated);
        AllWithinTwoSeconds(detail, sos);
    }

    sealed record Home(int RoomId, int GridId, int CommunityId);

    static async Task<Home> HomeOfAsync(TestApp app, string userName)
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        var user = await db.Users.IgnoreQueryFilters().SingleAsync(u => u.UserName == userName);
        var room = await db.Residents.IgnoreQueryFilters().Where(r => r.Id == user.ResidentId).Select(r => r.RoomId).SingleAsync();
        return await db.Rooms.IgnoreQueryFilters().Where(r => r.Id == room).Select(r => new Home(r.Id, r.GridId, r.CommunityId)).SingleAsync();
    }

    /// <summary>Gives every resident of the room this family number (or none).</summary>
    static async Task SetFamilyNumbersAsync(TestApp app, int roomId, string? phone)
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        var protector = scope.ServiceProvider.GetRequiredService<IPersonalDataProtector>();
        foreach (var r in await db.Residents.IgnoreQueryFilters().Where(r => r.RoomId == roomId).ToListAsync())
            r.SetEmergencyContact(phone is null ? null : "家属", phone is null ? null : PhoneNumber.Parse(phone), protector);
        await db.SaveChangesAsync();
    }

    /// <summary>The staff on duty for the alarm's place: its grid's workers and its community's property staff (at least one).</summary>
    static async Task<string[]> OnDutyAsync(TestApp app, AlarmDto alarm)
    {
        var names = await NamesAsync(app, u => (u.Role == Role.GridWorker && u.NodeId == alarm.GridId) || (u.Role == Role.PropertyStaff && u.NodeId == alarm.CommunityId));
        Assert.True(names.Length > 0, "the premise: someone is on duty for that place");
        return names;
    }

    static async Task<string[]> NamesAsync(TestApp app, System.Linq.Expressions.Expression<Func<Linli.Domain.Identity.UserAccount, bool>> who)
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        return await db.Users.IgnoreQueryFilters().Where(who).Select(u => u.DisplayName).ToArrayAsync();
    }

    /// <summary>Waits (real time, the app's clock standing still) until the timeline shows each of <paramref name="names"/> told.</summary>
    static async Task<AlarmDetailDto> WaitForCallsAsync(HttpClient staff, long alarmId, IReadOnlyCollection<string> names)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var detail = await staff.GetOkAsync<AlarmDetailDto>($"/api/v1/alarms/{alarmId}");
            var told = detail.Timeline.Where(e => e.Kind == AlarmEventKind.Notified).Select(e => e.Note ?? "").ToList();
            if (names.All(n => told.Any(t => t.Contains(n, StringComparison.Ordinal)))) return detail;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Not everyone was told ({string.Join(", ", names)}); the timeline: "
                    + string.Join(" | ", detail.Timeline.Select(e => $"{e.Kind} {e.Note}")));
            await Task.Delay(100);
        }
    }
}

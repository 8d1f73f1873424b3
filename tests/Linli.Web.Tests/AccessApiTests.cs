using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Linli.Application.Access;
using Linli.Application.Devices;
using Linli.Domain.Access;
using Linli.Domain.Alarms;
using Linli.Domain.Devices;
using Linli.Infrastructure.Persistence;
using Linli.Web.Features.Access;
using Linli.Web.Features.Alarms;
using Linli.Web.Features.Devices;
using Linli.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>
/// One card through the API (issue 12), on both databases: staff issue credentials, a controller asks at its gates, a
/// lost card stops working, a phone code opens once, a visitor's pass counts its entries, a move-out revokes, and the
/// log shows it all; one community's staff reach nothing of another's.
/// </summary>
public sealed class AccessApiTests
{
    const string Uid = "04A1B2C3";

    [Fact]
    public async Task A_residents_card_opens_the_community_gate_and_their_unit_but_not_the_neighbouring_unit()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var w = await AccessKit.WorldAsync(app);
        var card = await w.IssueAsync(new { kind = "Card", residentId = w.Home.ResidentId, cardUid = "04:a1:b2:c3" });

        var atGate = await w.DecideAsync(new { gate = w.CommunityGate, card = Uid });
        var atUnit = await w.DecideAsync(new { gate = w.UnitDoor, card = "04 A1 B2 C3" });
        var atOther = await w.DecideAsync(new { gate = w.OtherUnitDoor, card = Uid });
        var unknown = await w.DecideAsync(new { gate = w.UnitDoor, card = "DEADBEEF" });

        Assert.True(atGate.Allowed);
        Assert.Equal(card.HolderName, atGate.Holder);
        Assert.True(atUnit.Allowed);
        Assert.Equal((false, DenyReason.NoRightToGate), (atOther.Allowed, atOther.Reason));
        Assert.Equal((false, DenyReason.UnknownCredential), (unknown.Allowed, unknown.Reason));
        Assert.Null(unknown.Holder);
        // The card's printed 10-digit number is the same card.
        Assert.True((await w.DecideAsync(new { gate = w.UnitDoor, card = Convert.ToUInt32(Uid, 16).ToString("D10", System.Globalization.CultureInfo.InvariantCulture) })).Allowed);

        var log = await w.Admin.GetOkAsync<Page<AccessLogDto>>("/api/v1/access/log?pageSize=50");
        Assert.Equal(5, log.Items.Count(e => e.Gate is "南门" or "本单元门" or "邻单元门"));
        Assert.Contains(log.Items, e => e.CredentialId == card.Id && e.Gate == "邻单元门" && !e.Allowed && e.Reason == DenyReason.NoRightToGate && !e.Offline);
        Assert.Contains(log.Items, e => e.CredentialId is null && e.Reason == DenyReason.UnknownCredential);
    }

    [Fact]
    public async Task A_card_reported_lost_is_refused_at_once_and_opens_again_when_found_and_a_replacement_takes_over()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var w = await AccessKit.WorldAsync(app);
        var card = await w.IssueAsync(new { kind = "Card", residentId = w.Home.ResidentId, cardUid = Uid });
        Assert.True((await w.DecideAsync(new { gate = w.UnitDoor, card = Uid })).Allowed);

        var clock = Stopwatch.StartNew();
        (await w.Admin.PostJsonAsync($"/api/v1/access/credentials/{card.Id}/suspend", new { reason = "丢失" })).EnsureSuccessStatusCode();
        var refused = await w.DecideAsync(new { gate = w.UnitDoor, card = Uid });
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"suspended and refused in {clock.Elapsed}");
        Assert.Equal((false, DenyReason.Suspended), (refused.Allowed, refused.Reason));

        (await w.Admin.PostJsonAsync($"/api/v1/access/credentials/{card.Id}/reinstate", new { })).EnsureSuccessStatusCode();
        Assert.True((await w.DecideAsync(new { gate = w.UnitDoor, card = Uid })).Allowed);

        var replacement = await (await w.Admin.PostJsonAsync($"/api/v1/access/credentials/{card.Id}/replace", new { cardUid = "04A1B2C4" })).OkAsync<CredentialDto>();
        Assert.Equal((false, DenyReason.UnknownCredential), ((await w.DecideAsync(new { gate = w.UnitDoor, card = Uid })) is var old ? (old.Allowed, old.Reason) : default));
        Assert.True((await w.DecideAsync(new { gate = w.UnitDoor, card = "04A1B2C4" })).Allowed);
        var oldCard = await w.Admin.GetOkAsync<CredentialDto>($"/api/v1/access/credentials/{card.Id}");
        Assert.Equal((CredentialStatus.Revoked, replacement.Id), (oldCard.Status, oldCard.ReplacedById));
        // The same card cannot be issued twice.
        using var twice = await w.Admin.PostJsonAsync("/api/v1/access/credentials", new { kind = "Card", residentId = w.Home.ResidentId, cardUid = "04A1B2C4" });
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
    }

    [Fact]
    public async Task A_phone_code_opens_once_and_a_screenshot_a_minute_later_is_refused_as_expired()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var w = await AccessKit.WorldAsync(app);
        // The demo gives every resident with an account a phone code; a second one is refused.
        var resident = await app.ClientAsAsync("resident1");
        var mine = await resident.GetOkAsync<Page<CredentialDto>>("/api/v1/access/me/credentials");
        var phone = Assert.Single(mine.Items, c => c.Kind == CredentialKind.PhoneQr);
        using (var second = await w.Admin.PostJsonAsync("/api/v1/access/credentials", new { kind = "PhoneQr", residentId = w.Home.ResidentId }))
            Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);

        var code = await resident.GetOkAsync<PhoneCodeDto>($"/api/v1/access/me/credentials/{phone.Id}/code");
        var first = await w.DecideAsync(new { gate = w.UnitDoor, code = code.Code });
        var again = await w.DecideAsync(new { gate = w.CommunityGate, code = code.Code });
        app.Clock.Advance(TimeSpan.FromSeconds(65));
        var screenshot = await w.DecideAsync(new { gate = w.CommunityGate, code = code.Code });
        var forged = await w.DecideAsync(new { gate = w.CommunityGate, code = $"LQ1.{phone.Id}.12345678" });
        var fresh = await resident.GetOkAsync<PhoneCodeDto>($"/api/v1/access/me/credentials/{phone.Id}/code");
        var later = await w.DecideAsync(new { gate = w.CommunityGate, code = fresh.Code });

        Assert.True(first.Allowed);
        Assert.Equal(DenyReason.CodeReplayed, again.Reason);
        Assert.Equal(DenyReason.CodeExpired, screenshot.Reason);
        Assert.False(forged.Allowed);
        Assert.True(later.Allowed);
        // Another household's code is not theirs to show.
        var other = await app.ClientAsAsync("resident2");
        Assert.Equal(HttpStatusCode.NotFound, await other.GetAsync($"/api/v1/access/me/credentials/{phone.Id}/code").StatusOfAsync());
    }

    [Fact]
    public async Task A_visitors_pass_opens_the_allowed_number_of_times_then_is_used_up_and_after_its_window_expired()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var w = await AccessKit.WorldAsync(app);
        var resident = await app.ClientAsAsync("resident1");
        var now = app.Clock.GetUtcNow();
        var pass = await (await resident.PostJsonAsync("/api/v1/access/me/visitors",
            new { visitorName = "张阿姨", visitorPhone = "13812345678", validUntil = now.AddHours(4), entries = 2 })).OkAsync<VisitorPassDto>();
        Assert.NotNull(pass.Code);
        Assert.Equal("138****5678", pass.VisitorPhone);

        var one = await w.DecideAsync(new { gate = w.CommunityGate, code = pass.Code });
        var two = await w.DecideAsync(new { gate = w.UnitDoor, code = pass.Code });
        var leaving = await w.DecideAsync(new { gate = w.CommunityGate, code = pass.Code, direction = "Out" });
        var three = await w.DecideAsync(new { gate = w.CommunityGate, code = pass.Code });
        var notHere = await w.DecideAsync(new { gate = w.OtherUnitDoor, code = pass.Code });
        var tampered = await w.DecideAsync(new { gate = w.CommunityGate, code = pass.Code!.Replace(".2.", ".9.", StringComparison.Ordinal) });

        Assert.True(one.Allowed);
        Assert.True(two.Allowed);
        Assert.True(leaving.Allowed);
        Assert.Equal(DenyReason.PassUsedUp, three.Reason);
        Assert.Equal(DenyReason.NoRightToGate, notHere.Reason);
        Assert.Equal(DenyReason.Forged, tampered.Reason);

        var passes = await w.Admin.GetOkAsync<Page<VisitorPassDto>>("/api/v1/access/visitors?all=true");
        Assert.Contains(passes.Items, p => p.Id == pass.Id && p.UsedEntries == 2 && p.AllowedEntries == 2 && p.Code is null);

        var second = await (await resident.PostJsonAsync("/api/v1/access/me/visitors",
            new { visitorName = "快递 王", validUntil = now.AddHours(1), entries = 5 })).OkAsync<VisitorPassDto>();
        app.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(DenyReason.Expired, (await w.DecideAsync(new { gate = w.CommunityGate, code = second.Code })).Reason);
    }

    [Fact]
    public async Task A_resident_who_moves_out_loses_access_and_a_tenants_card_ends_with_the_lease()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var w = await AccessKit.WorldAsync(app);
        await w.IssueAsync(new { kind = "Card", residentId = w.Home.ResidentId, cardUid = Uid });
        await w.IssueAsync(new { kind = "Plate", residentId = w.Home.ResidentId, plate = "浙A·12345" });
        Assert.True((await w.DecideAsync(new { gate = w.UnitDoor, card = Uid })).Allowed);

        (await w.Admin.PostJsonAsync($"/api/v1/residents/{w.Home.ResidentId}/move-out", new { })).EnsureSuccessStatusCode();

        var after = await Eventually(() => w.DecideAsync(new { gate = w.UnitDoor, card = Uid }), d => !d.Allowed);
        Assert.Equal(DenyReason.UnknownCredential, after.Reason);
        var left = await w.Admin.GetOkAsync<Page<CredentialDto>>($"/api/v1/access/credentials?residentId={w.Home.ResidentId}");
        // The two issued here and the demo's card and phone code.
        Assert.Equal(4, left.Items.Count);
        Assert.All(left.Items, c => Assert.Equal((CredentialStatus.Revoked, "moved out"), (c.Status, c.StatusReason)));

        // A tenant's card ends with the lease the registry holds, and cannot be made to outlast it.
        var leaseEnd = DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime).AddDays(30);
        using var created = await w.Admin.PostJsonAsync("/api/v1/residents",
            TestPeople.Family(w.Home.RoomId, "租户 刘") with { Relation = Linli.Domain.Registry.Relation.Tenant, LeaseEnd = leaseEnd });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var tenantId = (await created.OkAsync<ResidentDto>()).Id;
        using var tooLong = await w.Admin.PostJsonAsync("/api/v1/access/credentials",
            new { kind = "Card", residentId = tenantId, cardUid = "11223344", validUntil = app.Clock.GetUtcNow().AddDays(90) });
        await tooLong.ExpectFieldErrorAsync("validUntil");
        var tenantCard = await w.IssueAsync(new { kind = "Card", residentId = tenantId, cardUid = "11223344" });
        Assert.Equal(Linli.Domain.Common.ChinaTime.StartOf(leaseEnd.AddDays(1)), tenantCard.ValidUntil);
        Assert.True((await w.DecideAsync(new { gate = w.UnitDoor, card = "11223344" })).Allowed);
        app.Clock.Advance(TimeSpan.FromDays(31));
        Assert.Equal(DenyReason.Expired, (await w.DecideAsync(new { gate = w.UnitDoor, card = "11223344" })).Reason);
    }

    [Fact]
    public async Task Five_refusals_in_a_row_at_one_reader_raise_a_security_alarm_once()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var w = await AccessKit.WorldAsync(app);
        for (var i = 0; i < 7; i++) Assert.False((await w.DecideAsync(new { gate = w.UnitDoor, card = $"0000000{i}" })).Allowed);

        var alarms = await Eventually(() => w.Admin.GetOkAsync<Page<AlarmDto>>("/api/v1/alarms?pageSize=100"),
            p => p.Items.Any(a => a.Kind == AlarmKind.Security && a.DeviceId == w.Controller.Device.Id));
        var alarm = Assert.Single(alarms.Items, a => a.Kind == AlarmKind.Security && a.DeviceId == w.Controller.Device.Id);
        Assert.Contains("本单元门: 5 refusals in a row", alarm.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_controller_must_know_its_key_name_one_credential_and_ask_about_its_own_gates()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var w = await AccessKit.WorldAsync(app);
        var other = await MonitoringKit.RegisterAsync(w.Admin, DeviceType.DoorController, new { buildingId = w.Home.BuildingId });
        var sensor = await MonitoringKit.RegisterAsync(w.Admin, DeviceType.SmokeDetector, new { buildingId = w.Home.BuildingId });

        using var wrongKey = await w.PostAsControllerAsync("/api/v1/access/decisions", new { gate = w.UnitDoor, card = Uid }, w.Controller with { Secret = "nope" });
        using var notAController = await w.PostAsControllerAsync("/api/v1/access/decisions", new { gate = w.UnitDoor, card = Uid }, sensor);
        using var notItsGate = await w.PostAsControllerAsync("/api/v1/access/decisions", new { gate = w.UnitDoor, card = Uid }, other);
        using var noGate = await w.PostAsControllerAsync("/api/v1/access/decisions", new { gate = "NO-SUCH", card = Uid });
        using var two = await w.PostAsControllerAsync("/api/v1/access/decisions", new { gate = w.UnitDoor, card = Uid, plate = "浙A12345" });

        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, notAController.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, notItsGate.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, noGate.StatusCode);
        await two.ExpectFieldErrorAsync("card");
    }

    [Fact]
    public async Task An_offline_controller_syncs_its_whitelist_by_acknowledged_commands_and_its_buffered_decisions_land_in_the_log_at_their_times()
    {
        await using var app = await LinliAppFactory.StartAsync(new Dictionary<string, string> { ["Linli:Access:SettleSeconds"] = "0" });
        var w = await AccessKit.WorldAsync(app);
        var card = await w.IssueAsync(new { kind = "Card", residentId = w.Home.ResidentId, cardUid = Uid });
        var snapshot = app.Factory.Services.GetRequiredService<AccessSnapshot>();
        await snapshot.CatchUpAsync(CancellationToken.None);

        var first = await w.CommandsAsync();
        var put = Assert.Single(first.Commands, c => c.CredentialId == card.Id);
        Assert.Equal(("put", Uid, CredentialStatus.Active), (put.Op, put.Credential!.Card, put.Credential.Status));
        Assert.Equal(3, first.Gates.Count);
        Assert.False(string.IsNullOrEmpty(first.PassKey));
        using (var ack = await w.PostAsControllerAsync("/api/v1/access/controller/acks", new { version = first.Version }))
            Assert.Equal(first.Version, (await ack.OkAsync<AckResponse>()).Acked);
        Assert.Empty((await w.CommandsAsync()).Commands);

        (await w.Admin.PostJsonAsync($"/api/v1/access/credentials/{card.Id}/suspend", new { reason = "丢失" })).EnsureSuccessStatusCode();
        await snapshot.CatchUpAsync(CancellationToken.None);
        var next = await w.CommandsAsync();
        var suspended = Assert.Single(next.Commands);
        Assert.Equal(("put", CredentialStatus.Suspended), (suspended.Op, suspended.Credential!.Status));
        // Not acknowledged (the controller went down half-way): the same command comes again.
        Assert.Equal(suspended.Id, Assert.Single((await w.CommandsAsync()).Commands).Id);

        // Whole seconds: PostgreSQL keeps microseconds.
        var t1 = DateTimeOffset.FromUnixTimeSeconds(app.Clock.GetUtcNow().AddMinutes(-20).ToUnixTimeSeconds());
        var t2 = t1.AddMinutes(5);
        using var upload = await w.PostAsControllerAsync("/api/v1/access/controller/events", new
        {
            events = new object[]
            {
                new { gate = w.UnitDoor, at = t2, kind = "Card", credentialId = card.Id, allowed = false, reason = "Suspended" },
                new { gate = w.UnitDoor, at = t1, kind = "Card", credentialId = card.Id, allowed = true, direction = "In" },
                new { gate = "NO-SUCH", at = t1, kind = "Card", allowed = true },
            },
        });
        var result = await upload.OkAsync<UploadResult>();
        Assert.Equal(2, result.Accepted);
        Assert.Equal("events[2]: unknown gate", Assert.Single(result.Rejected));

        var log = await w.Admin.GetOkAsync<Page<AccessLogDto>>($"/api/v1/access/log?credentialId={card.Id}");
        var offline = log.Items.Where(e => e.Offline).ToList();
        Assert.Equal([t2, t1], offline.Select(e => e.At).ToList());
        var controllers = await w.Admin.GetOkAsync<List<ControllerDto>>("/api/v1/access/controllers");
        var mine = Assert.Single(controllers, c => c.DeviceId == w.Controller.Device.Id);
        Assert.Equal((first.Version, 2L, DeviceHealth.Online), (mine.AckedVersion, mine.UploadedEvents, mine.Health));
        Assert.True(mine.CurrentVersion > mine.AckedVersion);
    }

    [Fact]
    public async Task One_communitys_staff_cannot_issue_credentials_to_another_communitys_residents_nor_read_its_log()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var w = await AccessKit.WorldAsync(app);
        var card = await w.IssueAsync(new { kind = "Card", residentId = w.Home.ResidentId, cardUid = Uid });
        await w.DecideAsync(new { gate = w.UnitDoor, card = Uid });
        var outsider = await app.ClientAsAsync("admin2");

        using var issue = await outsider.PostJsonAsync("/api/v1/access/credentials", new { kind = "Card", residentId = w.Home.ResidentId, cardUid = "55667788" });
        Assert.Equal(HttpStatusCode.NotFound, issue.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, await outsider.PostJsonAsync($"/api/v1/access/credentials/{card.Id}/suspend", new { }).StatusOfAsync());
        Assert.Empty((await outsider.GetOkAsync<Page<AccessLogDto>>("/api/v1/access/log")).Items);
        var theirs = await outsider.GetOkAsync<Page<CredentialDto>>("/api/v1/access/credentials?pageSize=200");
        Assert.NotEmpty(theirs.Items);
        Assert.All(theirs.Items, c => Assert.NotEqual(w.Home.CommunityId, c.CommunityId));
        Assert.DoesNotContain(await outsider.GetOkAsync<List<ControllerDto>>("/api/v1/access/controllers"), c => c.DeviceId == w.Controller.Device.Id);
        // A resident cannot issue or manage credentials at all.
        var resident = await app.ClientAsAsync("resident1");
        Assert.Equal(HttpStatusCode.Forbidden, await resident.PostJsonAsync("/api/v1/access/credentials", new { kind = "Card", residentId = w.Home.ResidentId, cardUid = "55667788" }).StatusOfAsync());
        Assert.True((await w.DecideAsync(new { gate = w.UnitDoor, card = Uid })).Allowed);
    }

    [Fact]
    public async Task The_log_counts_entries_per_hour_and_knows_who_is_inside_a_building()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var w = await AccessKit.WorldAsync(app);
        var card = await w.IssueAsync(new { kind = "Card", residentId = w.Home.ResidentId, cardUid = Uid });
        var cleaner = await w.IssueAsync(new
        {
            kind = "Card", holder = "Staff", holderName = "保洁 李", communityId = w.Home.CommunityId, cardUid = "0A0B0C0D",
            grants = new[] { new { scope = "Building", id = w.Home.BuildingId } },
        });
        Assert.True((await w.DecideAsync(new { gate = w.UnitDoor, card = Uid })).Allowed);
        Assert.True((await w.DecideAsync(new { gate = w.UnitDoor, card = "0A0B0C0D" })).Allowed);
        Assert.True((await w.DecideAsync(new { gate = w.UnitDoor, card = "0A0B0C0D", direction = "Out" })).Allowed);
        Assert.False((await w.DecideAsync(new { gate = w.UnitDoor, card = "FFFFFFFF" })).Allowed);

        var inside = await w.Admin.GetOkAsync<List<InsideDto>>($"/api/v1/access/inside?buildingId={w.Home.BuildingId}");
        Assert.Equal([card.Id], inside.Select(i => i.CredentialId).ToList());
        var hours = await w.Admin.GetOkAsync<List<HourCount>>("/api/v1/access/log/hourly");
        Assert.Equal(24, hours.Count);
        Assert.Equal((2, 1, 1), (hours.Sum(h => h.Entries), hours.Sum(h => h.Exits), hours.Sum(h => h.Refused)));
        Assert.NotEqual(card.Id, cleaner.Id);
    }

    [Fact]
    public async Task A_contractor_sent_to_a_case_gets_in_at_its_building_only_until_the_work_orders_last_day()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var w = await AccessKit.WorldAsync(app);
        var resident = await app.ClientAsAsync("resident1");
        var lighting = (await CaseFlowTests.CategoryAsync(resident, "lighting")).Id;
        using var reported = await resident.PostJsonAsync("/api/v1/cases", new { categoryId = lighting, title = "单元门口灯坏了", buildingId = w.Home.BuildingId });
        var caseId = (await reported.OkAsync<Linli.Application.Cases.CaseDetailDto>()).Id;
        var lastDay = DateOnly.FromDateTime(Linli.Domain.Common.ChinaTime.Local(app.Clock.GetUtcNow())).AddDays(1);

        var contractor = await (await w.Admin.PostJsonAsync($"/api/v1/access/work-orders/{caseId}",
            new { contractorName = "电工 刘师傅", cardUid = "5E5E5E5E", lastDate = lastDay })).OkAsync<CredentialDto>();

        Assert.Equal((HolderKind.Contractor, $"电工 刘师傅 · #{caseId}"), (contractor.Holder, contractor.HolderName));
        Assert.True((await w.DecideAsync(new { gate = w.CommunityGate, card = "5E5E5E5E" })).Allowed);
        Assert.True((await w.DecideAsync(new { gate = w.OtherUnitDoor, card = "5E5E5E5E" })).Allowed);
        app.Clock.Advance(TimeSpan.FromDays(3));
        Assert.False((await w.DecideAsync(new { gate = w.UnitDoor, card = "5E5E5E5E" })).Allowed);
        // Another community's office cannot send anyone to this case.
        var outsider = await app.ClientAsAsync("admin2");
        Assert.Equal(HttpStatusCode.NotFound, await outsider.PostJsonAsync($"/api/v1/access/work-orders/{caseId}", new { contractorName = "某", cardUid = "6E6E6E6E" }).StatusOfAsync());
    }

    static async Task<T> Eventually<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var until = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > until) return value;
            await Task.Delay(100);
        }
    }
}

/// <summary>The access log keeps what its retention says and no more, on both databases.</summary>
public sealed class AccessLogRetentionTests
{
    [Fact]
    public async Task Entries_past_keeping_are_deleted_and_recent_ones_stay()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var services = app.Factory.Services;
        var store = services.GetRequiredService<IAccessLogStore>();
        var now = app.Clock.GetUtcNow();
        var keys = new Linli.Domain.Common.PlaceKeys(1, 2, 3, 0);
        AccessLogEntry At(DateTimeOffset at) => new(at, keys, 999_001, null, null, ShownKind.Card, null, null, AccessDecision.Allow, PassageDirection.In, offline: true);
        await store.WriteAsync([At(now.AddDays(-400)), At(now.AddDays(-181)), At(now.AddDays(-179)), At(now)], CancellationToken.None);

        var run = await services.GetRequiredService<AccessLogRetention>().RunOnceAsync(CancellationToken.None);

        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        var left = await db.AccessLog.IgnoreQueryFilters().Where(e => e.GateId == 999_001).OrderBy(e => e.At).Select(e => e.At).ToListAsync();
        Assert.Equal(2, left.Count);
        Assert.True(left[0] > now.AddDays(-180));
        Assert.Equal(2, run.RowsDeleted);
    }
}

/// <summary>The welfare check of elderly people living alone reads their own passages as a sign of life.</summary>
public sealed class WelfarePassageTests
{
    [Fact]
    public async Task An_elder_living_alone_who_has_not_passed_a_door_for_a_day_raises_a_welfare_alarm_that_their_next_passage_clears()
    {
        await using var app = await LinliAppFactory.StartAsync(new Dictionary<string, string> { ["Linli:Alarms:WelfareHours"] = "24" });
        var admin = await app.ClientAsAsync("admin1");
        int residentId, buildingId, unit, communityId;
        using (var scope = app.Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
            var bornBy = DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime).AddYears(-60);
            var admin1 = await db.Users.IgnoreQueryFilters().SingleAsync(u => u.UserName == "admin1");
            var elder = await (from r in db.Residents.IgnoreQueryFilters()
                               where (r.Labels & Linli.Domain.Registry.ResidentLabels.LivingAlone) != 0 && r.RoomId != null && r.BirthDate <= bornBy && r.CommunityId == admin1.NodeId
                               join room in db.Rooms.IgnoreQueryFilters() on r.RoomId equals room.Id
                               // Only this person's own passages are watched here: a home without a meter.
                               where !db.Devices.IgnoreQueryFilters().Any(d => d.RoomId == room.Id)
                               orderby r.Id descending
                               select new { r.Id, room.BuildingId, room.UnitNo, room.CommunityId }).FirstAsync();
            (residentId, buildingId, unit, communityId) = (elder.Id, elder.BuildingId, elder.UnitNo, elder.CommunityId);
        }
        var controller = await MonitoringKit.RegisterAsync(admin, DeviceType.DoorController, new { buildingId, unit });
        var gateCode = $"W-{Guid.NewGuid():N}"[..20];
        (await admin.PostJsonAsync("/api/v1/access/gates", new { code = gateCode, name = "长者单元门", kind = "UnitDoor", buildingId, unit, controller = controller.Device.Code }))
            .EnsureSuccessStatusCode();
        var card = await (await admin.PostJsonAsync("/api/v1/access/credentials", new { kind = "Card", residentId, cardUid = "7A7B7C7D" })).OkAsync<CredentialDto>();
        var check = app.Factory.Services.GetRequiredService<WelfareCheck>();
        async Task<(int Open, int All)> CheckAsync()
        {
            await check.RunAsync(CancellationToken.None);
            using var scope = app.Factory.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
            var mine = db.Alarms.IgnoreQueryFilters().Where(a => a.Kind == AlarmKind.Welfare && a.ResidentId == residentId);
            return (await mine.CountAsync(a => a.Open), await mine.CountAsync());
        }

        app.Clock.Advance(TimeSpan.FromHours(23));
        Assert.Equal((0, 0), await CheckAsync());
        app.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal((1, 1), await CheckAsync());

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/access/decisions") { Content = JsonContent.Create(new { gate = gateCode, card = "7A7B7C7D" }) };
        request.Headers.Add(IngestApi.DeviceIdHeader, controller.Device.Code);
        request.Headers.Add(IngestApi.DeviceKeyHeader, controller.Secret);
        using var response = await app.Anonymous().SendAsync(request);
        Assert.True((await response.OkAsync<DecisionResponse>()).Allowed);
        await app.Factory.Services.GetRequiredService<AccessLogWriter>().FlushAsync(CancellationToken.None);
        Assert.Equal((0, 1), await CheckAsync());
        Assert.Equal(communityId, card.CommunityId);
    }
}

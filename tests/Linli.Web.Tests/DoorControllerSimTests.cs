using System.Globalization;
using System.Net;
using Linli.Application.Access;
using Linli.Application.Common;
using Linli.Application.Devices;
using Linli.DeviceSim;
using Linli.Domain.Access;
using Linli.Domain.Devices;
using Linli.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>
/// The simulated door controller against the platform (issue 12), on both databases: it syncs its whitelist, keeps doors
/// working by the same rules while its link is down, and on reconnect its offline decisions reach the staff's access log.
/// </summary>
public sealed class DoorControllerSimTests
{
    const string Uid = "04A1B2C3";

    [Fact]
    public async Task Offline_a_residents_card_opens_their_unit_door_a_phone_code_opens_once_and_a_visitors_pass_opens_its_two_entries()
    {
        await using var app = await StartAsync();
        var w = await AccessKit.WorldAsync(app);
        var card = await w.IssueAsync(new { kind = "Card", residentId = w.Home.ResidentId, cardUid = Uid });
        var resident = await app.ClientAsAsync("resident1");
        // The demo gave resident1 a phone code.
        var phone = Assert.Single((await resident.GetOkAsync<Page<CredentialDto>>("/api/v1/access/me/credentials")).Items, c => c.Kind == CredentialKind.PhoneQr);
        var pass = await (await resident.PostJsonAsync("/api/v1/access/me/visitors",
            new { visitorName = "张阿姨", validUntil = app.Clock.GetUtcNow().AddHours(4), entries = 2 })).OkAsync<VisitorPassDto>();
        await w.SettledAsync();
        var door = w.Sim();
        await door.SyncAsync();
        Assert.Equal(3, door.Gates.Count);
        // Theirs among the community's (every demo card opens the community gate, which this controller drives).
        Assert.Contains(card.Id, door.Whitelist.Keys);
        Assert.Contains(phone.Id, door.Whitelist.Keys);

        door.GoOffline();
        var atUnit = await door.PresentAsync(w.UnitDoor, "04:a1:b2:c3");
        var printedNumber = await door.PresentAsync(w.UnitDoor, Convert.ToUInt32(Uid, 16).ToString("D10", CultureInfo.InvariantCulture));
        var atNeighbour = await door.PresentAsync(w.OtherUnitDoor, Uid);
        var unknown = await door.PresentAsync(w.UnitDoor, "DEADBEEF");
        var code = await resident.GetOkAsync<PhoneCodeDto>($"/api/v1/access/me/credentials/{phone.Id}/code");
        var codeOnce = await door.PresentAsync(w.UnitDoor, code.Code);
        var codeReplayed = await door.PresentAsync(w.CommunityGate, code.Code);
        var visitorIn = await door.PresentAsync(w.CommunityGate, pass.Code!);
        var visitorUnit = await door.PresentAsync(w.UnitDoor, pass.Code!);
        var visitorThird = await door.PresentAsync(w.CommunityGate, pass.Code!);
        // The pass names its gates (the community gate and the host's unit), so offline it does not open the neighbours' door.
        var visitorNeighbour = await door.PresentAsync(w.OtherUnitDoor, pass.Code!);

        Assert.Equal((true, true, card.HolderName), (atUnit.Allowed, atUnit.Offline, atUnit.Holder));
        Assert.True(printedNumber.Allowed);
        Assert.Equal((false, DenyReason.NoRightToGate), (atNeighbour.Allowed, atNeighbour.Reason));
        Assert.Equal((false, DenyReason.UnknownCredential, true), (unknown.Allowed, unknown.Reason, unknown.Offline));
        Assert.Null(unknown.Holder);
        Assert.Equal((true, true), (codeOnce.Allowed, codeOnce.Offline));
        Assert.Equal((false, DenyReason.CodeReplayed), (codeReplayed.Allowed, codeReplayed.Reason));
        Assert.True(visitorIn.Allowed && visitorUnit.Allowed && visitorIn.Offline && visitorUnit.Offline);
        Assert.Equal((false, DenyReason.PassUsedUp), (visitorThird.Allowed, visitorThird.Reason));
        Assert.Equal((false, DenyReason.NoRightToGate, true), (visitorNeighbour.Allowed, visitorNeighbour.Reason, visitorNeighbour.Offline));
        Assert.Equal(10, door.Buffered.Count);
    }

    [Fact]
    public async Task A_card_suspended_while_the_controller_is_offline_still_opens_until_the_next_sync_as_documented_then_is_refused_offline()
    {
        await using var app = await StartAsync();
        var w = await AccessKit.WorldAsync(app);
        var card = await w.IssueAsync(new { kind = "Card", residentId = w.Home.ResidentId, cardUid = Uid });
        await w.SettledAsync();
        var door = w.Sim();
        await door.SyncAsync();

        door.GoOffline();
        (await w.Admin.PostJsonAsync($"/api/v1/access/credentials/{card.Id}/suspend", new { reason = "丢失" })).EnsureSuccessStatusCode();
        await w.SettledAsync();
        var stale = await door.PresentAsync(w.UnitDoor, Uid);
        await door.ComeBackAsync();
        door.GoOffline();
        var synced = await door.PresentAsync(w.UnitDoor, Uid);

        Assert.Equal((true, true), (stale.Allowed, stale.Offline));
        Assert.Equal((false, DenyReason.Suspended, true), (synced.Allowed, synced.Reason, synced.Offline));
        Assert.Equal(CredentialStatus.Suspended, door.Whitelist[card.Id].Status);
    }

    [Fact]
    public async Task Coming_back_uploads_the_offline_decisions_and_staff_see_them_in_the_log_marked_offline_at_their_true_times_in_order()
    {
        await using var app = await StartAsync();
        var w = await AccessKit.WorldAsync(app);
        var card = await w.IssueAsync(new { kind = "Card", residentId = w.Home.ResidentId, cardUid = Uid });
        await w.SettledAsync();
        var door = w.Sim();
        await door.SyncAsync();

        door.GoOffline();
        var decisions = new List<(DoorDecision Decision, string Gate)>();
        decisions.Add((await door.PresentAsync(w.CommunityGate, Uid), "南门"));
        app.Clock.Advance(TimeSpan.FromMinutes(3));
        decisions.Add((await door.PresentAsync(w.OtherUnitDoor, Uid), "邻单元门"));
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        decisions.Add((await door.PresentAsync(w.UnitDoor, Uid, PassageDirection.Out), "本单元门"));
        var upload = await door.ComeBackAsync();

        Assert.Equal(3, upload.Accepted);
        Assert.Empty(upload.Rejected);
        Assert.Empty(door.Buffered);
        var log = await w.Admin.GetOkAsync<Page<AccessLogDto>>("/api/v1/access/log?pageSize=100");
        var offline = log.Items.Where(e => e.Offline).ToList();
        // The log lists the newest first.
        Assert.Equal(decisions.Select(d => (d.Decision.At, d.Gate, (long?)card.Id, d.Decision.Allowed, d.Decision.Reason)).Reverse().ToList(),
            offline.Select(e => (e.At, e.Gate, e.CredentialId, e.Allowed, e.Reason)).ToList());
        Assert.Equal(PassageDirection.Out, offline[0].Direction);
        Assert.True(decisions[1].Decision.At - decisions[0].Decision.At >= TimeSpan.FromMinutes(3));
    }

    [Fact]
    public async Task Online_the_controller_gives_the_platforms_answer_with_the_holders_name_and_when_its_link_fails_the_whitelist_decides()
    {
        await using var app = await StartAsync();
        var w = await AccessKit.WorldAsync(app);
        var card = await w.IssueAsync(new { kind = "Card", residentId = w.Home.ResidentId, cardUid = Uid });
        await w.SettledAsync();
        var cable = new Cable();
        // A test machine runs many apps at once: the 1 s a person at the door waits is not what this test is about.
        var door = new DoorControllerSim(app.Factory.CreateDefaultClient(cable), w.Controller.Device.Code, w.Controller.Secret, app.Clock)
        {
            DecisionTimeout = TimeSpan.FromSeconds(30),
        };
        await door.SyncAsync();

        var online = await door.PresentAsync(w.UnitDoor, Uid);
        var refused = await door.PresentAsync(w.UnitDoor, "DEADBEEF");
        cable.Cut = true;
        var linkFailed = await door.PresentAsync(w.UnitDoor, Uid);

        Assert.Equal((true, card.HolderName, false), (online.Allowed, online.Holder, online.Offline));
        Assert.Equal((false, DenyReason.UnknownCredential, false), (refused.Allowed, refused.Reason, refused.Offline));
        Assert.Equal((true, true), (linkFailed.Allowed, linkFailed.Offline));
        Assert.Single(door.Buffered);
        var log = await w.Admin.GetOkAsync<Page<AccessLogDto>>($"/api/v1/access/log?credentialId={card.Id}");
        Assert.Equal([false], log.Items.Select(e => e.Offline).ToList());
    }

    /// <summary>A link that can be cut: requests fail as when the network is gone.</summary>
    sealed class Cable : DelegatingHandler
    {
        public bool Cut { get; set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Cut ? throw new HttpRequestException("No route to host.") : base.SendAsync(request, cancellationToken);
    }

    static Task<TestApp> StartAsync() => LinliAppFactory.StartAsync(new Dictionary<string, string> { ["Linli:Access:SettleSeconds"] = "0" });
}

using System.Net;
using System.Text.RegularExpressions;
using Linli.Domain.Alarms;
using Linli.Domain.Common;
using Linli.Domain.Devices;
using Linli.Infrastructure.Persistence;
using Linli.Web.Features.Alarms;
using Linli.Web.Features.Registry;
using Linli.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>The monitoring pages as a browser sees them: the operations view, an alarm's page, the resident's SOS page.</summary>
public sealed partial class OpsPageTests
{
    const string Notes = "高血压，服用硝苯地平；青霉素过敏";

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    static string Token(string html) => WebUtility.HtmlDecode(TokenPattern().Match(html).Groups[1].Value);

    static async Task<string> PageAsync(HttpClient browser, string url)
    {
        using var response = await browser.GetAsync(url);
        await response.ExpectAsync(HttpStatusCode.OK);
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
    }

    static async Task<HttpResponseMessage> PostFormAsync(HttpClient browser, string pageUrl, string action, Dictionary<string, string>? fields = null)
    {
        using var page = await browser.GetAsync(pageUrl);
        var token = Token(await page.Content.ReadAsStringAsync());
        Assert.NotEqual("", token);
        return await browser.PostAsync(action, new FormUrlEncodedContent(new Dictionary<string, string>(fields ?? []) { ["__RequestVerificationToken"] = token }));
    }

    /// <summary>resident1 presses the SOS button on their page; returns the alarm the form redirected to.</summary>
    static async Task<long> PressSosAsync(HttpClient resident)
    {
        using var sent = await PostFormAsync(resident, "/sos", "/sos");
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        var location = sent.Headers.Location!.OriginalString;
        Assert.StartsWith("/sos?alarm=", location, StringComparison.Ordinal);
        return long.Parse(location["/sos?alarm=".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    static async Task<(int Id, string Name)> Resident1Async(TestApp app, string? medicalNotes = null)
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        var account = await db.Users.IgnoreQueryFilters().SingleAsync(u => u.UserName == "resident1");
        var resident = await db.Residents.IgnoreQueryFilters().SingleAsync(r => r.Id == account.ResidentId);
        if (medicalNotes is not null)
        {
            resident.SetMedicalNotes(medicalNotes, scope.ServiceProvider.GetRequiredService<IPersonalDataProtector>());
            await db.SaveChangesAsync();
        }
        return (resident.Id, resident.Name);
    }

    [Fact]
    public async Task Staff_see_the_plan_with_devices_and_the_SOS_call_flashing_and_others_are_refused()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var admin = await app.ClientAsAsync("admin1");
        var detector = await MonitoringKit.RegisterAsync(admin, DeviceType.SmokeDetector, new { buildingId = places.C1.BuildingIds[0], unit = 1 });
        var resident = await CaseStaffPageTests.BrowserAsync(app, "resident1");
        var sos = await PressSosAsync(resident);
        var (_, name) = await Resident1Async(app);

        var property = await CaseStaffPageTests.BrowserAsync(app, "property1");
        var ops = await PageAsync(property, "/ops");
        Assert.Contains("data-ops-live=\"view\"", ops, StringComparison.Ordinal);
        Assert.Contains($"data-community-id=\"{places.C1.Id}\"", ops, StringComparison.Ordinal);
        // The SOS call: on the plan, flashing, and first in the feed with its severity written out.
        Assert.Matches($"class=\"alarm-mark sev-critical flashing\" data-alarm-id=\"{sos}\"", ops);
        Assert.Matches($"class=\"alarm-item sev-critical needs-ack\" data-alarm-id=\"{sos}\"", ops);
        Assert.Contains($"SOS · {name}", ops, StringComparison.Ordinal);
        Assert.Contains(">Critical</span>", ops, StringComparison.Ordinal);
        Assert.Contains($"action=\"/alarms/{sos}/acknowledge\"", ops, StringComparison.Ordinal);
        // The new detector has never sent anything.
        Assert.Contains($"class=\"device dev-never\" data-device-id=\"{detector.Device.Id}\"", ops, StringComparison.Ordinal);
        Assert.Matches("data-kpi=\"critical\">\\s*<span class=\"kpi-n\">1</span>", ops);

        // The resident has the SOS button on their pages; staff do not, and the resident has no operations view.
        Assert.Contains("data-testid=\"sos-button\"", await PageAsync(resident, "/"), StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"sos-button\"", ops, StringComparison.Ordinal);
        Assert.Contains("href=\"/ops\"", ops, StringComparison.Ordinal);
        foreach (var url in new[] { "/ops", $"/alarms/{sos}" })
        {
            using var denied = await resident.GetAsync(url);
            Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
            Assert.StartsWith("/denied", denied.Headers.Location!.AbsolutePath, StringComparison.Ordinal);
        }
        using (var noSos = await property.GetAsync("/sos"))
        {
            Assert.Equal(HttpStatusCode.Redirect, noSos.StatusCode);
            Assert.StartsWith("/denied", noSos.Headers.Location!.AbsolutePath, StringComparison.Ordinal);
        }
        var provider = await CaseStaffPageTests.BrowserAsync(app, "provider1");
        using (var refused = await provider.GetAsync("/ops"))
            Assert.StartsWith("/denied", refused.Headers.Location!.AbsolutePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_community_sees_neither_the_call_nor_the_person()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var resident = await CaseStaffPageTests.BrowserAsync(app, "resident1");
        var sos = await PressSosAsync(resident);
        var (_, name) = await Resident1Async(app, Notes);

        var admin2 = await CaseStaffPageTests.BrowserAsync(app, "admin2");
        var own = await PageAsync(admin2, "/ops");
        Assert.Contains($"data-community-id=\"{places.C2.Id}\"", own, StringComparison.Ordinal);
        Assert.DoesNotContain($"data-alarm-id=\"{sos}\"", own, StringComparison.Ordinal);
        // Asking for community 1 by its id shows nothing of it.
        var other = await CaseStaffPageTests.NotInAreaAsync(admin2, $"/ops?communityId={places.C1.Id}");
        Assert.DoesNotContain(name, other, StringComparison.Ordinal);
        var page = await CaseStaffPageTests.NotInAreaAsync(admin2, $"/alarms/{sos}");
        Assert.DoesNotContain(name, page, StringComparison.Ordinal);
        // Nor can they act on it through the form.
        using (var act = await PostFormAsync(admin2, "/ops", $"/alarms/{sos}/acknowledge", new() { ["ReturnUrl"] = "/ops" }))
            Assert.Equal(HttpStatusCode.NotFound, act.StatusCode);
        var staff = await app.ClientAsAsync("admin1");
        Assert.True((await staff.GetOkAsync<AlarmDetailDto>($"/api/v1/alarms/{sos}")).Alarm.NeedsAcknowledgement);

        // The street officer picks either community; each shows only its own calls.
        var street = await CaseStaffPageTests.BrowserAsync(app, "street");
        var c1 = await PageAsync(street, $"/ops?communityId={places.C1.Id}");
        Assert.Contains($"data-alarm-id=\"{sos}\"", c1, StringComparison.Ordinal);
        Assert.Contains($"<option value=\"{places.C2.Id}\"", c1, StringComparison.Ordinal);
        var c2 = await PageAsync(street, $"/ops?communityId={places.C2.Id}");
        Assert.DoesNotContain($"data-alarm-id=\"{sos}\"", c2, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_SOS_page_shows_who_called_and_medical_notes_only_on_request_with_an_audit_entry()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var resident = await CaseStaffPageTests.BrowserAsync(app, "resident1");
        var sos = await PressSosAsync(resident);
        var (residentId, name) = await Resident1Async(app, Notes);

        var admin = await CaseStaffPageTests.BrowserAsync(app, "admin1");
        var page = await PageAsync(admin, $"/alarms/{sos}");
        Assert.Contains(name, page, StringComparison.Ordinal);
        Assert.Matches("data-testid=\"sos-age\">\\d+</dd>", page);
        Assert.DoesNotContain(Notes, page, StringComparison.Ordinal);
        Assert.Contains("Show medical notes", page, StringComparison.Ordinal);
        var audit = await app.ClientAsAsync("admin1");
        Assert.DoesNotContain((await audit.GetOkAsync<Page<AuditEntryDto>>("/api/v1/audit?pageSize=200")).Items,
            e => e.Action == "ViewMedicalNotes" && e.SubjectId == residentId);

        using var shown = await PostFormAsync(admin, $"/alarms/{sos}", $"/alarms/{sos}",
            new() { ["_handler"] = "medical", ["Show"] = "medical" });
        await shown.ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(Notes, WebUtility.HtmlDecode(await shown.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        var entries = (await audit.GetOkAsync<Page<AuditEntryDto>>("/api/v1/audit?pageSize=200")).Items
            .Where(e => e.Action == "ViewMedicalNotes" && e.SubjectId == residentId).ToList();
        var entry = Assert.Single(entries);
        Assert.Equal("admin1", entry.UserName);
        Assert.Contains($"#{sos}", entry.Detail, StringComparison.Ordinal);
        // A plain look at the page again decrypts nothing.
        Assert.DoesNotContain(Notes, await PageAsync(admin, $"/alarms/{sos}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Acknowledging_and_assigning_through_the_forms_tell_the_resident_who_is_coming()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var resident = await CaseStaffPageTests.BrowserAsync(app, "resident1");
        var before = await PageAsync(resident, "/sos");
        Assert.Contains("data-testid=\"sos-confirm\"", before, StringComparison.Ordinal);
        var sos = await PressSosAsync(resident);
        var waiting = await PageAsync(resident, $"/sos?alarm={sos}");
        Assert.Contains("Help has been called", waiting, StringComparison.Ordinal);
        Assert.Contains("Waiting for someone to respond", waiting, StringComparison.Ordinal);

        var property = await CaseStaffPageTests.BrowserAsync(app, "property1");
        using (var ack = await PostFormAsync(property, "/ops", $"/alarms/{sos}/acknowledge", new() { ["ReturnUrl"] = "/ops" }))
        {
            Assert.Equal(HttpStatusCode.Redirect, ack.StatusCode);
            Assert.Equal("/ops", ack.Headers.Location!.OriginalString);
        }
        var me = await (await app.ClientAsAsync("property1")).MeAsync();
        var taken = await PageAsync(resident, $"/sos?alarm={sos}");
        Assert.Contains("Someone is responding:", taken, StringComparison.Ordinal);
        Assert.Contains($"<strong>{me.DisplayName}</strong>", taken, StringComparison.Ordinal);

        // Acknowledged: no longer flashing, and no acknowledge button.
        var ops = await PageAsync(property, "/ops");
        Assert.Matches($"class=\"alarm-item sev-critical \" data-alarm-id=\"{sos}\"", ops);
        Assert.DoesNotContain($"action=\"/alarms/{sos}/acknowledge\"", ops, StringComparison.Ordinal);

        // Assigning: someone who may take it, then someone who may not (a grid worker of another community).
        var api = await app.ClientAsAsync("admin1");
        var staffIds = Regex.Matches(ops, $"<select id=\"assignee-{sos}\"[\\s\\S]*?</select>").Single().Value;
        var firstStaff = Regex.Match(staffIds, "<option value=\"(\\d+)\"").Groups[1].Value;
        using (var assign = await PostFormAsync(property, $"/alarms/{sos}", $"/alarms/{sos}/assign",
                   new() { ["AssigneeUserId"] = firstStaff, ["ReturnUrl"] = $"/alarms/{sos}" }))
            Assert.Equal($"/alarms/{sos}", assign.Headers.Location!.OriginalString);
        var assigned = await api.GetOkAsync<AlarmDetailDto>($"/api/v1/alarms/{sos}");
        Assert.Equal(int.Parse(firstStaff, System.Globalization.CultureInfo.InvariantCulture), assigned.Alarm.AssignedUserId);

        var grid2 = await (await app.ClientAsAsync("grid2")).MeAsync();
        using (var wrong = await PostFormAsync(property, $"/alarms/{sos}", $"/alarms/{sos}/assign",
                   new() { ["AssigneeUserId"] = grid2.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), ["ReturnUrl"] = $"/alarms/{sos}" }))
            Assert.Equal($"/alarms/{sos}?problem=assigneeUserId", wrong.Headers.Location!.OriginalString);
        Assert.Equal(assigned.Alarm.AssignedUserId, (await api.GetOkAsync<AlarmDetailDto>($"/api/v1/alarms/{sos}")).Alarm.AssignedUserId);
        Assert.Contains("The action was not taken", await PageAsync(property, $"/alarms/{sos}?problem=assigneeUserId"), StringComparison.Ordinal);

        // An outside return address is not followed.
        using var close = await PostFormAsync(property, $"/alarms/{sos}", $"/alarms/{sos}/close", new() { ["ReturnUrl"] = "//evil.example/" });
        Assert.Equal($"/alarms/{sos}", close.Headers.Location!.OriginalString);
        Assert.Equal(AlarmStatus.Closed, (await api.GetOkAsync<AlarmDetailDto>($"/api/v1/alarms/{sos}")).Alarm.Status);
    }
}

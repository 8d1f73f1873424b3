using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Text;
using Linli.Domain.Cases;
using Linli.Domain.Identity;
using Linli.Infrastructure.Persistence;
using Linli.Infrastructure.Seeding;
using Linli.Web.Features.Cases;
using Linli.Web.Features.Shared;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>A repair request's whole loop through the API, as the resident and the property company see it.</summary>
public sealed class CaseFlowTests
{
    internal static async Task<CaseCategoryDto> CategoryAsync(HttpClient client, string code) =>
        (await client.GetOkAsync<List<CaseCategoryDto>>("/api/v1/case-categories")).Single(c => c.Code == code);

    [Fact]
    public async Task A_resident_reports_a_leak_at_home_the_property_company_fixes_it_and_the_resident_rates_it()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var resident = await app.ClientAsAsync("resident1");
        var property = await app.ClientAsAsync("property1");
        var plumbing = await CategoryAsync(resident, "plumbing");

        using var submitted = await resident.PostJsonAsync("/api/v1/cases", new { categoryId = plumbing.Id, title = "厨房水管漏水", description = "水槽下面一直滴水" });
        var created = await submitted.OkAsync<CaseDetailDto>();
        Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        Assert.Equal(CaseStatus.Reported, created.Status);
        Assert.Equal(HandlingLevel.Property, created.Level);
        Assert.Equal("安居物业服务有限公司", created.OrganizationName);
        Assert.NotNull(created.RoomId);

        var queue = await property.GetOkAsync<Page<CaseListItemDto>>("/api/v1/cases");
        Assert.Contains(queue.Items, c => c.Id == created.Id);

        var accepted = await (await property.PostJsonAsync($"/api/v1/cases/{created.Id}/accept", new { })).OkAsync<CaseDetailDto>();
        Assert.Equal(CaseStatus.Accepted, accepted.Status);
        Assert.Contains(CaseAction.Grab, accepted.AllowedActions);
        var grabbed = await (await property.PostJsonAsync($"/api/v1/cases/{created.Id}/grab", new { })).OkAsync<CaseDetailDto>();
        Assert.Equal(CaseStatus.Dispatched, grabbed.Status);
        Assert.NotNull(grabbed.AssigneeName);
        var handled = await (await property.PostJsonAsync($"/api/v1/cases/{created.Id}/handle", new { note = "更换了角阀" })).OkAsync<CaseDetailDto>();
        Assert.Equal(CaseStatus.Handled, handled.Status);

        var mine = await resident.GetOkAsync<CaseDetailDto>($"/api/v1/cases/{created.Id}");
        Assert.Equal(CaseRelation.Reporter, mine.MyRelation);
        Assert.Contains(CaseAction.Rate, mine.AllowedActions);
        var rated = await (await resident.PostJsonAsync($"/api/v1/cases/{created.Id}/rate", new { rating = 5, note = "很快" })).OkAsync<CaseDetailDto>();
        Assert.Equal(CaseStatus.Verified, rated.Status);
        Assert.Equal(5, rated.Rating);

        var closed = await (await property.PostJsonAsync($"/api/v1/cases/{created.Id}/close", new { })).OkAsync<CaseDetailDto>();
        Assert.Equal(CaseStatus.Closed, closed.Status);
        Assert.Equal(
            [CaseEventKind.Reported, CaseEventKind.Accepted, CaseEventKind.Grabbed, CaseEventKind.Handled, CaseEventKind.Verified, CaseEventKind.Rated, CaseEventKind.Closed],
            closed.Timeline.Select(e => e.Kind).ToArray());
    }

    [Fact]
    public async Task A_case_nobody_accepts_climbs_to_the_community_when_its_deadline_passes()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var resident = await app.ClientAsAsync("resident1");
        var lift = await CategoryAsync(resident, "lift");
        var created = await (await resident.PostJsonAsync("/api/v1/cases", new { categoryId = lift.Id, title = "电梯异响" })).OkAsync<CaseDetailDto>();

        app.Clock.Advance(TimeSpan.FromMinutes(lift.ResponseMinutes + 1));
        var admin = await app.ClientAsAsync("admin1");
        CaseDetailDto seen = created;
        for (var i = 0; i < 100 && seen.Level == HandlingLevel.Property; i++)
        {
            await Task.Delay(100);
            seen = await admin.GetOkAsync<CaseDetailDto>($"/api/v1/cases/{created.Id}");
        }
        Assert.Equal(HandlingLevel.Community, seen.Level);
        Assert.Equal(CaseStatus.Reported, seen.Status);
        Assert.True(seen.ResponseBreached);
        Assert.Single(seen.Timeline, e => e.Kind == CaseEventKind.Escalated);
        Assert.Contains(CaseAction.Accept, seen.AllowedActions);
    }

    [Fact]
    public async Task A_case_nobody_accepts_keeps_climbing_to_the_street_on_a_second_breach()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var resident = await app.ClientAsAsync("resident1");
        var lift = await CategoryAsync(resident, "lift");
        var created = await (await resident.PostJsonAsync("/api/v1/cases", new { categoryId = lift.Id, title = "电梯停在三楼不动" })).OkAsync<CaseDetailDto>();
        var street = await app.ClientAsAsync("street");

        app.Clock.Advance(TimeSpan.FromMinutes(lift.ResponseMinutes + 1));
        var atCommunity = await CaseKit.EventuallyAsync(() => CaseKit.DetailAsync(street, created.Id), c => c.Level != HandlingLevel.Property);
        Assert.Equal(HandlingLevel.Community, atCommunity.Level);
        // The community had its own fresh deadline, and let it pass too.
        Assert.True(atCommunity.ResponseDueAt > app.Clock.GetUtcNow());
        app.Clock.Advance(TimeSpan.FromMinutes(lift.ResponseMinutes + 1));
        var atStreet = await CaseKit.EventuallyAsync(() => CaseKit.DetailAsync(street, created.Id), c => c.Level != HandlingLevel.Community);

        Assert.Equal((HandlingLevel.Street, CaseStatus.Reported, 2), (atStreet.Level, atStreet.Status, atStreet.EscalationCount));
        Assert.Equal(
            [CaseEventKind.Reported, CaseEventKind.ResponseOverdue, CaseEventKind.Escalated, CaseEventKind.ResponseOverdue, CaseEventKind.Escalated],
            atStreet.Timeline.Select(e => e.Kind));
        Assert.Equal(CaseRelation.Team, atStreet.MyRelation);
        Assert.Contains(CaseAction.Accept, atStreet.AllowedActions);
        // The community can no longer accept what the street now holds.
        using var late = await CaseKit.ActAsync(await app.ClientAsAsync("admin1"), created.Id, CaseAction.Accept);
        await late.ExpectAsync(HttpStatusCode.Conflict);
        var escalated = await street.GetOkAsync<Page<CaseListItemDto>>("/api/v1/cases?escalated=true");
        Assert.Contains(escalated.Items, c => c.Id == created.Id && c.EscalationCount == 2);
    }
}

/// <summary>
/// What the case tests need around the API: reporting, acting, more accounts than the demo has (a neighbour, a second
/// member of one household, a second property worker), real image bytes, and waiting for the SLA timer service.
/// </summary>
static class CaseKit
{
    public static Task<CaseCategoryDto> CategoryAsync(HttpClient client, string code) => CaseFlowTests.CategoryAsync(client, code);

    public static async Task<CaseDetailDto> ReportAsync(HttpClient client, object body)
    {
        using var response = await client.PostJsonAsync("/api/v1/cases", body);
        await response.ExpectAsync(HttpStatusCode.Created);
        return await response.OkAsync<CaseDetailDto>();
    }

    public static async Task<CaseDetailDto> ReportAsync(HttpClient client, string categoryCode, string title) =>
        await ReportAsync(client, new { categoryId = (await CategoryAsync(client, categoryCode)).Id, title });

    public static Task<HttpResponseMessage> ActAsync(HttpClient client, long caseId, CaseAction action, object? body = null) =>
        client.PostJsonAsync($"/api/v1/cases/{caseId}/{CaseActionRoutes.Segment(action)}", body ?? new { });

    public static async Task<CaseDetailDto> ActOkAsync(HttpClient client, long caseId, CaseAction action, object? body = null)
    {
        using var response = await ActAsync(client, caseId, action, body);
        return await response.OkAsync<CaseDetailDto>();
    }

    public static Task<CaseDetailDto> DetailAsync(HttpClient client, long caseId) => client.GetOkAsync<CaseDetailDto>($"/api/v1/cases/{caseId}");

    /// <summary>Every case the district officer sees: the number a refused report must leave unchanged.</summary>
    public static async Task<int> CountAllAsync(TestApp app) =>
        (await (await app.ClientAsAsync("district")).GetOkAsync<Page<CaseListItemDto>>("/api/v1/cases?status=all&pageSize=1")).Total;

    /// <summary>Polls until <paramref name="done"/> holds (the timer service works on its own schedule), at most 20 s.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var value = await read();
        for (var i = 0; i < 200 && !done(value); i++)
        {
            await Task.Delay(100);
            value = await read();
        }
        return value;
    }

    public enum Home { SameBuildingAsResident1, OtherBuildingOfCommunity1 }

    /// <summary>
    /// A sign-in for a registered resident of community 1 who has none yet, chosen by where they live, as the community
    /// office would set one up. The demo has one resident account per community; these tests need neighbours.
    /// </summary>
    public static async Task AddResidentAccountAsync(TestApp app, string userName, Home home)
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        var resident1 = await db.Users.IgnoreQueryFilters().SingleAsync(u => u.UserName == "resident1");
        var room1 = await db.Residents.IgnoreQueryFilters().Where(r => r.Id == resident1.ResidentId).Select(r => r.RoomId).SingleAsync();
        var building1 = await db.Rooms.IgnoreQueryFilters().Where(r => r.Id == room1).Select(r => r.BuildingId).SingleAsync();
        var inBuilding1 = db.Rooms.IgnoreQueryFilters().Where(r => r.BuildingId == building1).Select(r => (int?)r.Id);
        var taken = db.Users.IgnoreQueryFilters().Where(u => u.ResidentId != null).Select(u => u.ResidentId);
        var candidates = db.Residents.IgnoreQueryFilters()
            .Where(r => r.RoomId != null && r.RoomId != room1 && r.CommunityId == resident1.NodeId && !taken.Contains(r.Id));
        candidates = home == Home.SameBuildingAsResident1
            ? candidates.Where(r => inBuilding1.Contains(r.RoomId))
            : candidates.Where(r => !inBuilding1.Contains(r.RoomId));
        var resident = await candidates.OrderBy(r => r.Id).FirstAsync();
        await AddAccountAsync(scope, db, userName, resident.Name, Role.Resident, resident1.NodeId, resident.Id);
    }

    /// <summary>Two sign-ins for two people of one household of community 1 (a room where at least two live).</summary>
    public static async Task AddHouseholdAccountsAsync(TestApp app, string first, string second)
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        var community = await db.Users.IgnoreQueryFilters().Where(u => u.UserName == "resident1").Select(u => u.NodeId).SingleAsync();
        var taken = db.Users.IgnoreQueryFilters().Where(u => u.ResidentId != null).Select(u => u.ResidentId);
        var room = await db.Residents.IgnoreQueryFilters().Where(r => r.RoomId != null && r.CommunityId == community)
            .GroupBy(r => r.RoomId).Where(g => g.Count() >= 2).OrderBy(g => g.Key).Select(g => g.Key).FirstAsync();
        var people = await db.Residents.IgnoreQueryFilters().Where(r => r.RoomId == room && !taken.Contains(r.Id)).OrderBy(r => r.Id).Take(2).ToListAsync();
        await AddAccountAsync(scope, db, first, people[0].Name, Role.Resident, community, people[0].Id);
        await AddAccountAsync(scope, db, second, people[1].Name, Role.Resident, community, people[1].Id);
    }

    /// <summary>A second property worker at community 1, so that two people can grab the same case.</summary>
    public static async Task AddPropertyWorkerAsync(TestApp app, string userName)
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        var community = await db.Users.IgnoreQueryFilters().Where(u => u.UserName == "property1").Select(u => u.NodeId).SingleAsync();
        await AddAccountAsync(scope, db, userName, "物业维修 · 钱师傅", Role.PropertyStaff, community, null);
    }

    static async Task AddAccountAsync(IServiceScope scope, LinliDbContext db, string userName, string name, Role role, int nodeId, int? residentId)
    {
        var node = await db.Nodes.IgnoreQueryFilters().SingleAsync(n => n.Id == nodeId);
        var account = new UserAccount(userName, name, role, node, residentId);
        account.SetPasswordHash(scope.ServiceProvider.GetRequiredService<Linli.Application.Identity.IPasswordHasher>().Hash(account, RegistrySeeder.DemoPassword));
        db.Users.Add(account);
        await db.SaveChangesAsync();
    }

    /// <summary>A real PNG (RGB, 8 bits, one IDAT), built here so the test needs no image file.</summary>
    public static byte[] Png(int width = 4, int height = 3)
    {
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // truecolour
        Chunk(png, "IHDR", header);
        using (var raw = new MemoryStream())
        {
            using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
            {
                for (var y = 0; y < height; y++)
                {
                    z.WriteByte(0); // no filter
                    for (var x = 0; x < width; x++) z.Write([(byte)(x * 60), (byte)(y * 80), 200]);
                }
            }
            Chunk(png, "IDAT", raw.ToArray());
        }
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    static void Chunk(Stream s, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        s.Write(length);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(typed);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        s.Write(crc);
    }

    static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }

    public static async Task<HttpResponseMessage> UploadAsync(HttpClient client, long caseId, byte[] bytes, string fileName, string contentType)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        form.Add(file, "photo", fileName);
        return await client.PostAsync($"/api/v1/cases/{caseId}/photos", form);
    }
}

using System.Net;
using System.Net.Http.Json;
using Linli.Application.Access;
using Linli.Application.Devices;
using Linli.DeviceSim;
using Linli.Domain.Devices;
using Linli.Infrastructure.Persistence;
using Linli.Web.Features.Access;
using Linli.Web.Features.Devices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>A demo resident's home: who, which room, building and unit, in which community, and how many units the building has.</summary>
sealed record DemoHome(int ResidentId, int RoomId, int BuildingId, int Unit, int CommunityId, int Units);

/// <summary>
/// A community with a door controller wired to its gate, a resident's unit door and a neighbouring unit's door: what the
/// one card's tests (API and simulated controller) start from.
/// </summary>
sealed record DoorWorld(TestApp App, HttpClient Admin, HttpClient Anonymous, DeviceWithSecret Controller, DemoHome Home, string CommunityGate, string UnitDoor,
    string OtherUnitDoor)
{
    public async Task<DecisionResponse> DecideAsync(object body, DeviceWithSecret? controller = null)
    {
        using var response = await PostAsControllerAsync("/api/v1/access/decisions", body, controller);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.OkAsync<DecisionResponse>();
    }

    public async Task<HttpResponseMessage> PostAsControllerAsync(string url, object body, DeviceWithSecret? controller = null)
    {
        var c = controller ?? Controller;
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body, options: Api.Json) };
        request.Headers.Add(IngestApi.DeviceIdHeader, c.Device.Code);
        request.Headers.Add(IngestApi.DeviceKeyHeader, c.Secret);
        return await Anonymous.SendAsync(request);
    }

    public async Task<WhitelistPage> CommandsAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/access/controller/commands");
        request.Headers.Add(IngestApi.DeviceIdHeader, Controller.Device.Code);
        request.Headers.Add(IngestApi.DeviceKeyHeader, Controller.Secret);
        using var response = await Anonymous.SendAsync(request);
        return await response.OkAsync<WhitelistPage>();
    }

    public async Task<CredentialDto> IssueAsync(object body)
    {
        using var response = await Admin.PostJsonAsync("/api/v1/access/credentials", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.OkAsync<CredentialDto>();
    }

    /// <summary>The simulated controller for this world's controller device.</summary>
    public DoorControllerSim Sim() => new(App.Anonymous(), Controller.Device.Code, Controller.Secret, App.Clock);

    /// <summary>The platform hands a controller only changes its snapshot has read; here it reads them now rather than within a poll.</summary>
    public Task SettledAsync() => App.Factory.Services.GetRequiredService<AccessSnapshot>().CatchUpAsync(CancellationToken.None);
}

static class AccessKit
{
    public static async Task<DoorWorld> WorldAsync(TestApp app, string resident = "resident1", string admin = "admin1")
    {
        var home = await HomeOfAsync(app, resident);
        Assert.True(home.Units >= 2, $"the premise: {resident}'s building has a second unit");
        var staff = await app.ClientAsAsync(admin);
        var controller = await MonitoringKit.RegisterAsync(staff, DeviceType.DoorController, new { buildingId = home.BuildingId, unit = home.Unit });
        var tag = Guid.NewGuid().ToString("N")[..8];
        async Task<string> GateAsync(object body)
        {
            using var response = await staff.PostJsonAsync("/api/v1/access/gates", body);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return (await response.OkAsync<GateDto>()).Code;
        }
        var gate = await GateAsync(new { code = $"G-{tag}", name = "南门", kind = "CommunityGate", communityId = home.CommunityId, controller = controller.Device.Code });
        var unit = await GateAsync(new { code = $"U-{tag}", name = "本单元门", kind = "UnitDoor", buildingId = home.BuildingId, unit = home.Unit, controller = controller.Device.Code });
        var other = await GateAsync(new
        {
            code = $"O-{tag}", name = "邻单元门", kind = "UnitDoor", buildingId = home.BuildingId, unit = home.Unit == 1 ? 2 : 1, controller = controller.Device.Code,
        });
        return new DoorWorld(app, staff, app.Anonymous(), controller, home, gate, unit, other);
    }

    /// <summary>The seeded home of a demo account, read outside any user's scope (the scope filters would hide it).</summary>
    public static async Task<DemoHome> HomeOfAsync(TestApp app, string userName)
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        var user = await db.Users.IgnoreQueryFilters().SingleAsync(u => u.UserName == userName);
        var resident = await db.Residents.IgnoreQueryFilters().SingleAsync(r => r.Id == user.ResidentId);
        var room = await db.Rooms.IgnoreQueryFilters().SingleAsync(r => r.Id == resident.RoomId);
        var building = await db.Buildings.IgnoreQueryFilters().SingleAsync(b => b.Id == room.BuildingId);
        return new DemoHome(resident.Id, room.Id, room.BuildingId, room.UnitNo, room.CommunityId, building.Units);
    }
}

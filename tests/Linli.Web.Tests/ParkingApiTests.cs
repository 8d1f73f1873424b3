using System.Net;
using System.Net.Http.Json;
using Linli.Application.Parking;
using Linli.Domain.Common;
using Linli.Domain.Devices;
using Linli.Domain.Parking;
using Linli.Infrastructure.Persistence;
using Linli.Infrastructure.Seeding;
using Linli.Web.Features.Devices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>
/// Parking through the API, on both databases: a barrier reads plates at a car park's entry and exit; temporary cars pay
/// by the tariff (a price change during the stay included), residents' cars and pass holders pass free, a blacklisted plate
/// stays out, a full car park turns temporary cars away but not residents, occupancy follows every car in and out, and one
/// community's staff reach nothing of another's car park.
/// </summary>
public sealed class ParkingApiTests
{
    /// <summary>5 yuan per started hour after 15 free minutes, 15 minutes to leave after paying; no night, no cap.</summary>
    static readonly object Hourly = new { freeMinutes = 15, dayPricePerHour = 5m, graceMinutes = 15 };

    const string Temporary = "浙B12345";
    const string OtherTemporary = "浙B54321";
    const string ResidentCar = "浙A12345";
    const string PassCar = "浙AD12345";

    /// <summary>A car park of resident1's community with a barrier of that community.</summary>
    sealed class World(TestApp app, HttpClient admin, DeviceWithSecret barrier, Home home, LotDto lot)
    {
        public TestApp App { get; } = app;
        public HttpClient Admin { get; private set; } = admin;
        public HttpClient Anonymous { get; } = app.Anonymous();
        public DeviceWithSecret Barrier { get; } = barrier;
        public Home Home { get; } = home;
        public LotDto Lot { get; } = lot;

        /// <summary>Moves the app's clock on; the staff sign in again, as a token taken before would have expired (an hour).</summary>
        public async Task AdvanceAsync(TimeSpan by)
        {
            App.Clock.Advance(by);
            Admin = await SignInAsync(App, "admin1");
        }

        public async Task<BarrierAnswer> PassAsync(string plate, string direction)
        {
            using var response = await PostAsBarrierAsync(new { lot = Lot.Code, plate, direction });
            return await response.OkAsync<BarrierAnswer>();
        }

        public async Task<HttpResponseMessage> PostAsBarrierAsync(object body, DeviceWithSecret? barrier = null)
        {
            var b = barrier ?? Barrier;
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/parking/barrier") { Content = JsonContent.Create(body, options: Api.Json) };
            request.Headers.Add(IngestApi.DeviceIdHeader, b.Device.Code);
            request.Headers.Add(IngestApi.DeviceKeyHeader, b.Secret);
            return await Anonymous.SendAsync(request);
        }

        public Task<LotOccupancyDto> OccupancyAsync() => Admin.GetOkAsync<LotOccupancyDto>($"/api/v1/parking/lots/{Lot.Id}/occupancy");

        public async Task<SessionDto> SessionAsync(string plate) =>
            Assert.Single((await Admin.GetOkAsync<Page<SessionDto>>($"/api/v1/parking/sessions?lotId={Lot.Id}&plate={Uri.EscapeDataString(plate)}")).Items);

        public async Task AssignSpaceAsync(string plate, string number = "B2-031")
        {
            using var response = await Admin.PostJsonAsync($"/api/v1/parking/lots/{Lot.Id}/spaces",
                new { number, kind = "Owned", residentId = Home.ResidentId, plates = new[] { plate } });
            await response.ExpectAsync(HttpStatusCode.Created);
        }

        public async Task<PassDto> SellPassAsync(string plate)
        {
            var today = DateOnly.FromDateTime(ChinaTime.Local(App.Clock.GetUtcNow()));
            using var response = await Admin.PostJsonAsync($"/api/v1/parking/lots/{Lot.Id}/passes",
                new { plate, validFrom = today.AddDays(-1), validUntil = today.AddDays(30), price = 300m, residentId = Home.ResidentId });
            return await response.OkAsync<PassDto>();
        }
    }

    sealed record Home(int ResidentId, int BuildingId, int CommunityId);

    static async Task<World> WorldAsync(TestApp app, int visitorSpaces = 20, string unpaidExit = "RecordDue")
    {
        var home = await HomeOfAsync(app, "resident1");
        var admin = await app.ClientAsAsync("admin1");
        var barrier = await MonitoringKit.RegisterAsync(admin, DeviceType.ParkingBarrier, new { buildingId = home.BuildingId });
        using var created = await admin.PostJsonAsync("/api/v1/parking/lots", new
        {
            code = "P-" + Guid.NewGuid().ToString("N")[..8], name = "地下停车场", communityId = home.CommunityId,
            ownedSpaces = 50, rentedSpaces = 10, visitorSpaces, unpaidExit, tariff = Hourly,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return new World(app, admin, barrier, home, await created.OkAsync<LotDto>());
    }

    /// <summary>A client with a token taken now (the factory's clients keep the first token they were given).</summary>
    static async Task<HttpClient> SignInAsync(TestApp app, string user)
    {
        var client = app.Anonymous();
        var token = await (await client.PostJsonAsync("/api/v1/auth/token", new { userName = user, password = RegistrySeeder.DemoPassword })).OkAsync<Api.Token>();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.AccessToken);
        return client;
    }

    static async Task<Home> HomeOfAsync(TestApp app, string userName)
    {
        var home = await AccessKit.HomeOfAsync(app, userName);
        return new Home(home.ResidentId, home.BuildingId, home.CommunityId);
    }

    [Fact]
    public async Task A_temporary_car_pays_its_started_hours_at_the_pay_station_and_leaves_within_the_grace()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var w = await WorldAsync(app, unpaidExit: "Refuse");

        var entry = await w.PassAsync(Temporary, "In");
        Assert.Equal((true, VehicleKind.Temporary), (entry.Open, entry.Kind));
        await w.AdvanceAsync(TimeSpan.FromMinutes(150));

        // Two and a half hours: three started hours at 5 yuan, from entry (the free quarter hour is not deducted).
        var quote = await w.Admin.GetOkAsync<QuoteDto>($"/api/v1/parking/lots/{w.Lot.Id}/quote?plate={Uri.EscapeDataString(Temporary)}");
        Assert.Equal((15m, 3), (quote.Owed, quote.Pieces.Sum(p => p.Hours)));
        var refused = await w.PassAsync(Temporary, "Out");
        Assert.Equal((false, BarrierRefusal.FeeUnpaid, 15m), (refused.Open, refused.Reason, refused.Fee));
        Assert.Equal(SessionState.Open, (await w.SessionAsync(Temporary)).State);

        using (var paying = await w.Admin.PostJsonAsync($"/api/v1/parking/lots/{w.Lot.Id}/payments", new { plate = Temporary }))
        {
            var paid = await paying.OkAsync<PaymentDto>();
            Assert.Equal((15m, SessionState.Paid), (paid.Amount, paid.State));
        }
        // Paid up: nothing more to pay within the grace.
        using (var twice = await w.Admin.PostJsonAsync($"/api/v1/parking/lots/{w.Lot.Id}/payments", new { plate = Temporary }))
            Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        await w.AdvanceAsync(TimeSpan.FromMinutes(10));
        var leaving = await w.PassAsync(Temporary, "Out");
        Assert.Equal((true, 0m), (leaving.Open, leaving.Fee));

        var stay = await w.SessionAsync(Temporary);
        Assert.Equal((SessionState.Closed, 15m, 15m, 0m), (stay.State, stay.Charged, stay.Paid, stay.Due));
        // A car that has left has no stay to pay for.
        using var again = await w.Admin.PostJsonAsync($"/api/v1/parking/lots/{w.Lot.Id}/payments", new { plate = Temporary });
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task A_car_that_has_not_paid_is_let_out_with_the_fee_recorded_as_due_which_is_settled_later()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var w = await WorldAsync(app);
        Assert.Equal(UnpaidExit.RecordDue, w.Lot.UnpaidExit);
        Assert.True((await w.PassAsync(Temporary, "In")).Open);
        await w.AdvanceAsync(TimeSpan.FromMinutes(70));

        var leaving = await w.PassAsync(Temporary, "Out");
        Assert.Equal((true, (BarrierRefusal?)null, 10m), (leaving.Open, leaving.Reason, leaving.Fee));
        var stay = await w.SessionAsync(Temporary);
        Assert.Equal((SessionState.Closed, 10m, 0m, 10m), (stay.State, stay.Charged, stay.Paid, stay.Due));
        // The camera reads the plate again (or the barrier asks again after a lost answer): the same answer, no second exit.
        var repeated = await w.PassAsync(Temporary, "Out");
        Assert.Equal((true, 10m), (repeated.Open, repeated.Fee));

        using (var settling = await w.Admin.PostJsonAsync($"/api/v1/parking/sessions/{stay.Id}/settle", new { }))
            Assert.Equal(10m, (await settling.OkAsync<PaymentDto>()).Amount);
        var settled = await w.SessionAsync(Temporary);
        Assert.Equal((10m, 10m, 0m), (settled.Charged, settled.Paid, settled.Due));
        using var twice = await w.Admin.PostJsonAsync($"/api/v1/parking/sessions/{stay.Id}/settle", new { });
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        // Past the repeat window, a plate leaving with no stay inside is left to staff.
        await w.AdvanceAsync(TimeSpan.FromMinutes(10));
        var none = await w.PassAsync(Temporary, "Out");
        Assert.Equal((false, BarrierRefusal.NoEntryRecord), (none.Open, none.Reason));
    }

    [Fact]
    public async Task A_price_change_during_the_stay_charges_the_hours_that_start_after_it_at_the_new_price()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var w = await WorldAsync(app);
        var entryAt = app.Clock.GetUtcNow();
        Assert.True((await w.PassAsync(Temporary, "In")).Open);
        // Half way through the second hour: the first two hours began under the old price.
        var changeAt = entryAt.AddMinutes(90);
        using (var change = await w.Admin.PutJsonAsync($"/api/v1/parking/lots/{w.Lot.Id}/tariff",
            new { tariff = new { freeMinutes = 15, dayPricePerHour = 8m, graceMinutes = 15 }, effectiveFrom = changeAt }))
        {
            var lot = await change.OkAsync<LotDto>();
            Assert.Equal([5m, 8m], lot.Tariffs.Select(t => t.Tariff.DayPricePerHour));
            Assert.Equal(5m, lot.Tariff.DayPricePerHour);
        }
        using (var past = await w.Admin.PutJsonAsync($"/api/v1/parking/lots/{w.Lot.Id}/tariff",
            new { tariff = Hourly, effectiveFrom = app.Clock.GetUtcNow().AddHours(-1) }))
            await past.ExpectFieldErrorAsync("effectiveFrom");

        await w.AdvanceAsync(TimeSpan.FromMinutes(190));
        var quote = await w.Admin.GetOkAsync<QuoteDto>($"/api/v1/parking/lots/{w.Lot.Id}/quote?plate={Uri.EscapeDataString(Temporary)}");
        Assert.Equal(5m + 5m + 8m + 8m, quote.Owed);
        Assert.Equal([(2, 10m), (2, 16m)], quote.Pieces.Select(p => (p.Hours, p.Amount)));
        Assert.Equal(changeAt, quote.Pieces[1].TariffFrom);
        var leaving = await w.PassAsync(Temporary, "Out");
        Assert.Equal((true, 26m), (leaving.Open, leaving.Fee));
        Assert.Equal(26m, (await w.SessionAsync(Temporary)).Charged);
    }

    [Fact]
    public async Task A_residents_car_and_a_monthly_pass_car_come_and_go_free_and_the_household_sees_them()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var w = await WorldAsync(app);
        await w.AssignSpaceAsync(ResidentCar);
        var pass = await w.SellPassAsync(PassCar);
        Assert.True(pass.ValidNow);

        var resident = await w.PassAsync("浙A·12345", "In");
        var holder = await w.PassAsync(PassCar, "In");
        var stranger = await w.PassAsync(Temporary, "In");
        Assert.Equal((true, VehicleKind.Resident, ResidentCar), (resident.Open, resident.Kind, resident.Plate));
        Assert.Equal((true, VehicleKind.MonthlyPass), (holder.Open, holder.Kind));
        Assert.Equal(VehicleKind.Temporary, stranger.Kind);

        var resident1 = await SignInAsync(app, "resident1");
        // In this test's car park (the demo gives some households a space in its own car parks too).
        var vehicles = (await resident1.GetOkAsync<List<MyVehicleDto>>("/api/v1/parking/me/vehicles")).Where(v => v.LotId == w.Lot.Id).ToList();
        Assert.Equal([(ResidentCar, true), (PassCar, true)], vehicles.Select(v => (v.Plate, v.Inside)).OrderBy(v => v.Plate, StringComparer.Ordinal));
        Assert.Equal("B2-031", vehicles.Single(v => v.Plate == ResidentCar).Space);

        await w.AdvanceAsync(TimeSpan.FromHours(26));
        resident1 = await SignInAsync(app, "resident1");
        var residentOut = await w.PassAsync(ResidentCar, "Out");
        var holderOut = await w.PassAsync(PassCar, "Out");
        Assert.Equal((true, 0m, true, 0m), (residentOut.Open, residentOut.Fee, holderOut.Open, holderOut.Fee));

        // The household sees its own cars' stays (free), not the stranger's; another community's household sees none.
        var mine = await resident1.GetOkAsync<Page<SessionDto>>("/api/v1/parking/me/sessions");
        Assert.Equal([ResidentCar, PassCar], mine.Items.Select(s => s.Plate).Order(StringComparer.Ordinal));
        Assert.All(mine.Items, s => Assert.Equal((SessionState.Closed, 0m, 0m), (s.State, s.Charged, s.Due)));
        Assert.Equal(0m, (await resident1.GetOkAsync<OwedDto>("/api/v1/parking/me/owed")).Total);
        var resident2 = await app.ClientAsAsync("resident2");
        Assert.Empty((await resident2.GetOkAsync<Page<SessionDto>>("/api/v1/parking/me/sessions")).Items);
        Assert.DoesNotContain(await resident2.GetOkAsync<List<MyVehicleDto>>("/api/v1/parking/me/vehicles"), v => v.LotId == w.Lot.Id);
        // A resident manages nothing.
        Assert.Equal(HttpStatusCode.Forbidden, await resident1.PostJsonAsync($"/api/v1/parking/lots/{w.Lot.Id}/plate-list",
            new { plate = Temporary, list = "Whitelist", reason = "我的客人" }).StatusOfAsync());

        // Once the pass is cancelled, the car pays like anyone, and the household is told what it owes.
        (await w.Admin.PostJsonAsync($"/api/v1/parking/passes/{pass.Id}/cancel", new { })).EnsureSuccessStatusCode();
        Assert.Equal(VehicleKind.Temporary, (await w.PassAsync(PassCar, "In")).Kind);
        await w.AdvanceAsync(TimeSpan.FromMinutes(100));
        resident1 = await SignInAsync(app, "resident1");
        var owed = await resident1.GetOkAsync<OwedDto>("/api/v1/parking/me/owed");
        Assert.Equal((10m, PassCar), (owed.Total, Assert.Single(owed.Items).Plate));
    }

    [Fact]
    public async Task A_blacklisted_plate_is_refused_at_the_entry_until_it_is_taken_off_the_list()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var w = await WorldAsync(app);
        PlateListDto listing;
        using (var listed = await w.Admin.PostJsonAsync($"/api/v1/parking/lots/{w.Lot.Id}/plate-list", new { plate = Temporary, list = "Blacklist", reason = "三次逃费" }))
            listing = await listed.OkAsync<PlateListDto>();

        var refused = await w.PassAsync(Temporary, "In");
        Assert.Equal((false, BarrierRefusal.Blacklisted, (VehicleKind?)null), (refused.Open, refused.Reason, refused.Kind));
        Assert.Empty((await w.Admin.GetOkAsync<Page<SessionDto>>($"/api/v1/parking/sessions?lotId={w.Lot.Id}")).Items);
        Assert.Equal(0, (await w.OccupancyAsync()).Temporary);
        var lists = await w.Admin.GetOkAsync<Page<PlateListDto>>($"/api/v1/parking/lots/{w.Lot.Id}/plate-list");
        Assert.Equal((listing.Id, true), (Assert.Single(lists.Items).Id, lists.Items[0].AppliesNow));

        (await w.Admin.PostJsonAsync($"/api/v1/parking/plate-list/{listing.Id}/lift", new { })).EnsureSuccessStatusCode();
        var admitted = await w.PassAsync(Temporary, "In");
        Assert.Equal((true, VehicleKind.Temporary), (admitted.Open, admitted.Kind));
        Assert.Empty((await w.Admin.GetOkAsync<Page<PlateListDto>>($"/api/v1/parking/lots/{w.Lot.Id}/plate-list")).Items);
    }

    [Fact]
    public async Task A_full_car_park_turns_temporary_cars_away_but_admits_residents_pass_holders_and_whitelisted_cars()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var w = await WorldAsync(app, visitorSpaces: 1);
        await w.AssignSpaceAsync(ResidentCar);
        await w.SellPassAsync(PassCar);
        (await w.Admin.PostJsonAsync($"/api/v1/parking/lots/{w.Lot.Id}/plate-list", new { plate = "浙A12120", list = "Whitelist", reason = "120急救" }))
            .EnsureSuccessStatusCode();

        Assert.True((await w.PassAsync(Temporary, "In")).Open);
        var turnedAway = await w.PassAsync(OtherTemporary, "In");
        Assert.Equal((false, BarrierRefusal.LotFull), (turnedAway.Open, turnedAway.Reason));
        Assert.Equal(VehicleKind.Resident, (await w.PassAsync(ResidentCar, "In")).Kind);
        Assert.Equal(VehicleKind.MonthlyPass, (await w.PassAsync(PassCar, "In")).Kind);
        Assert.Equal(VehicleKind.Whitelisted, (await w.PassAsync("浙A12120", "In")).Kind);

        // Within the free minutes the first car leaves for nothing, and the space is the next car's.
        await w.AdvanceAsync(TimeSpan.FromMinutes(10));
        var left = await w.PassAsync(Temporary, "Out");
        Assert.Equal((true, 0m), (left.Open, left.Fee));
        var next = await w.PassAsync(OtherTemporary, "In");
        Assert.Equal((true, VehicleKind.Temporary), (next.Open, next.Kind));
    }

    [Fact]
    public async Task Cars_reaching_the_entries_at_once_for_the_last_visitor_space_get_it_one_only()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var w = await WorldAsync(app, visitorSpaces: 1);
        string[] plates = ["浙B10001", "浙B10002", "浙B10003", "浙B10004", "浙B10005", "浙B10006"];
        var answers = await Task.WhenAll(plates.Select(p => w.PassAsync(p, "In")));
        Assert.Single(answers, a => a.Open);
        Assert.All(answers.Where(a => !a.Open), a => Assert.Equal(BarrierRefusal.LotFull, a.Reason));
        Assert.Equal(1, (await w.OccupancyAsync()).Temporary);
    }

    [Fact]
    public async Task Live_occupancy_counts_each_kind_up_as_cars_enter_and_down_as_they_leave()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var w = await WorldAsync(app, visitorSpaces: 2);
        await w.AssignSpaceAsync(ResidentCar);
        await w.SellPassAsync(PassCar);
        static (int Residents, int Passes, int Temporary, int Free, bool Full) Counts(LotOccupancyDto o) =>
            (o.Residents, o.MonthlyPasses, o.Temporary, o.VisitorSpacesFree, o.Full);

        Assert.Equal((0, 0, 0, 2, false), Counts(await w.OccupancyAsync()));
        await using var ops = await BrokerKit.ListenAsync(app.Factory, OpsHub.Path, "admin1", OccupancyPush.Method);
        await w.PassAsync(Temporary, "In");
        await w.PassAsync(ResidentCar, "In");
        await w.PassAsync(PassCar, "In");
        Assert.Equal((1, 1, 1, 1, false), Counts(await w.OccupancyAsync()));
        await w.PassAsync(OtherTemporary, "In");
        Assert.Equal((1, 1, 2, 0, true), Counts(await w.OccupancyAsync()));
        // The operations view hears it too, without asking.
        await ops.WaitForAsync(OccupancyPush.Method, p => p.GetProperty("lotId").GetInt32() == w.Lot.Id && p.GetProperty("full").GetBoolean());
        // A second read of a car inside is the same stay: nothing counted twice.
        await w.PassAsync(OtherTemporary, "In");
        Assert.Equal(2, (await w.OccupancyAsync()).Temporary);

        await w.PassAsync(Temporary, "Out");
        await w.PassAsync(ResidentCar, "Out");
        Assert.Equal((0, 1, 1, 1, false), Counts(await w.OccupancyAsync()));
        var area = await w.Admin.GetOkAsync<List<LotOccupancyDto>>($"/api/v1/parking/occupancy?communityId={w.Home.CommunityId}");
        Assert.Equal((0, 1, 1, 1, false), Counts(Assert.Single(area, o => o.LotId == w.Lot.Id)));
    }

    [Fact]
    public async Task One_communitys_staff_cannot_see_or_manage_another_communitys_car_park_nor_its_barriers_reach_it()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var w = await WorldAsync(app);
        Assert.True((await w.PassAsync(Temporary, "In")).Open);
        var admin2 = await app.ClientAsAsync("admin2");
        var lot = $"/api/v1/parking/lots/{w.Lot.Id}";

        Assert.Equal(HttpStatusCode.NotFound, await admin2.GetAsync(lot).StatusOfAsync());
        Assert.DoesNotContain((await admin2.GetOkAsync<Page<LotDto>>("/api/v1/parking/lots")).Items, l => l.Id == w.Lot.Id);
        Assert.DoesNotContain(await admin2.GetOkAsync<List<LotOccupancyDto>>("/api/v1/parking/occupancy"), o => o.LotId == w.Lot.Id);
        Assert.Empty((await admin2.GetOkAsync<Page<SessionDto>>("/api/v1/parking/sessions")).Items);
        Assert.Equal(HttpStatusCode.NotFound, await admin2.GetAsync($"{lot}/quote?plate={Uri.EscapeDataString(Temporary)}").StatusOfAsync());
        Assert.Equal(HttpStatusCode.NotFound, await admin2.PutJsonAsync($"{lot}/tariff", new { tariff = new { dayPricePerHour = 50m } }).StatusOfAsync());
        Assert.Equal(HttpStatusCode.NotFound, await admin2.PutJsonAsync(lot, new { visitorSpaces = 0 }).StatusOfAsync());
        Assert.Equal(HttpStatusCode.NotFound, await admin2.PostJsonAsync($"{lot}/plate-list", new { plate = ResidentCar, list = "Whitelist", reason = "x" }).StatusOfAsync());
        Assert.Equal(HttpStatusCode.NotFound, await admin2.PostJsonAsync($"{lot}/payments", new { plate = Temporary }).StatusOfAsync());
        using (var elsewhere = await admin2.PostJsonAsync("/api/v1/parking/lots", new { code = "P-X", name = "越界", communityId = w.Home.CommunityId, tariff = Hourly }))
            await elsewhere.ExpectFieldErrorAsync("communityId");

        // A barrier of the other community does not reach this car park, even by its code.
        var building2 = (await admin2.GetOkAsync<Page<BuildingDto>>("/api/v1/buildings?pageSize=1")).Items[0];
        var barrier2 = await MonitoringKit.RegisterAsync(admin2, DeviceType.ParkingBarrier, new { buildingId = building2.Id });
        using (var foreign = await w.PostAsBarrierAsync(new { lot = w.Lot.Code, plate = Temporary, direction = "Out" }, barrier2))
        {
            await foreign.ExpectAsync(HttpStatusCode.NotFound);
            Assert.Contains("\"lot\"", await foreign.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(SessionState.Open, (await w.SessionAsync(Temporary)).State);
        Assert.Equal((1, 5m), ((await w.OccupancyAsync()).Temporary, (await w.Admin.GetOkAsync<LotDto>(lot)).Tariff.DayPricePerHour));
    }

    [Fact]
    public async Task A_barrier_must_know_its_key_and_bad_input_is_refused_naming_the_field()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var w = await WorldAsync(app);
        var door = await MonitoringKit.RegisterAsync(w.Admin, DeviceType.DoorController, new { buildingId = w.Home.BuildingId });

        using (var wrongKey = await w.PostAsBarrierAsync(new { lot = w.Lot.Code, plate = Temporary, direction = "In" }, w.Barrier with { Secret = "nope" }))
            Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        using (var notABarrier = await w.PostAsBarrierAsync(new { lot = w.Lot.Code, plate = Temporary, direction = "In" }, door))
            Assert.Equal(HttpStatusCode.Unauthorized, notABarrier.StatusCode);
        using (var badPlate = await w.PostAsBarrierAsync(new { lot = w.Lot.Code, plate = "ABC", direction = "In" }))
            await badPlate.ExpectFieldErrorAsync("plate");
        using (var noDirection = await w.PostAsBarrierAsync(new { lot = w.Lot.Code, plate = Temporary }))
            await noDirection.ExpectFieldErrorAsync("direction");
        using (var noLot = await w.PostAsBarrierAsync(new { lot = "NO-SUCH", plate = Temporary, direction = "In" }))
            Assert.Equal(HttpStatusCode.NotFound, noLot.StatusCode);
        Assert.Empty((await w.Admin.GetOkAsync<Page<SessionDto>>($"/api/v1/parking/sessions?lotId={w.Lot.Id}")).Items);

        async Task LotRefusedAsync(object tariff, string field)
        {
            using var response = await w.Admin.PostJsonAsync("/api/v1/parking/lots", new { code = "P-BAD", name = "坏", communityId = w.Home.CommunityId, tariff });
            await response.ExpectFieldErrorAsync(field);
        }
        await LotRefusedAsync(new { freeMinutes = 15 }, "tariff.dayPricePerHour");
        await LotRefusedAsync(new { dayPricePerHour = -1m }, "tariff.dayPricePerHour");
        await LotRefusedAsync(new { dayPricePerHour = 5m, nightFrom = "20:00", nightUntil = "07:00", nightPricePerHour = 1m, nightFlatPrice = 10m },
            "tariff.nightFlatPrice");
        using (var noTariff = await w.Admin.PostJsonAsync("/api/v1/parking/lots", new { code = "P-BAD", name = "坏", communityId = w.Home.CommunityId }))
            await noTariff.ExpectFieldErrorAsync("tariff");
        using (var sameCode = await w.Admin.PostJsonAsync("/api/v1/parking/lots", new { code = w.Lot.Code, name = "重复", communityId = w.Home.CommunityId, tariff = Hourly }))
            Assert.Equal(HttpStatusCode.Conflict, sameCode.StatusCode);
        using (var badSpace = await w.Admin.PostJsonAsync($"/api/v1/parking/lots/{w.Lot.Id}/spaces",
            new { number = "B2-001", kind = "Owned", residentId = w.Home.ResidentId, plates = new[] { ResidentCar, "XYZ" } }))
            await badSpace.ExpectFieldErrorAsync("plates[1]");
    }
}

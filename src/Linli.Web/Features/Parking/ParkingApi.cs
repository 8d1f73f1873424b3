using Linli.Application.Common;
using Linli.Application.Parking;
using Linli.Domain.Identity;
using Linli.Domain.Parking;
using Linli.Web.Features.Identity;
using Linli.Web.Features.Shared;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Linli.Web.Features.Parking;

/// <summary>
/// Parking (停车导航) under /api/v1/parking: staff set up car parks, spaces, passes and lists and take payments at the pay
/// station (ManageAccess), and read stays, quotes and occupancy (ReadAccessLog); a resident reads their household's
/// vehicles, stays and what they owe (UseOneCard). Barriers talk to <see cref="BarrierApi"/>.
/// </summary>
public static class ParkingApi
{
    public static IEndpointRouteBuilder MapParkingApi(this IEndpointRouteBuilder app)
    {
        var manage = app.MapGroup("/api/v1/parking").WithTags("Parking").RequireAuthorization(IdentityModule.Policy(Permission.ManageAccess)).ProducesAuthFailures();
        manage.MapPost("/lots", CreateLot).WithName("CreateParkingLot")
            .WithSummary("Adds a car park to a community: its code (as its barriers name it), its spaces by kind, its tariff, and what the exit does with an unpaid fee.")
            .ProducesInputFailure().ProducesConflict();
        manage.MapPut("/lots/{id:int}", UpdateLot).WithName("ChangeParkingLot")
            .WithSummary("Changes a car park's spaces by kind, or whether its exit lets a car out with an unpaid fee recorded as due (RecordDue) or stays down (Refuse).")
            .ProducesInputFailure().ProducesNotFound();
        manage.MapPut("/lots/{id:int}/tariff", ChangeTariff).WithName("ChangeParkingTariff")
            .WithSummary("New prices from a moment on (now or later, never earlier): a stay inside pays them for the hours that start after it.")
            .ProducesInputFailure().ProducesNotFound();
        manage.MapPost("/lots/{id:int}/spaces", AddSpace).WithName("AddParkingSpace")
            .WithSummary("Adds a numbered space: a visitor space, or a resident's owned or rented one with the plates allowed on it.")
            .ProducesInputFailure().ProducesNotFound().ProducesConflict();
        manage.MapPut("/spaces/{id:int}/assignment", AssignSpace).WithName("AssignParkingSpace")
            .WithSummary("Gives a space to a resident (bought or rented) for up to three plates; those plates enter and leave free.")
            .ProducesInputFailure().ProducesNotFound();
        manage.MapPost("/spaces/{id:int}/release", ReleaseSpace).WithName("ReleaseParkingSpace")
            .WithSummary("The resident's right to the space ended: it is a visitor space again.").ProducesNotFound().ProducesConflict();
        manage.MapPost("/lots/{id:int}/passes", SellPass).WithName("SellMonthlyPass")
            .WithSummary("Records a monthly pass for a plate: its first and last Beijing day (inclusive) and its price.")
            .ProducesInputFailure().ProducesNotFound();
        manage.MapPost("/passes/{id:long}/cancel", CancelPass).WithName("CancelMonthlyPass").WithSummary("Cancels a pass: it admits no more from now.")
            .ProducesNotFound().ProducesConflict();
        manage.MapPost("/lots/{id:int}/plate-list", ListPlate).WithName("ListParkingPlate")
            .WithSummary("Puts a plate on the car park's blacklist (refused at the entry) or whitelist (in and out free, even when full), with the reason.")
            .ProducesInputFailure().ProducesNotFound();
        manage.MapPost("/plate-list/{id:long}/lift", LiftListing).WithName("LiftParkingPlateListing").WithSummary("Takes a plate off its list from now.")
            .ProducesNotFound().ProducesConflict();
        manage.MapPost("/lots/{id:int}/payments", Pay).WithName("PayParkingFee")
            .WithSummary("The pay station: the plate's stay pays what it owes now and has the tariff's grace to reach the exit.")
            .ProducesInputFailure().ProducesNotFound().ProducesConflict();
        manage.MapPost("/sessions/{id:long}/settle", Settle).WithName("SettleParkingDue")
            .WithSummary("A fee left due at the exit is paid at the pay station.").ProducesNotFound().ProducesConflict();

        var read = app.MapGroup("/api/v1/parking").WithTags("Parking").RequireAuthorization(IdentityModule.Policy(Permission.ReadAccessLog)).ProducesAuthFailures();
        read.MapGet("/lots", ListLots).WithName("ListParkingLots").WithSummary("Car parks of the caller's area, with their tariffs.").ProducesInputFailure();
        read.MapGet("/lots/{id:int}", GetLot).WithName("GetParkingLot").WithSummary("One car park with its tariff versions.").ProducesNotFound();
        read.MapGet("/lots/{id:int}/spaces", ListSpaces).WithName("ListParkingSpaces")
            .WithSummary("A car park's numbered spaces; filter by kind, plate or resident.").ProducesInputFailure().ProducesNotFound();
        read.MapGet("/lots/{id:int}/passes", ListPasses).WithName("ListMonthlyPasses")
            .WithSummary("A car park's monthly passes; current only by default, filter by plate.").ProducesInputFailure().ProducesNotFound();
        read.MapGet("/lots/{id:int}/plate-list", ListListings).WithName("ListParkingPlateListings")
            .WithSummary("A car park's black- and whitelist; current entries only by default.").ProducesInputFailure().ProducesNotFound();
        read.MapGet("/lots/{id:int}/quote", Quote).WithName("QuoteParkingFee")
            .WithSummary("What the plate's stay owes if it leaves now, hour by hour as the tariffs in force price them.").ProducesInputFailure().ProducesNotFound();
        read.MapGet("/lots/{id:int}/occupancy", LotOccupancy).WithName("GetParkingOccupancy")
            .WithSummary("Vehicles inside the car park now, by kind, against its spaces.").ProducesNotFound();
        read.MapGet("/occupancy", Occupancy).WithName("ListParkingOccupancy")
            .WithSummary("Occupancy of every car park of the caller's area (or one community), for the operations view and the site plan.").ProducesInputFailure();
        read.MapGet("/sessions", Sessions).WithName("ListParkingSessions")
            .WithSummary("Stays, newest entry first; filter by car park, plate, state, kind and entry time.").ProducesInputFailure();

        var mine = app.MapGroup("/api/v1/parking/me").WithTags("Parking").RequireAuthorization(IdentityModule.Policy(Permission.UseOneCard)).ProducesAuthFailures();
        mine.MapGet("/vehicles", MyVehicles).WithName("ListMyVehicles")
            .WithSummary("The household's vehicles: the plates on its spaces and passes, and whether each is inside now.");
        mine.MapGet("/sessions", MySessions).WithName("ListMyParkingSessions").WithSummary("The stays of the household's vehicles, newest first.")
            .ProducesInputFailure();
        mine.MapGet("/owed", MyOwed).WithName("WhatIOweForParking")
            .WithSummary("What the household's vehicles owe now: leaving now, for a stay that pays, and every fee left due at an exit.");
        return app;
    }

    static async Task<Created<LotDto>> CreateLot(LotRequest request, LotCommands lots, CancellationToken ct)
    {
        var lot = await lots.CreateAsync(request, ct);
        return TypedResults.Created($"/api/v1/parking/lots/{lot.Id}", lot);
    }

    static async Task<Ok<LotDto>> UpdateLot(int id, LotSettingsRequest request, LotCommands lots, CancellationToken ct) =>
        TypedResults.Ok(await lots.UpdateAsync(id, request, ct));

    static async Task<Ok<LotDto>> ChangeTariff(int id, TariffChangeRequest request, LotCommands lots, CancellationToken ct) =>
        TypedResults.Ok(await lots.ChangeTariffAsync(id, request, ct));

    static async Task<Created<SpaceDto>> AddSpace(int id, SpaceRequest request, SpaceCommands spaces, CancellationToken ct)
    {
        var space = await spaces.CreateAsync(id, request, ct);
        return TypedResults.Created($"/api/v1/parking/lots/{id}/spaces", space);
    }

    static async Task<Ok<SpaceDto>> AssignSpace(int id, AssignSpaceRequest request, SpaceCommands spaces, CancellationToken ct) =>
        TypedResults.Ok(await spaces.AssignAsync(id, request, ct));

    static async Task<Ok<SpaceDto>> ReleaseSpace(int id, SpaceCommands spaces, CancellationToken ct) =>
        TypedResults.Ok(await spaces.ReleaseAsync(id, ct));

    static async Task<Created<PassDto>> SellPass(int id, PassRequest request, PassCommands passes, CancellationToken ct)
    {
        var pass = await passes.SellAsync(id, request, ct);
        return TypedResults.Created($"/api/v1/parking/lots/{id}/passes", pass);
    }

    static async Task<Ok<PassDto>> CancelPass(long id, PassCommands passes, CancellationToken ct) =>
        TypedResults.Ok(await passes.CancelPassAsync(id, ct));

    static async Task<Created<PlateListDto>> ListPlate(int id, PlateListRequest request, PassCommands passes, CancellationToken ct)
    {
        var entry = await passes.ListPlateAsync(id, request, ct);
        return TypedResults.Created($"/api/v1/parking/lots/{id}/plate-list", entry);
    }

    static async Task<Ok<PlateListDto>> LiftListing(long id, PassCommands passes, CancellationToken ct) =>
        TypedResults.Ok(await passes.LiftAsync(id, ct));

    static async Task<Ok<PaymentDto>> Pay(int id, PayRequest request, PayStation station, CancellationToken ct) =>
        TypedResults.Ok(await station.PayAsync(id, request, ct));

    static async Task<Ok<PaymentDto>> Settle(long id, PayStation station, CancellationToken ct) =>
        TypedResults.Ok(await station.SettleAsync(id, ct));

    static async Task<Ok<Page<LotDto>>> ListLots(LotCommands lots, int? communityId, int? page, int? pageSize, CancellationToken ct) =>
        TypedResults.Ok(await lots.ListAsync(communityId, PageRequest.From(page, pageSize), ct));

    static async Task<Ok<LotDto>> GetLot(int id, LotCommands lots, CancellationToken ct) => TypedResults.Ok(await lots.GetAsync(id, ct));

    static async Task<Ok<Page<SpaceDto>>> ListSpaces(int id, SpaceCommands spaces, SpaceKind? kind, string? plate, int? residentId, int? page, int? pageSize,
        CancellationToken ct) =>
        TypedResults.Ok(await spaces.ListAsync(id, kind, plate, residentId, PageRequest.From(page, pageSize), ct));

    static async Task<Ok<Page<PassDto>>> ListPasses(int id, PassCommands passes, string? plate, bool? all, int? page, int? pageSize, CancellationToken ct) =>
        TypedResults.Ok(await passes.ListPassesAsync(id, plate, all != true, PageRequest.From(page, pageSize), ct));

    static async Task<Ok<Page<PlateListDto>>> ListListings(int id, PassCommands passes, PlateListKind? list, bool? all, int? page, int? pageSize,
        CancellationToken ct) =>
        TypedResults.Ok(await passes.ListPlatesAsync(id, list, all != true, PageRequest.From(page, pageSize), ct));

    static async Task<Ok<QuoteDto>> Quote(int id, string? plate, ParkingQueries queries, CancellationToken ct) =>
        TypedResults.Ok(await queries.QuoteAsync(id, plate, ct));

    static async Task<Ok<LotOccupancyDto>> LotOccupancy(int id, ParkingQueries queries, CancellationToken ct) =>
        TypedResults.Ok(await queries.LotOccupancyAsync(id, ct));

    static async Task<Ok<IReadOnlyList<LotOccupancyDto>>> Occupancy(ParkingQueries queries, int? communityId, CancellationToken ct) =>
        TypedResults.Ok(await queries.AreaOccupancyAsync(communityId, ct));

    static async Task<Ok<Page<SessionDto>>> Sessions(ParkingQueries queries, int? lotId, string? plate, SessionState? state, VehicleKind? kind,
        DateTimeOffset? from, DateTimeOffset? until, int? page, int? pageSize, CancellationToken ct) =>
        TypedResults.Ok(await queries.SessionsAsync(new SessionFilter(lotId, plate, state, kind, from, until), PageRequest.From(page, pageSize), ct));

    static async Task<Ok<IReadOnlyList<MyVehicleDto>>> MyVehicles(ParkingQueries queries, CancellationToken ct) =>
        TypedResults.Ok(await queries.MyVehiclesAsync(ct));

    static async Task<Ok<Page<SessionDto>>> MySessions(ParkingQueries queries, int? page, int? pageSize, CancellationToken ct) =>
        TypedResults.Ok(await queries.SessionsAsync(new SessionFilter(), PageRequest.From(page, pageSize), ct));

    static async Task<Ok<OwedDto>> MyOwed(ParkingQueries queries, CancellationToken ct) => TypedResults.Ok(await queries.MyOwedAsync(ct));
}

using Linli.Domain.Identity;
using Linli.Domain.Registry;
using Linli.Web.Features.Identity;
using Linli.Web.Features.Shared;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Linli.Web.Features.Registry;

/// <summary>The registry's REST endpoints under /api/v1. Scope is applied by the DbContext; permissions by route policies.</summary>
public static class RegistryApi
{
    public static IServiceCollection AddRegistryModule(this IServiceCollection services)
    {
        services.AddScoped<ResidentSearch>();
        services.AddScoped<RegistryQueries>();
        services.AddScoped<ResidentCommands>();
        services.AddScoped<PlaceCommands>();
        return services;
    }

    public static IEndpointRouteBuilder MapRegistryApi(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/v1").WithTags("Registry").RequireAuthorization(IdentityModule.Policy(Permission.ReadRegistry)).ProducesAuthFailures();
        read.MapGet("/nodes", Tree).WithName("GetHierarchy").WithSummary("The part of the hierarchy the caller can see, as a tree.");
        read.MapGet("/buildings", Buildings).WithName("ListBuildings").WithSummary("Buildings with room, occupancy and resident counts.")
            .ProducesInputFailure();
        read.MapGet("/buildings/{id:int}", Building).WithName("GetBuilding").WithSummary("A building with its units, floors and rooms.")
            .ProducesNotFound();
        read.MapGet("/communities/{id:int}/plan", Plan).WithName("GetSitePlan").WithSummary("Buildings and facilities of a community on its site plan.")
            .ProducesNotFound();
        read.MapGet("/facilities", Facilities).WithName("ListFacilities").WithSummary("Facilities and surrounding services by category, nearest first.")
            .ProducesInputFailure();
        read.MapGet("/organizations", Organizations).WithName("ListOrganizations").WithSummary("Organizations working in the caller's area.")
            .ProducesInputFailure();

        var people = app.MapGroup("/api/v1").WithTags("Registry").RequireAuthorization(IdentityModule.Policy(Permission.ReadResidents)).ProducesAuthFailures();
        people.MapGet("/rooms/{id:int}", Room).WithName("GetRoom").WithSummary("A room with its household and move-in/move-out history.")
            .ProducesNotFound();
        people.MapGet("/residents", Residents).WithName("SearchResidents").WithSummary("Searches residents by name, phone, ID number (or its last 4 digits) or room; paged.")
            .ProducesInputFailure();
        people.MapGet("/residents/{id:int}", Resident).WithName("GetResident").WithSummary("One resident, personal data masked.").ProducesNotFound();

        var edit = app.MapGroup("/api/v1/residents").WithTags("Registry").RequireAuthorization(IdentityModule.Policy(Permission.EditResidents))
            .ProducesAuthFailures().ProducesInputFailure();
        edit.MapPost("/", Create).WithName("CreateResident").WithSummary("Registers a resident in a room.");
        edit.MapPut("/{id:int}", Update).WithName("UpdateResident").WithSummary("Edits a resident's name, numbers, labels and emergency contact.")
            .ProducesNotFound().ProducesConflict();
        edit.MapPost("/{id:int}/move-out", MoveOut).WithName("MoveOutResident").WithSummary("Records that a resident moved out of their room.")
            .ProducesNotFound();

        app.MapPost("/api/v1/buildings", CreateBuilding).WithTags("Registry").WithName("CreateBuilding")
            .WithSummary("Adds a building to a grid and lays out its rooms (units × floors × rooms per floor).")
            .RequireAuthorization(IdentityModule.Policy(Permission.EditPlaces)).ProducesAuthFailures().ProducesInputFailure();
        app.MapPost("/api/v1/residents/{id:int}/unmask", Unmask).WithTags("Registry").WithName("UnmaskResident")
            .WithSummary("Shows the full ID card and phone numbers; the view is written to the audit log.")
            .RequireAuthorization(IdentityModule.Policy(Permission.Unmask)).ProducesAuthFailures().ProducesNotFound();
        app.MapGet("/api/v1/audit", Audit).WithTags("Registry").WithName("ListAudit").WithSummary("Who saw or changed whose personal data.")
            .RequireAuthorization(IdentityModule.Policy(Permission.ReadAudit)).ProducesAuthFailures().ProducesInputFailure();
        return app;
    }

    static async Task<Ok<IReadOnlyList<NodeDto>>> Tree(RegistryQueries q, CancellationToken ct) => TypedResults.Ok(await q.TreeAsync(ct));

    static async Task<Ok<Page<BuildingDto>>> Buildings(RegistryQueries q, int? communityId, int? gridId, int? page, int? pageSize, CancellationToken ct) =>
        TypedResults.Ok(await q.BuildingsAsync(communityId, gridId, PageRequest.From(page, pageSize), ct));

    static async Task<Ok<BuildingDetailDto>> Building(RegistryQueries q, int id, CancellationToken ct) => TypedResults.Ok(await q.BuildingAsync(id, ct));

    static async Task<Ok<SitePlanDto>> Plan(RegistryQueries q, int id, CancellationToken ct) => TypedResults.Ok(await q.SitePlanAsync(id, ct));

    static async Task<Ok<Page<FacilityDto>>> Facilities(RegistryQueries q, FacilityCategory? category, bool? surrounding, int? communityId, int? nearBuildingId,
        int? page, int? pageSize, CancellationToken ct) =>
        TypedResults.Ok(await q.FacilitiesAsync(category, surrounding, communityId, nearBuildingId, PageRequest.From(page, pageSize), ct));

    static async Task<Ok<Page<OrganizationDto>>> Organizations(RegistryQueries q, OrganizationKind? kind, int? page, int? pageSize, CancellationToken ct) =>
        TypedResults.Ok(await q.OrganizationsAsync(kind, PageRequest.From(page, pageSize), ct));

    static async Task<Ok<RoomDto>> Room(RegistryQueries q, int id, CancellationToken ct) => TypedResults.Ok(await q.RoomAsync(id, ct));

    static async Task<Ok<Page<ResidentSummaryDto>>> Residents(ResidentSearch search, string? q, int? communityId, int? gridId, int? buildingId, int? roomId,
        LabelFilter? label, AgeBand? ageBand, Gender? gender, bool? includeMovedOut, int? page, int? pageSize, CancellationToken ct) =>
        TypedResults.Ok(await search.SearchAsync(new ResidentFilter(q, communityId, gridId, buildingId, roomId, label, ageBand, gender, includeMovedOut ?? false),
            PageRequest.From(page, pageSize), ct));

    static async Task<Ok<ResidentDto>> Resident(RegistryQueries q, int id, CancellationToken ct) => TypedResults.Ok(await q.ResidentAsync(id, ct));

    static async Task<Created<ResidentDto>> Create(CreateResidentRequest request, ResidentCommands commands, RegistryQueries q, CancellationToken ct)
    {
        var id = await commands.CreateAsync(request, ct);
        return TypedResults.Created($"/api/v1/residents/{id}", await q.ResidentAsync(id, ct));
    }

    static async Task<Ok<ResidentDto>> Update(int id, UpdateResidentRequest request, ResidentCommands commands, RegistryQueries q, CancellationToken ct)
    {
        await commands.UpdateAsync(id, request, ct);
        return TypedResults.Ok(await q.ResidentAsync(id, ct));
    }

    static async Task<Ok<ResidentDto>> MoveOut(int id, MoveOutRequest? request, ResidentCommands commands, RegistryQueries q, CancellationToken ct)
    {
        await commands.MoveOutAsync(id, request?.On, ct);
        return TypedResults.Ok(await q.ResidentAsync(id, ct));
    }

    static async Task<Created<BuildingDetailDto>> CreateBuilding(CreateBuildingRequest request, PlaceCommands commands, RegistryQueries q, CancellationToken ct)
    {
        var id = await commands.CreateBuildingAsync(request, ct);
        return TypedResults.Created($"/api/v1/buildings/{id}", await q.BuildingAsync(id, ct));
    }

    static async Task<Ok<UnmaskedDto>> Unmask(int id, ResidentCommands commands, CancellationToken ct) => TypedResults.Ok(await commands.UnmaskAsync(id, ct));

    static async Task<Ok<Page<AuditEntryDto>>> Audit(RegistryQueries q, int? page, int? pageSize, CancellationToken ct) =>
        TypedResults.Ok(await q.AuditAsync(PageRequest.From(page, pageSize), ct));
}

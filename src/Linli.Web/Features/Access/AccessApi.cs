using Linli.Application.Access;
using Linli.Domain.Access;
using Linli.Domain.Identity;
using Linli.Web.Features.Identity;
using Linli.Web.Features.Shared;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Linli.Web.Features.Access;

/// <summary>
/// One card (一卡) under /api/v1/access: staff issue and manage credentials and gates and read the log; a resident
/// shows their phone code and invites visitors. Controllers talk to <see cref="ControllerApi"/>.
/// </summary>
public static class AccessApi
{
    public static IEndpointRouteBuilder MapAccessApi(this IEndpointRouteBuilder app)
    {
        var manage = app.MapGroup("/api/v1/access").WithTags("Access").RequireAuthorization(IdentityModule.Policy(Permission.ManageAccess)).ProducesAuthFailures();
        manage.MapGet("/credentials", ListCredentials).WithName("ListCredentials")
            .WithSummary("Credentials in the caller's area; filter by community, resident, holder kind, kind, status, name.").ProducesInputFailure();
        manage.MapGet("/credentials/{id:long}", GetCredential).WithName("GetCredential").WithSummary("One credential with its rights.").ProducesNotFound();
        manage.MapPost("/credentials", Issue).WithName("IssueCredential")
            .WithSummary("Issues a card (its UID), a phone code or a plate; a resident's gets the rights of their home unless rights are given.")
            .ProducesInputFailure().ProducesNotFound().ProducesConflict();
        manage.MapPost("/credentials/{id:long}/suspend", Suspend).WithName("SuspendCredential")
            .WithSummary("Reported lost: refused at every online gate within the snapshot's next read (well under 2 s), at offline controllers at their next sync.")
            .ProducesInputFailure().ProducesNotFound().ProducesConflict();
        manage.MapPost("/credentials/{id:long}/reinstate", Reinstate).WithName("ReinstateCredential").WithSummary("Found again: usable as before.")
            .ProducesNotFound().ProducesConflict();
        manage.MapPost("/credentials/{id:long}/revoke", Revoke).WithName("RevokeCredential").WithSummary("Withdraws a credential for good.")
            .ProducesInputFailure().ProducesNotFound().ProducesConflict();
        manage.MapPost("/credentials/{id:long}/replace", Replace).WithName("ReplaceCard")
            .WithSummary("A new card for a lost one: the old card is revoked, the new one keeps its holder, rights and validity.")
            .ProducesInputFailure().ProducesNotFound().ProducesConflict();
        manage.MapPut("/credentials/{id:long}/validity", Validity).WithName("SetCredentialValidity")
            .WithSummary("Moves the end of a credential's validity (a lease extended or ended early).").ProducesInputFailure().ProducesNotFound();
        manage.MapPut("/credentials/{id:long}/rights", Rights).WithName("SetCredentialRights")
            .WithSummary("Replaces a credential's rights: gates and time windows (a contractor's work-order dates).").ProducesInputFailure().ProducesNotFound().ProducesConflict();
        manage.MapPost("/work-orders/{caseId:long}", WorkOrder).WithName("GrantWorkOrderAccess")
            .WithSummary("A contractor sent to a case gets in from today to the work order's last day: the community's gates and the case's building or facility.")
            .ProducesInputFailure().ProducesNotFound().ProducesConflict();
        manage.MapGet("/gates", ListGates).WithName("ListGates").WithSummary("Gates of the caller's area with their controllers.").ProducesInputFailure();
        manage.MapPost("/gates", CreateGate).WithName("CreateGate")
            .WithSummary("Adds a gate (community gate, building or unit door, car park barrier, facility door), optionally wired to its controller.")
            .ProducesInputFailure().ProducesConflict();
        manage.MapPut("/gates/{id:int}/controller", Wire).WithName("WireGate").WithSummary("Wires a gate's reader to a controller (a device code), or to none.")
            .ProducesInputFailure().ProducesNotFound();
        manage.MapPost("/controllers/{deviceId:long}/resync", Resync).WithName("ResyncController")
            .WithSummary("Starts a controller's offline whitelist afresh (a replaced or wiped controller): its next sync carries every credential.")
            .ProducesNotFound();

        var log = app.MapGroup("/api/v1/access").WithTags("Access").RequireAuthorization(IdentityModule.Policy(Permission.ReadAccessLog)).ProducesAuthFailures();
        log.MapGet("/log", Log).WithName("ListAccessLog")
            .WithSummary("The access log, newest first: who, which gate, when, result and reason; filter by gate, credential, result and time.").ProducesInputFailure();
        log.MapGet("/log/hourly", Hourly).WithName("AccessLogHourly")
            .WithSummary("Entries and exits per hour of one day (Beijing time), for a gate or the whole area.").ProducesInputFailure();
        log.MapGet("/inside", Inside).WithName("WhoIsInside")
            .WithSummary("For emergencies: the people whose last passage at a building's doors was inward (within the last day).").ProducesInputFailure();
        log.MapGet("/controllers", Controllers).WithName("ListControllers")
            .WithSummary("Controllers of the caller's area: link, last sync, acknowledged whitelist version against the current one.").ProducesInputFailure();
        log.MapGet("/visitors", Visitors).WithName("ListVisitorPasses").WithSummary("Visitor passes of the area; current only by default.").ProducesInputFailure();
        log.MapPost("/visitors/walk-in", WalkIn).WithName("RegisterWalkInVisitor")
            .WithSummary("Staff at the gate register a visitor to a resident: a pass for the given window and entries.")
            .ProducesInputFailure().ProducesNotFound();

        var mine = app.MapGroup("/api/v1/access/me").WithTags("Access").RequireAuthorization(IdentityModule.Policy(Permission.UseOneCard)).ProducesAuthFailures();
        mine.MapGet("/credentials", MyCredentials).WithName("ListMyCredentials").WithSummary("The credentials of the caller's household.").ProducesInputFailure();
        mine.MapGet("/credentials/{id:long}/code", MyCode).WithName("ShowMyPhoneCode")
            .WithSummary("The rotating code to show at a reader now (valid until the time given, then ask again).").ProducesInputFailure().ProducesNotFound().ProducesConflict();
        mine.MapPost("/credentials/{id:long}/suspend", SuspendMine).WithName("ReportMyCredentialLost")
            .WithSummary("Reports one of the household's credentials lost: suspended at once.").ProducesInputFailure().ProducesNotFound().ProducesConflict();
        mine.MapPost("/visitors", Invite).WithName("InviteVisitor")
            .WithSummary("Invites a visitor: the answer holds the signed pass code to share (it opens the allowed number of times within the window).")
            .ProducesInputFailure().ProducesNotFound();
        mine.MapGet("/visitors", MyVisitors).WithName("ListMyVisitorPasses").WithSummary("The household's visitor passes with their codes.").ProducesInputFailure();
        mine.MapPost("/visitors/{id:long}/cancel", CancelVisitor).WithName("CancelVisitorPass").WithSummary("Cancels a pass: refused from now on.")
            .ProducesNotFound().ProducesConflict();
        mine.MapGet("/passages", MyPassages).WithName("ListMyPassages").WithSummary("The household's own passages, newest first.").ProducesInputFailure();
        return app;
    }

    static async Task<Ok<Page<CredentialDto>>> ListCredentials(CredentialCommands credentials, int? communityId, int? residentId, HolderKind? holder,
        CredentialKind? kind, CredentialStatus? status, string? search, int? page, int? pageSize, CancellationToken ct) =>
        TypedResults.Ok(await credentials.ListAsync(new CredentialFilter(communityId, residentId, holder, kind, status, search), PageRequest.From(page, pageSize), ct));

    static async Task<Ok<CredentialDto>> GetCredential(long id, CredentialCommands credentials, CancellationToken ct) =>
        TypedResults.Ok(await credentials.GetAsync(id, ct));

    static async Task<Created<CredentialDto>> Issue(IssueCredentialRequest request, CredentialCommands credentials, CancellationToken ct)
    {
        var issued = await credentials.IssueAsync(request, ct);
        return TypedResults.Created($"/api/v1/access/credentials/{issued.Id}", issued);
    }

    static async Task<Ok<CredentialDto>> Suspend(long id, ReasonRequest? request, CredentialCommands credentials, CancellationToken ct) =>
        TypedResults.Ok(await credentials.SuspendAsync(id, request?.Reason, ct));

    static async Task<Ok<CredentialDto>> Reinstate(long id, CredentialCommands credentials, CancellationToken ct) =>
        TypedResults.Ok(await credentials.ReinstateAsync(id, ct));

    static async Task<Ok<CredentialDto>> Revoke(long id, ReasonRequest? request, CredentialCommands credentials, CancellationToken ct) =>
        TypedResults.Ok(await credentials.RevokeAsync(id, request?.Reason, ct));

    static async Task<Ok<CredentialDto>> Replace(long id, ReplaceCardRequest request, CredentialCommands credentials, CancellationToken ct) =>
        TypedResults.Ok(await credentials.ReplaceCardAsync(id, request, ct));

    static async Task<Ok<CredentialDto>> Validity(long id, ValidityRequest request, CredentialCommands credentials, CancellationToken ct) =>
        TypedResults.Ok(await credentials.EndAtAsync(id, request.ValidUntil, ct));

    static async Task<Ok<CredentialDto>> Rights(long id, GrantsRequest request, CredentialCommands credentials, CancellationToken ct) =>
        TypedResults.Ok(await credentials.SetGrantsAsync(id, request.Grants, ct));

    static async Task<Created<CredentialDto>> WorkOrder(long caseId, WorkOrderAccessRequest request, WorkOrderAccess access, CancellationToken ct)
    {
        var issued = await access.GrantAsync(caseId, request, ct);
        return TypedResults.Created($"/api/v1/access/credentials/{issued.Id}", issued);
    }

    static async Task<Ok<Page<GateDto>>> ListGates(GateCommands gates, int? communityId, GateKind? kind, int? page, int? pageSize, CancellationToken ct) =>
        TypedResults.Ok(await gates.ListAsync(communityId, kind, PageRequest.From(page, pageSize), ct));

    static async Task<Created<GateDto>> CreateGate(GateRequest request, GateCommands gates, CancellationToken ct)
    {
        var gate = await gates.CreateAsync(request, ct);
        return TypedResults.Created($"/api/v1/access/gates/{gate.Id}", gate);
    }

    static async Task<Ok<GateDto>> Wire(int id, WireRequest request, GateCommands gates, CancellationToken ct) =>
        TypedResults.Ok(await gates.WireAsync(id, request.Controller, ct));

    static async Task<NoContent> Resync(long deviceId, AccessQueries queries, CancellationToken ct)
    {
        await queries.ResyncAsync(deviceId, ct);
        return TypedResults.NoContent();
    }

    static async Task<Ok<Page<AccessLogDto>>> Log(AccessQueries queries, int? gateId, long? credentialId, bool? allowed, DateTimeOffset? from,
        DateTimeOffset? until, int? page, int? pageSize, CancellationToken ct) =>
        TypedResults.Ok(await queries.LogAsync(new AccessLogFilter(gateId, credentialId, allowed, from, until), PageRequest.From(page, pageSize), ct));

    static async Task<Ok<IReadOnlyList<HourCount>>> Hourly(AccessQueries queries, DateOnly? day, int? gateId, CancellationToken ct) =>
        TypedResults.Ok(await queries.HourlyAsync(day, gateId, ct));

    static async Task<Ok<IReadOnlyList<InsideDto>>> Inside(AccessQueries queries, int buildingId, CancellationToken ct) =>
        TypedResults.Ok(await queries.InsideAsync(buildingId, ct));

    static async Task<Ok<IReadOnlyList<ControllerDto>>> Controllers(AccessQueries queries, CancellationToken ct) =>
        TypedResults.Ok(await queries.ControllersAsync(ct));

    static async Task<Ok<Page<VisitorPassDto>>> Visitors(VisitorCommands visitors, int? communityId, bool? all, int? page, int? pageSize, CancellationToken ct) =>
        TypedResults.Ok(await visitors.ListAsync(communityId, all != true, PageRequest.From(page, pageSize), ct));

    static async Task<Created<VisitorPassDto>> WalkIn(InviteRequest request, VisitorCommands visitors, CancellationToken ct)
    {
        var pass = await visitors.InviteAsync(request, ct);
        return TypedResults.Created($"/api/v1/access/visitors/{pass.Id}", pass);
    }

    static async Task<Ok<Page<CredentialDto>>> MyCredentials(CredentialCommands credentials, int? page, int? pageSize, CancellationToken ct) =>
        TypedResults.Ok(await credentials.ListAsync(new CredentialFilter(), PageRequest.From(page, pageSize), ct));

    static async Task<Ok<PhoneCodeDto>> MyCode(long id, CredentialCommands credentials, CancellationToken ct) =>
        TypedResults.Ok(await credentials.PhoneCodeAsync(id, ct));

    static async Task<Ok<CredentialDto>> SuspendMine(long id, ReasonRequest? request, CredentialCommands credentials, CancellationToken ct) =>
        TypedResults.Ok(await credentials.SuspendAsync(id, request?.Reason ?? "reported lost by the household", ct));

    static async Task<Created<VisitorPassDto>> Invite(InviteRequest request, VisitorCommands visitors, CancellationToken ct)
    {
        var pass = await visitors.InviteAsync(request, ct);
        return TypedResults.Created($"/api/v1/access/me/visitors/{pass.Id}", pass);
    }

    static async Task<Ok<Page<VisitorPassDto>>> MyVisitors(VisitorCommands visitors, int? page, int? pageSize, CancellationToken ct) =>
        TypedResults.Ok(await visitors.ListAsync(null, false, PageRequest.From(page, pageSize), ct));

    static async Task<Ok<VisitorPassDto>> CancelVisitor(long id, VisitorCommands visitors, CancellationToken ct) =>
        TypedResults.Ok(await visitors.CancelAsync(id, ct));

    static async Task<Ok<Page<AccessLogDto>>> MyPassages(AccessQueries queries, int? page, int? pageSize, CancellationToken ct) =>
        TypedResults.Ok(await queries.LogAsync(new AccessLogFilter(null, null, null, null, null), PageRequest.From(page, pageSize), ct));
}

using Linli.Domain.Cases;
using Linli.Domain.Identity;
using Linli.Web.Features.Identity;
using Linli.Web.Features.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Linli.Web.Features.Cases;

/// <summary>Cases under /api/v1: report, find similar, the queue, the case, one route per workflow action, photos.</summary>
public static class CasesApi
{
    public static IServiceCollection AddCasesModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<CaseOptions>(configuration.GetSection("Linli:Cases"));
        services.AddSingleton<CaseLookups>();
        services.AddSingleton<ISharedCache>(sp => sp.GetRequiredService<CaseLookups>());
        services.TryAddSingleton<CacheSync>();
        services.AddScoped<CasePlaces>();
        services.AddScoped<SubmitCase>();
        services.AddScoped<CaseRecords>();
        services.AddScoped<CaseActions>();
        services.AddScoped<CaseQueries>();
        services.AddScoped<CasePhotos>();
        services.AddScoped<CaseCategoryCommands>();
        services.AddScoped<ReportForms>();
        services.AddScoped<ResidentReports>();
        services.AddScoped<CaseSupervision>();
        services.AddSingleton<CaseFeed>();
        services.AddScoped<IDomainEventHandler<Linli.Domain.Cases.CaseChanged>, CaseLivePush>();
        services.AddSignalR();
        services.AddSingleton<SlaTimerService>();
        services.AddHostedService(sp => sp.GetRequiredService<SlaTimerService>());
        return services;
    }

    public static IEndpointRouteBuilder MapCasesApi(this IEndpointRouteBuilder app)
    {
        app.MapHub<CasesHub>(CasesHub.Path);
        app.MapCaseStaffPages();

        app.MapGet("/api/v1/case-categories", Categories).WithTags("Cases").WithName("ListCaseCategories")
            .WithSummary("What can be reported: categories with their handling level, dispatch mode and SLA.").RequireAuthorization()
            .ProducesAuthFailures().ProducesInputFailure();
        var manage = app.MapGroup("/api/v1/case-categories").WithTags("Cases").RequireAuthorization(IdentityModule.Policy(Permission.ManageCaseCategories))
            .ProducesAuthFailures().ProducesInputFailure();
        manage.MapPost("/", CreateCategory).WithName("CreateCaseCategory").WithSummary("Adds a category.");
        manage.MapPut("/{id:int}", UpdateCategory).WithName("UpdateCaseCategory").WithSummary("Edits a category; deactivate instead of deleting.")
            .ProducesNotFound();

        var report = app.MapGroup("/api/v1/cases").WithTags("Cases").RequireAuthorization(IdentityModule.Policy(Permission.ReportCases))
            .ProducesAuthFailures().ProducesInputFailure();
        report.MapPost("/", Submit).WithName("SubmitCase").WithSummary("Reports a problem; routing picks the team, the SLA starts.")
            .ProducesLimit();
        report.MapPost("/similar", Similar).WithName("FindSimilarCases")
            .WithSummary("Open reports of the same problem nearby (same building or within 50 m), to join instead of reporting twice.");

        var read = app.MapGroup("/api/v1/cases").WithTags("Cases").RequireAuthorization(IdentityModule.Policy(Permission.ReadCases))
            .ProducesAuthFailures();
        read.MapGet("/", List).WithName("ListCases")
            .WithSummary("The queue (staff: open cases, overdue first) or my cases (residents: newest first); filters and paging.")
            .ProducesInputFailure();
        read.MapGet("/counts", Counts).WithName("CountCases").WithSummary("Counts per status, open, overdue and escalated, for the same filters.")
            .ProducesInputFailure();
        read.MapGet("/{id:long}", Detail).WithName("GetCase").WithSummary("A case with its timeline, photos and the actions the caller may take now.")
            .ProducesNotFound();
        read.MapGet("/{id:long}/assignees", Assignees).WithName("ListCaseAssignees").WithSummary("Who in the handling team it can be dispatched to.")
            .ProducesNotFound();
        read.MapPost("/{id:long}/photos", AddPhoto).DisableAntiforgery().WithName("AddCasePhoto")
            .WithSummary("Adds a photo (JPEG, PNG, WebP or HEIC, at most 8 MB): the reporter's with the report, the handler's with the work.")
            .ProducesInputFailure().ProducesNotFound().ProducesConflict();
        read.MapGet("/{id:long}/photos/{photoId:long}", Photo).WithName("GetCasePhoto").WithSummary("A photo of a case.").ProducesNotFound();
        foreach (var action in Enum.GetValues<CaseAction>().Where(a => a != CaseAction.AddPhoto))
        {
            var route = read.MapPost($"/{{id:long}}/{CaseActionRoutes.Segment(action)}", (long id, CaseActionRequest? request, CaseActions actions, CaseQueries queries, CancellationToken ct) =>
                    Act(id, action, request, actions, queries, ct))
                .WithName($"{action}Case").WithSummary(Summary(action))
                .ProducesInputFailure().ProducesNotFound().ProducesConflict();
            // A reminder is limited to one an hour.
            if (action == CaseAction.Remind) route.ProducesLimit();
        }
        return app;
    }

    /// <summary>The URL segment of an action: Accept → accept, MeToo → me-too, FollowUp → follow-up.</summary>
    static string Summary(CaseAction action) => action switch
    {
        CaseAction.Accept => "Accepts a reported case (team).",
        CaseAction.Reject => "Rejects a reported case with a reason in note (team).",
        CaseAction.Dispatch => "Assigns a handler from the team (assigneeUserId).",
        CaseAction.Grab => "Takes a case from the team's pool (grab mode).",
        CaseAction.Start => "The handler starts work.",
        CaseAction.Handle => "Marks the work done; note tells the reporter what was done.",
        CaseAction.Verify => "Confirms the work (the reporter, or staff after a follow-up).",
        CaseAction.Close => "Closes a verified case.",
        CaseAction.Rate => "The reporter rates 1–5 (rating) with an optional comment (note).",
        CaseAction.Reopen => "The reporter reopens within 7 days; note says why.",
        CaseAction.Transfer => "Sends the case to another team (level) with a reason (note).",
        CaseAction.Escalate => "Sends the case up one level with a reason (note).",
        CaseAction.Remind => "The reporter or a follower reminds the team (at most once an hour).",
        CaseAction.MeToo => "A neighbour with the same problem joins the case.",
        CaseAction.Comment => "Adds a note to the timeline.",
        CaseAction.FollowUp => "Records a follow-up visit or call (回访) after handling.",
        _ => action.ToString(),
    };

    static async Task<Ok<IReadOnlyList<CaseCategoryDto>>> Categories(CaseQueries q, bool? includeInactive, CancellationToken ct) =>
        TypedResults.Ok(await q.CategoriesAsync(includeInactive ?? false, ct));

    static async Task<Created<CaseCategoryDto>> CreateCategory(CaseCategoryRequest request, CaseCategoryCommands commands, CaseQueries q, CancellationToken ct)
    {
        var id = await commands.CreateAsync(request, ct);
        return TypedResults.Created($"/api/v1/case-categories/{id}", (await q.CategoriesAsync(true, ct)).Single(c => c.Id == id));
    }

    static async Task<Ok<CaseCategoryDto>> UpdateCategory(int id, CaseCategoryRequest request, CaseCategoryCommands commands, CaseQueries q, CancellationToken ct)
    {
        await commands.UpdateAsync(id, request, ct);
        return TypedResults.Ok((await q.CategoriesAsync(true, ct)).Single(c => c.Id == id));
    }

    static async Task<Created<CaseDetailDto>> Submit(SubmitCaseRequest request, SubmitCase submit, CaseQueries q, CancellationToken ct)
    {
        var created = await submit.FromUserAsync(request, ct);
        return TypedResults.Created($"/api/v1/cases/{created.Case.Id}", await q.NewCaseDetailAsync(created, ct));
    }

    static async Task<Ok<IReadOnlyList<SimilarCaseDto>>> Similar(SubmitCaseRequest request, SubmitCase submit, CancellationToken ct) =>
        TypedResults.Ok(await submit.SimilarAsync(request, ct));

    static async Task<Ok<Page<CaseListItemDto>>> List(CaseQueries q, string? status, HandlingLevel? level, bool? myTeam, int? categoryId,
        int? communityId, int? gridId, bool? overdue, bool? escalated, bool? assignedToMe, string? search, int? page, int? pageSize, CancellationToken ct) =>
        TypedResults.Ok(await q.ListAsync(new CaseFilter(status, level, myTeam, categoryId, communityId, gridId, overdue, escalated, assignedToMe, search),
            PageRequest.From(page, pageSize), ct));

    static async Task<Ok<CaseCountsDto>> Counts(CaseQueries q, HandlingLevel? level, bool? myTeam, int? categoryId, int? communityId, int? gridId,
        CancellationToken ct) =>
        TypedResults.Ok(await q.CountsAsync(new CaseFilter(null, level, myTeam, categoryId, communityId, gridId), ct));

    static async Task<Ok<CaseDetailDto>> Detail(long id, CaseQueries q, CancellationToken ct) => TypedResults.Ok(await q.DetailAsync(id, ct));

    static async Task<Ok<IReadOnlyList<AssigneeDto>>> Assignees(long id, CaseActions actions, CancellationToken ct) =>
        TypedResults.Ok(await actions.AssigneesAsync(id, ct));

    static async Task<Ok<CaseDetailDto>> Act(long id, CaseAction action, CaseActionRequest? request, CaseActions actions, CaseQueries q, CancellationToken ct)
    {
        await actions.ActAsync(id, action, request ?? new CaseActionRequest(), ct);
        return TypedResults.Ok(await q.DetailAsync(id, ct));
    }

    static async Task<Created<CasePhotoDto>> AddPhoto(long id, IFormFile? photo, CasePhotos photos, CancellationToken ct)
    {
        var added = await photos.AddAsync(id, photo.AsUpload(), ct);
        return TypedResults.Created(added.Url, added);
    }

    static async Task<FileStreamHttpResult> Photo(long id, long photoId, CasePhotos photos, CancellationToken ct)
    {
        var (content, type) = await photos.OpenAsync(id, photoId, ct);
        return TypedResults.File(content, type);
    }
}

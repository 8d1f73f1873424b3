using Linli.Domain.Identity;
using Linli.Domain.Notices;
using Linli.Web.Features.Identity;
using Linli.Web.Features.Shared;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Linli.Web.Features.Notices;

/// <summary>Notices (信息发布) under /api/v1/notices: reading for everyone signed in, publishing and follow-up for staff.</summary>
public static class NoticesApi
{
    public static IServiceCollection AddNoticesModule(this IServiceCollection services)
    {
        services.AddScoped<NoticeQueries>();
        services.AddScoped<NoticeCommands>();
        services.AddScoped<NoticeReceipts>();
        services.AddScoped<NoticeOpener>();
        return services;
    }

    public static IEndpointRouteBuilder MapNoticesApi(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/v1/notices").WithTags("Notices").RequireAuthorization().ProducesAuthFailures();
        read.MapGet("/", ForMe).WithName("ListMyNotices")
            .WithSummary("The live notices sent to the caller: pinned first, then urgent, then newest; each marked read or unread.")
            .ProducesInputFailure();
        read.MapGet("/{id:int}", Get).WithName("GetNotice")
            .WithSummary("One notice with its text as safe HTML; opening a notice sent to the caller records a read receipt.")
            .ProducesNotFound();

        var staff = app.MapGroup("/api/v1/notices").WithTags("Notices").RequireAuthorization(IdentityModule.Policy(Permission.PublishNotices))
            .ProducesAuthFailures();
        staff.MapGet("/managed", Managed).WithName("ListManagedNotices")
            .WithSummary("Notices published in the caller's area, scheduled, live, expired and withdrawn alike.")
            .ProducesInputFailure();
        staff.MapPost("/", Create).WithName("PublishNotice")
            .WithSummary("Publishes a notice at the caller's node (or a node below it), now or at publishAt; targets buildings, resident groups and roles.")
            .ProducesInputFailure();
        staff.MapPut("/{id:int}", Update).WithName("UpdateNotice").WithSummary("Changes a notice that is not published yet.")
            .ProducesInputFailure().ProducesNotFound();
        staff.MapPost("/{id:int}/publish", PublishNow).WithName("PublishNoticeNow").WithSummary("Publishes a scheduled notice at once.")
            .ProducesInputFailure().ProducesNotFound();
        staff.MapPost("/{id:int}/withdraw", Withdraw).WithName("WithdrawNotice").WithSummary("Takes a notice away from its readers; it stays on record.")
            .ProducesInputFailure().ProducesNotFound();
        staff.MapPost("/{id:int}/pin", Pin).WithName("PinNotice").WithSummary("Pins (pinned=true) or unpins a current notice.")
            .ProducesInputFailure().ProducesNotFound();
        staff.MapGet("/{id:int}/receipts", Receipts).WithName("GetNoticeReceipts")
            .WithSummary("Read receipts in the caller's area: households targeted and reached, residents, staff.")
            .ProducesNotFound();
        staff.MapGet("/{id:int}/receipts/buildings", ReceiptsPerBuilding).WithName("GetNoticeReceiptsPerBuilding")
            .WithSummary("Households targeted and reached per building, in the caller's area; paged.")
            .ProducesInputFailure().ProducesNotFound();
        staff.MapGet("/{id:int}/unread", Unread).WithName("ListUnreadHouseholds")
            .WithSummary("The door-knocking list: targeted households nobody has read the notice in, with room numbers and the people it is for; paged.")
            .ProducesInputFailure().ProducesNotFound();
        return app;
    }

    static async Task<Ok<Page<NoticeSummaryDto>>> ForMe(NoticeQueries q, bool? urgent, bool? unread, int? page, int? pageSize, CancellationToken ct) =>
        TypedResults.Ok(await q.ForMeAsync(new NoticeListFilter(urgent ?? false, unread ?? false), PageRequest.From(page, pageSize), ct));

    static async Task<Ok<NoticeDto>> Get(int id, NoticeOpener opener, CancellationToken ct) => TypedResults.Ok(await opener.OpenAsync(id, ct));

    static async Task<Ok<Page<ManagedNoticeDto>>> Managed(NoticeQueries q, NoticeStatus? status, int? page, int? pageSize, CancellationToken ct) =>
        TypedResults.Ok(await q.InMyAreaAsync(status, PageRequest.From(page, pageSize), ct));

    static async Task<Created<NoticeDto>> Create(NoticeRequest request, NoticeCommands commands, NoticeQueries q, CancellationToken ct)
    {
        var id = await commands.CreateAsync(request, ct);
        return TypedResults.Created($"/api/v1/notices/{id}", await DtoAsync(id, q, ct));
    }

    static async Task<Ok<NoticeDto>> Update(int id, NoticeRequest request, NoticeCommands commands, NoticeQueries q, CancellationToken ct)
    {
        await commands.UpdateAsync(id, request, ct);
        return TypedResults.Ok(await DtoAsync(id, q, ct));
    }

    static async Task<Ok<NoticeDto>> PublishNow(int id, NoticeCommands commands, NoticeQueries q, CancellationToken ct)
    {
        await commands.PublishNowAsync(id, ct);
        return TypedResults.Ok(await DtoAsync(id, q, ct));
    }

    static async Task<Ok<NoticeDto>> Withdraw(int id, NoticeCommands commands, NoticeQueries q, CancellationToken ct)
    {
        await commands.WithdrawAsync(id, ct);
        return TypedResults.Ok(await DtoAsync(id, q, ct));
    }

    static async Task<Ok<NoticeDto>> Pin(int id, bool pinned, NoticeCommands commands, NoticeQueries q, CancellationToken ct)
    {
        await commands.SetPinnedAsync(id, pinned, ct);
        return TypedResults.Ok(await DtoAsync(id, q, ct));
    }

    static async Task<Ok<ReceiptSummaryDto>> Receipts(int id, NoticeQueries q, NoticeReceipts receipts, CancellationToken ct)
    {
        var (notice, _, _, _) = await q.AccessAsync(id, ct);
        return TypedResults.Ok(await receipts.SummaryAsync(notice, ct));
    }

    static async Task<Ok<Page<BuildingReceiptDto>>> ReceiptsPerBuilding(int id, int? page, int? pageSize, NoticeQueries q, NoticeReceipts receipts, CancellationToken ct)
    {
        var paging = PageRequest.From(page, pageSize);
        var (notice, _, _, _) = await q.AccessAsync(id, ct);
        return TypedResults.Ok(await receipts.BuildingsAsync(notice, paging, ct));
    }

    static async Task<Ok<Page<UnreadHouseholdDto>>> Unread(int id, int? buildingId, int? page, int? pageSize, NoticeQueries q, NoticeReceipts receipts, CancellationToken ct)
    {
        var paging = PageRequest.From(page, pageSize);
        var (notice, _, _, _) = await q.AccessAsync(id, ct);
        return TypedResults.Ok(await receipts.UnreadAsync(notice, buildingId, paging, ct));
    }

    static async Task<NoticeDto> DtoAsync(int id, NoticeQueries q, CancellationToken ct)
    {
        var (notice, _, canManage, canFollowUp) = await q.AccessAsync(id, ct);
        return await q.NoticeAsync(notice, canManage, canFollowUp, ct);
    }
}

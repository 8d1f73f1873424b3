using Linli.Domain.Identity;
using Linli.Web.Features.Identity;
using Linli.Web.Features.Shared;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Linli.Web.Features.Statistics;

/// <summary>Statistics under /api/v1/statistics: counts of the caller's area, optionally narrowed to a community or grid in it.</summary>
public static class StatisticsApi
{
    public static IServiceCollection AddStatisticsModule(this IServiceCollection services)
    {
        services.AddScoped<StatisticsQueries>();
        services.AddScoped<CaseStatisticsQueries>();
        return services;
    }

    public static IEndpointRouteBuilder MapStatisticsApi(this IEndpointRouteBuilder app)
    {
        // Every statistic takes filters a rule can refuse (an unknown community, a period the wrong way round).
        var group = app.MapGroup("/api/v1/statistics").WithTags("Statistics").RequireAuthorization(IdentityModule.Policy(Permission.ReadStatistics))
            .ProducesAuthFailures().ProducesInputFailure();
        group.MapGet("/population", Population).WithName("GetPopulationStatistics")
            .WithSummary("Residents living in the area by age band, gender, label, grid and (within one community) building.");
        group.MapGet("/occupancy", Occupancy).WithName("GetOccupancyStatistics")
            .WithSummary("Rooms owner-occupied, rented and vacant, per grid and (within one community) per building; leases ending in 30 days.");
        group.MapGet("/elderly-alone", ElderlyAlone).WithName("GetElderlyAloneStatistics")
            .WithSummary("Per grid: residents aged 60+, those of them living alone, and those aged 80+ living alone.");
        group.MapGet("/cases", Cases).WithName("GetCaseStatistics")
            .WithSummary("Cases reported in a period (from/to, China dates, default the last 30 days) by category, team, grid or community " +
                "(groupBy): open, handled, closed, rejected; response and resolution on time; average times; satisfaction.");
        return app;
    }

    static async Task<Ok<PopulationDto>> Population(StatisticsQueries q, int? communityId, int? gridId, CancellationToken ct) =>
        TypedResults.Ok(await q.PopulationAsync(communityId, gridId, ct));

    static async Task<Ok<OccupancyStatsDto>> Occupancy(StatisticsQueries q, int? communityId, int? gridId, CancellationToken ct) =>
        TypedResults.Ok(await q.OccupancyAsync(communityId, gridId, ct));

    static async Task<Ok<ElderlyAloneDto>> ElderlyAlone(StatisticsQueries q, int? communityId, int? gridId, CancellationToken ct) =>
        TypedResults.Ok(await q.ElderlyAloneAsync(communityId, gridId, ct));

    static async Task<Ok<CaseStatisticsDto>> Cases(CaseStatisticsQueries q, string? groupBy, DateOnly? from, DateOnly? to, CancellationToken ct) =>
        TypedResults.Ok(await q.SummarizeAsync(CaseStatisticsQueries.ParseGrouping(groupBy), from, to, ct));
}

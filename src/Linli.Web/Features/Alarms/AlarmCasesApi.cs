using Linli.Domain.Identity;
using Linli.Web.Features.Identity;
using Linli.Web.Features.Shared;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Linli.Web.Features.Alarms;

public static class AlarmCasesApi
{
    public static IEndpointRouteBuilder MapAlarmCasesApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/alarms/{id:long}/open-case", OpenCase).WithTags("Alarms").WithName("OpenCaseForAlarm")
            .WithSummary("Opens a device-alarm case for the responsible team at the alarm's building or facility and links it to the alarm.")
            .RequireAuthorization(IdentityModule.Policy(Permission.HandleAlarms)).ProducesAuthFailures().ProducesNotFound().ProducesConflict();
        return app;
    }

    static async Task<Created<AlarmDetailDto>> OpenCase(long id, AlarmCases cases, AlarmQueries alarms, CancellationToken ct)
    {
        var alarm = await cases.OpenByUserAsync(id, ct);
        return TypedResults.Created($"/api/v1/cases/{alarm.CaseId}", await alarms.DetailAfterChangeAsync(id, ct));
    }
}

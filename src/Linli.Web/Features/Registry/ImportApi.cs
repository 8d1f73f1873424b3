using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Web.Features.Identity;
using Linli.Web.Features.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Linli.Web.Features.Registry;

/// <summary>
/// CSV and Excel import of rooms and residents (templates, upload, job progress, error reports) and export of resident
/// lists, under /api/v1; plus the two small endpoints behind the /import page (form upload and the htmx progress fragment).
/// </summary>
public static class ImportApi
{
    /// <summary>The ImportExport permission policy as a constant, for page attributes.</summary>
    public const string PagePolicy = "perm:" + nameof(Permission.ImportExport);

    const int SummaryErrors = 100;

    public static IServiceCollection AddImportExport(this IServiceCollection services)
    {
        services.AddOptions<ImportOptions>().BindConfiguration("Linli:Imports");
        services.AddSingleton<ImportSignals>();
        services.AddSingleton<ImportJobClaims>();
        services.AddHostedService<ImportWorker>();
        services.AddScoped<ImportJobs>();
        services.AddScoped<ImportRunner>();
        services.AddScoped<ImportCommunities>();
        services.AddScoped<ImportUploads>();
        services.AddScoped<ResidentExport>();
        return services;
    }

    public static IEndpointRouteBuilder MapImportExport(this IEndpointRouteBuilder app)
    {
        var policy = IdentityModule.Policy(Permission.ImportExport);
        var api = app.MapGroup("/api/v1/imports").WithTags("Import and export").RequireAuthorization(policy).ProducesAuthFailures();
        api.MapGet("/templates/{kind}.{format}", Template).WithName("GetImportTemplate")
            .WithSummary("An empty import file with the column headers in Chinese and English (kind: residents or rooms; format: csv or xlsx).")
            .ProducesInputFailure();
        // Bearer-token clients send no antiforgery token; cookie sessions are SameSite=Lax, so a cross-site form cannot post here.
        api.MapPost("/{kind}", Upload).DisableAntiforgery().WithName("StartImport")
            .WithSummary("Uploads a CSV or .xlsx file (form field 'file', optional 'communityId'); answers 202 with the job. With ?wait=true answers 200 with the counts or 400 with the errors.")
            .ProducesInputFailure();
        api.MapGet("/jobs/{id}", Job).WithName("GetImportJob").WithSummary("Progress and outcome of an import job.").ProducesNotFound();
        api.MapGet("/{id}/errors.{format}", ErrorReport).WithName("GetImportErrors").WithSummary("The full error report of an import: row, column, value, problem.")
            .ProducesInputFailure().ProducesNotFound();

        app.MapGet("/api/v1/residents/export.csv", ExportCsv).WithTags("Import and export").WithName("ExportResidentsCsv").RequireAuthorization(policy)
            .ProducesAuthFailures().ProducesInputFailure()
            .WithSummary("The filtered resident list (same filters as GET /residents) as CSV (UTF-8 with BOM); personal data masked.");
        app.MapGet("/api/v1/residents/export.xlsx", ExportXlsx).WithTags("Import and export").WithName("ExportResidentsXlsx").RequireAuthorization(policy)
            .ProducesAuthFailures().ProducesInputFailure()
            .WithSummary("The filtered resident list (same filters as GET /residents) as Excel; personal data masked.");

        app.MapPost("/import/upload", PageUpload).RequireAuthorization(policy).ExcludeFromDescription();
        app.MapGet("/import/jobs/{id}/progress", PageProgress).RequireAuthorization(policy).ExcludeFromDescription();
        return app;
    }

    static Results<FileContentHttpResult, NotFound> Template(string kind, string format)
    {
        if (!ImportColumns.TryParseKind(kind, out var k) || !TableWriter.TryParseFormat(format, out var f)) return TypedResults.NotFound();
        var columns = ImportColumns.For(k);
        var bytes = TableWriter.ToBytes(f, k == ImportKind.Rooms ? "房屋 rooms" : "居民 residents", columns.Select(c => c.TemplateHeader).ToList(), [], textColumns: true);
        return TypedResults.File(bytes, TableWriter.ContentType(f), $"{k.ToString().ToLowerInvariant()}-template.{TableWriter.Extension(f)}");
    }

    static async Task<Results<Accepted<ImportJobDto>, Ok<ImportJobDto>, ValidationProblem, ProblemHttpResult>> Upload(
        string kind, IFormFile? file, [FromForm] int? communityId, bool? wait, ImportUploads uploads, ImportJobs jobs, CancellationToken ct)
    {
        if (!ImportColumns.TryParseKind(kind, out var k)) throw new DomainException("Kind must be 'residents' or 'rooms'.", "kind");
        var job = await uploads.StartAsync(k, file, communityId, ct);
        if (wait != true) return TypedResults.Accepted($"/api/v1/imports/jobs/{job.Id}", job);
        var done = await jobs.WaitAsync(job.Id, ct);
        if (done.State == ImportState.Succeeded) return TypedResults.Ok(done);
        if (done.ErrorsCount == 0) return TypedResults.Problem(done.Message, statusCode: 500, title: "Import failed");
        var errors = await jobs.ErrorsAsync(job.Id, ct) ?? [];
        return TypedResults.ValidationProblem(Summary(errors), detail: done.Message, title: "The file has errors; nothing was imported.",
            extensions: new Dictionary<string, object?>
            {
                ["jobId"] = done.Id,
                ["errorsCount"] = done.ErrorsCount,
                ["errorReportUrl"] = done.ErrorReportUrl,
                ["errorReportXlsxUrl"] = done.ErrorReportXlsxUrl,
            });
    }

    /// <summary>Errors by column header, "Row 7: …", capped: the full list is in the report.</summary>
    static Dictionary<string, string[]> Summary(IReadOnlyList<ImportError> errors) =>
        errors.Take(SummaryErrors).GroupBy(e => e.Column).ToDictionary(g => g.Key, g => g.Select(e => $"Row {e.Row}: {e.Message}").ToArray());

    static async Task<Results<Ok<ImportJobDto>, NotFound>> Job(string id, ImportJobs jobs, CancellationToken ct) =>
        await jobs.FindAsync(id, ct) is { } job ? TypedResults.Ok(job) : TypedResults.NotFound();

    public static readonly IReadOnlyList<string> ErrorReportHeaders = ["行 row", "列 column", "值 value", "问题 problem"];

    static async Task<Results<FileContentHttpResult, NotFound>> ErrorReport(string id, string format, ImportJobs jobs, CancellationToken ct)
    {
        if (!TableWriter.TryParseFormat(format, out var f) || await jobs.ErrorsAsync(id, ct) is not { } errors) return TypedResults.NotFound();
        var bytes = TableWriter.ToBytes(f, "错误 errors", ErrorReportHeaders, errors.Select(e => (IReadOnlyList<object?>)[e.Row, e.Column, e.Value, e.Message]));
        return TypedResults.File(bytes, TableWriter.ContentType(f), $"import-errors-{id[..8]}.{TableWriter.Extension(f)}");
    }

    // The parameters of GET /api/v1/residents, one by one, so a bad value is named the same way there and here.
    static PushStreamHttpResult ExportCsv(ResidentExport export, string? q, int? communityId, int? gridId, int? buildingId, int? roomId,
        LabelFilter? label, Domain.Registry.AgeBand? ageBand, Domain.Registry.Gender? gender, bool? includeMovedOut, TimeProvider time, CancellationToken ct) =>
        Export(export, time, new ResidentFilter(q, communityId, gridId, buildingId, roomId, label, ageBand, gender, includeMovedOut ?? false), TableFormat.Csv, ct);

    static PushStreamHttpResult ExportXlsx(ResidentExport export, string? q, int? communityId, int? gridId, int? buildingId, int? roomId,
        LabelFilter? label, Domain.Registry.AgeBand? ageBand, Domain.Registry.Gender? gender, bool? includeMovedOut, TimeProvider time, CancellationToken ct) =>
        Export(export, time, new ResidentFilter(q, communityId, gridId, buildingId, roomId, label, ageBand, gender, includeMovedOut ?? false), TableFormat.Xlsx, ct);

    static PushStreamHttpResult Export(ResidentExport export, TimeProvider time, ResidentFilter filter, TableFormat format, CancellationToken ct)
    {
        // Built before the answer starts, so a bad filter is still a 400 naming the field.
        var rows = export.Prepare(filter);
        return TypedResults.Stream(body => export.WriteAsync(rows, filter, format, body, ct), TableWriter.ContentType(format),
            $"residents-{Clock.Local(time.GetUtcNow()):yyyyMMdd-HHmm}.{TableWriter.Extension(format)}");
    }

    /// <summary>The page's form post: form-bound parameters make ASP.NET Core check the antiforgery token.</summary>
    static async Task<RedirectHttpResult> PageUpload([FromForm(Name = "kind")] string? kindText, IFormFile? file,
        [FromForm(Name = "communityId")] string? communityText, ImportUploads uploads, CancellationToken ct)
    {
        var kind = ImportColumns.TryParseKind(kindText, out var k) ? k : ImportKind.Residents;
        int? communityId = int.TryParse(communityText, System.Globalization.CultureInfo.InvariantCulture, out var c) ? c : null;
        ImportJobDto job;
        try
        {
            job = await uploads.StartAsync(kind, file, communityId, ct);
        }
        catch (DomainException e)
        {
            job = await uploads.RefusedAsync(kind, file, e.Field is null or ImportFile.Field or "communityId" ? e.Message : $"{e.Field}: {e.Message}", ct);
        }
        return TypedResults.LocalRedirect($"/import?job={job.Id}");
    }

    static async Task<Results<RazorComponentResult<ImportProgress>, NotFound>> PageProgress(string id, ImportJobs jobs, CancellationToken ct)
    {
        if (await jobs.FindAsync(id, ct) is not { } job) return TypedResults.NotFound();
        var errors = job.ErrorsCount > 0 ? (await jobs.ErrorsAsync(id, ct) ?? []).Take(ImportProgress.ShownErrors).ToList() : [];
        return new RazorComponentResult<ImportProgress>(new { Job = job, Errors = errors });
    }
}

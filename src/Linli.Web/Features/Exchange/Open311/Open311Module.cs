using Linli.Application.Exchange.Open311;
using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Web.Features.Identity;
using Linli.Web.Features.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Localization;

namespace Linli.Web.Features.Exchange.Open311;

/// <summary>
/// Open311 GeoReport v2 at <c>/open311/v2/</c>, so civic apps written for the standard can list our case categories as
/// services, file reports and follow them; and the api_keys those apps use, under <c>/api/v1/open311/clients</c>.
/// Every answer is XML or JSON by the URL's suffix, errors included, in the spec's own shapes.
/// </summary>
public static class Open311Module
{
    public const string Base = "/open311/v2";

    public static IServiceCollection AddOpen311(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<Open311Options>(configuration.GetSection("Linli:Open311"));
        services.AddScoped<Open311Services>();
        services.AddScoped<Open311Feed>();
        services.AddScoped<Open311Reports>();
        services.AddScoped<Open311Catalog>();
        services.AddScoped<Open311Requests>();
        services.AddScoped<Open311Intake>();
        services.AddScoped<Open311Clients>();
        services.AddSingleton<IErrorFormat, Open311ErrorFormat>();
        return services;
    }

    public static IEndpointRouteBuilder MapOpen311(this IEndpointRouteBuilder app)
    {
        // Open311 answers its own error list (JSON or XML, per format) with the status: 400 bad input or format, 404 unknown service or request.
        var v2 = app.MapGroup(Base).WithTags("Open311").AddEndpointFilter(Open311Errors)
            .ProducesStatus(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
        v2.MapGet("/discovery.{format}", (string format, HttpRequest request, Open311Catalog catalog) =>
                Answer(format, "discovery", _ => Task.FromResult<object>(catalog.Discovery(EndpointUrl(request)))))
            .WithName("Open311Discovery").WithSummary("Service discovery: the endpoint, its formats and changeset.");
        v2.MapGet("/services.{format}", (string format, Open311Catalog catalog, CancellationToken ct) =>
                Answer(format, "services", async f => await catalog.ServicesAsync(ct)))
            .WithName("Open311Services").WithSummary("The services (case categories) an outside app may report.");
        v2.MapGet("/services/{code}.{format}", (string code, string format, Open311Catalog catalog, CancellationToken ct) =>
                Answer(format, "service_definition", async f => await catalog.DefinitionAsync(code, ct)))
            .WithName("Open311ServiceDefinition").WithSummary("A service's definition: its optional attributes.");
        v2.MapPost("/requests.{format}", (string format, HttpRequest request, Open311Intake intake, CancellationToken ct) =>
                Answer(format, "service_requests", async f => await intake.SubmitAsync(await FormAsync(request, ct), ct)))
            .DisableAntiforgery().WithName("Open311CreateRequest").Accepts<Open311RequestForm>("application/x-www-form-urlencoded")
            .ProducesStatus(StatusCodes.Status403Forbidden, StatusCodes.Status429TooManyRequests)
            .WithSummary("Files a report (form-urlencoded, api_key required); answers with its service_request_id at once.");
        v2.MapGet("/requests.{format}", (string format, [AsParameters] Open311Query query, HttpRequest request, Open311Requests requests, CancellationToken ct) =>
                Answer(format, "service_requests", async f => await requests.ListAsync(query, BaseUrl(request), ct)))
            .WithName("Open311ListRequests")
            .WithSummary("Public service requests: service_request_id, service_code, start_date, end_date, status, page, page_size.");
        v2.MapGet("/requests/{id}.{format}", (string id, string format, HttpRequest request, Open311Requests requests, CancellationToken ct) =>
                Answer(format, "service_requests", async f => await requests.OneAsync(id, BaseUrl(request), ct)))
            .WithName("Open311GetRequest").WithSummary("One public service request.");
        v2.MapGet("/tokens/{token}.{format}", (string token, string format, IStringLocalizer<Strings> t) =>
                Answer(format, "service_requests", _ => throw new Open311Exception(StatusCodes.Status404NotFound,
                    $"token: {t["This server creates requests at once and answers with their service_request_id; it issues no tokens."]} ({token})")))
            .WithName("Open311GetToken").WithSummary("Tokens: none are issued (requests are created at once), so every token is unknown.");
        v2.MapGet("/media/{photoId:long}", async (long photoId, Open311Requests requests, CancellationToken ct) =>
            {
                var (content, type) = await requests.MediaAsync(photoId, ct);
                return Results.File(content, type);
            })
            .WithName("Open311Media").WithSummary("A photo of a public service request (its media_url).");

        var manage = app.MapGroup("/api/v1/open311/clients").WithTags("Open311")
            .RequireAuthorization(IdentityModule.Policy(Permission.ManageCaseCategories)).ProducesAuthFailures();
        manage.MapGet("/", ListClients).WithName("ListOpen311Clients").WithSummary("Apps allowed to file reports through Open311, with today's use.");
        manage.MapPost("/", IssueClient).WithName("IssueOpen311Client")
            .WithSummary("Lets a new app file reports: answers with its api_key, shown this once and stored only as a hash.")
            .ProducesInputFailure();
        manage.MapPost("/{id:int}/revoke", RevokeClient).WithName("RevokeOpen311Client").WithSummary("Stops a key at once.").ProducesNotFound();
        return app;
    }

    static async Task<Ok<IReadOnlyList<Open311ClientDto>>> ListClients(Open311Clients clients, CancellationToken ct) =>
        TypedResults.Ok(await clients.ListAsync(ct));

    static async Task<Created<IssuedOpen311ClientDto>> IssueClient(Open311ClientRequest request, Open311Clients clients, CancellationToken ct)
    {
        var issued = await clients.IssueAsync(request, ct);
        return TypedResults.Created($"/api/v1/open311/clients/{issued.Id}", issued);
    }

    static async Task<Ok<Open311ClientDto>> RevokeClient(int id, Open311Clients clients, CancellationToken ct) =>
        TypedResults.Ok(await clients.RevokeAsync(id, ct));

    /// <summary>xml or json from the URL's suffix; anything else is answered in XML, the format the spec requires.</summary>
    static O311Format? Format(string format) => format.ToLowerInvariant() switch
    {
        "xml" => O311Format.Xml,
        "json" => O311Format.Json,
        _ => null,
    };

    static async Task<IResult> Answer(string format, string root, Func<O311Format, Task<object>> content)
    {
        var f = Format(format) ?? throw new Open311Exception(StatusCodes.Status400BadRequest, $"format: .{format} is not served; use .xml or .json.");
        return new O311Result(root, await content(f), f);
    }

    /// <summary>Every refusal in Open311's error format and the URL's format, with the HTTP status the spec asks for.</summary>
    static async ValueTask<object?> Open311Errors(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var format = Format(http.GetRouteValue("format") as string ?? "") ?? O311Format.Xml;
        try
        {
            return await next(context);
        }
        catch (Open311Exception e)
        {
            return Open311Exception.Render(e.Status, e.Message, format);
        }
        catch (NotFoundException e)
        {
            return Open311Exception.Render(StatusCodes.Status404NotFound, e.Message, format);
        }
        catch (DomainException e) when (e is not (ForbiddenException or LimitExceededException))
        {
            var t = http.RequestServices.GetRequiredService<IStringLocalizer<Strings>>();
            return Open311Exception.Render(StatusCodes.Status400BadRequest, $"{e.Field ?? "request"}: {t[e.Message]}", format);
        }
        catch (BadHttpRequestException e)
        {
            return Open311Exception.Render(StatusCodes.Status400BadRequest, $"request: {e.Message}", format);
        }
    }

    /// <summary>
    /// Refusals before the endpoint runs (a charset, text that is not UTF-8, a route that does not match) in Open311's error
    /// list and the URL's format, like the endpoint's own.
    /// </summary>
    sealed class Open311ErrorFormat : IErrorFormat
    {
        public bool Owns(HttpContext context) => context.Request.Path.StartsWithSegments(Base);

        public Task WriteAsync(HttpContext context, int status, string field, string message)
        {
            var format = Format(context.GetRouteValue("format") as string ?? FormatOfPath(context.Request.Path)) ?? O311Format.Xml;
            var t = context.RequestServices.GetRequiredService<IStringLocalizer<Strings>>();
            return Open311Exception.Render(status, $"{field}: {t[message]}", format).ExecuteAsync(context);
        }

        /// <summary>The suffix of a path no route matched (…/requests/abc.json).</summary>
        static string FormatOfPath(PathString path) => Path.GetExtension(path.Value ?? "").TrimStart('.');
    }

    static async Task<IFormCollection> FormAsync(HttpRequest request, CancellationToken ct)
    {
        if (!request.HasFormContentType)
            throw new Open311Exception(StatusCodes.Status400BadRequest,
                "request: Send the fields as application/x-www-form-urlencoded (Content-Type: application/x-www-form-urlencoded; charset=utf-8).");
        return await request.ReadFormAsync(ct);
    }

    static string BaseUrl(HttpRequest r) => $"{r.Scheme}://{r.Host}{r.PathBase}";

    static string EndpointUrl(HttpRequest r) => BaseUrl(r) + Base;
}

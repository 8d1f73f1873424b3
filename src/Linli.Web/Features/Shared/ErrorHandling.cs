using System.Text.Json;
using Linli.Domain.Common;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Linli.Web.Features.Shared;

/// <summary>
/// The one error path: domain rule → 400 naming the field, not found → 404, forbidden → 403, unreadable body → 400
/// naming the JSON path. Everything else is a 500 with no internals in the answer.
/// </summary>
public sealed class DomainExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ProblemDetails? problem = exception switch
        {
            NotFoundException e => new ProblemDetails { Status = 404, Title = "Not found", Detail = e.Message },
            ForbiddenException e => new ProblemDetails { Status = 403, Title = "Forbidden", Detail = e.Message },
            DomainException e => Validation(e.Field ?? "request", e.Message),
            BadHttpRequestException { InnerException: JsonException json } => Validation(JsonField(json.Path), "The value is not valid here: " + FirstLine(json.Message)),
            BadHttpRequestException e => WithStatus(Validation(ParameterName(e.Message), e.Message), e.StatusCode),
            _ => null,
        };
        if (problem is null) return false;
        httpContext.Response.StatusCode = problem.Status ?? 400;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    public static HttpValidationProblemDetails Validation(string field, string message) =>
        new(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = 400,
            Title = "One or more fields are not valid.",
            Detail = $"{field}: {message}",
        };

    static HttpValidationProblemDetails WithStatus(HttpValidationProblemDetails p, int status)
    {
        p.Status = status;
        return p;
    }

    static string JsonField(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.TrimStart('$', '.');

    static string FirstLine(string message) => message.Split('\n')[0].Split(" Path:")[0];

    static string ParameterName(string message)
    {
        // "Failed to bind parameter "int page" from "abc"." → page
        var start = message.IndexOf('"', StringComparison.Ordinal);
        var end = start < 0 ? -1 : message.IndexOf('"', start + 1);
        if (start < 0 || end < 0) return "request";
        var inner = message[(start + 1)..end].Split(' ');
        return inner[^1];
    }
}


using System.Text.Json;
using Linli.Domain.Common;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Linli.Web.Features.Shared;

/// <summary>
/// The one error path: domain rule → 400 naming the field, not found → 404, forbidden → 403, state conflict → 409,
/// limit → 429, unreadable body → 400 naming the JSON path. Everything else is a 500 with no internals in the answer.
/// </summary>
public sealed class DomainExceptionHandler(IProblemDetailsService problems, IEnumerable<IErrorFormat> formats) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ProblemDetails? problem = exception switch
        {
            NotFoundException e => new ProblemDetails { Status = 404, Title = "Not found", Detail = e.Message },
            ForbiddenException e => new ProblemDetails { Status = 403, Title = "Forbidden", Detail = e.Message },
            ConflictException e => WithStatus(Validation(e.Field ?? "request", e.Message), 409),
            LimitExceededException e => WithStatus(Validation(e.Field ?? "request", e.Message), 429),
            DomainException e => Validation(e.Field ?? "request", e.Message),
            UnreadableRequestException e => WithStatus(Validation(e.Field, e.Message), e.Status),
            // Two people changed the same thing at once: the second is told to look again, nothing is overwritten.
            Microsoft.EntityFrameworkCore.DbUpdateConcurrencyException => WithStatus(Validation("version", "Someone else changed this just now. Reload and try again."), 409),
            BadHttpRequestException { InnerException: JsonException json } => Validation(JsonField(json.Path), "The value is not valid here: " + FirstLine(json.Message)),
            BadHttpRequestException e => WithStatus(Validation(ParameterName(e.Message), e.Message), e.StatusCode),
            // A page's [SupplyParameterFromQuery] that cannot parse its value, e.g. /residents?page=abc.
            InvalidOperationException e when e.Message.StartsWith("Cannot parse the value", StringComparison.Ordinal) =>
                Validation(LastQuoted(e.Message), "The value is not valid here."),
            _ => null,
        };
        if (problem is null) return false;
        httpContext.Response.StatusCode = problem.Status ?? 400;
        if (formats.FirstOrDefault(f => f.Owns(httpContext)) is { } format)
        {
            var field = (problem as HttpValidationProblemDetails)?.Errors.Keys.FirstOrDefault() ?? "request";
            var message = (problem as HttpValidationProblemDetails)?.Errors.Values.FirstOrDefault()?.FirstOrDefault() ?? problem.Detail ?? problem.Title ?? "";
            await format.WriteAsync(httpContext, problem.Status ?? 400, field, message);
            return true;
        }
        if (!httpContext.Request.Path.StartsWithSegments("/api") && httpContext.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.Ordinal))
        {
            // A person in a browser gets a page with the reason and a way back, not JSON.
            httpContext.Response.ContentType = "text/html; charset=utf-8";
            var detail = System.Net.WebUtility.HtmlEncode(problem.Detail ?? problem.Title ?? "");
            await httpContext.Response.WriteAsync($$"""
                <!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
                <title>{{problem.Title}} · 邻里</title><link rel="stylesheet" href="/css/site.css"></head>
                <body><main id="main"><h1>{{problem.Status}} · {{System.Net.WebUtility.HtmlEncode(problem.Title ?? "")}}</h1>
                <p class="notice">{{detail}}</p><p><a href="javascript:history.back()">← 返回 / Back</a> · <a href="/">首页 / Home</a></p></main></body></html>
                """, cancellationToken);
            return true;
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>
    /// An answer without a body (no route, no permission) gets one: the protocol's error where a protocol owns the request,
    /// else ProblemDetails (plain text for a client that takes neither).
    /// </summary>
    public static async Task StatusCodePage(StatusCodeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        var status = http.Response.StatusCode;
        var reason = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);
        if (http.RequestServices.GetServices<IErrorFormat>().FirstOrDefault(f => f.Owns(http)) is { } format)
        {
            await format.WriteAsync(http, status, "request", reason);
            return;
        }
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        if (!await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = { Status = status } }))
        {
            http.Response.ContentType = "text/plain; charset=utf-8";
            await http.Response.WriteAsync($"Status Code: {status}; {reason}", http.RequestAborted);
        }
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
        p.Title = status switch
        {
            409 => "Not possible in the current state.", 415 => "The request is not in a form read here.", 429 => "Limit reached.", _ => p.Title,
        };
        return p;
    }

    static string JsonField(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.TrimStart('$', '.');

    static string FirstLine(string message) => message.Split('\n')[0].Split(" Path:")[0];

    static string LastQuoted(string message)
    {
        var end = message.LastIndexOf('\'');
        var start = end <= 0 ? -1 : message.LastIndexOf('\'', end - 1);
        return start < 0 ? "request" : message[(start + 1)..end];
    }

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


/// <summary>
/// A protocol that answers errors in its own format for the requests it owns (Open311's error list): the one error path
/// above decides the status and the field, the protocol only writes them.
/// </summary>
public interface IErrorFormat
{
    bool Owns(HttpContext context);

    Task WriteAsync(HttpContext context, int status, string field, string message);
}

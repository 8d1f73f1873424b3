using System.Diagnostics;
using System.Globalization;

namespace Linli.Web.Features.Shared;

/// <summary>
/// Adds <c>Server-Timing: app;dur=…</c> (milliseconds until the response started) to every response, so benchmarks and
/// the browser's developer tools can tell time spent in the app from time spent on the network.
/// </summary>
public static class ServerTiming
{
    public static IApplicationBuilder UseServerTiming(this IApplicationBuilder app) => app.Use(async (ctx, next) =>
    {
        var started = Stopwatch.GetTimestamp();
        ctx.Response.OnStarting(() =>
        {
            ctx.Response.Headers["Server-Timing"] = "app;dur=" + Stopwatch.GetElapsedTime(started).TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        });
        await next(ctx);
    });
}

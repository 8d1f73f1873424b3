using System.Diagnostics;
using Linli.Application.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>
/// What a node's timer service does in a loop, run by a test: fire batches until none are due three times running. A batch
/// that lost a race with another node (the row changed under it) rolls back and its timers are due again, as in the service.
/// </summary>
static class TimerDrain
{
    /// <summary>Timers fired and races lost by one node, with when it first looked and when it last fired one.</summary>
    public sealed record Result(int Claimed, int Conflicts, long FirstTry, long LastFired);

    public static async Task<Result> DrainAsync<TService>(LinliAppFactory node) where TService : DueTimerService
    {
        var service = node.Services.GetRequiredService<TService>();
        var (claimed, conflicts, idle) = (0, 0, 0);
        var firstTry = Stopwatch.GetTimestamp();
        var lastFired = 0L;
        while (idle < 3)
        {
            try
            {
                var n = await service.FireDueAsync(CancellationToken.None);
                claimed += n;
                idle = n == 0 ? idle + 1 : 0;
                if (n > 0) lastFired = Stopwatch.GetTimestamp();
            }
            catch (DbUpdateException)
            {
                conflicts++;
                idle = 0;
            }
        }
        return new Result(claimed, conflicts, firstTry, lastFired);
    }
}

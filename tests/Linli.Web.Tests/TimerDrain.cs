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
    /// <summary>
    /// Timers fired and races lost by one node; when its first look began and ended, and when it fired its first and last
    /// batch (timestamps; 0 when it fired none).
    /// </summary>
    public sealed record Result(int Claimed, int Conflicts, long FirstTry, long FirstTryEnded, long FirstFired, long LastFired)
    {
        /// <summary>
        /// This node was reaching for the timers while <paramref name="other"/> fired them: it fired some itself, or its
        /// first look began before the other's last batch and ended after the other's first (it waited on the other's lock).
        /// </summary>
        public bool Contended(Result other) =>
            Claimed > 0 || (other.Claimed > 0 && FirstTry < other.LastFired && FirstTryEnded > other.FirstFired);
    }

    /// <summary>Both nodes drain at the same moment, each as its timer service would.</summary>
    public static async Task<Result[]> BothAtOnceAsync<TService>(LinliAppFactory a, LinliAppFactory b) where TService : DueTimerService
    {
        using var go = new SemaphoreSlim(0, 2);
        var drains = new[] { a, b }.Select(async node =>
        {
            await go.WaitAsync();
            return await DrainAsync<TService>(node);
        }).ToList();
        go.Release(2);
        return await Task.WhenAll(drains);
    }

    public static async Task<Result> DrainAsync<TService>(LinliAppFactory node) where TService : DueTimerService
    {
        var service = node.Services.GetRequiredService<TService>();
        var (claimed, conflicts, idle) = (0, 0, 0);
        var firstTry = Stopwatch.GetTimestamp();
        long firstTryEnded = 0, firstFired = 0, lastFired = 0;
        while (idle < 3)
        {
            try
            {
                var n = await service.FireDueAsync(CancellationToken.None);
                var now = Stopwatch.GetTimestamp();
                if (firstTryEnded == 0) firstTryEnded = now;
                claimed += n;
                idle = n == 0 ? idle + 1 : 0;
                if (n > 0)
                {
                    if (firstFired == 0) firstFired = now;
                    lastFired = now;
                }
            }
            catch (DbUpdateException)
            {
                if (firstTryEnded == 0) firstTryEnded = Stopwatch.GetTimestamp();
                conflicts++;
                idle = 0;
            }
        }
        return new Result(claimed, conflicts, firstTry, firstTryEnded, firstFired, lastFired);
    }
}

namespace Linli.DeviceSim;

/// <summary>
/// Paces a sender to a rate: tokens accrue continuously up to a small burst, and a caller takes as many as are there
/// (at least one, waiting for it). Taking several at once keeps high rates cheap: no timer per message.
/// </summary>
public sealed class TokenBucket
{
    readonly Lock gate = new();
    readonly TimeProvider time;
    readonly double rate;
    readonly double burst;
    double tokens = 1;
    long last;

    /// <param name="ratePerSecond">Tokens per second.</param>
    /// <param name="burst">Most tokens that can pile up; by default a twentieth of a second's worth (at least one).</param>
    public TokenBucket(double ratePerSecond, double? burst = null, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        rate = ratePerSecond;
        this.burst = Math.Max(1, burst ?? ratePerSecond / 20);
        this.time = time ?? TimeProvider.System;
        last = this.time.GetTimestamp();
    }

    public double Rate => rate;

    /// <summary>Takes between one and <paramref name="max"/> tokens, waiting until at least one is there.</summary>
    public async ValueTask<int> TakeAsync(int max, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        while (true)
        {
            double missing;
            lock (gate)
            {
                var now = time.GetTimestamp();
                tokens = Math.Min(burst, tokens + time.GetElapsedTime(last, now).TotalSeconds * rate);
                last = now;
                if (tokens >= 1)
                {
                    var taken = (int)Math.Min(max, Math.Floor(tokens));
                    tokens -= taken;
                    return taken;
                }
                missing = 1 - tokens;
            }
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(missing / rate, 0.001)), time, ct);
        }
    }
}

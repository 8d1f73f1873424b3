namespace Linli.Web.Tests;

/// <summary>
/// The app's clock in tests: real time plus an offset a test can move forward, so deadlines and schedules can be reached
/// without waiting while everything else (timeouts, polling) keeps running on real time.
/// </summary>
public sealed class TestClock : TimeProvider
{
    long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    public override TimeZoneInfo LocalTimeZone => System.LocalTimeZone;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}

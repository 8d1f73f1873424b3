namespace Linli.Web.Tests;

/// <summary>
/// The app's clock in tests: real time, which a test can move forward ("half an hour later") to see scheduled and expiring
/// things change. Moving it by more than the bearer-token lifetime (one hour) would sign the test clients out.
/// </summary>
public sealed class TestClock : TimeProvider
{
    long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}

using System.Threading.Channels;
using Linli.Domain.Alarms;
using Linli.Application.Devices;
using Linli.Application.Common;

namespace Linli.Application.Alarms;

/// <summary>A rule changed its mind about a device: raised (opens or repeats an alarm) or cleared.</summary>
public sealed record RuleHit(DeviceEntry Device, AlarmRule Rule, RuleOutcome Outcome, DateTimeOffset At, string Detail)
{
    /// <summary>What the alarm is about: the device, at its place and point on the site plan as the directory has them now.</summary>
    public AlarmSubject Subject => new(Device.DistrictId, Device.StreetId, Device.CommunityId, Device.GridId, Device.Id, null, Device.RoomId,
        Device.BuildingId, Device.FacilityId, Device.PlanX, Device.PlanY, Device.PlaceLabel);
}

/// <summary>
/// Turns rule hits into alarms, off the ingestion path: the rules hand hits over and the writer goes on storing readings.
/// Hits are rare (a rule fires when its condition starts or stops holding), so an unbounded queue never grows far.
/// </summary>
public sealed partial class AlarmWorker(IServiceScopeFactory scopes, ILogger<AlarmWorker> logger) : BackgroundService
{
    readonly Channel<RuleHit> _hits = Channel.CreateUnbounded<RuleHit>(new UnboundedChannelOptions { SingleReader = true });

    public void Enqueue(RuleHit hit) => _hits.Writer.TryWrite(hit);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var hit in _hits.Reader.ReadAllAsync(stoppingToken))
            {
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await using var scope = scopes.CreateSystemScope("turn rule hits of any device into alarms");
                        await scope.ServiceProvider.GetRequiredService<AlarmService>().ApplyAsync(hit, stoppingToken);
                        break;
                    }
                    catch (Exception e) when (e is not OperationCanceledException && attempt < 5)
                    {
                        LogRetry(logger, hit.Rule.Id, hit.Device.Id, attempt, e);
                        await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), stoppingToken);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        LogFailed(logger, hit.Rule.Id, hit.Device.Id, e);
                        break;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Applying rule {RuleId} to device {DeviceId} failed (attempt {Attempt}); retrying.")]
    static partial void LogRetry(ILogger logger, long ruleId, long deviceId, int attempt, Exception e);

    [LoggerMessage(Level = LogLevel.Error, Message = "Applying rule {RuleId} to device {DeviceId} failed for good.")]
    static partial void LogFailed(ILogger logger, long ruleId, long deviceId, Exception e);
}

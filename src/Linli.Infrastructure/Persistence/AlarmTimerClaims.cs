using Linli.Application.Common;
using Linli.Domain.Alarms;

namespace Linli.Infrastructure.Persistence;

/// <summary>Claims due escalation timers exactly once (see <see cref="TimerClaims"/>).</summary>
public sealed class AlarmTimerClaims : IDueTimerClaims<AlarmTimer>
{
    public Task<IReadOnlyList<AlarmTimer>> ClaimDueAsync(ILinliDb db, DateTimeOffset now, int max, CancellationToken ct) =>
        TimerClaims.ClaimDueAsync(db, "alarm_timers", """ "Id", "AlarmId", "DueAt", "Round" """, now, max,
            (r, time) => new AlarmTimer(r.GetInt64(0), r.GetInt64(1), time(2), r.GetInt32(3)), ct);
}

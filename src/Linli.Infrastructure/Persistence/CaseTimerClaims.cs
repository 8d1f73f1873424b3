using Linli.Application.Common;
using Linli.Domain.Cases;

namespace Linli.Infrastructure.Persistence;

/// <summary>Claims due SLA timers exactly once (see <see cref="TimerClaims"/>).</summary>
public sealed class CaseTimerClaims : IDueTimerClaims<CaseTimer>
{
    public Task<IReadOnlyList<CaseTimer>> ClaimDueAsync(ILinliDb db, DateTimeOffset now, int max, CancellationToken ct) =>
        TimerClaims.ClaimDueAsync(db, "case_timers", """ "Id", "CaseId", "Kind", "DueAt", "Round" """, now, max,
            (r, time) => new CaseTimer(r.GetInt64(0), r.GetInt64(1), Enum.Parse<SlaKind>(r.GetString(2)), time(3), r.GetInt32(4)), ct);
}

using Linli.Application.Common;
using Linli.Domain.Alarms;
using Microsoft.EntityFrameworkCore;
using static Linli.Application.Alarms.AlarmDtos;

namespace Linli.Application.Alarms;

/// <summary>A filter of the alarm list; <see cref="Open"/> true keeps the alarms not closed yet, false the closed ones.</summary>
public sealed record AlarmFilter(AlarmStatus? Status = null, bool? Open = null, AlarmSeverity? Severity = null, AlarmKind? Kind = null,
    int? CommunityId = null, long? DeviceId = null);

/// <summary>Alarms in the caller's area, as the API lists them and as one is shown after a change.</summary>
public sealed class AlarmQueries(ILinliDb db)
{
    /// <summary>Open ones first, unacknowledged before acknowledged, then by severity and the latest raise.</summary>
    public async Task<Page<AlarmDto>> ListAsync(AlarmFilter filter, PageRequest paging, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var q = db.Alarms.AsNoTracking();
        if (filter.Status is { } s) q = q.Where(a => a.Status == s);
        if (filter.Open is { } o) q = o ? q.Where(a => a.Status != AlarmStatus.Closed) : q.Where(a => a.Status == AlarmStatus.Closed);
        if (filter.Severity is { } sev) q = q.Where(a => a.Severity == sev);
        if (filter.Kind is { } k) q = q.Where(a => a.Kind == k);
        if (filter.CommunityId is { } c) q = q.Where(a => a.CommunityId == c);
        if (filter.DeviceId is { } d) q = q.Where(a => a.DeviceId == d);
        var total = await q.CountAsync(ct);
        var items = await q.OrderBy(a => a.Status == AlarmStatus.Closed).ThenBy(a => a.AcknowledgedAt != null)
            .ThenByDescending(a => a.Severity == AlarmSeverity.Critical).ThenByDescending(a => a.Severity == AlarmSeverity.Major)
            .ThenByDescending(a => a.LastRaisedAt).Skip(paging.Offset).Take(paging.PageSize).ToListAsync(ct);
        var timers = await AlarmDetails.NextTimersAsync(db, items.Select(a => a.Id).ToList(), ct);
        return new Page<AlarmDto>(items.Select(a => ToDto(a, timers)).ToList(), paging.Page, paging.PageSize, total);
    }

    public Task<AlarmDetailDto> DetailAsync(long id, CancellationToken ct) => AlarmDetails.DetailAsync(db, id, ct);

    /// <summary>The alarm as it stands after a change made in this scope: what was tracked is let go, so it is read as stored.</summary>
    public Task<AlarmDetailDto> DetailAfterChangeAsync(long id, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        return AlarmDetails.DetailAsync(db, id, ct);
    }
}

using Linli.Application.Common;
using Linli.Domain.Alarms;
using Linli.Domain.Common;
using Microsoft.EntityFrameworkCore;
using static Linli.Application.Alarms.AlarmDtos;

namespace Linli.Application.Alarms;

/// <summary>One alarm with its timeline and what the caller may do next.</summary>
public static class AlarmDetails
{
    public static async Task<AlarmDetailDto> DetailAsync(ILinliDb db, long id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var alarm = await db.Alarms.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct) ?? throw new NotFoundException("No such alarm.");
        var events = await db.AlarmEvents.AsNoTracking().Where(e => e.AlarmId == id).OrderBy(e => e.At).ThenBy(e => e.Id)
            .Select(e => new AlarmEventDto(e.At, e.Kind, e.ActorName, e.Note)).ToListAsync(ct);
        var timers = await NextTimersAsync(db, [id], ct);
        return new AlarmDetailDto(ToDto(alarm, timers), events, alarm.AllowedActions());
    }

    public static async Task<Dictionary<long, DateTimeOffset>> NextTimersAsync(ILinliDb db, List<long> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return [];
        var rows = await db.AlarmTimers.AsNoTracking().Where(t => ids.Contains(t.AlarmId)).Select(t => new { t.AlarmId, t.DueAt, t.Round }).ToListAsync(ct);
        return rows.GroupBy(r => r.AlarmId).ToDictionary(g => g.Key, g => g.OrderByDescending(r => r.Round).First().DueAt);
    }
}

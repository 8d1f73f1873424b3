using Linli.Domain.Alarms;
using Linli.Domain.Cases;
using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Application.Cases;
using Linli.Application.Common;
using Linli.Application.Identity;
using Linli.Application.Live;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Alarms;

/// <summary>
/// An alarm that needs work on site becomes a case for the responsible team (category "device-alarm", routed by the
/// alarm's building or facility), linked both ways: the alarm names the case, the case's text names the alarm.
/// </summary>
public sealed class AlarmCases(ILinliDb db, SubmitCase submit, CasePlaces places, CurrentUser user, TimeProvider time)
{
    public const string CategoryCode = "device-alarm";

    /// <summary>After a rule raised an alarm: opens the case when the rule asks for one. Runs in the outbox dispatcher's system scope.</summary>
    public async Task OpenForRuleAsync(long alarmId, CancellationToken ct)
    {
        var alarm = await db.Alarms.SingleOrDefaultAsync(a => a.Id == alarmId, ct);
        if (alarm is not { RuleId: { } ruleId, CaseId: null }) return;
        var opensCase = await db.AlarmRules.AnyAsync(r => r.Id == ruleId && r.OpensCase, ct);
        if (!opensCase) return;
        await OpenAsync(alarm, new CaseReporter(null, null, "平台"), ct);
    }

    /// <summary>Someone on duty decides the alarm needs a case.</summary>
    public async Task<Alarm> OpenByUserAsync(long alarmId, CancellationToken ct)
    {
        if (!user.Can(Permission.HandleAlarms)) throw new ForbiddenException("You cannot handle alarms.");
        var alarm = await db.Alarms.SingleOrDefaultAsync(a => a.Id == alarmId, ct) ?? throw new NotFoundException("Alarm");
        if (alarm.CaseId is not null) throw new ConflictException("A case is already open for this alarm.");
        var name = user.DisplayName.Length > Case.NameMaxLength ? user.DisplayName[..Case.NameMaxLength] : user.DisplayName;
        return await OpenAsync(alarm, new CaseReporter(user.Id, null, name), ct);
    }

    async Task<Alarm> OpenAsync(Alarm alarm, CaseReporter reporter, CancellationToken ct)
    {
        var category = await db.CaseCategories.AsNoTracking().SingleOrDefaultAsync(c => c.Code == CategoryCode && c.Active, ct)
            ?? throw new ConflictException("The device-alarm case category is not in use here.");
        // The device's building (or facility) is the place: a room would make the case an in-home matter of that household.
        if (alarm.BuildingId is null && alarm.FacilityId is null) throw new DomainException("This alarm has no building or facility to send a team to.", "place");
        var title = alarm.Title.Length > Case.TitleMaxLength ? alarm.Title[..Case.TitleMaxLength] : alarm.Title;
        var description = $"告警 #{alarm.Id}（{alarm.Severity}）· {alarm.PlaceLabel}\n{alarm.Detail}\n/api/v1/alarms/{alarm.Id}";
        var request = new SubmitCaseRequest(category.Id, title, description, null, null, alarm.BuildingId, alarm.BuildingId is null ? alarm.FacilityId : null,
            null, null, null);
        var place = await places.ResolveAsync(request, null, null, ct);
        // Case and link commit together: an alarm changed meanwhile (a notification, an acknowledgement) is read again
        // and linked, and if someone else linked a case first this one is not kept.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var created = await submit.FromPlatformAsync(category, request, place, reporter, ct);
        for (var attempt = 1; ; attempt++)
        {
            alarm.LinkCase(created.Id, time.GetUtcNow());
            try
            {
                await db.SaveChangesAsync(ct);
                break;
            }
            catch (DbUpdateConcurrencyException) when (attempt < 5)
            {
                db.ChangeTracker.Clear();
                alarm = await db.Alarms.SingleAsync(a => a.Id == alarm.Id, ct);
                if (alarm.CaseId is not null) throw new ConflictException("A case is already open for this alarm.");
            }
        }
        await tx.CommitAsync(ct);
        return alarm;
    }
}

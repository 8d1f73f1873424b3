using Linli.Domain.Alarms;
using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Domain.Registry;
using Linli.Application.Common;
using Linli.Application.Identity;
using Microsoft.EntityFrameworkCore;
using Linli.Application.Live;

namespace Linli.Application.Alarms;

public sealed record AlarmActionRequest(string? Note = null, int? AssigneeUserId = null);

/// <summary>Opens, repeats and clears alarms from rule hits, takes people's actions on them, and the SOS call.</summary>
public sealed class AlarmService(ILinliDb db, CurrentUser user, TimeProvider time)
{
    public async Task ApplyAsync(RuleHit hit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(hit);
        var open = await db.Alarms
            .SingleOrDefaultAsync(a => a.RuleId == hit.Rule.Id && a.DeviceId == hit.Device.Id && a.Open, ct);
        if (hit.Outcome == RuleOutcome.Cleared)
        {
            if (open is null) return;
            open.Clear(AlarmActor.Platform, string.IsNullOrEmpty(hit.Detail) ? "back to normal" : $"back to normal: {hit.Detail}", hit.At);
            await db.SaveChangesAsync(ct);
            return;
        }
        if (open is not null)
        {
            open.Repeat(hit.Detail, hit.At);
            await db.SaveChangesAsync(ct);
            return;
        }
        var alarm = Alarm.Raise(hit.Rule.Kind, hit.Rule.Severity, hit.Rule.Name, $"{hit.Device.Name}: {hit.Detail}", hit.Rule.Id,
            hit.Subject, hit.Rule.AckWithinSeconds, hit.At);
        db.Alarms.Add(alarm);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another node opened it in the meantime (the unique index on open alarms said so): count a repeat instead.
            db.ChangeTracker.Clear();
            if (!await OpenExistsAsync(hit, ct)) throw;
            await ApplyAsync(hit, ct);
        }
    }

    Task<bool> OpenExistsAsync(RuleHit hit, CancellationToken ct) =>
        db.Alarms.AsNoTracking().AnyAsync(a => a.RuleId == hit.Rule.Id && a.DeviceId == hit.Device.Id && a.Open, ct);

    /// <summary>
    /// The SOS call from a resident's page: a critical alarm about them at their home. Pressing again while the call is open
    /// counts a repeat rather than opening a second alarm.
    /// </summary>
    public async Task<Alarm> CallForHelpAsync(string? note, CancellationToken ct)
    {
        if (!user.Can(Permission.CallForHelp) || user.ResidentId is not { } residentId || user.Scope.Level != ScopeLevel.Household)
            throw new ForbiddenException("Only a resident registered in a home can call for help here.");
        var now = time.GetUtcNow();
        note = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        if (note is { Length: > Alarm.DetailMaxLength }) throw new DomainException($"A note is at most {Alarm.DetailMaxLength} characters.", "note");
        var open = await db.Alarms.SingleOrDefaultAsync(a => a.Kind == AlarmKind.Sos && a.ResidentId == residentId && a.RuleId == null && a.Open, ct);
        if (open is not null)
        {
            open.Repeat(note, now);
            await db.SaveChangesAsync(ct);
            return open;
        }
        var place = await (from r in db.Residents
                           where r.Id == residentId
                           join room in db.Rooms on r.RoomId equals room.Id
                           join b in db.Buildings on room.BuildingId equals b.Id
                           select new { r.Name, room.Id, room.UnitNo, room.Number, room.DistrictId, room.StreetId, room.CommunityId, room.GridId,
                               BuildingId = b.Id, Building = b.Name, b.PlanX, b.PlanY, b.PlanWidth, b.PlanHeight })
            .SingleOrDefaultAsync(ct) ?? throw new ForbiddenException("Your home is not registered; call 120 or your community office.");
        var subject = new AlarmSubject(place.DistrictId, place.StreetId, place.CommunityId, place.GridId, null, residentId, place.Id,
            place.BuildingId, null, place.PlanX + place.PlanWidth / 2, place.PlanY + place.PlanHeight / 2,
            Room.LabelFor(place.Building, place.UnitNo, place.Number));
        var alarm = Alarm.Raise(AlarmKind.Sos, AlarmSeverity.Critical, $"SOS · {place.Name}", note, null, subject,
            AlarmRule.DefaultAckSeconds(AlarmSeverity.Critical), now);
        db.Alarms.Add(alarm);
        await db.SaveChangesAsync(ct);
        return alarm;
    }

    public async Task<Alarm> ActAsync(long id, AlarmAction action, AlarmActionRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!user.Can(Permission.HandleAlarms)) throw new ForbiddenException("You cannot handle alarms.");
        var alarm = await db.Alarms.SingleOrDefaultAsync(a => a.Id == id, ct) ?? throw new NotFoundException("No such alarm.");
        var actor = new AlarmActor(user.Id, user.DisplayName);
        var now = time.GetUtcNow();
        var note = string.IsNullOrWhiteSpace(request.Note) ? null : request.Note.Trim();
        switch (action)
        {
            case AlarmAction.Acknowledge: alarm.Acknowledge(actor, note, now); break;
            case AlarmAction.Clear: alarm.Clear(actor, note, now); break;
            case AlarmAction.Close: alarm.Close(actor, note, now); break;
            case AlarmAction.Comment: alarm.Comment(actor, note ?? "", now); break;
            case AlarmAction.Assign:
                if (request.AssigneeUserId is not { } assignee) throw new DomainException("Choose who takes the alarm.", "assigneeUserId");
                var who = (await StaffAsync(alarm.CommunityId, ct)).FirstOrDefault(s => s.Id == assignee && s.MayTake(alarm))
                    ?? throw new DomainException("That person cannot take alarms here.", "assigneeUserId");
                alarm.Assign(actor, who.Id, who.Name, now);
                break;
        }
        await db.SaveChangesAsync(ct);
        return alarm;
    }

    /// <summary>The people on duty for a community's alarms: its grid workers, property staff and admins.</summary>
    public async Task<IReadOnlyList<AlarmStaff>> StaffAsync(int communityId, CancellationToken ct)
    {
        var grids = db.Nodes.Where(n => n.Kind == NodeKind.Grid && n.ParentId == communityId).Select(n => n.Id);
        return await db.Users.AsNoTracking()
            .Where(u => (u.Role == Role.GridWorker && grids.Contains(u.NodeId))
                || ((u.Role == Role.PropertyStaff || u.Role == Role.CommunityAdmin) && u.NodeId == communityId))
            .OrderBy(u => u.Role).ThenBy(u => u.DisplayName)
            .Select(u => new AlarmStaff(u.Id, u.DisplayName, u.Role, u.NodeId)).ToListAsync(ct);
    }
}

/// <summary>Someone who may take alarms in a community; a grid worker takes those of their own grid.</summary>
public sealed record AlarmStaff(int Id, string Name, Role Role, int NodeId)
{
    public bool MayTake(Alarm alarm)
    {
        ArgumentNullException.ThrowIfNull(alarm);
        return alarm.MayBeTakenBy(Role, NodeId);
    }

    public bool MayTake(int gridId) => Alarm.MayBeTakenBy(Role, NodeId, gridId);
}

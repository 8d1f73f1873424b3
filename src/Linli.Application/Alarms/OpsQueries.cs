using Linli.Domain.Alarms;
using Linli.Domain.Common;
using Linli.Domain.Devices;
using Linli.Domain.Identity;
using Linli.Domain.Registry;
using Linli.Application.Common;
using Linli.Application.Alarms;
using Linli.Application.Cases;
using Linli.Application.Devices;
using Linli.Application.Identity;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Alarms;

public sealed record OpsCommunity(int Id, string Name);

public sealed record OpsBuilding(int Id, string Name, int X, int Y, int Width, int Height);

public sealed record OpsFacility(int Id, string Name, int X, int Y);

public sealed record OpsDevice(long Id, string Code, string Name, DeviceType Type, DeviceHealth Health, int X, int Y);


public sealed record OpsKpis(IReadOnlyDictionary<AlarmSeverity, int> ActiveBySeverity, int Unacknowledged, int DevicesOffline, int DevicesNeverSeen,
    int Devices, int OpenCases, int OverdueCases);

/// <summary>Everything the operations view shows for one community.</summary>
public sealed record OpsView(IReadOnlyList<OpsCommunity> Communities, OpsCommunity Community, IReadOnlyList<OpsBuilding> Buildings,
    IReadOnlyList<OpsFacility> Facilities, IReadOnlyList<OpsDevice> Devices, IReadOnlyList<AlarmDto> Alarms, IReadOnlyList<AlarmStaff> Staff, OpsKpis Kpis)
{
    /// <summary>The plan is 1000 × 700 units, taller when buildings reach further down.</summary>
    public int PlanHeight => Math.Max(700, Buildings.Select(b => b.Y + b.Height).DefaultIfEmpty(0).Max() + 40);
}

/// <summary>Who an SOS call is about, as the responder needs it: medical notes only when asked for (and audited).</summary>
public sealed record SosPerson(int ResidentId, string Name, int Age, string? PhoneMasked, string? ContactName, string? ContactPhoneMasked,
    bool HasMedicalNotes, string? MedicalNotes);

/// <summary>The reads of the operations pages. Every query goes through the scoped DbContext: a community outside the caller's area is simply not there.</summary>
public sealed class OpsQueries(ILinliDb db, AlarmService alarms, CurrentUser user, DeviceDirectory directory, CaseQueries cases, IPersonalDataProtector protector,
    AuditLog audit, TimeProvider time)
{
    /// <summary>How many alarms the feed lists; the rest are counted in the figures.</summary>
    public const int FeedSize = 100;

    public async Task<IReadOnlyList<OpsCommunity>> CommunitiesAsync(CancellationToken ct) =>
        await db.Nodes.AsNoTracking().Where(n => n.Kind == NodeKind.Community).OrderBy(n => n.Id)
            .Select(n => new OpsCommunity(n.Id, n.Name)).ToListAsync(ct);

    /// <summary>The view of the chosen community, or of the caller's own (the first in their area); null when there is none.</summary>
    public async Task<OpsView?> ViewAsync(int? communityId, CancellationToken ct)
    {
        var communities = await CommunitiesAsync(ct);
        if (communities.Count == 0) return null;
        var own = user.Scope.CommunityId is > 0 and var c0 ? communities.FirstOrDefault(c => c.Id == c0) : null;
        var community = communityId is { } wanted ? communities.FirstOrDefault(c => c.Id == wanted) : own ?? communities[0];
        if (community is null) return null;
        var id = community.Id;

        var buildings = await db.Buildings.AsNoTracking().Where(b => b.CommunityId == id).OrderBy(b => b.Id)
            .Select(b => new OpsBuilding(b.Id, b.Name, b.PlanX, b.PlanY, b.PlanWidth, b.PlanHeight)).ToListAsync(ct);
        var facilities = await db.Facilities.AsNoTracking().Where(f => f.CommunityId == id && f.PlanX != null && f.PlanY != null).OrderBy(f => f.Id)
            .Select(f => new OpsFacility(f.Id, f.Name, f.PlanX!.Value, f.PlanY!.Value)).ToListAsync(ct);
        var stored = await db.Devices.AsNoTracking().Where(d => d.CommunityId == id).OrderBy(d => d.Id)
            .Select(d => new OpsDevice(d.Id, d.Code, d.Name, d.Type, d.Health, d.PlanX, d.PlanY)).ToListAsync(ct);
        // The directory knows health as of now; the table as of the last save.
        var devices = stored.Select(d => directory.Find(d.Id) is { } live ? d with { Health = live.Health } : d).ToList();

        var openAlarms = db.Alarms.AsNoTracking().Where(a => a.CommunityId == id && a.Status != AlarmStatus.Closed);
        var bySeverity = await openAlarms.GroupBy(a => a.Severity).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var unacknowledged = await openAlarms.CountAsync(a => a.AcknowledgedAt == null, ct);
        var feed = await openAlarms.OrderBy(a => a.AcknowledgedAt != null)
            .ThenByDescending(a => a.Severity == AlarmSeverity.Critical).ThenByDescending(a => a.Severity == AlarmSeverity.Major)
            .ThenByDescending(a => a.Severity == AlarmSeverity.Minor).ThenByDescending(a => a.LastRaisedAt).ThenByDescending(a => a.Id)
            .Take(FeedSize).ToListAsync(ct);
        var caseCounts = await cases.CountsAsync(new CaseFilter(MyTeam: false, CommunityId: id), ct);

        var kpis = new OpsKpis(Enum.GetValues<AlarmSeverity>().ToDictionary(s => s, s => bySeverity.FirstOrDefault(x => x.Key == s)?.Count ?? 0),
            unacknowledged, devices.Count(d => d.Health == DeviceHealth.Offline), devices.Count(d => d.Health == DeviceHealth.NeverSeen), devices.Count,
            caseCounts.Open, caseCounts.Overdue);
        return new OpsView(communities, community, buildings, facilities, devices, feed.Select(a => AlarmDtos.ToDto(a, null)).ToList(),
            await alarms.StaffAsync(id, ct), kpis);
    }

    /// <summary>The person an SOS call is about. Medical notes are decrypted only when <paramref name="withMedicalNotes"/>, and that is audited.</summary>
    public async Task<SosPerson?> PersonAsync(AlarmDto alarm, bool withMedicalNotes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(alarm);
        if (alarm.ResidentId is not { } residentId || !user.Can(Permission.HandleAlarms)) return null;
        var r = await db.Residents.AsNoTracking().SingleOrDefaultAsync(x => x.Id == residentId, ct);
        if (r is null) return null;
        string? notes = null;
        if (withMedicalNotes && r.MedicalNotesProtected is { } protectedNotes)
        {
            notes = protector.Unprotect(protectedNotes);
            audit.Record("ViewMedicalNotes", r, nameof(Resident), r.Id, $"medical notes, SOS alarm #{alarm.Id}");
            await db.SaveChangesAsync(ct);
        }
        return new SosPerson(r.Id, r.Name, r.AgeOn(Clock.Today(time)), r.PhoneMasked, r.EmergencyContactName, r.EmergencyContactPhoneMasked,
            r.MedicalNotesProtected is not null, notes);
    }

    /// <summary>The resident's latest SOS call (their household's alarms are theirs to see), or null.</summary>
    public async Task<AlarmDto?> MySosAsync(long? alarmId, CancellationToken ct)
    {
        if (user.ResidentId is not { } residentId) return null;
        var q = db.Alarms.AsNoTracking().Where(a => a.Kind == AlarmKind.Sos && a.ResidentId == residentId);
        if (alarmId is { } id) q = q.Where(a => a.Id == id);
        var alarm = await q.OrderByDescending(a => a.RaisedAt).ThenByDescending(a => a.Id).FirstOrDefaultAsync(ct);
        return alarm is null ? null : AlarmDtos.ToDto(alarm, null);
    }
}

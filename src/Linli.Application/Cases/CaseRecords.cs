using Linli.Domain.Cases;
using Linli.Application.Common;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Cases;

/// <summary>A step of a case up the hierarchy: when, to which level, why, and whether the platform did it (an SLA breach).</summary>
public sealed record CaseEscalationStep(DateTimeOffset At, HandlingLevel To, string? Reason, bool ByPlatform);

/// <summary>
/// A case as a record for systems outside (the higher platform): what it is, where, where it stands and how it ended, with
/// its path up the hierarchy. No reporter, no description, no staff notes: those stay on the platform.
/// </summary>
public sealed record CaseRecord(long Id, string Title, string CategoryCode, CaseKind Kind, CaseSource Source, CaseStatus Status,
    HandlingLevel Level, int DistrictId, int StreetId, int CommunityId, int GridId, string Address, DateTimeOffset ReportedAt,
    DateTimeOffset? HandledAt, DateTimeOffset? ClosedAt, string? Resolution, string? RejectReason, int? Rating, bool ResponseBreached,
    bool ResolutionBreached, IReadOnlyList<CaseEscalationStep> Escalations);

/// <summary>Where a case's work happens and until when: what a contractor sent to it needs to get in (the access module).</summary>
public sealed record CaseWorkPlace(long CaseId, string Title, CaseStatus Status, int CommunityId, int? BuildingId, int? RoomId, int? FacilityId,
    DateTimeOffset ResolutionDueAt);

/// <summary>Cases as records for the exchange with the higher platform, read through the caller's (declared) scope.</summary>
public sealed class CaseRecords(ILinliDb db, CaseLookups lookups)
{
    /// <summary>The place and deadline of a case in the caller's scope, or null.</summary>
    public async Task<CaseWorkPlace?> WorkPlaceAsync(long id, CancellationToken ct) =>
        await db.Cases.AsNoTracking().Where(c => c.Id == id)
            .Select(c => new CaseWorkPlace(c.Id, c.Title, c.Status, c.CommunityId, c.BuildingId, c.RoomId, c.FacilityId, c.ResolutionDueAt))
            .FirstOrDefaultAsync(ct);

    public async Task<CaseRecord?> FindAsync(long id, CancellationToken ct)
    {
        var c = await db.Cases.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (c is null) return null;
        var steps = await db.CaseEvents.AsNoTracking().Where(e => e.CaseId == id && e.Kind == CaseEventKind.Escalated)
            .OrderBy(e => e.At).ThenBy(e => e.Id).Select(e => new { e.At, e.Note, e.ActorUserId, e.ActorName }).ToListAsync(ct);
        var category = await lookups.CategoryAsync(db, c.CategoryId, ct);
        return new CaseRecord(c.Id, c.Title, category?.Code ?? "", c.Kind, c.Source, c.Status, c.Level, c.DistrictId, c.StreetId, c.CommunityId,
            c.GridId, c.Address, c.ReportedAt, c.HandledAt, c.ClosedAt, c.Resolution, c.RejectReason, c.Rating, c.ResponseBreached,
            c.ResolutionBreached, steps.Select(s => Step(s.At, s.Note, s.ActorUserId == 0 && s.ActorName == CaseActor.Platform.Name)).ToList());
    }

    /// <summary>An escalation's timeline note is "{level}: {reason}" (<see cref="Case.Escalate"/>).</summary>
    static CaseEscalationStep Step(DateTimeOffset at, string? note, bool byPlatform)
    {
        var cut = note?.IndexOf(": ", StringComparison.Ordinal) ?? -1;
        var level = cut > 0 && Enum.TryParse<HandlingLevel>(note![..cut], out var l) ? l : HandlingLevel.District;
        return new CaseEscalationStep(at, level, cut > 0 ? note![(cut + 2)..] : note, byPlatform);
    }
}

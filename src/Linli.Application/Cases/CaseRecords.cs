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

/// <summary>Cases as records for the exchange with the higher platform, read through the caller's (declared) scope.</summary>
public sealed class CaseRecords(ILinliDb db, CaseLookups lookups)
{
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

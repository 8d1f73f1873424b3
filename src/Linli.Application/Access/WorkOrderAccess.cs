using Linli.Application.Cases;
using Linli.Application.Common;
using Linli.Application.Identity;
using Linli.Domain.Access;
using Linli.Domain.Cases;
using Linli.Domain.Common;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Access;

/// <summary>
/// A contractor sent to a case: their card or plate, their name, optionally their hours and last day (default: the day
/// the case is due to be resolved).
/// </summary>
public sealed record WorkOrderAccessRequest(string? ContractorName, string? CardUid, string? Plate, DateOnly? LastDate, TimeOnly? From, TimeOnly? Until);

/// <summary>
/// Access for a work order (issue 12): a contractor dispatched to a case passes the community's gates and the doors of the
/// case's place (its building, or its facility: the pump room) only from today to the work order's last day, and only in
/// their hours if given. Issued as a contractor's credential that names the case; it ends by itself.
/// </summary>
public sealed class WorkOrderAccess(CaseRecords cases, CredentialCommands credentials, TimeProvider time)
{
    public async Task<CredentialDto> GrantAsync(long caseId, WorkOrderAccessRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var work = await cases.WorkPlaceAsync(caseId, ct) ?? throw new NotFoundException("Case");
        if (work.Status is CaseStatus.Closed or CaseStatus.Rejected or CaseStatus.Verified)
            throw new ConflictException("The case is finished: no one needs to get in for it any more.", "caseId");
        var today = DateOnly.FromDateTime(ChinaTime.Local(time.GetUtcNow()));
        var last = request.LastDate ?? DateOnly.FromDateTime(ChinaTime.Local(work.ResolutionDueAt));
        if (last < today) last = today;
        if (last > today.AddDays(30)) throw new DomainException("A work order's access lasts at most 30 days.", "lastDate");
        var when = new AccessSchedule(from: request.From, until: request.Until, firstDate: today, lastDate: last);
        var grants = new List<GrantRequest> { Grant(GateScope.Community, work.CommunityId, [GateKind.CommunityGate], when) };
        if (work.FacilityId is { } facility) grants.Add(Grant(GateScope.Facility, facility, null, when));
        else if (work.BuildingId is { } building) grants.Add(Grant(GateScope.Building, building, null, when));
        var kind = !string.IsNullOrWhiteSpace(request.CardUid) ? CredentialKind.Card
            : !string.IsNullOrWhiteSpace(request.Plate) ? CredentialKind.Plate
            : throw new DomainException("Give the contractor's card number or plate.", "cardUid");
        var name = $"{(request.ContractorName ?? "").Trim()} · #{work.CaseId}";
        return await credentials.IssueAsync(new IssueCredentialRequest(kind, HolderKind.Contractor, null, name, work.CommunityId, request.CardUid, request.Plate,
            null, ChinaTime.StartOf(last.AddDays(1)), grants), ct);
    }

    static GrantRequest Grant(GateScope scope, int id, IReadOnlyList<GateKind>? kinds, AccessSchedule when) =>
        new(scope, id, null, kinds, null, when.From, when.Until, when.FirstDate, when.LastDate);
}

using Linli.Application.Common;
using Linli.Application.Identity;
using Linli.Domain.Identity;
using Linli.Domain.Registry;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Cases;

/// <summary>
/// What the report forms (a resident's report, staff's new case) offer and how they send: the reporter's home, the
/// buildings and facilities to pick from, and the report with its photos as one unit.
/// </summary>
public sealed class ReportForms(ILinliDb db, CurrentUser user, SubmitCase submit, CasePhotos photos)
{
    /// <summary>The most buildings a form offers to pick from.</summary>
    public const int MaxBuildings = 500;

    /// <summary>The signed-in resident's home room and building, or null when the account has no household.</summary>
    public async Task<(int RoomId, int BuildingId, string BuildingName)?> HomeAsync(CancellationToken ct)
    {
        if (user.Role != Role.Resident || user.Scope.Level != ScopeLevel.Household) return null;
        var building = await db.Buildings.AsNoTracking().Where(b => b.Id == user.Scope.HouseholdBuildingId).Select(b => b.Name).FirstOrDefaultAsync(ct);
        return building is null ? null : (user.Scope.Id, user.Scope.HouseholdBuildingId, building);
    }

    /// <summary>Buildings the caller's scope holds (a grid worker's grid, an admin's or clerk's community), by name.</summary>
    public async Task<IReadOnlyList<(int Id, string Name)>> BuildingsAsync(CancellationToken ct) =>
        (await db.Buildings.AsNoTracking().OrderBy(b => b.Name).Select(b => new { b.Id, b.Name }).Take(MaxBuildings).ToListAsync(ct))
            .Select(b => (b.Id, b.Name)).ToList();

    /// <summary>The facilities inside the caller's community (services around it are not the community's to fix).</summary>
    public async Task<IReadOnlyList<(int Id, string Name)>> FacilitiesAsync(CancellationToken ct)
    {
        var all = await db.Facilities.AsNoTracking().Where(f => f.CommunityId == user.Scope.CommunityId).OrderBy(f => f.Name)
            .Select(f => new { f.Id, f.Name, f.Category }).ToListAsync(ct);
        return all.Where(f => !f.Category.IsSurroundingService()).Select(f => (f.Id, f.Name)).ToList();
    }

    /// <summary>
    /// Creates the case and stores its photos, all or nothing: a failure while storing one takes the case back out. The
    /// caller checks the photos before, so a refused photo rarely costs a written case.
    /// </summary>
    public async Task<long> SubmitAsync(SubmitCaseRequest request, IReadOnlyList<PhotoUpload> uploads, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(uploads);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var id = (await submit.FromUserWithinTransactionAsync(request, ct)).Case.Id;
        foreach (var upload in uploads) await photos.AddAsync(id, upload, ct);
        await tx.CommitAsync(ct);
        return id;
    }
}

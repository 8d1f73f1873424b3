using Linli.Domain.Cases;
using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Domain.Registry;
using Linli.Web.Features.Identity;
using Microsoft.EntityFrameworkCore;

namespace Linli.Web.Features.Cases;

/// <summary>
/// The resident's report page behind the scenes: what they can pick (categories, their building, the community's
/// facilities) and the report sent with its photos as one unit.
/// </summary>
public sealed class ResidentReports(ILinliDb db, CurrentUser user, SubmitCase submit, CasePhotos photos, CaseQueries queries)
{
    /// <summary>The form field of the photos, and the name errors about them are shown under.</summary>
    public const string PhotosField = "photos";

    /// <summary>
    /// Nine phone photos of up to 8 MB each and the text, more than the server's default request size; below this a
    /// too-big photo is answered with the form's message, above it the request is refused outright.
    /// </summary>
    public const long RequestSizeLimit = (Case.MaxPhotosPerStage * CaseAttachment.MaxBytes) + (1024 * 1024);

    /// <summary>What a resident can report: patrol findings and device alarms come from staff and sensors, not from people at home.</summary>
    public async Task<IReadOnlyList<CaseCategoryDto>> CategoriesAsync(CancellationToken ct) =>
        (await queries.CategoriesAsync(false, ct)).Where(c => c.DefaultKind is not (CaseKind.Patrol or CaseKind.Device)).ToList();

    /// <summary>The signed-in resident's home room and building, or null when the account has no household.</summary>
    public async Task<(int RoomId, int BuildingId, string BuildingName)?> HomeAsync(CancellationToken ct)
    {
        if (user.Role != Role.Resident || user.Scope.Level != ScopeLevel.Household) return null;
        var building = await db.Buildings.AsNoTracking().Where(b => b.Id == user.Scope.HouseholdBuildingId).Select(b => b.Name).FirstOrDefaultAsync(ct);
        return building is null ? null : (user.Scope.Id, user.Scope.HouseholdBuildingId, building);
    }

    /// <summary>The facilities inside the resident's community (services around it are not the community's to fix).</summary>
    public async Task<IReadOnlyList<(int Id, string Name)>> FacilitiesAsync(CancellationToken ct)
    {
        var all = await db.Facilities.AsNoTracking().Where(f => f.CommunityId == user.Scope.CommunityId).OrderBy(f => f.Name)
            .Select(f => new { f.Id, f.Name, f.Category }).ToListAsync(ct);
        return all.Where(f => !f.Category.IsSurroundingService()).Select(f => (f.Id, f.Name)).ToList();
    }

    /// <summary>
    /// Creates the case and stores its photos, all or nothing: the photos are checked before anything is written, and a
    /// failure while storing one takes the case back out.
    /// </summary>
    public async Task<long> SubmitAsync(SubmitCaseRequest request, IReadOnlyList<IFormFile> files, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(files);
        await CheckPhotosAsync(files, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var id = (await submit.FromUserWithinTransactionAsync(request, ct)).Case.Id;
        try
        {
            foreach (var file in files) await photos.AddAsync(id, file.AsUpload(), ct);
        }
        catch (DomainException e) when (e.Field == "photo")
        {
            throw new DomainException(e.Message, PhotosField);
        }
        await tx.CommitAsync(ct);
        return id;
    }

    /// <summary>The same checks <see cref="CasePhotos"/> makes, on every file before the case exists.</summary>
    static async Task CheckPhotosAsync(IReadOnlyList<IFormFile> files, CancellationToken ct)
    {
        if (files.Count > Case.MaxPhotosPerStage) throw new DomainException("At most 9 photos.", PhotosField);
        foreach (var file in files)
        {
            if (file.Length > CaseAttachment.MaxBytes) throw new DomainException("A photo is at most 8 MB.", PhotosField);
            await using var input = file.OpenReadStream();
            var head = new byte[16];
            var read = await input.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
            if (CasePhotos.Sniff(head.AsSpan(0, read)) is null) throw new DomainException("This is not a photo (JPEG, PNG, WebP or HEIC).", PhotosField);
        }
    }

    /// <summary>The files a form sent under <see cref="PhotosField"/>, without the empty part a browser sends when none was chosen.</summary>
    public static IReadOnlyList<IFormFile> PhotosOf(HttpContext? http) =>
        http?.Request.HasFormContentType == true
            ? http.Request.Form.Files.GetFiles(PhotosField).Where(f => f.Length > 0 || !string.IsNullOrEmpty(f.FileName)).ToList()
            : [];
}

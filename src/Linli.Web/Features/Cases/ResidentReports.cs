using Linli.Domain.Cases;
using Linli.Domain.Common;

namespace Linli.Web.Features.Cases;

/// <summary>
/// The report forms behind the scenes: what they can pick (categories, their building, the community's facilities, from
/// <see cref="ReportForms"/>) and the report sent with its photos as one unit, the photos checked before anything is written.
/// </summary>
public sealed class ResidentReports(ReportForms forms, CaseQueries queries)
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
    public Task<(int RoomId, int BuildingId, string BuildingName)?> HomeAsync(CancellationToken ct) => forms.HomeAsync(ct);

    /// <summary>The facilities inside the resident's community (services around it are not the community's to fix).</summary>
    public Task<IReadOnlyList<(int Id, string Name)>> FacilitiesAsync(CancellationToken ct) => forms.FacilitiesAsync(ct);

    /// <summary>
    /// Creates the case and stores its photos, all or nothing: the photos are checked before anything is written, and a
    /// failure while storing one takes the case back out.
    /// </summary>
    public async Task<long> SubmitAsync(SubmitCaseRequest request, IReadOnlyList<IFormFile> files, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(files);
        await CheckPhotosAsync(files, ct);
        try
        {
            return await forms.SubmitAsync(request, files.Select(f => f.AsUpload()!).ToList(), ct);
        }
        catch (DomainException e) when (e.Field == "photo")
        {
            // Only storing a photo refuses with this field; the form shows it under its photos.
            throw new DomainException(e.Message, PhotosField);
        }
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

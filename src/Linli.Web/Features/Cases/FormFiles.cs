namespace Linli.Web.Features.Cases;

public static class FormFiles
{
    /// <summary>A posted file as the photo use case takes it.</summary>
    public static PhotoUpload? AsUpload(this IFormFile? file) => file is null ? null : new PhotoUpload(file.Length, file.OpenReadStream);
}

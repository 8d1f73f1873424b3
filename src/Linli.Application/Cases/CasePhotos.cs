using Linli.Domain.Cases;
using Linli.Domain.Common;
using Linli.Application.Common;
using Linli.Application.Live;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Cases;

/// <summary>Where photo files live: <c>Linli:Attachments:Path</c>, by default <c>attachments</c> in the data directory.</summary>
public sealed record PhotoStorage(string Root);

/// <summary>An uploaded file as the web layer hands it over: its length and a way to read it once.</summary>
public sealed record PhotoUpload(long Length, Func<Stream> Open);

/// <summary>
/// Photos on a case: the reporter's with the report, the handler's with the work. A photo is recognised by its first
/// bytes, never by its name or the type the client claims, and kept as a file outside the database.
/// </summary>
public sealed class CasePhotos(ILinliDb db, CaseActions actions, PhotoStorage storage, TimeProvider time)
{
    public async Task<CasePhotoDto> AddAsync(long caseId, PhotoUpload? file, CancellationToken ct)
    {
        if (file is null || file.Length == 0) throw new DomainException("Choose a photo.", "photo");
        if (file.Length > CaseAttachment.MaxBytes) throw new DomainException("A photo is at most 8 MB.", "photo");
        var c = await db.Cases.FirstOrDefaultAsync(x => x.Id == caseId, ct) ?? throw new NotFoundException("Case");
        var actor = await actions.ActorAsync(c, ct);
        var now = time.GetUtcNow();

        await using var input = file.Open();
        var head = new byte[16];
        var read = await input.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
        var (contentType, extension) = Sniff(head.AsSpan(0, read)) ?? throw new DomainException("This is not a photo (JPEG, PNG, WebP or HEIC).", "photo");

        var stage = c.AddPhoto(actor, now);
        var relative = Path.Combine(now.ToString("yyyy", System.Globalization.CultureInfo.InvariantCulture),
            now.ToString("MM", System.Globalization.CultureInfo.InvariantCulture), $"{Guid.NewGuid():N}{extension}");
        var full = Path.Combine(storage.Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        try
        {
            await using (var output = File.Create(full))
            {
                await output.WriteAsync(head.AsMemory(0, read), ct);
                await input.CopyToAsync(output, ct);
            }
            var attachment = new CaseAttachment(c, stage,
                relative.Replace('\\', '/'), contentType, file.Length, actor.UserId, now);
            db.CaseAttachments.Add(attachment);
            await db.SaveChangesAsync(ct);
            return new CasePhotoDto(attachment.Id, attachment.Stage, $"/api/v1/cases/{caseId}/photos/{attachment.Id}", contentType, file.Length, now);
        }
        catch
        {
            // The row and the file go together: no orphan file when the row could not be saved.
            File.Delete(full);
            throw;
        }
    }

    public async Task<(string Path, string ContentType)> OpenAsync(long caseId, long photoId, CancellationToken ct)
    {
        var a = await db.CaseAttachments.AsNoTracking().FirstOrDefaultAsync(x => x.Id == photoId && x.CaseId == caseId, ct)
            ?? throw new NotFoundException("Photo");
        var full = Path.GetFullPath(Path.Combine(storage.Root, a.StoragePath));
        if (!full.StartsWith(Path.GetFullPath(storage.Root), StringComparison.Ordinal) || !File.Exists(full)) throw new NotFoundException("Photo");
        return (full, a.ContentType);
    }

    /// <summary>The image formats phones produce, by their magic numbers.</summary>
    public static (string ContentType, string Extension)? Sniff(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return ("image/jpeg", ".jpg");
        if (b.Length >= 8 && b[..8].SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A })) return ("image/png", ".png");
        if (b.Length >= 12 && b[..4].SequenceEqual("RIFF"u8) && b[8..12].SequenceEqual("WEBP"u8)) return ("image/webp", ".webp");
        if (b.Length >= 12 && b[4..8].SequenceEqual("ftyp"u8) && (b[8..12].SequenceEqual("heic"u8) || b[8..12].SequenceEqual("heix"u8) || b[8..12].SequenceEqual("mif1"u8)))
            return ("image/heic", ".heic");
        return null;
    }
}

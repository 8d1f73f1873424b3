using Linli.Domain.Cases;
using Linli.Domain.Common;
using Linli.Application.Common;
using Linli.Application.Live;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Cases;

/// <summary>An uploaded file as the web layer hands it over: its length and a way to read it once.</summary>
public sealed record PhotoUpload(long Length, Func<Stream> Open);

/// <summary>
/// Photos on a case: the reporter's with the report, the handler's with the work. A photo is recognised by its first
/// bytes, never by its name or the type the client claims, and kept in the file store (shared by every web node) under
/// <c>yyyy/MM/{guid}.ext</c>, the key its row records.
/// </summary>
public sealed class CasePhotos(ILinliDb db, CaseActions actions, IFileStore files, TimeProvider time)
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
        var key = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{now:yyyy}/{now:MM}/{Guid.NewGuid():N}{extension}");
        try
        {
            // The bytes already read to recognise the photo, then the rest of the upload.
            await using (var content = new HeadThenRest(head.AsMemory(0, read), input))
                await files.PutAsync(key, content, ct);
            var attachment = new CaseAttachment(c, stage, key, contentType, file.Length, actor.UserId, now);
            db.CaseAttachments.Add(attachment);
            await db.SaveChangesAsync(ct);
            return new CasePhotoDto(attachment.Id, attachment.Stage, $"/api/v1/cases/{caseId}/photos/{attachment.Id}", contentType, file.Length, now);
        }
        catch
        {
            // The row and the file go together: no orphan file when the row could not be saved.
            await files.DeleteAsync(key, CancellationToken.None);
            throw;
        }
    }

    /// <summary>A photo's content and type; not found when the row or its file is missing.</summary>
    public async Task<(Stream Content, string ContentType)> OpenAsync(long caseId, long photoId, CancellationToken ct)
    {
        var a = await db.CaseAttachments.AsNoTracking().FirstOrDefaultAsync(x => x.Id == photoId && x.CaseId == caseId, ct)
            ?? throw new NotFoundException("Photo");
        var content = FileKeys.IsValid(a.StoragePath) ? await files.OpenReadAsync(a.StoragePath, ct) : null;
        return (content ?? throw new NotFoundException("Photo"), a.ContentType);
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

    /// <summary>A stream of the first bytes, already read off the upload, followed by the rest of it.</summary>
    sealed class HeadThenRest(ReadOnlyMemory<byte> head, Stream rest) : Stream
    {
        int _offset;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_offset < head.Length) return TakeHead(buffer);
            return rest.Read(buffer);
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            _offset < head.Length ? ValueTask.FromResult(TakeHead(buffer.Span)) : rest.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        int TakeHead(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, head.Length - _offset);
            head.Span.Slice(_offset, n).CopyTo(buffer);
            _offset += n;
            return n;
        }
    }
}

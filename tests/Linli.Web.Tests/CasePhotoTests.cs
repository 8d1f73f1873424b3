using System.Net;
using Linli.Domain.Cases;
using Linli.Web.Features.Cases;
using static Linli.Web.Tests.CaseKit;

namespace Linli.Web.Tests;

/// <summary>Photos on a case: what is a photo is decided by its bytes, the size and count limits hold, and only people who see the case see them.</summary>
public sealed class CasePhotoTests(CaseApiApp shared) : IClassFixture<CaseApiApp>
{
    TestApp App => shared.App;

    [Fact]
    public async Task A_real_png_is_accepted_and_comes_back_byte_for_byte()
    {
        var resident1 = await App.ClientAsAsync("resident1");
        var created = await ReportAsync(resident1, "lighting", "路灯杆倾斜");
        var png = Png(8, 6);

        using var upload = await UploadAsync(resident1, created.Id, png, "IMG_0412.PNG", "application/octet-stream");
        var photo = await upload.OkAsync<CasePhotoDto>();
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        Assert.Equal((PhotoStage.Report, "image/png", (long)png.Length), (photo.Stage, photo.ContentType, photo.Length));

        var detail = await DetailAsync(resident1, created.Id);
        Assert.Equal(photo.Url, Assert.Single(detail.Photos).Url);
        Assert.Contains(detail.Timeline, e => e.Kind == CaseEventKind.PhotoAdded);

        foreach (var user in new[] { "resident1", "property1", "street" })
        {
            using var download = await (await App.ClientAsAsync(user)).GetAsync(photo.Url);
            await download.ExpectAsync(HttpStatusCode.OK);
            Assert.Equal("image/png", download.Content.Headers.ContentType?.MediaType);
            Assert.Equal(png, await download.Content.ReadAsByteArrayAsync());
        }
        foreach (var user in new[] { "admin2", "resident2", "resident3" })
            await (await (await App.ClientAsAsync(user)).GetAsync(photo.Url)).ExpectAsync(HttpStatusCode.NotFound);
    }

    public static TheoryData<string, string> NotPhotos() => new()
    {
        { "a text file named .jpg", "image/jpeg" },
        { "an empty file", "image/jpeg" },
        { "a PDF", "image/png" },
    };

    [Theory]
    [MemberData(nameof(NotPhotos))]
    public async Task Something_that_is_not_a_photo_is_refused_whatever_its_name_says(string what, string claimedType)
    {
        var resident1 = await App.ClientAsAsync("resident1");
        var created = await ReportAsync(resident1, "lighting", "灯罩掉了");
        var bytes = what switch
        {
            "a text file named .jpg" => "这不是照片，只是一段文字。"u8.ToArray(),
            "an empty file" => [],
            "a PDF" => "%PDF-1.7\n%âãÏÓ\n1 0 obj\n"u8.ToArray(),
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };
        using var upload = await UploadAsync(resident1, created.Id, bytes, "photo.jpg", claimedType);
        await upload.ExpectFieldErrorAsync("photo");
        await NothingAddedAsync(resident1, created);
    }

    [Fact]
    public async Task A_photo_over_8_MB_is_refused_and_one_of_exactly_8_MB_is_taken()
    {
        var resident1 = await App.ClientAsAsync("resident1");
        var created = await ReportAsync(resident1, "lighting", "整排路灯都不亮");
        var tooBig = JpegOfLength(CaseAttachment.MaxBytes + 1);
        using (var upload = await UploadAsync(resident1, created.Id, tooBig, "big.jpg", "image/jpeg"))
            await upload.ExpectFieldErrorAsync("photo");
        await NothingAddedAsync(resident1, created);

        using var justFits = await UploadAsync(resident1, created.Id, JpegOfLength(CaseAttachment.MaxBytes), "fits.jpg", "image/jpeg");
        Assert.Equal("image/jpeg", (await justFits.OkAsync<CasePhotoDto>()).ContentType);
    }

    [Fact]
    public async Task Up_to_nine_photos_with_the_report_and_nine_more_of_the_work()
    {
        var resident1 = await App.ClientAsAsync("resident1");
        var property1 = await App.ClientAsAsync("property1");
        var created = await ReportAsync(resident1, "lighting", "地下车库灯全灭");
        for (var i = 0; i < Case.MaxPhotosPerStage; i++)
            await (await UploadAsync(resident1, created.Id, Png(2, 2 + i), $"{i}.png", "image/png")).OkAsync<CasePhotoDto>();
        using (var tenth = await UploadAsync(resident1, created.Id, Png(), "10.png", "image/png"))
            await tenth.ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal(9, (await DetailAsync(resident1, created.Id)).Photos.Count);

        // Someone who has no part in the work adds none.
        using (var fromAdmin = await UploadAsync(await App.ClientAsAsync("admin1"), created.Id, Png(), "x.png", "image/png"))
            await fromAdmin.ExpectAsync(HttpStatusCode.Conflict);

        await ActOkAsync(property1, created.Id, CaseAction.Accept);
        await ActOkAsync(property1, created.Id, CaseAction.Grab);
        var work = await (await UploadAsync(property1, created.Id, Png(), "done.png", "image/png")).OkAsync<CasePhotoDto>();
        Assert.Equal(PhotoStage.Handling, work.Stage);
        var detail = await DetailAsync(resident1, created.Id);
        Assert.Equal((9, 1), (detail.Photos.Count(p => p.Stage == PhotoStage.Report), detail.Photos.Count(p => p.Stage == PhotoStage.Handling)));
    }

    static byte[] JpegOfLength(long length)
    {
        var bytes = new byte[length];
        bytes[0] = 0xFF;
        bytes[1] = 0xD8;
        bytes[2] = 0xFF;
        bytes[3] = 0xE0;
        return bytes;
    }

    async Task NothingAddedAsync(HttpClient client, CaseDetailDto before)
    {
        var after = await DetailAsync(client, before.Id);
        Assert.Empty(after.Photos);
        Assert.DoesNotContain(after.Timeline, e => e.Kind == CaseEventKind.PhotoAdded);
        Assert.Equal(before.Version, after.Version);
    }
}

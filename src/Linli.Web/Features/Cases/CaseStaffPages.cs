using System.Security.Cryptography;
using System.Text.Json;
using Linli.Domain.Cases;
using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Web.Features.Identity;
using Linli.Web.Features.Shared;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Linli.Web.Features.Cases;

/// <summary>
/// What the case page says after an action's redirect: done, refused (someone else was quicker), or a field to correct,
/// with the text the person typed so it is not lost.
/// </summary>
public sealed record CaseFlash(long CaseId, string Action, bool Done = false, bool Conflict = false, string? Field = null, string? Message = null,
    string? Note = null);

/// <summary>The form posts of the staff case page: one per action, each checked for its antiforgery token, then back to the case.</summary>
public static class CaseStaffPages
{
    const string FlashCookie = "linli.case-flash";
    const string FlashPurpose = "Linli.Cases.Flash";
    /// <summary>Typed text kept across the redirect only up to this length: a cookie holds about 4 KB.</summary>
    const int KeptNoteLength = 400;

    /// <summary>The actions staff take on the page; a resident's (rate, reopen, remind, me too) are theirs to take elsewhere.</summary>
    static readonly HashSet<CaseAction> PageActions = [.. CaseDisplay.StaffActions];

    public static IEndpointRouteBuilder MapCaseStaffPages(this IEndpointRouteBuilder app)
    {
        app.MapPost("/cases/{id:long}/{action}", Act).RequireAuthorization(IdentityModule.Policy(Permission.HandleCases)).ExcludeFromDescription();
        return app;
    }

    /// <summary>The form fields of every action; each action reads the ones it needs.</summary>
    public sealed class ActionForm
    {
        public string? Note { get; set; }
        public string? AssigneeUserId { get; set; }
        public string? Level { get; set; }
    }

    /// <summary>The form-bound parameter makes ASP.NET Core check the antiforgery token before this runs.</summary>
    static async Task<Results<RedirectHttpResult, NotFound>> Act(long id, string action, [FromForm] ActionForm? form, HttpContext http,
        CaseActions actions, CasePhotos photos, CancellationToken ct)
    {
        var chosen = PageActions.FirstOrDefault(a => CaseActionRoutes.Segment(a) == action);
        if (CaseActionRoutes.Segment(chosen) != action) return TypedResults.NotFound();
        // A form with no fields but its token (accept, grab) binds to no object at all.
        form ??= new ActionForm();
        var note = string.IsNullOrWhiteSpace(form.Note) ? null : form.Note;
        CaseFlash flash;
        try
        {
            var error = await FormAction.TryAsync(async () =>
            {
                var files = http.Request.HasFormContentType ? http.Request.Form.Files.GetFiles("photos").Where(f => f.Length > 0).ToList() : [];
                if (chosen is CaseAction.Handle or CaseAction.AddPhoto) await CheckPhotosAsync(files, required: chosen == CaseAction.AddPhoto, ct);
                if (chosen != CaseAction.AddPhoto)
                    await actions.ActAsync(id, chosen, new CaseActionRequest(note, Assignee(form.AssigneeUserId, chosen), Level(form.Level, chosen)), ct);
                // After handling, photos of the work are still allowed; checked above, so the handled case does not end up half-documented.
                foreach (var file in files) await photos.AddAsync(id, file.AsUpload(), ct);
            });
            flash = error switch
            {
                null => new CaseFlash(id, action, Done: true),
                { Conflict: true } => new CaseFlash(id, action, Conflict: true, Note: Kept(note)),
                _ => new CaseFlash(id, action, Field: error.Field ?? "request", Message: error.Message, Note: Kept(note)),
            };
        }
        catch (DbUpdateConcurrencyException)
        {
            // Someone changed the case at the same moment: told like a state conflict, the page shows it as it is now.
            flash = new CaseFlash(id, action, Conflict: true, Note: Kept(note));
        }
        WriteFlash(http, flash);
        return TypedResults.LocalRedirect(flash.Done || flash.Conflict ? $"/cases/{id}" : $"/cases/{id}#action-{action}");
    }

    static int? Assignee(string? text, CaseAction action)
    {
        if (action != CaseAction.Dispatch || string.IsNullOrWhiteSpace(text)) return null;
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v)
            ? v : throw new DomainException("Choose who handles it.", "assigneeUserId");
    }

    static HandlingLevel? Level(string? text, CaseAction action)
    {
        if (action != CaseAction.Transfer || string.IsNullOrWhiteSpace(text)) return null;
        // By name only: "7" would parse as an enum value nobody can choose.
        return Enum.GetNames<HandlingLevel>().Contains(text.Trim())
            ? Enum.Parse<HandlingLevel>(text.Trim()) : throw new DomainException("Choose the team to send it to.", "level");
    }

    /// <summary>Every photo is checked before anything is saved: a handled case with half its photos is worse than a refused form.</summary>
    static async Task CheckPhotosAsync(List<IFormFile> files, bool required, CancellationToken ct)
    {
        if (required && files.Count == 0) throw new DomainException("Choose a photo.", "photo");
        if (files.Count > Case.MaxPhotosPerStage) throw new DomainException("At most 9 photos.", "photo");
        foreach (var file in files)
        {
            if (file.Length > CaseAttachment.MaxBytes) throw new DomainException("A photo is at most 8 MB.", "photo");
            await using var input = file.OpenReadStream();
            var head = new byte[16];
            var read = await input.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
            if (CasePhotos.Sniff(head.AsSpan(0, read)) is null) throw new DomainException("This is not a photo (JPEG, PNG, WebP or HEIC).", "photo");
        }
    }

    static string? Kept(string? note) => note is { Length: <= KeptNoteLength } ? note : null;

    static IDataProtector Protector(HttpContext http) =>
        http.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector(FlashPurpose);

    static void WriteFlash(HttpContext http, CaseFlash flash)
    {
        var value = Protector(http).Protect(JsonSerializer.Serialize(flash));
        http.Response.Cookies.Append(FlashCookie, value, new CookieOptions
        {
            Path = $"/cases/{flash.CaseId}",
            HttpOnly = true,
            IsEssential = true,
            SameSite = SameSiteMode.Lax,
            Secure = http.Request.IsHttps,
            MaxAge = TimeSpan.FromMinutes(2),
        });
    }

    /// <summary>The message left by the last action on this case, read once.</summary>
    public static CaseFlash? TakeFlash(HttpContext? http, long caseId)
    {
        if (http?.Request.Cookies[FlashCookie] is not { Length: > 0 } value) return null;
        http.Response.Cookies.Delete(FlashCookie, new CookieOptions { Path = $"/cases/{caseId}" });
        try
        {
            var flash = JsonSerializer.Deserialize<CaseFlash>(Protector(http).Unprotect(value));
            return flash?.CaseId == caseId ? flash : null;
        }
        catch (Exception e) when (e is CryptographicException or JsonException or FormatException)
        {
            return null;
        }
    }
}

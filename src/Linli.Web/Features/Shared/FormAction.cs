using Linli.Domain.Common;

namespace Linli.Web.Features.Shared;

/// <summary>
/// A form post a rule of the domain refused: the field the rule names (null when it names none), its reason, and whether
/// the current state (<see cref="Conflict"/>) or the caller's place (<see cref="Forbidden"/>) refused it.
/// </summary>
public sealed record FormError(string? Field, string Message, bool Conflict, bool Forbidden);

/// <summary>
/// The one way a page (or a post-redirect-get route) runs a use case for a form: on success the caller goes on, on a
/// <see cref="DomainException"/> it gets the <see cref="FormError"/> to show beside the field. "Not found" is never a
/// form error: it propagates to the page's or the host's 404.
/// </summary>
public static class FormAction
{
    /// <summary>
    /// Runs <paramref name="useCase"/>; a refusal it throws comes back as a <see cref="FormError"/> (null on success).
    /// <paramref name="refusal"/> narrows which refusals the form shows; the others propagate to the error page.
    /// </summary>
    public static async Task<FormError?> TryAsync(Func<Task> useCase, Func<DomainException, bool>? refusal = null)
    {
        ArgumentNullException.ThrowIfNull(useCase);
        try
        {
            await useCase();
            return null;
        }
        catch (DomainException e) when (e is not NotFoundException && (refusal?.Invoke(e) ?? true))
        {
            return new FormError(e.Field, e.Message, e is ConflictException, e is ForbiddenException);
        }
    }

    /// <summary>
    /// Runs <paramref name="useCase"/> for a page that renders its own errors: a refusal is recorded in
    /// <paramref name="errors"/> under the field it names, or <paramref name="fallbackField"/>. True when it went through.
    /// </summary>
    public static async Task<bool> TryAsync(this IDictionary<string, string> errors, string fallbackField, Func<Task> useCase)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (await TryAsync(useCase) is not { } error) return true;
        errors[error.Field ?? fallbackField] = error.Message;
        return false;
    }
}

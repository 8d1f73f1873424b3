using Linli.Domain.Cases;
using Linli.Domain.Common;
using Linli.Application.Common;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Cases;

/// <summary>Adding and editing categories (district officers). A category in use is deactivated, never deleted.</summary>
public sealed class CaseCategoryCommands(ILinliDb db, CaseLookups lookups, CacheSync caches)
{
    public async Task<int> CreateAsync(CaseCategoryRequest r, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(r);
        var code = r.Code?.Trim() ?? "";
        if (await db.CaseCategories.AnyAsync(c => c.Code == code, ct)) throw new DomainException("That code is taken.", "code");
        var c = new CaseCategory(code, r.Name ?? "", r.Group ?? "", r.DefaultKind ?? CaseKind.Repair,
            r.Level ?? throw new DomainException("Choose the level that handles it.", "level"), r.Mode ?? DispatchMode.Assign,
            r.ResponseMinutes ?? throw new DomainException("Response time is required.", "responseMinutes"),
            r.ResolutionMinutes ?? throw new DomainException("Resolution time is required.", "resolutionMinutes"), r.InHome ?? false, r.Description);
        c.Translate(r.NameEn, r.GroupEn, r.DescriptionEn);
        db.CaseCategories.Add(c);
        await db.SaveChangesAsync(ct);
        lookups.CategoriesChanged();
        await caches.ChangedAsync(CaseLookups.CategoriesCache, ct);
        return c.Id;
    }

    /// <summary>Changes apply to new cases and to SLA rounds started from now; running deadlines stay as promised.</summary>
    public async Task UpdateAsync(int id, CaseCategoryRequest r, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(r);
        var c = await db.CaseCategories.FirstOrDefaultAsync(x => x.Id == id, ct) ?? throw new NotFoundException("Category");
        if (r.Code is not null && r.Code != c.Code) throw new DomainException("A category's code cannot change (Open311 clients use it).", "code");
        c.Update(r.Name ?? c.Name, r.Group ?? c.Group, r.DefaultKind ?? c.DefaultKind, r.Level ?? c.Level, r.Mode ?? c.Mode,
            r.ResponseMinutes ?? c.ResponseMinutes, r.ResolutionMinutes ?? c.ResolutionMinutes, r.InHome ?? c.InHome, r.Description ?? c.Description);
        c.Translate(r.NameEn ?? c.NameEn, r.GroupEn ?? c.GroupEn, r.DescriptionEn ?? c.DescriptionEn);
        if (r.Active == false) c.Deactivate();
        if (r.Active == true) c.Activate();
        await db.SaveChangesAsync(ct);
        lookups.CategoriesChanged();
        await caches.ChangedAsync(CaseLookups.CategoriesCache, ct);
    }
}

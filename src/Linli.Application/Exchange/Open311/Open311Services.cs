using Linli.Application.Common;
using Linli.Domain.Cases;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Exchange.Open311;

/// <summary>
/// The case categories Open311 speaks of. A service is a category that an outside app may file: active, not an in-home
/// matter (those need the household's room and stay on the platform), and not one of the staff's own kinds (grid patrol
/// findings, device alarms).
/// </summary>
public sealed class Open311Services(ILinliDb db)
{
    public static bool Offered(CaseCategory c) =>
        c.Active && !c.InHome && c.DefaultKind is not (CaseKind.Patrol or CaseKind.Device);

    /// <summary>Categories whose cases Open311 may show, active or not (a case outlives its category's retirement).</summary>
    public static bool Public(CaseCategory c) => !c.InHome && c.DefaultKind is not (CaseKind.Patrol or CaseKind.Device);

    /// <summary>The services, in the order they were created.</summary>
    public async Task<IReadOnlyList<CaseCategory>> OfferedAsync(CancellationToken ct) =>
        (await db.CaseCategories.AsNoTracking().OrderBy(c => c.Id).ToListAsync(ct)).Where(Offered).ToList();

    /// <summary>The active, offered category with this code, or null.</summary>
    public async Task<CaseCategory?> OfferedAsync(string code, CancellationToken ct)
    {
        var category = await db.CaseCategories.AsNoTracking().FirstOrDefaultAsync(c => c.Code == code, ct);
        return category is not null && Offered(category) ? category : null;
    }

    /// <summary>The public categories by id.</summary>
    public async Task<Dictionary<int, CaseCategory>> PublicAsync(CancellationToken ct) =>
        (await db.CaseCategories.AsNoTracking().ToListAsync(ct)).Where(Public).ToDictionary(c => c.Id);
}

namespace Linli.Application.Common;

/// <summary>
/// A page of a list: every list in the API is paged, with the total so clients can show "1–20 of 4,812". Where counting
/// stops early (<see cref="TotalIsLowerBound"/>), there are at least <see cref="Total"/> items: "10,000+".
/// </summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int PageNumber, int PageSize, int Total, bool TotalIsLowerBound = false)
{
    public int PageCount => Total == 0 ? 1 : (Total + PageSize - 1) / PageSize;
}

public readonly record struct PageRequest(int Page, int PageSize)
{
    public const int MaxPageSize = 200;

    /// <summary>Far past any list's end, and low enough that the offset of the last page fits an int.</summary>
    public const int MaxPage = 1_000_000;

    /// <summary>Validates paging input, naming the field at fault.</summary>
    public static PageRequest From(int? page, int? pageSize)
    {
        var p = page ?? 1;
        var s = pageSize ?? 20;
        if (p is < 1 or > MaxPage) throw new Linli.Domain.Common.DomainException($"Page must be 1–{MaxPage:N0}.", "page");
        if (s is < 1 or > MaxPageSize) throw new Linli.Domain.Common.DomainException($"Page size must be 1–{MaxPageSize}.", "pageSize");
        return new PageRequest(p, s);
    }

    public int Offset => (Page - 1) * PageSize;
}

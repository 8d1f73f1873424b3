using Linli.Domain.Cases;

namespace Linli.Web.Features.Cases;

/// <summary>How a case action reads in a URL and a form id: <c>MeToo</c> → <c>me-too</c>. The API routes, the staff and resident pages use the same words.</summary>
public static class CaseActionRoutes
{
    public static string Segment(CaseAction action) =>
        string.Concat(action.ToString().Select((ch, i) => char.IsUpper(ch) && i > 0 ? "-" + char.ToLowerInvariant(ch) : char.ToLowerInvariant(ch).ToString()));
}

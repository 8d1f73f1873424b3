using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Linli.Application.Notices;

/// <summary>
/// Notice text is Markdown written by staff and shown to every resident, so it is rendered safely: raw HTML is shown as
/// text, and a link or image whose address is not http(s), mailto, tel or on this site loses its address.
/// </summary>
public static class NoticeMarkdown
{
    static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        // People type notices line by line; a line break should stay one.
        .UseSoftlineBreakAsHardlineBreak()
        .UsePipeTables()
        .UseAutoLinks()
        .UseReferralLinks("nofollow", "noopener", "noreferrer")
        .Build();

    static readonly string[] SafeSchemes = ["http:", "https:", "mailto:", "tel:"];

    public static string ToHtml(string markdown)
    {
        var document = Markdown.Parse(markdown ?? "", Pipeline);
        foreach (var link in document.Descendants<LinkInline>().ToList())
        {
            if (!IsSafeUrl(link.Url)) Unlink(link);
        }
        foreach (var link in document.Descendants<AutolinkInline>().ToList())
        {
            if (!link.IsEmail && !IsSafeUrl(link.Url)) link.ReplaceBy(new LiteralInline(link.Url));
        }
        return Markdown.ToHtml(document, Pipeline);
    }

    /// <summary>The text without markup, on one line, cut at <paramref name="length"/> characters: for lists.</summary>
    public static string Excerpt(string markdown, int length = 90)
    {
        var text = string.Join(' ', Markdown.ToPlainText(markdown ?? "", Pipeline).Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
        return text.Length <= length ? text : text[..length].TrimEnd() + "…";
    }

    /// <summary>
    /// An allow-list, not a block-list: browsers forgive a lot (<c>JaVaScRiPt:</c>, tabs inside the scheme), so anything
    /// with an unknown scheme or with control characters or spaces is refused.
    /// </summary>
    public static bool IsSafeUrl(string? url)
    {
        if (string.IsNullOrEmpty(url)) return true;
        if (url.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))) return false;
        var colon = url.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0) return true;
        var delimiter = url.IndexOfAny(['/', '?', '#']);
        if (delimiter >= 0 && delimiter < colon) return true;
        return SafeSchemes.Any(s => url.StartsWith(s, StringComparison.OrdinalIgnoreCase));
    }

    static void Unlink(LinkInline link)
    {
        if (link.IsImage)
        {
            link.ReplaceBy(new LiteralInline(string.Concat(link.Descendants<LiteralInline>().Select(l => l.Content.ToString()))));
            return;
        }
        // Keep the words of the link, drop the address.
        var child = link.FirstChild;
        while (child is not null)
        {
            var next = child.NextSibling;
            child.Remove();
            link.InsertBefore(child);
            child = next;
        }
        link.Remove();
    }
}

using System.Globalization;
using Linli.Domain.Cases;
using Linli.Application.Exchange.Open311;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Linli.Web.Features.Exchange.Open311;

/// <summary>
/// Discovery, the service list and service definitions in Open311's words. Which categories are services is
/// <see cref="Open311Services"/>'s to say.
/// </summary>
public sealed class Open311Catalog(Open311Services services, IStringLocalizer<Strings> t, IOptions<Open311Options> options, TimeProvider time)
{
    public const string Specification = "http://wiki.open311.org/GeoReport_v2";
    public const int TitleMaxLength = Case.TitleMaxLength;
    public const int PlaceDetailMaxLength = 80;

    public O311Object Discovery(string endpointUrl)
    {
        var o = options.Value;
        // Categories carry no edit time of their own, so the changeset moves on every day (midnight, China time): clients
        // refresh cached service lists daily and see an edited category by the next day at the latest.
        var changeset = Open311Time(Clock.StartOfToday(time));
        return new O311Object(
            ("changeset", changeset),
            ("contact", o.Contact),
            ("key_service", o.KeyService),
            ("endpoints", new O311List("endpoint", [new O311Object(
                ("specification", Specification),
                ("url", endpointUrl),
                ("changeset", changeset),
                ("type", o.EndpointType),
                ("formats", new O311List("format", ["text/xml", "application/json"])))])));
    }

    public async Task<O311List> ServicesAsync(CancellationToken ct)
    {
        var categories = await services.OfferedAsync(ct);
        return new O311List("service", categories.Select(c => (object?)new O311Object(
            ("service_code", c.Code),
            ("service_name", c.Name),
            ("description", c.Description),
            // Every service has optional attributes (a title, the exact spot), so clients are told to read its definition.
            ("metadata", true),
            ("type", "realtime"),
            ("keywords", string.Join(", ", new[] { c.Name, c.Group }.Distinct())),
            ("group", c.Group))).ToList());
    }

    public async Task<O311Object> DefinitionAsync(string code, CancellationToken ct)
    {
        var category = await OfferedAsync(code, ct);
        return new O311Object(
            ("service_code", category.Code),
            ("attributes", new O311List("attribute",
            [
                Attribute("title", 1, t[$"At most {TitleMaxLength} characters."], t["In a few words, what is wrong? Without it, the first line of the description is used."]),
                Attribute("place_detail", 2, t[$"At most {PlaceDetailMaxLength} characters."], t["Where exactly, e.g. the east stairwell on the 3rd floor."]),
            ])));
    }

    static O311Object Attribute(string code, int order, string datatypeDescription, string description) => new(
        ("variable", true),
        ("code", code),
        ("datatype", "string"),
        ("required", false),
        ("datatype_description", datatypeDescription),
        ("order", order),
        ("description", description),
        ("values", new O311List("value", [])));

    /// <summary>The active, offered category with this code, or a 404 naming it.</summary>
    public async Task<CaseCategory> OfferedAsync(string code, CancellationToken ct)
    {
        return await services.OfferedAsync(code, ct)
            ?? throw new Open311Exception(StatusCodes.Status404NotFound, $"service_code: {t["There is no service with this code."]} ({code})");
    }

    /// <summary>What the reporter can expect, from the category's SLA.</summary>
    public string Notice(CaseCategory category)
    {
        ArgumentNullException.ThrowIfNull(category);
        return string.Format(CultureInfo.CurrentCulture, t["The responsible team responds within {0} and resolves it within {1}."],
            Duration(category.ResponseMinutes), Duration(category.ResolutionMinutes));
    }

    string Duration(int minutes) =>
        minutes % (24 * 60) == 0 ? string.Format(CultureInfo.CurrentCulture, t["{0} days"], minutes / (24 * 60))
        : minutes % 60 == 0 ? string.Format(CultureInfo.CurrentCulture, t["{0} hours"], minutes / 60)
        : string.Format(CultureInfo.CurrentCulture, t["{0} minutes"], minutes);

    /// <summary>W3C date-time in China time with its offset, e.g. 2026-05-01T09:30:00+08:00.</summary>
    public static string Open311Time(DateTimeOffset at) =>
        Clock.Local(at).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}

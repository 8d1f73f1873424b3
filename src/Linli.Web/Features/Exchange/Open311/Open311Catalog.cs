using System.Globalization;
using Linli.Domain.Cases;
using Linli.Application.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Linli.Web.Features.Exchange.Open311;

/// <summary>Settings of the Open311 endpoint (<c>Linli:Open311</c>).</summary>
public sealed class Open311Options
{
    /// <summary>Discovery's "contact": how a developer reaches the people who run this installation.</summary>
    public string Contact { get; set; } = "Ask the district office that runs this platform.";
    /// <summary>Discovery's "key_service": how to get an api_key.</summary>
    public string KeyService { get; set; } = "API keys are issued by the district office (POST /api/v1/open311/clients).";
    /// <summary>"production" or "test": whether reports sent here are acted upon.</summary>
    public string EndpointType { get; set; } = "production";
    /// <summary>Reports a new client may file per day unless its issuer says otherwise.</summary>
    public int DefaultDailyLimit { get; set; } = 1000;
}

/// <summary>
/// Discovery, the service list and service definitions. A service is a case category that an outside app may file:
/// active, not an in-home matter (those need the household's room and stay on the platform), and not one of the
/// staff's own kinds (grid patrol findings, device alarms).
/// </summary>
public sealed class Open311Catalog(ILinliDb db, IStringLocalizer<Strings> t, IOptions<Open311Options> options, TimeProvider time)
{
    public const string Specification = "http://wiki.open311.org/GeoReport_v2";
    public const int TitleMaxLength = Case.TitleMaxLength;
    public const int PlaceDetailMaxLength = 80;

    public static bool Offered(CaseCategory c) =>
        c.Active && !c.InHome && c.DefaultKind is not (CaseKind.Patrol or CaseKind.Device);

    /// <summary>Categories whose cases Open311 may show, active or not (a case outlives its category's retirement).</summary>
    public static bool Public(CaseCategory c) => !c.InHome && c.DefaultKind is not (CaseKind.Patrol or CaseKind.Device);

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
        var categories = (await db.CaseCategories.AsNoTracking().OrderBy(c => c.Id).ToListAsync(ct)).Where(Offered);
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
        var category = await db.CaseCategories.AsNoTracking().FirstOrDefaultAsync(c => c.Code == code, ct);
        if (category is null || !Offered(category))
            throw new Open311Exception(StatusCodes.Status404NotFound, $"service_code: {t["There is no service with this code."]} ({code})");
        return category;
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

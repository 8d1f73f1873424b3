using System.Text.Json.Serialization;
using System.Globalization;
using Linli.Application.Exchange.Open311;
using Linli.Domain.Cases;
using Linli.Domain.Common;
using Linli.Domain.Exchange;
using Linli.Domain.Registry;
using Microsoft.Extensions.Localization;

namespace Linli.Web.Features.Exchange.Open311;

/// <summary>
/// The fields of POST requests as the spec names them, for the OpenAPI document: the intake reads them from the form itself,
/// so that every refusal is worded the spec's way.
/// </summary>
public sealed record Open311RequestForm(
    [property: JsonPropertyName("api_key")] string ApiKey,
    [property: JsonPropertyName("service_code")] string ServiceCode,
    [property: JsonPropertyName("lat")] double? Lat,
    [property: JsonPropertyName("long")] double? Long,
    [property: JsonPropertyName("address_string")] string? AddressString,
    [property: JsonPropertyName("address_id")] int? AddressId,
    [property: JsonPropertyName("email")] string? Email,
    [property: JsonPropertyName("device_id")] string? DeviceId,
    [property: JsonPropertyName("account_id")] string? AccountId,
    [property: JsonPropertyName("first_name")] string? FirstName,
    [property: JsonPropertyName("last_name")] string? LastName,
    [property: JsonPropertyName("phone")] string? Phone,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("media_url")] string? MediaUrl,
    [property: JsonPropertyName("attribute[title]")] string? Title,
    [property: JsonPropertyName("attribute[place_detail]")] string? PlaceDetail);

/// <summary>
/// POST requests: an outside app files a report. The api_key names the app (and its daily limit); the place comes from
/// lat/long (nearest building of a community served here), address_id (our building id) or an address_string naming a
/// community and a building. The case lands with the team routing picks, in the community of the place. The fields are
/// read and refused here in Open311's words; <see cref="Open311Reports"/> does the work.
/// </summary>
public sealed class Open311Intake(Open311Reports reports, Open311Catalog catalog, CasePlaces places, IPersonalDataProtector protector,
    IStringLocalizer<Strings> t)
{
    public async Task<O311List> SubmitAsync(IFormCollection form, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(form);
        var client = await ClientAsync(Text(form, "api_key"), ct);

        var code = Text(form, "service_code") ?? throw Bad("service_code", "The service_code is required; GET services lists them.");
        var category = await catalog.OfferedAsync(code, ct);

        var description = Text(form, "description");
        var title = Text(form, "attribute[title]");
        if (title?.Length > Open311Catalog.TitleMaxLength) throw Bad("attribute[title]", $"At most {Open311Catalog.TitleMaxLength} characters.");
        title ??= TitleFrom(description) ?? category.Name;
        var placeDetail = Text(form, "attribute[place_detail]");
        if (placeDetail?.Length > Open311Catalog.PlaceDetailMaxLength) throw Bad("attribute[place_detail]", $"At most {Open311Catalog.PlaceDetailMaxLength} characters.");
        var addressString = Text(form, "address_string");
        var detailField = placeDetail is not null ? "attribute[place_detail]" : "address_string";
        var detail = placeDetail ?? addressString;
        if (detail?.Length > Open311Catalog.PlaceDetailMaxLength) throw Bad(detailField, $"At most {Open311Catalog.PlaceDetailMaxLength} characters.");

        var (request, whereField) = await WhereAsync(form, category, title, description, detail, addressString, ct);
        var place = await Mapped(() => places.ResolveAsync(request, null, null, ct), whereField, detailField);

        var reporter = Reporter(form, client);
        var accountId = Text(form, "account_id");
        if (accountId?.Length > Open311Submission.AccountIdMaxLength) throw Bad("account_id", "At most 60 characters.");
        var mediaUrl = MediaUrl(Text(form, "media_url"));

        var mediaNote = mediaUrl is null ? null : string.Format(CultureInfo.CurrentCulture, t["Media sent with the report: {0}"], mediaUrl);
        var created = await Mapped(() => reports.FileAsync(category, request, place, reporter, new Open311Filing(client, accountId, mediaUrl, mediaNote), ct),
            whereField, detailField, titleField: Text(form, "attribute[title]") is null ? "description" : "attribute[title]");

        return new O311List("request", [new O311Object(
            ("service_request_id", created.Id.ToString(CultureInfo.InvariantCulture)),
            ("service_notice", catalog.Notice(category)),
            ("account_id", accountId))]);
    }

    /// <summary>The client behind the key, with one more report counted against its day: 403 without a valid key, 429 past its limit.</summary>
    async Task<Open311Client> ClientAsync(string? key, CancellationToken ct)
    {
        if (key is null) throw new Open311Exception(StatusCodes.Status403Forbidden, $"api_key: {t["An api_key is required to submit a request."]}");
        var use = await reports.UseKeyAsync(key, ct)
            ?? throw new Open311Exception(StatusCodes.Status403Forbidden, $"api_key: {t["Invalid api_key; the request was not created."]}");
        if (!use.Counted)
            throw new Open311Exception(StatusCodes.Status429TooManyRequests,
                $"api_key: {string.Format(CultureInfo.CurrentCulture, t["This key has filed its {0} requests for today; try again tomorrow."], use.Client.DailyLimit)}");
        return use.Client;
    }

    async Task<(SubmitCaseRequest Request, string Field)> WhereAsync(IFormCollection form, CaseCategory category, string title, string? description,
        string? detail, string? addressString, CancellationToken ct)
    {
        SubmitCaseRequest At(int? buildingId = null, double? lat = null, double? lng = null) =>
            new(category.Id, title, description, null, null, buildingId, null, lat, lng, detail);

        // A location sent is checked even when another decides the place: a coordinate that is not one is refused, never ignored.
        var (latText, longText) = (Text(form, "lat"), Text(form, "long"));
        double? lat = latText is null ? null : Coordinate(latText, "lat"), lng = longText is null ? null : Coordinate(longText, "long");
        Geo.CheckPoint(lat, lng, "lat", "long");
        if (Text(form, "address_id") is { } addressId)
        {
            if (!int.TryParse(addressId, NumberStyles.None, CultureInfo.InvariantCulture, out var buildingId))
                throw Bad("address_id", "The address_id is a building id from this platform.");
            return (At(buildingId: buildingId), "address_id");
        }
        if (lat is not null || lng is not null)
        {
            if (lat is null) throw Bad("lat", "Send both lat and long.");
            if (lng is null) throw Bad("long", "Send both lat and long.");
            return (At(lat: lat, lng: lng), "lat");
        }
        if (addressString is not null) return (At(buildingId: await BuildingNamedInAsync(addressString, ct)), "address_string");
        throw Bad("lat", "A location is required: lat and long, address_string or address_id.");
    }

    double Coordinate(string text, string field)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            throw Bad(field, "A WGS84 coordinate in decimal degrees, e.g. 30.2741.");
        return v;
    }

    /// <summary>The building an address written by a person names (a community of this platform and one of its buildings).</summary>
    async Task<int> BuildingNamedInAsync(string address, CancellationToken ct)
    {
        var found = await reports.BuildingNamedInAsync(address, ct);
        if (!found.CommunityNamed) throw Bad("address_string", "No community of this platform is named in the address; send lat and long or address_id instead.");
        return found.BuildingId
            ?? throw Bad("address_string", "The address names a community but none of its buildings; add the building (e.g. 3号楼) or send lat and long.");
    }

    /// <summary>The person as the client names them; family name first for Chinese names. Phone kept encrypted, shown masked.</summary>
    CaseReporter Reporter(IFormCollection form, Open311Client client)
    {
        var (first, last) = (Text(form, "first_name"), Text(form, "last_name"));
        var name = (first, last) switch
        {
            (null, null) => null,
            ({ } f, { } l) when (f + l).Any(IsHan) => l + f,
            _ => string.Join(' ', new[] { first, last }.Where(x => x is not null)),
        };
        if (name?.Length > Case.NameMaxLength) throw Bad(first is not null ? "first_name" : "last_name", "The name is at most 40 characters.");
        if (name is null)
        {
            var fallback = $"Open311 client {client.Name}";
            name = fallback.Length > Case.NameMaxLength ? fallback[..Case.NameMaxLength] : fallback;
        }

        var phoneText = Text(form, "phone");
        PhoneNumber? phone = null;
        if (phoneText is not null && !PhoneNumber.TryParse(phoneText, out phone))
            throw Bad("phone", "Phone number must be an 11-digit mainland mobile number, e.g. 13812345678.");
        return new CaseReporter(null, null, name, phone?.Masked, phone is null ? null : protector.Protect(phone.Value));
    }

    static bool IsHan(char c) => c is >= '\u4e00' and <= '\u9fff';

    string? MediaUrl(string? text)
    {
        if (text is null) return null;
        if (text.Length > Open311Submission.MediaUrlMaxLength || !Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw Bad("media_url", "The media_url is an http or https address of at most 500 characters.");
        return text;
    }

    /// <summary>The first line of the description as the case's title, cut to fit.</summary>
    static string? TitleFrom(string? description)
    {
        var line = description?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (string.IsNullOrEmpty(line)) return null;
        return line.Length <= Case.TitleMaxLength ? line : string.Concat(line.AsSpan(0, Case.TitleMaxLength - 1), "…");
    }

    /// <summary>A field as sent, trimmed; empty counts as not sent (the spec's rule for optional arguments).</summary>
    static string? Text(IFormCollection form, string name) =>
        form.TryGetValue(name, out var v) && v.ToString().Trim() is { Length: > 0 } s ? s : null;

    /// <summary>A rule of the platform refused the report: the same refusal, in Open311's words for the field.</summary>
    async Task<T> Mapped<T>(Func<Task<T>> action, string whereField, string detailField, string titleField = "description")
    {
        try
        {
            return await action();
        }
        catch (DomainException e) when (e is not (NotFoundException or ForbiddenException or LimitExceededException))
        {
            var field = e.Field switch
            {
                "latitude" or "place" => whereField,
                "longitude" => whereField == "lat" ? "long" : whereField,
                "buildingId" or "facilityId" or "roomId" => whereField,
                "address" => detailField,
                "title" => titleField,
                "reporterName" => "first_name",
                "categoryId" => "service_code",
                null => "request",
                _ => e.Field,
            };
            throw Bad(field, e.Message);
        }
    }

    Open311Exception Bad(string field, string message) => new(StatusCodes.Status400BadRequest, $"{field}: {t[message]}");
}

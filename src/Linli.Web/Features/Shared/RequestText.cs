using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Linli.Domain.Common;
using Microsoft.Net.Http.Headers;

namespace Linli.Web.Features.Shared;

/// <summary>A request the server cannot read as text: an unknown charset (415), bytes that are not UTF-8 (400); names the field.</summary>
public sealed class UnreadableRequestException(string field, string message, int status = StatusCodes.Status400BadRequest) : Exception(message)
{
    public string Field { get; } = field;

    public int Status { get; } = status;
}

/// <summary>
/// The one place where the text of a request is decoded and checked, before any endpoint or page sees it: the charset a
/// body declares must be UTF-8 (or its subset ASCII); query strings and form fields must be UTF-8 and
/// <see cref="StorableText"/>. JSON bodies get the same check per string from <see cref="StorableStringConverter"/>.
/// A refusal names the parameter or field.
/// </summary>
public static class RequestText
{
    static readonly HashSet<string> Utf8Names = new(StringComparer.OrdinalIgnoreCase) { "utf-8", "utf8", "us-ascii", "ascii" };

    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static IApplicationBuilder UseRequestTextChecks(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            var media = MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) ? parsed : null;
            if (media is not null && media.Charset.HasValue && !Utf8Names.Contains(media.Charset.Value.Trim('"')))
                throw new UnreadableRequestException("Content-Type", $"The charset '{media.Charset.Value}' is not read here; send UTF-8.",
                    StatusCodes.Status415UnsupportedMediaType);

            if (request.QueryString.HasValue) CheckQuery(request.QueryString.Value!);
            foreach (var (name, value) in request.RouteValues)
                if (value is string s && StorableText.Problem(s) is { } problem) throw new DomainException(problem, name);

            if (media?.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true)
                await CheckFormAsync(request, context.RequestAborted);
            else if (media?.MediaType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) == true
                && context.GetEndpoint() is { } endpoint && FormFields.GetOrAdd(endpoint, FormFieldOf) is { } field)
            {
                // Read here, where a broken envelope can be answered naming the endpoint's field; the endpoint gets the form read.
                try
                {
                    await request.ReadFormAsync(context.RequestAborted);
                }
                catch (Exception e) when (e is IOException or InvalidDataException or BadHttpRequestException)
                {
                    throw new UnreadableRequestException(field, "The multipart body could not be read: " + e.Message);
                }
            }
            await next(context);
        });

    /// <summary>The largest form body checked byte by byte; a bigger one is refused by the form reader's own limits.</summary>
    const int MaxCheckedFormBytes = 4 * 1024 * 1024;

    /// <summary>
    /// A form is a query string in a body; the form reader would leave bytes that are not UTF-8 as "%FF" text, so the raw
    /// body is decoded strictly first, then given back to whoever reads the form.
    /// </summary>
    static async Task CheckFormAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxCheckedFormBytes) return;
        request.EnableBuffering();
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        request.Body.Position = 0;
        string text;
        try
        {
            text = StrictUtf8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException)
        {
            throw new UnreadableRequestException("form", "The form is not UTF-8.");
        }
        CheckQuery(text);
    }

    static readonly System.Collections.Concurrent.ConcurrentDictionary<Endpoint, string?> FormFields = new();

    /// <summary>The form field an endpoint binds first (a file, else a [FromForm] value), which a broken envelope is refused under.</summary>
    static string? FormFieldOf(Endpoint endpoint)
    {
        if (endpoint.Metadata.GetMetadata<System.Reflection.MethodInfo>() is not { } method) return null;
        var parameters = method.GetParameters();
        var file = parameters.FirstOrDefault(p => p.ParameterType == typeof(IFormFile) || p.ParameterType == typeof(IFormFileCollection)
            || p.ParameterType == typeof(IReadOnlyList<IFormFile>));
        var form = file ?? parameters.FirstOrDefault(p => p.GetCustomAttributes(typeof(Microsoft.AspNetCore.Mvc.FromFormAttribute), false).Length > 0);
        return form?.Name;
    }

    /// <summary>Every name and value of the query string, percent-decoded as strict UTF-8 and checked as text.</summary>
    static void CheckQuery(string query)
    {
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var rawName = equals < 0 ? pair : pair[..equals];
            var name = Decode(rawName) ?? Uri.UnescapeDataString(rawName);
            var value = equals < 0 ? "" : Decode(pair[(equals + 1)..]) ?? throw new DomainException("The value is not valid UTF-8.", name);
            if (StorableText.Problem(name) is { } badName) throw new DomainException(badName, "query");
            if (StorableText.Problem(value) is { } problem) throw new DomainException(problem, name);
        }
    }

    /// <summary>Percent-decoding to bytes ('+' is a space), then strict UTF-8; null when the bytes are not UTF-8.</summary>
    static string? Decode(string raw)
    {
        if (!raw.Contains('%', StringComparison.Ordinal)) return raw.Replace('+', ' ');
        var bytes = new List<byte>(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c == '%' && i + 2 < raw.Length && Uri.IsHexDigit(raw[i + 1]) && Uri.IsHexDigit(raw[i + 2]))
            {
                bytes.Add((byte)((Uri.FromHex(raw[i + 1]) << 4) | Uri.FromHex(raw[i + 2])));
                i += 2;
            }
            else bytes.AddRange(Encoding.UTF8.GetBytes(c == '+' ? " " : c.ToString()));
        }
        try
        {
            return StrictUtf8.GetString([.. bytes]);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}

/// <summary>
/// Every string read from a JSON body is <see cref="StorableText"/>; otherwise it is refused as unreadable JSON at its path,
/// which the exception handler answers with a 400 naming the field. (Bytes that are not UTF-8, and escaped halves of a
/// surrogate pair, are refused by the reader itself.)
/// </summary>
public sealed class StorableStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = JsonMetadataServices.StringConverter.Read(ref reader, typeToConvert, options);
        return StorableText.Problem(text) is { } problem ? throw new JsonException(problem) : text;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        JsonMetadataServices.StringConverter.Write(writer, value, options);

    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var name = JsonMetadataServices.StringConverter.ReadAsPropertyName(ref reader, typeToConvert, options) ?? "";
        return StorableText.Problem(name) is { } problem ? throw new JsonException(problem) : name;
    }

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        JsonMetadataServices.StringConverter.WriteAsPropertyName(writer, value, options);
}

/// <summary>
/// Dates and times in JSON as System.Text.Json reads and writes them, except that one outside the <see cref="DateWindow"/>
/// is refused at its path (a 400 naming the field) before anything computes with it.
/// </summary>
public sealed class DateWindowConverter<T>(JsonConverter<T> inner, Func<T, bool> inWindow) : JsonConverter<T> where T : struct
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = inner.Read(ref reader, typeToConvert, options);
        return inWindow(value) ? value : throw new JsonException(DateWindow.Refusal);
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => inner.Write(writer, value, options);

    public override T ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = inner.ReadAsPropertyName(ref reader, typeToConvert, options);
        return inWindow(value) ? value : throw new JsonException(DateWindow.Refusal);
    }

    public override void WriteAsPropertyName(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => inner.WriteAsPropertyName(writer, value, options);
}

public static class RequestJson
{
    /// <summary>The checks every JSON body goes through: stored text, the date window, defined enums.</summary>
    public static void AddRequestChecks(this JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Converters.Add(new DefinedEnumConverter());
        options.Converters.Add(new StorableStringConverter());
        options.Converters.Add(new DateWindowConverter<DateTimeOffset>(JsonMetadataServices.DateTimeOffsetConverter, DateWindow.Contains));
        options.Converters.Add(new DateWindowConverter<DateTime>(JsonMetadataServices.DateTimeConverter, DateWindow.Contains));
        options.Converters.Add(new DateWindowConverter<DateOnly>(JsonMetadataServices.DateOnlyConverter, DateWindow.Contains));
    }
}

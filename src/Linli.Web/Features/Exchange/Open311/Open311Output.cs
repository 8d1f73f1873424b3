using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml;

namespace Linli.Web.Features.Exchange.Open311;

/// <summary>
/// An Open311 document written once and rendered as XML or JSON, so both formats always carry the same fields in the same
/// order. The JSON follows the spec's Spark convention: a list becomes an array, the element name of its items disappears.
/// </summary>
public sealed class O311Object(params (string Name, object? Value)[] fields)
{
    public IReadOnlyList<(string Name, object? Value)> Fields { get; } = fields;

    public object? this[string name] => Fields.FirstOrDefault(f => f.Name == name).Value;
}

/// <summary>A repeated element: &lt;services&gt;&lt;service/&gt;…&lt;/services&gt; in XML, an array in JSON.</summary>
public sealed record O311List(string ItemName, IReadOnlyList<object?> Items);

public enum O311Format { Xml, Json }

/// <summary>An Open311 answer: the root element's name, its content and the HTTP status.</summary>
public sealed class O311Result(string root, object content, O311Format format, int status = StatusCodes.Status200OK) : IResult
{
    public const string XmlType = "text/xml; charset=utf-8";
    public const string JsonType = "application/json; charset=utf-8";

    public int Status => status;
    public object Content => content;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = status;
        httpContext.Response.ContentType = format == O311Format.Json ? JsonType : XmlType;
        var bytes = format == O311Format.Json ? Json(content) : Xml(root, content);
        httpContext.Response.ContentLength = bytes.Length;
        await httpContext.Response.Body.WriteAsync(bytes, httpContext.RequestAborted);
    }

    public static byte[] Json(object content)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            WriteJson(w, content);
        return buffer.ToArray();
    }

    static void WriteJson(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null: w.WriteNullValue(); break;
            case string s: w.WriteStringValue(s); break;
            case bool b: w.WriteBooleanValue(b); break;
            case int i: w.WriteNumberValue(i); break;
            case long l: w.WriteNumberValue(l); break;
            case double d: w.WriteNumberValue(d); break;
            case O311List list:
                w.WriteStartArray();
                foreach (var item in list.Items) WriteJson(w, item);
                w.WriteEndArray();
                break;
            case O311Object o:
                w.WriteStartObject();
                foreach (var (name, v) in o.Fields)
                {
                    w.WritePropertyName(name);
                    WriteJson(w, v);
                }
                w.WriteEndObject();
                break;
            default: throw new InvalidOperationException($"No Open311 rendering for {value.GetType().Name}.");
        }
    }

    public static byte[] Xml(string root, object content)
    {
        using var buffer = new MemoryStream();
        // The spec wants the declaration with the encoding, and no namespace.
        using (var w = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false }))
        {
            w.WriteStartDocument();
            w.WriteStartElement(root);
            WriteXmlContent(w, content);
            w.WriteEndElement();
            w.WriteEndDocument();
        }
        return buffer.ToArray();
    }

    static void WriteXmlContent(XmlWriter w, object? value)
    {
        switch (value)
        {
            case null: break;
            case string s: w.WriteString(s); break;
            case bool b: w.WriteString(b ? "true" : "false"); break;
            case int i: w.WriteString(i.ToString(CultureInfo.InvariantCulture)); break;
            case long l: w.WriteString(l.ToString(CultureInfo.InvariantCulture)); break;
            case double d: w.WriteString(d.ToString("R", CultureInfo.InvariantCulture)); break;
            case O311List list:
                foreach (var item in list.Items)
                {
                    w.WriteStartElement(list.ItemName);
                    WriteXmlContent(w, item);
                    w.WriteEndElement();
                }
                break;
            case O311Object o:
                foreach (var (name, v) in o.Fields)
                {
                    w.WriteStartElement(name);
                    WriteXmlContent(w, v);
                    w.WriteEndElement();
                }
                break;
            default: throw new InvalidOperationException($"No Open311 rendering for {value.GetType().Name}.");
        }
    }
}

/// <summary>
/// A request Open311 refuses, answered in Open311's error format (<c>[{"code":400,"description":"…"}]</c> or
/// <c>&lt;errors&gt;&lt;error&gt;…</c>) with the same HTTP status: 400 bad input (the description names the field), 403 api_key,
/// 404 unknown service or request, 429 the key's daily limit.
/// </summary>
public sealed class Open311Exception(int status, string description) : Exception(description)
{
    public int Status { get; } = status;

    public static O311Result Render(int status, string description, O311Format format) =>
        new("errors", new O311List("error", [new O311Object(("code", status), ("description", description))]), format, status);
}

using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Linli.Domain.Identity;
using Linli.Infrastructure.Persistence;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Linli.Web.Tests;

/// <summary>
/// Every operation of the OpenAPI document, called by every demo role allowed to call it (anonymous where the operation is
/// open), with inputs built from the document's own schemas and then broken one family at a time. Whatever comes in, the
/// server answers without a 5xx; a refusal under /api/v1 is ProblemDetails, one under /open311 is Open311's error list; a
/// 400 names the field it refuses; and a refused request leaves what is stored as it was. A new endpoint is covered by
/// being in the document.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Malformed_input_is_refused_naming_the_field_without_a_server_error_or_a_change_stored()
    {
        var watch = Stopwatch.StartNew();
        await using var app = await LinliAppFactory.StartAsync(new Dictionary<string, string>
        {
            // Accepted reports must not run into the daily limit, or later refusals would be 429s that say nothing of the field.
            ["Linli:Cases:DailyLimitPerResident"] = "100000",
            // The link with a higher platform takes signed messages (the fuzzer signs them), so its fields are reached;
            // no URL: nothing is pushed, so nothing changes behind the fuzzer's back.
            ["Linli:Exchange:Upstream:KeyId"] = CityPlatform.KeyId,
            ["Linli:Exchange:Upstream:Key"] = CityPlatform.Key,
        });
        var fuzzer = await Fuzzer.StartAsync(app);
        await fuzzer.RunAsync();

        output.WriteLine($"{fuzzer.Operations} operations, {fuzzer.Calls} (operation, caller) pairs, {fuzzer.Sent} requests in {watch.Elapsed.TotalSeconds:N0} s");
        foreach (var (family, count) in fuzzer.PerFamily.OrderBy(f => f.Key, StringComparer.Ordinal)) output.WriteLine($"  {family}: {count}");
        output.WriteLine("The untouched requests: " + string.Join(", ", fuzzer.BaseOutcomes.GroupBy(o => o).OrderBy(g => g.Key).Select(g => $"{g.Key} ×{g.Count()}")));
        foreach (var failure in fuzzer.Failures) output.WriteLine(failure);
        if (Environment.GetEnvironmentVariable("LINLI_FUZZ_VERBOSE") == "1") foreach (var line in fuzzer.BaseDetails) output.WriteLine(line);

        // The fuzzer cannot pass by sending nothing: most of the document is reached, by every family.
        Assert.True(fuzzer.Operations > 90, $"only {fuzzer.Operations} operations fuzzed");
        Assert.True(fuzzer.Calls > 250, $"only {fuzzer.Calls} (operation, caller) pairs");
        foreach (var family in Fuzzer.Families)
            Assert.True(fuzzer.PerFamily.GetValueOrDefault(family) > 0, $"family {family} was never sent");
        Assert.True(fuzzer.Failures.Count == 0, $"{fuzzer.Failures.Count} failures, the first:\n" + string.Join("\n", fuzzer.Failures.Take(60)));
    }
}

/// <summary>Reads the document, builds the inputs, sends them and checks the answers; see <see cref="FuzzTests"/>.</summary>
sealed partial class Fuzzer
{
    [System.Text.RegularExpressions.GeneratedRegex(@"\{(\w+)(:[^}]*)?\}")]
    private static partial System.Text.RegularExpressions.Regex RouteConstraint();

    public static readonly string[] Families =
        ["charset", "date", "nul", "utf8", "multipart", "enum", "type", "huge", "coordinate", "path-id", "paging", "content-type"];

    static readonly string[] Methods = ["get", "post", "put", "patch", "delete"];

    /// <summary>A demo account per role; "" is nobody signed in.</summary>
    static readonly Dictionary<Role, string> Accounts = new()
    {
        [Role.Resident] = "resident1", [Role.GridWorker] = "grid1", [Role.PropertyStaff] = "property1", [Role.CommunityAdmin] = "admin1",
        [Role.StreetOfficer] = "street", [Role.DistrictOfficer] = "district", [Role.ServiceProvider] = "provider1",
    };

    const string BadUtf8 = "~~BAD-UTF8~~";
    const string UniquePhone = "~~PHONE~~";
    const string UniqueIdNumber = "~~ID-NUMBER~~";
    const string UniqueCode = "~~CODE~~";
    const string LoneSurrogate = "~~LONE-SURROGATE~~";
    static readonly string[] EdgeDates = ["0001-01-01", "9999-12-31"];
    static readonly string[] EdgeDateTimes = ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"];

    readonly TestApp _app;
    readonly JsonElement _doc;
    readonly Dictionary<string, ApiDescription> _descriptions;
    readonly StoreFingerprint _store;
    readonly Dictionary<string, HttpClient> _clients = [];
    readonly Dictionary<(string User, string Collection), string?> _ids = [];
    readonly string _today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
    readonly string _now = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
    readonly DemoPlaces _places;

    public int Operations { get; private set; }
    public int Calls { get; private set; }
    public int Sent { get; private set; }
    public Dictionary<string, int> PerFamily { get; } = [];
    public List<string> Failures { get; } = [];
    public List<int> BaseOutcomes { get; } = [];
    public List<string> BaseDetails { get; } = [];

    Fuzzer(TestApp app, JsonElement doc, Dictionary<string, ApiDescription> descriptions, DemoPlaces places)
    {
        _app = app;
        _doc = doc;
        _descriptions = descriptions;
        _places = places;
        _store = new StoreFingerprint(app);
    }

    public static async Task<Fuzzer> StartAsync(TestApp app)
    {
        var json = await app.Anonymous().GetStringAsync("/swagger/v1/swagger.json");
        var doc = JsonDocument.Parse(json).RootElement.Clone();
        // Who may call an operation is endpoint metadata, not part of the document (see OpenApiFailureTests).
        var descriptions = app.Factory.Services.GetRequiredService<IApiDescriptionGroupCollectionProvider>().ApiDescriptionGroups.Items
            .SelectMany(g => g.Items).GroupBy(d => $"{d.HttpMethod!.ToUpperInvariant()} /{RouteConstraint().Replace(d.RelativePath!, "{$1}").TrimEnd('/')}").ToDictionary(g => g.Key, g => g.First());
        return new Fuzzer(app, doc, descriptions, await DemoPlaces.LoadAsync(app));
    }

    public async Task RunAsync()
    {
        foreach (var path in _doc.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => Methods.Contains(o.Name)))
            {
                var method = operation.Name.ToUpperInvariant();
                Operations++;
                foreach (var user in Callers($"{method} {path.Name}"))
                {
                    Calls++;
                    await FuzzAsync(method, path.Name, operation.Value, user);
                }
            }
        }
    }

    /// <summary>The demo accounts whose role every authorization policy of the operation lets in; nobody for an open one.</summary>
    IEnumerable<string> Callers(string key)
    {
        if (!_descriptions.TryGetValue(key, out var d)) throw new InvalidOperationException($"{key} is in the document but not in the API explorer");
        var metadata = d.ActionDescriptor.EndpointMetadata;
        var policies = metadata.OfType<IAuthorizeData>().ToList();
        if (policies.Count == 0 || metadata.OfType<IAllowAnonymous>().Any()) return [""];
        return Accounts.Where(a => policies.All(p => p.Policy is not { } name || !name.StartsWith("perm:", StringComparison.Ordinal)
                || a.Key.Has(Enum.Parse<Permission>(name["perm:".Length..]))))
            .Select(a => a.Value);
    }

    async Task<HttpClient> ClientAsync(string user)
    {
        if (_clients.TryGetValue(user, out var c)) return c;
        c = user == "" ? _app.Anonymous() : await _app.ClientAsAsync(user);
        c.Timeout = TimeSpan.FromMinutes(2);
        return _clients[user] = c;
    }

    // ---- one operation, one caller ----

    async Task FuzzAsync(string method, string template, JsonElement op, string user)
    {
        var client = await ClientAsync(user);
        var parameters = op.TryGetProperty("parameters", out var ps) ? ps.EnumerateArray().Select(p => new Param(
            p.GetProperty("name").GetString()!, p.GetProperty("in").GetString()!, Resolve(p.GetProperty("schema")))).ToList() : [];
        var pathValues = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in parameters.Where(p => p.In == "path")) pathValues[p.Name] = await PathValueAsync(client, user, template, p);
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in parameters.Where(p => p.In == "header")) headers[p.Name] = await CredentialAsync(p.Name);
        var query = parameters.Where(p => p.In == "query").ToList();
        var body = BodyOf(op);
        if (body is { Form: true }) await FillCredentialsAsync(body);

        var context = new Call(method, template, user, client, pathValues, headers, body);
        // The untouched request first: whether it goes through decides how strictly a broken one must name its field.
        context.Base = await SendAsync(context, new Variant("base", null, false), Build(context, pathValues, [], body?.Render()));
        BaseOutcomes.Add(context.Base?.Status ?? 0);
        BaseDetails.Add($"{context.Base?.Status} {method} {template} as {Who(user)} {string.Join(",", context.Base?.Fields ?? new HashSet<string>())}");

        foreach (var variant in Variants(context, query, parameters)) await SendAsync(context, variant.Variant, variant.Request);
        // Refused GETs were not fingerprinted one by one; the whole run of them is.
        await _store.ExpectUnchangedAsync(context.Baseline, Failures, $"{method} {template} as {Who(user)} after its refusals");
    }

    sealed record Param(string Name, string In, JsonElement Schema);

    sealed record Variant(string Family, string? Field, bool MustRefuse);

    sealed class Call(string method, string template, string user, HttpClient client, Dictionary<string, string> path,
        Dictionary<string, string> headers, Body? body)
    {
        public string Method { get; } = method;
        public string Template { get; } = template;
        public string User { get; } = user;
        public HttpClient Client { get; } = client;
        public Dictionary<string, string> Path { get; } = path;
        public Dictionary<string, string> Headers { get; } = headers;
        public Body? Body { get; } = body;
        public Outcome? Base { get; set; }
        public string? Baseline { get; set; }
    }

    sealed record Outcome(int Status, IReadOnlySet<string> Fields);

    static string Who(string user) => user == "" ? "nobody" : user;

    Func<HttpRequestMessage> Build(Call c, Dictionary<string, string> pathValues, IEnumerable<(string Name, string Value)> query, HttpContent? content,
        string? method = null) => () =>
    {
        var url = c.Template;
        foreach (var (name, value) in pathValues) url = url.Replace("{" + name + "}", value, StringComparison.Ordinal);
        var q = string.Join("&", query.Select(p => Uri.EscapeDataString(p.Name) + "=" + p.Value));
        var request = new HttpRequestMessage(new HttpMethod(method ?? c.Method), q.Length == 0 ? url : url + "?" + q);
        foreach (var (name, value) in c.Headers) request.Headers.TryAddWithoutValidation(name, value);
        request.Content = content;
        return request;
    };

    // ---- the families ----

    IEnumerable<(Variant Variant, Func<HttpRequestMessage> Request)> Variants(Call c, List<Param> query, List<Param> parameters)
    {
        var body = c.Body;
        Func<HttpRequestMessage> WithBody(HttpContent content) => Build(c, c.Path, [], content);
        Func<HttpRequestMessage> WithQuery(string name, string encoded) => Build(c, c.Path, [(name, encoded)], body?.Render());

        // An unknown charset, on whatever body the operation takes.
        if (body is not null)
        {
            var content = body.Render();
            content.Headers.ContentType!.CharSet = "klingon";
            yield return (new("charset", null, true), WithBody(content));
        }

        // Query parameters: edge dates, NUL, bad UTF-8, huge text, undefined enums, wrong types, edge numbers.
        foreach (var p in query)
        {
            var type = TypeOf(p.Schema);
            var isDate = FormatOf(p.Schema) is "date" or "date-time";
            foreach (var d in isDate ? EdgeDates.Concat(EdgeDateTimes) : type == "string" && !IsEnum(p.Schema) ? EdgeDates : [])
                yield return (new("date", p.Name, isDate), WithQuery(p.Name, Uri.EscapeDataString(d)));
            yield return (new("nul", p.Name, true), WithQuery(p.Name, "a%00b"));
            yield return (new("utf8", p.Name, true), WithQuery(p.Name, "a%FF%FEb"));
            yield return (new("utf8", p.Name, true), WithQuery(p.Name, "a%ED%A0%80b"));
            yield return (new("huge", p.Name, false), WithQuery(p.Name, new string('x', 20_000)));
            if (IsEnum(p.Schema))
            {
                // 99 may be a combination of a [Flags] enum's bits (the document lists names only); -1 and 2^20 are defined by none.
                yield return (new("enum", p.Name, false), WithQuery(p.Name, "99"));
                foreach (var n in new[] { "-1", "1048576" }) yield return (new("enum", p.Name, true), WithQuery(p.Name, n));
            }
            if (type is "integer" or "number" or "boolean" || IsEnum(p.Schema))
                yield return (new("type", p.Name, true), WithQuery(p.Name, "garbage"));
            if (type is "integer" or "number")
            {
                foreach (var n in new[] { "1e308", "-1e308", "NaN", "99999999999999999999" })
                    yield return (new("coordinate", p.Name, false), WithQuery(p.Name, n));
            }
            if (p.Name is "page" or "pageSize" or "page_size")
            {
                foreach (var n in new[] { "-1", "0", "100000", "2147483647", "abc" })
                    yield return (new("paging", p.Name, p.Name != "page" || n is "-1" or "0" or "abc"), WithQuery(p.Name, n));
            }
            else yield return (new("paging", p.Name, false), WithQuery(p.Name, "garbage%20%27%3B--"));
        }

        // Path parameters: ids that are not there or not ids.
        foreach (var p in parameters.Where(p => p.In == "path"))
        {
            foreach (var bad in new[] { "0", "-1", "99999999999", "99999999999999999999999", "abc", Guid.NewGuid().ToString(), "%FF%FE" })
            {
                var values = new Dictionary<string, string>(c.Path) { [p.Name] = bad };
                yield return (new("path-id", p.Name, true), Build(c, values, [], body?.Render()));
            }
        }

        if (body is null) yield break;

        // The body's fields, one at a time.
        foreach (var slot in body.Slots)
        {
            var type = TypeOf(slot.Schema);
            var format = FormatOf(slot.Schema);
            if (format is "date" or "date-time")
                foreach (var d in format == "date" ? EdgeDates : EdgeDateTimes)
                    yield return (new("date", slot.Field, true), WithBody(body.Render(slot, JsonValue.Create(d))));
            if (type == "string" && format != "binary" && !IsEnum(slot.Schema))
            {
                yield return (new("nul", slot.Field, true), WithBody(body.Render(slot, JsonValue.Create("a\0b"))));
                yield return (new("nul", slot.Field, true), WithBody(body.Render(slot, JsonValue.Create("a\u0007b"))));
                yield return (new("utf8", slot.Field, true), WithBody(body.Render(slot, JsonValue.Create("a" + BadUtf8 + "b"))));
                yield return (new("utf8", slot.Field, true), WithBody(body.Render(slot, JsonValue.Create("a" + LoneSurrogate + "b"))));
                yield return (new("huge", slot.Field, false), WithBody(body.Render(slot, JsonValue.Create(new string('长', 100_000)))));
            }
            if (IsEnum(slot.Schema))
            {
                yield return (new("enum", slot.Field, false), WithBody(body.Render(slot, JsonValue.Create(99))));
                foreach (var n in new[] { -1, 1_048_576 }) yield return (new("enum", slot.Field, true), WithBody(body.Render(slot, JsonValue.Create(n))));
                if (!body.Form) yield return (new("enum", slot.Field, true), WithBody(body.Render(slot, JsonValue.Create("1048576"))));
            }
            if (type == "array")
            {
                var item = Sample(Resolve(slot.Schema.GetProperty("items")), slot.Field, 0);
                var many = new JsonArray([.. Enumerable.Range(0, 10_000).Select(_ => item?.DeepClone())]);
                yield return (new("huge", slot.Field, true), WithBody(body.Render(slot, many)));
            }
            if (type is "number" or "integer")
            {
                var coordinate = IsCoordinate(slot.Field);
                foreach (var n in new[] { "1e308", "-1e308", "1e400" })
                    yield return (new("coordinate", slot.Field, coordinate || n == "1e400" && type == "integer"), WithBody(body.Render(slot, JsonNode.Parse(n))));
                yield return (new("coordinate", slot.Field, type == "integer"), WithBody(body.Render(slot, JsonValue.Create(99999999999999999999m))));
            }
            if (format == "binary")
            {
                yield return (new("multipart", slot.Field, true), WithBody(body.Render(slot, JsonValue.Create("garbage"))));
                yield return (new("multipart", slot.Field, true), WithBody(body.Render(slot, JsonValue.Create(""))));
            }
            // The wrong JSON type for the field (a form has no types: text where a number goes).
            foreach (var wrong in WrongTypes(type, body.Form))
                yield return (new("type", slot.Field, true), WithBody(body.Render(slot, wrong)));
        }

        // The body as a whole: broken envelopes and the wrong content types.
        if (body.Multipart)
        {
            var boundary = "fuzz-boundary";
            foreach (var broken in new[]
            {
                $"--{boundary}\r\nContent-Disposition: form-data; name=\"{body.Slots[0].Field}\"; filename=\"a.png\"\r\n\r\nno end",
                "garbage without any boundary",
                $"--{boundary}\r\nContent-Disposition: form-data\r\n\r\nx\r\n--{boundary}--\r\n",
                $"--{boundary}\r\n\r\n\r\n--{boundary}",
                $"--{boundary}\r\nContent-Disposition: form-data; name=\"{body.Slots[0].Field}\"; filename=\"a.png\"\r\nContent-Length: 99999\r\n\r\nshort\r\n--{boundary}--\r\n",
            })
            {
                var content = new ByteArrayContent(Encoding.UTF8.GetBytes(broken));
                content.Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={boundary}");
                yield return (new("multipart", body.Slots[0].Field, true), WithBody(content));
            }
            var noBoundary = new ByteArrayContent(Encoding.UTF8.GetBytes("x"));
            noBoundary.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data");
            yield return (new("multipart", body.Slots[0].Field, true), WithBody(noBoundary));
        }
        foreach (var (type, text) in new[]
        {
            ("text/plain", "hello"), ("application/xml", "<a/>"), ("application/x-www-form-urlencoded", "a=b"),
            ("application/json", ""), ("application/json", "{"), ("application/json", "[]"), ("application/json", "\"x\""), ("application/json", "42"),
            ("multipart/form-data; boundary=x", "--x--"), ("application/octet-stream", "\u0001\u0002"),
        })
        {
            if (type.StartsWith(body.MediaType, StringComparison.Ordinal) && text.Length == 0 && body.Form) continue;
            var content = new StringContent(text);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
            yield return (new("content-type", null, !type.StartsWith(body.MediaType, StringComparison.Ordinal)), WithBody(content));
        }
        var none = new ByteArrayContent([]);
        yield return (new("content-type", null, false), WithBody(none));
    }

    static IEnumerable<JsonNode?> WrongTypes(string? type, bool form) => form
        ? type is "integer" or "number" ? [JsonValue.Create("abc")] : []
        : type switch
        {
            "string" => [JsonValue.Create(12345), JsonValue.Create(true), new JsonObject(), new JsonArray()],
            "integer" => [JsonValue.Create("abc"), JsonValue.Create(1.5), new JsonObject(), new JsonArray()],
            "number" => [JsonValue.Create("abc"), JsonValue.Create(true), new JsonObject()],
            "boolean" => [JsonValue.Create("yes"), JsonValue.Create(2), new JsonArray()],
            "array" => [JsonValue.Create("abc"), new JsonObject(), JsonValue.Create(1)],
            "object" => [JsonValue.Create("abc"), new JsonArray(), JsonValue.Create(1)],
            _ => [],
        };

    static bool IsCoordinate(string field)
    {
        var last = field.Split('.', '[')[^1].ToLowerInvariant();
        return last is "latitude" or "longitude" or "lat" or "long" or "lng" or "lon";
    }

    // ---- sending and judging ----

    async Task<Outcome?> SendAsync(Call c, Variant v, Func<HttpRequestMessage> build)
    {
        Sent++;
        PerFamily[v.Family] = PerFamily.GetValueOrDefault(v.Family) + 1;
        using var request = build();
        await SignForTheExchangeAsync(request);
        var description = $"{c.Method} {c.Template} as {Who(c.User)}, {v.Family}{(v.Field is null ? "" : " in " + v.Field)}: {request.RequestUri}";
        if (c.Baseline is null)
        {
            // What the last request took may still be on its way through the outbox (an alarm's notifications): let it land.
            await _store.SettleAsync();
            c.Baseline = await _store.TakeAsync();
        }
        HttpResponseMessage response;
        try
        {
            response = await c.Client.SendAsync(request);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Failures.Add($"{description} → threw {e.GetType().Name}: {e.Message.Split('\n')[0]}");
            return null;
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync();
            var media = response.Content.Headers.ContentType?.MediaType;
            void Fail(string why) => Failures.Add($"{description} → {status}: {why}; {Cut(text)}");
            var fields = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

            if (status >= 500) Fail("a server error");
            else if (status >= 400 && c.Template.StartsWith("/open311/", StringComparison.Ordinal)) CheckOpen311(request.RequestUri!, text, media, Fail);
            else if (status >= 400 && c.Template.StartsWith("/api/v1/", StringComparison.Ordinal))
            {
                JsonElement problem = default;
                if (media != "application/problem+json") Fail($"a refusal as {media ?? "nothing"}, not ProblemDetails");
                else if (!TryParse(text, out problem) || problem.ValueKind != JsonValueKind.Object
                    || !problem.TryGetProperty("status", out var s) || s.ValueKind != JsonValueKind.Number || s.GetInt32() != status
                    || !problem.TryGetProperty("title", out var t) || t.ValueKind != JsonValueKind.String)
                    Fail("ProblemDetails without its status and title");
                else if (problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
                    foreach (var e in errors.EnumerateObject()) fields.Add(e.Name);
                if (status == 400 && fields.Count == 0 && problem.ValueKind == JsonValueKind.Object) Fail("a 400 that names no field");
                else if (status == 400 && v.Field is not null && !Names(fields, v.Field) && !InsideFile(c, v, fields) && c.Base is { } b
                    && (b.Status is >= 200 and < 300 || !b.Fields.SetEquals(fields)))
                    Fail($"a 400 that does not name {v.Field} (names {string.Join(", ", fields)})");
            }

            var refused = status >= 400 || PartlyRefused(text);
            if (v.MustRefuse && !refused) Fail("taken although it is malformed");
            // Taken: what it changed (a read receipt, a report) is the baseline for the next request, taken before it.
            if (status is >= 200 and < 300) c.Baseline = null;
            else if (c.Method != "GET") c.Baseline = await _store.ExpectUnchangedAsync(c.Baseline, Failures, description);
            return new Outcome(status, fields);
        }
    }

    /// <summary>
    /// A message for the exchange's inbound endpoint is signed over the bytes sent, as the higher platform would: the
    /// signature is a credential, not in a schema, and unsigned every variant would be refused before its fields are read.
    /// </summary>
    static async Task SignForTheExchangeAsync(HttpRequestMessage request)
    {
        if (request.RequestUri?.ToString().Contains("/api/v1/exchange/inbound", StringComparison.Ordinal) != true || request.Content is null) return;
        var body = await request.Content.ReadAsByteArrayAsync();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var nonce = Guid.NewGuid().ToString("N");
        foreach (var h in new[] { "X-Linli-Key-Id", "X-Linli-Timestamp", "X-Linli-Nonce", "X-Linli-Signature" }) request.Headers.Remove(h);
        request.Headers.Add("X-Linli-Key-Id", CityPlatform.KeyId);
        request.Headers.Add("X-Linli-Timestamp", timestamp);
        request.Headers.Add("X-Linli-Nonce", nonce);
        byte[] signed = [.. Encoding.UTF8.GetBytes($"{timestamp}\n{nonce}\n"), .. body];
        var mac = System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(CityPlatform.Key), signed);
        request.Headers.Add("X-Linli-Signature", "sha256=" + Convert.ToHexStringLower(mac));
    }

    /// <summary>A field an error names: the field itself, something inside it, or what holds it (a list, for its item).</summary>
    static bool Names(HashSet<string> fields, string field) => fields.Any(f =>
        string.Equals(f, field, StringComparison.OrdinalIgnoreCase)
        || f.StartsWith(field + ".", StringComparison.OrdinalIgnoreCase) || f.StartsWith(field + "[", StringComparison.OrdinalIgnoreCase)
        || field.StartsWith(f + ".", StringComparison.OrdinalIgnoreCase) || field.StartsWith(f + "[", StringComparison.OrdinalIgnoreCase));

    /// <summary>A file's content is refused naming what inside it is wrong (an import names the column), not the form field.</summary>
    static bool InsideFile(Call c, Variant v, HashSet<string> fields) =>
        v.Family == "multipart" && c.Body?.Slots.FirstOrDefault(s => s.Field == v.Field) is { } slot && FormatOf(slot.Schema) == "binary"
        && fields.Any(f => f != "request");

    /// <summary>A batch answered 200 with the messages it refused (ingestion) refused the broken one.</summary>
    static bool PartlyRefused(string text) =>
        TryParse(text, out var e) && e.ValueKind == JsonValueKind.Object && e.TryGetProperty("rejected", out var r)
        && r.ValueKind == JsonValueKind.Array && r.GetArrayLength() > 0;

    static void CheckOpen311(Uri url, string text, string? media, Action<string> fail)
    {
        // The format comes from the URL's suffix; an unknown suffix is answered in XML, as the spec requires.
        var json = url.OriginalString.Split('?')[0].EndsWith(".json", StringComparison.OrdinalIgnoreCase);
        if (json)
        {
            if (!TryParse(text, out var e) || e.ValueKind != JsonValueKind.Array || e.GetArrayLength() == 0
                || !e[0].TryGetProperty("code", out _) || !e[0].TryGetProperty("description", out _))
                fail($"not Open311's JSON error list ({media})");
        }
        else if (!text.Contains("<errors>", StringComparison.Ordinal) || !text.Contains("<description>", StringComparison.Ordinal))
            fail($"not Open311's XML error list ({media})");
    }

    static bool TryParse(string text, out JsonElement element)
    {
        try
        {
            element = JsonDocument.Parse(text).RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            element = default;
            return false;
        }
    }

    static string Cut(string s) => s.Length <= 300 ? s : s[..300] + "…";

    // ---- values the document cannot give: real ids, credentials ----

    /// <summary>
    /// A real id for a path parameter, so that a broken body reaches the rules behind the 404: the first item the caller
    /// can list in the collection the path lies in (/api/v1/cases/{id} → GET /api/v1/cases), else 1.
    /// </summary>
    async Task<string> PathValueAsync(HttpClient client, string user, string template, Param p)
    {
        if (p.Name == "format") return template.Contains("/imports/", StringComparison.Ordinal) ? "csv" : "json";
        if (p.Name == "kind") return "residents";
        var at = template.IndexOf("{" + p.Name + "}", StringComparison.Ordinal);
        var collection = template[..at].TrimEnd('/');
        if (collection.Contains('{', StringComparison.Ordinal)) return "1";
        if (!_ids.TryGetValue((user, collection), out var id))
        {
            id = null;
            var list = collection.StartsWith("/open311/", StringComparison.Ordinal) ? collection + ".json" : collection;
            using var response = await client.GetAsync(list);
            if (response.IsSuccessStatusCode && TryParse(await response.Content.ReadAsStringAsync(), out var e))
            {
                var items = e.ValueKind == JsonValueKind.Array ? e : e.ValueKind == JsonValueKind.Object && e.TryGetProperty("items", out var i) ? i : default;
                if (items.ValueKind == JsonValueKind.Array && items.GetArrayLength() > 0 && items[0].ValueKind == JsonValueKind.Object)
                {
                    var first = items[0];
                    if (first.TryGetProperty("id", out var v) || first.TryGetProperty("service_request_id", out v) || first.TryGetProperty("service_code", out v))
                        id = v.ToString();
                }
            }
            _ids[(user, collection)] = id;
        }
        return id ?? (TypeOf(p.Schema) is "integer" or "number" ? "1" : "fuzz");
    }

    /// <summary>A device of its own for the ingestion headers, and an Open311 key for the form: credentials are not in a schema.</summary>
    async Task<string> CredentialAsync(string name)
    {
        if (name.Equals("X-Device-Id", StringComparison.OrdinalIgnoreCase)) return (await DeviceAsync()).Code;
        if (name.Equals("X-Device-Key", StringComparison.OrdinalIgnoreCase)) return (await DeviceAsync()).Secret;
        return "fuzz";
    }

    (string Code, string Secret)? _device;

    async Task<(string Code, string Secret)> DeviceAsync()
    {
        if (_device is { } d) return d;
        var admin = await ClientAsync("admin1");
        var code = "fuzz-" + Guid.NewGuid().ToString("N")[..8];
        using var response = await admin.PostJsonAsync("/api/v1/devices",
            new { code, name = "模糊测试", type = "SmokeDetector", buildingId = _places.C1.BuildingIds[0], unit = 1 });
        var created = await response.OkAsync<JsonElement>();
        _device = (code, created.GetProperty("secret").GetString()!);
        return _device.Value;
    }

    async Task FillCredentialsAsync(Body body)
    {
        if (body.Root["api_key"] is null) return;
        var district = await ClientAsync("district");
        using var response = await district.PostJsonAsync("/api/v1/open311/clients", new { name = "fuzz " + Guid.NewGuid().ToString("N")[..6], dailyLimit = 100000 });
        body.Root["api_key"] = (await response.OkAsync<JsonElement>()).GetProperty("apiKey").GetString();
        body.Root["service_code"] = "lighting";
        body.Root["address_id"] = _places.C1.BuildingIds[0];
        body.Root.Remove("lat");
        body.Root.Remove("long");
        body.Root.Remove("address_string");
        body.Root["phone"] = TestPeople.NewPhone();
        body.Root["media_url"] = "https://example.org/a.jpg";
    }

    // ---- bodies from the schemas ----

    Body? BodyOf(JsonElement op)
    {
        if (!op.TryGetProperty("requestBody", out var rb) || !rb.TryGetProperty("content", out var content)) return null;
        var (mediaType, media) = content.EnumerateObject().Select(m => (m.Name, m.Value)).First();
        var schema = media.TryGetProperty("schema", out var s) ? Resolve(s) : default;
        var slots = new List<Slot>();
        var root = Sample(schema, "", 0, slots) ?? new JsonObject();
        return new Body(mediaType, root, slots);
    }

    /// <summary>A field of the body: where it is (a path of property names and indexes) and its schema.</summary>
    sealed record Slot(string Field, object[] Path, JsonElement Schema);

    /// <summary>A value the schema allows: names of enums, today's date, ids of the demo for fields ending in Id.</summary>
    JsonNode? Sample(JsonElement schema, string field, int depth, List<Slot>? slots = null, object[]? at = null)
    {
        at ??= [];
        if (schema.ValueKind != JsonValueKind.Object) return null;
        if (field.Length > 0) slots?.Add(new Slot(field, at, schema));
        if (schema.TryGetProperty("enum", out var values) && values.GetArrayLength() > 0) return JsonNode.Parse(values[0].GetRawText());
        var name = field.Split('.', '[')[^1];
        switch (TypeOf(schema))
        {
            case "string":
                return FormatOf(schema) switch
                {
                    "date" => _today,
                    // An end lies ahead of its start, so a notice or a lease sampled this way can be taken.
                    "date-time" => name.Contains("expires", StringComparison.OrdinalIgnoreCase) || name.EndsWith("End", StringComparison.Ordinal)
                        ? DateTimeOffset.UtcNow.AddDays(7).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) : _now,
                    "binary" => "png",
                    "uuid" => Guid.NewGuid().ToString(),
                    _ => name switch
                    {
                        // Fresh at every rendering: a report taken must not make the next one a duplicate.
                        "phone" or "emergencyContactPhone" => UniquePhone,
                        "idNumber" => UniqueIdNumber,
                        "code" => "fuzz-" + UniqueCode,
                        "url" => "https://example.org/hook",
                        _ => "模糊测试",
                    },
                };
            case "integer":
                return name switch
                {
                    "buildingId" or "nearBuildingId" => _places.C1.BuildingIds[0],
                    "roomId" => _places.C1.OccupiedRoomId,
                    "communityId" or "nodeId" => _places.C1.Id,
                    "gridId" => _places.C1.GridIds[0],
                    "rating" => 5,
                    "categoryId" => 1,
                    _ => 1,
                };
            case "number":
                return name switch { "latitude" or "lat" => 30.27, "longitude" or "long" or "lng" => 120.15, _ => 1.5 };
            case "boolean":
                return false;
            case "array":
                if (depth > 4 || !schema.TryGetProperty("items", out var items)) return new JsonArray();
                return new JsonArray(Sample(Resolve(items), field + "[0]", depth + 1, slots, [.. at, 0]));
            default:
                var obj = new JsonObject();
                if (depth > 4) return obj;
                if (schema.TryGetProperty("properties", out var props))
                    foreach (var p in props.EnumerateObject())
                        obj[p.Name] = Sample(Resolve(p.Value), field.Length == 0 ? p.Name : field + "." + p.Name, depth + 1, slots, [.. at, p.Name]);
                if (schema.TryGetProperty("additionalProperties", out var extra) && extra.ValueKind == JsonValueKind.Object)
                    obj["fuzz"] = Sample(Resolve(extra), field.Length == 0 ? "fuzz" : field + ".fuzz", depth + 1, slots, [.. at, "fuzz"]);
                return obj;
        }
    }

    JsonElement Resolve(JsonElement schema)
    {
        for (var i = 0; i < 10 && schema.ValueKind == JsonValueKind.Object; i++)
        {
            if (schema.TryGetProperty("$ref", out var r))
            {
                schema = _doc.GetProperty("components").GetProperty("schemas").GetProperty(r.GetString()!["#/components/schemas/".Length..]);
                continue;
            }
            if (schema.TryGetProperty("allOf", out var all) && all.GetArrayLength() == 1) { schema = all[0]; continue; }
            if (schema.TryGetProperty("oneOf", out var one) && one.GetArrayLength() > 0) { schema = one[0]; continue; }
            break;
        }
        return schema;
    }

    static string? TypeOf(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("type", out var t) ? t.ValueKind == JsonValueKind.String ? t.GetString()
            : t.EnumerateArray().Select(x => x.GetString()).FirstOrDefault(x => x != "null")
        : schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("properties", out _) ? "object" : null;

    static string? FormatOf(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("format", out var f) ? f.GetString() : null;

    static bool IsEnum(JsonElement schema) => schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("enum", out _);

    /// <summary>A request body: JSON, a form or multipart, rendered whole or with one field replaced.</summary>
    sealed class Body(string mediaType, JsonNode root, List<Slot> slots)
    {
        public string MediaType { get; } = mediaType;
        public JsonObject Root { get; } = root as JsonObject ?? new JsonObject();
        public JsonNode RootNode { get; } = root;
        public List<Slot> Slots { get; } = mediaType.StartsWith("multipart/", StringComparison.Ordinal)
            ? [.. slots.OrderByDescending(s => FormatOf(s.Schema) == "binary")] : slots;
        public bool Form => MediaType is "application/x-www-form-urlencoded" || Multipart;
        public bool Multipart => MediaType.StartsWith("multipart/", StringComparison.Ordinal);

        public HttpContent Render() => Render(null, null);

        public HttpContent Render(Slot? slot, JsonNode? value)
        {
            var node = RootNode.DeepClone();
            if (slot is not null) node = Replace(node, slot.Path, 0, value);
            if (!Form)
            {
                var bytes = Encoding.UTF8.GetBytes(node?.ToJsonString() ?? "null");
                var content = new ByteArrayContent(Fix(bytes));
                content.Headers.ContentType = new MediaTypeHeaderValue(MediaType) { CharSet = "utf-8" };
                return content;
            }
            var fields = (node as JsonObject ?? []).Where(p => p.Value is not null).Select(p => (p.Key, Value: p.Value!)).ToList();
            if (!Multipart)
            {
                var text = string.Join("&", fields.Select(f => Uri.EscapeDataString(f.Key) + "=" + Encode(Text(f.Value))));
                var content = new ByteArrayContent(Encoding.ASCII.GetBytes(text));
                content.Headers.ContentType = new MediaTypeHeaderValue(MediaType) { CharSet = "utf-8" };
                return content;
            }
            var multipart = new MultipartFormDataContent("fuzz-" + Guid.NewGuid().ToString("N")[..8]);
            foreach (var (name, field) in fields)
            {
                var schema = Slots.FirstOrDefault(s => s.Field == name)?.Schema ?? default;
                if (FormatOf(schema) == "binary")
                {
                    var file = Text(field) switch
                    {
                        "png" => Png,
                        "" => [],
                        _ => Encoding.UTF8.GetBytes("garbage, not a file: " + Guid.NewGuid()),
                    };
                    var part = new ByteArrayContent(file);
                    part.Headers.ContentType = new MediaTypeHeaderValue(Text(field) == "png" ? "image/png" : "application/octet-stream");
                    multipart.Add(part, name, Text(field) == "png" ? "fuzz.png" : "fuzz.bin");
                }
                else multipart.Add(new ByteArrayContent(Fix(Encoding.UTF8.GetBytes(Text(field)))), name);
            }
            return multipart;
        }

        static string Text(JsonNode value) => value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value.ToJsonString();

        /// <summary>Form text percent-encoded as UTF-8, with the placeholders turned into bytes no UTF-8 decoder takes.</summary>
        static string Encode(string text) => Encoding.ASCII.GetString(Fix(Encoding.ASCII.GetBytes(Uri.EscapeDataString(text)
            .Replace(Uri.EscapeDataString(BadUtf8), "%FF%FE", StringComparison.Ordinal)
            .Replace(Uri.EscapeDataString(LoneSurrogate), "%ED%A0%80", StringComparison.Ordinal))));

        /// <summary>
        /// The placeholders turned into bytes that are not UTF-8 (in JSON: an escaped lone surrogate) and into fresh unique
        /// values (phone and id numbers, codes).
        /// </summary>
        static byte[] Fix(byte[] bytes)
        {
            var text = Encoding.Latin1.GetString(bytes);
            if (!text.Contains("~~", StringComparison.Ordinal)) return bytes;
            text = text.Replace(BadUtf8, "\u00FF\u00FE", StringComparison.Ordinal).Replace(LoneSurrogate, "\\ud800", StringComparison.Ordinal)
                .Replace(UniquePhone, TestPeople.NewPhone(), StringComparison.Ordinal)
                .Replace(UniqueIdNumber, TestPeople.NewIdNumber(new DateOnly(1980, 1, 1)), StringComparison.Ordinal)
                .Replace(UniqueCode, Guid.NewGuid().ToString("N")[..8], StringComparison.Ordinal);
            return Encoding.Latin1.GetBytes(text);
        }

        static JsonNode? Replace(JsonNode? node, object[] path, int i, JsonNode? value)
        {
            if (i == path.Length) return value;
            switch (path[i])
            {
                case string name when node is JsonObject o:
                    o[name] = Replace(o[name]?.DeepClone(), path, i + 1, value);
                    return o;
                case int index when node is JsonArray a && a.Count > index:
                    a[index] = Replace(a[index]?.DeepClone(), path, i + 1, value);
                    return a;
                default:
                    return node;
            }
        }
    }

    /// <summary>The smallest PNG: a real photo as far as the upload's checks go.</summary>
    static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");
}

/// <summary>
/// A cheap fingerprint of what is stored: per table its row count, highest id, and where it has them the sum of versions,
/// the latest update and the switched-on flags. Tables that background work changes on its own (the outbox, timers,
/// deliveries, readings, keys) are left out, and so is the count of sign-in attempts, which every attempt adds to,
/// refused or not: that is what it is for.
/// </summary>
sealed class StoreFingerprint(TestApp app)
{
    static readonly HashSet<string> Background = new(StringComparer.OrdinalIgnoreCase)
    {
        "outbox_messages", "case_timers", "alarm_timers", "webhook_deliveries", "device_readings", "device_reading_hours",
        "data_protection_keys", "schema_versions", "one_time_codes", "sign_in_windows",
    };

    static readonly string[] Tracked = ["Version", "UpdatedAt", "Active", "Disabled", "RevokedAt"];

    string? _sql;

    /// <summary>Waits (a few seconds at most) until the outbox is empty: every event of what was taken has been handled.</summary>
    public async Task SettleAsync()
    {
        for (var i = 0; i < 250; i++)
        {
            using var scope = app.Factory.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
            if (!await db.Set<OutboxMessage>().AnyAsync()) return;
            await Task.Delay(20);
        }
    }

    public async Task<string> TakeAsync()
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        _sql ??= Sql(db);
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = _sql;
            await using var reader = await command.ExecuteReaderAsync();
            var parts = new StringBuilder();
            while (await reader.ReadAsync()) parts.Append(reader.GetString(0)).Append(' ').Append(reader.IsDBNull(1) ? "-" : reader.GetValue(1)).Append('\n');
            return parts.ToString();
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Records a failure when the store moved since <paramref name="baseline"/>; returns the store as it is now.</summary>
    public async Task<string?> ExpectUnchangedAsync(string? baseline, List<string> failures, string what)
    {
        if (baseline is null) return null;
        var now = await TakeAsync();
        if (now == baseline) return now;
        var before = baseline.Split('\n').ToHashSet();
        failures.Add($"{what} → refused, yet the store changed: {string.Join("; ", now.Split('\n').Where(l => !before.Contains(l)))}");
        return now;
    }

    static string Sql(LinliDbContext db)
    {
        var parts = new List<string>();
        foreach (var entity in db.Model.GetEntityTypes().Where(e => e.GetTableName() is not null && !e.IsOwned()))
        {
            var table = entity.GetTableName()!;
            if (Background.Contains(table) || parts.Any(p => p.Contains($"FROM \"{table}\"", StringComparison.Ordinal))) continue;
            var store = Microsoft.EntityFrameworkCore.Metadata.StoreObjectIdentifier.Table(table, entity.GetSchema());
            var columns = entity.GetProperties().Select(p => p.GetColumnName(store)).Where(c => c is not null).ToHashSet();
            var expressions = new List<string> { "CAST(COUNT(*) AS TEXT)" };
            if (columns.Contains("Id")) expressions.Add("CAST(MAX(\"Id\") AS TEXT)");
            foreach (var c in Tracked.Where(columns.Contains))
                expressions.Add(c switch
                {
                    "Active" or "Disabled" => $"CAST(SUM(CASE WHEN \"{c}\" THEN 1 ELSE 0 END) AS TEXT)",
                    "Version" => $"CAST(SUM(\"{c}\") AS TEXT)",
                    _ => $"CAST(MAX(\"{c}\") AS TEXT)",
                });
            parts.Add($"SELECT '{table}' AS t, {string.Join(" || ',' || ", expressions.Select(e => $"COALESCE({e}, '-')"))} AS f FROM \"{table}\"");
        }
        return string.Join("\nUNION ALL ", parts) + "\nORDER BY 1";
    }
}

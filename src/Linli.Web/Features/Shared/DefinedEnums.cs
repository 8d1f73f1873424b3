using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Linli.Domain.Common;
using Microsoft.AspNetCore.Mvc;

namespace Linli.Web.Features.Shared;

/// <summary>
/// Which values an enum really has: its named members, or for a [Flags] enum any combination of their bits. A number
/// outside that set ("kind": 99, ?severity=99) parses as an enum all the same, and would be stored and shown as "99".
/// </summary>
public static class DefinedEnums
{
    static readonly ConcurrentDictionary<Type, ulong> FlagMasks = new();

    public static bool IsDefined(Type enumType, object value)
    {
        ArgumentNullException.ThrowIfNull(enumType);
        if (!enumType.IsDefined(typeof(FlagsAttribute), false)) return Enum.IsDefined(enumType, value);
        var mask = FlagMasks.GetOrAdd(enumType, t => Enum.GetValues(t).Cast<object>().Aggregate(0UL, (m, v) => m | Bits(v)));
        return (Bits(value) & ~mask) == 0;
    }

    public static string Refusal(Type enumType, object value)
    {
        ArgumentNullException.ThrowIfNull(enumType);
        return $"{value} is not a {enumType.Name}; use one of: {string.Join(", ", Enum.GetNames(enumType))}.";
    }

    // Sign-extended for negative values, so that -1 has bits no flag has.
    static ulong Bits(object value) => unchecked((ulong)Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>
/// Enums in JSON as <see cref="JsonStringEnumConverter"/> reads and writes them (names; numbers are read too), except that a
/// value outside the enum's set is refused as unreadable JSON at its path, which the exception handler answers with a
/// 400 naming the field. Writing is unchanged, so the OpenAPI document still lists enums as their names.
/// </summary>
public sealed class DefinedEnumConverter : JsonConverterFactory
{
    readonly JsonStringEnumConverter _names = new();

    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Checked<>).MakeGenericType(typeToConvert), _names.CreateConverter(typeToConvert, options))!;

    sealed class Checked<T>(JsonConverter names) : JsonConverter<T> where T : struct, Enum
    {
        readonly JsonConverter<T> _names = (JsonConverter<T>)names;

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Defined(_names.Read(ref reader, typeToConvert, options));

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => _names.Write(writer, value, options);

        public override T ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Defined(_names.ReadAsPropertyName(ref reader, typeToConvert, options));

        public override void WriteAsPropertyName(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            _names.WriteAsPropertyName(writer, value, options);

        static T Defined(T value) => DefinedEnums.IsDefined(typeof(T), value) ? value : throw new JsonException(DefinedEnums.Refusal(typeof(T), value));
    }
}

/// <summary>
/// The same refusals for values bound from the route or the query string, which minimal APIs parse and would otherwise pass
/// on: an enum by a number it does not have (?severity=99), a date outside the <see cref="DateWindow"/> (?from=0001-01-01).
/// Checked before the handler runs, answered as a 400 naming the parameter. A value that does not parse at all is left to
/// the framework's own 400.
/// </summary>
public static class CheckedParameters
{
    sealed record Check(string Name, Type Type, bool FromRoute);

    static readonly ConcurrentDictionary<Endpoint, Check[]> Checks = new();

    public static IApplicationBuilder UseCheckedParameters(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint() is { } endpoint)
            {
                foreach (var check in Checks.GetOrAdd(endpoint, ChecksOf))
                {
                    string? raw = check.FromRoute ? context.Request.RouteValues[check.Name]?.ToString() : context.Request.Query[check.Name].ToString();
                    if (string.IsNullOrEmpty(raw)) continue;
                    if (check.Type.IsEnum)
                    {
                        if (Enum.TryParse(check.Type, raw, false, out var value) && !DefinedEnums.IsDefined(check.Type, value))
                            throw new DomainException(DefinedEnums.Refusal(check.Type, raw), check.Name);
                    }
                    else if (!InDateWindow(check.Type, raw)) throw new DomainException(DateWindow.Refusal, check.Name);
                }
            }
            await next(context);
        });

    static readonly Type[] DateTypes = [typeof(DateOnly), typeof(DateTime), typeof(DateTimeOffset)];

    /// <summary>As minimal APIs parse a date (invariant culture); one that does not parse is the framework's to refuse.</summary>
    static bool InDateWindow(Type type, string raw)
    {
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        if (type == typeof(DateOnly)) return !DateOnly.TryParse(raw, culture, out var d) || DateWindow.Contains(d);
        if (type == typeof(DateTime)) return !DateTime.TryParse(raw, culture, out var t) || DateWindow.Contains(t);
        return !DateTimeOffset.TryParse(raw, culture, out var o) || DateWindow.Contains(o);
    }

    static Check[] ChecksOf(Endpoint endpoint)
    {
        if (endpoint.Metadata.GetMetadata<MethodInfo>() is not { } method) return [];
        var routeNames = (endpoint as RouteEndpoint)?.RoutePattern.Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
        List<Check> checks = [];
        foreach (var p in method.GetParameters())
        {
            var type = Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType;
            if (!(type.IsEnum || DateTypes.Contains(type)) || p.Name is null) continue;
            if (p.GetCustomAttribute<FromQueryAttribute>() is { } query) checks.Add(new(query.Name ?? p.Name, type, false));
            else if (p.GetCustomAttribute<FromRouteAttribute>() is { } route) checks.Add(new(route.Name ?? p.Name, type, true));
            else if (p.GetCustomAttributes().Any(a => a is Microsoft.AspNetCore.Mvc.ModelBinding.IBindingSourceMetadata)) continue;
            else checks.Add(new(p.Name, type, routeNames.Contains(p.Name)));
        }
        return [.. checks];
    }
}

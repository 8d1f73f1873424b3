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
/// The same refusal for enums bound from the route or the query string (?severity=99), which minimal APIs parse with
/// <see cref="Enum.TryParse(Type, string?, bool, out object?)"/> and would otherwise pass on: checked before the handler runs,
/// answered as a 400 naming the parameter. A value that does not parse at all is left to the framework's own 400.
/// </summary>
public static class DefinedEnumParameters
{
    sealed record Check(string Name, Type EnumType, bool FromRoute);

    static readonly ConcurrentDictionary<Endpoint, Check[]> Checks = new();

    public static IApplicationBuilder UseDefinedEnumParameters(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint() is { } endpoint)
            {
                foreach (var check in Checks.GetOrAdd(endpoint, ChecksOf))
                {
                    string? raw = check.FromRoute ? context.Request.RouteValues[check.Name]?.ToString() : context.Request.Query[check.Name].ToString();
                    if (string.IsNullOrEmpty(raw) || !Enum.TryParse(check.EnumType, raw, false, out var value)) continue;
                    if (!DefinedEnums.IsDefined(check.EnumType, value)) throw new DomainException(DefinedEnums.Refusal(check.EnumType, raw), check.Name);
                }
            }
            await next(context);
        });

    static Check[] ChecksOf(Endpoint endpoint)
    {
        if (endpoint.Metadata.GetMetadata<MethodInfo>() is not { } method) return [];
        var routeNames = (endpoint as RouteEndpoint)?.RoutePattern.Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
        List<Check> checks = [];
        foreach (var p in method.GetParameters())
        {
            var type = Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType;
            if (!type.IsEnum || p.Name is null) continue;
            if (p.GetCustomAttribute<FromQueryAttribute>() is { } query) checks.Add(new(query.Name ?? p.Name, type, false));
            else if (p.GetCustomAttribute<FromRouteAttribute>() is { } route) checks.Add(new(route.Name ?? p.Name, type, true));
            else if (p.GetCustomAttributes().Any(a => a is Microsoft.AspNetCore.Mvc.ModelBinding.IBindingSourceMetadata)) continue;
            else checks.Add(new(p.Name, type, routeNames.Contains(p.Name)));
        }
        return [.. checks];
    }
}

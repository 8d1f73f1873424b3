using System.Text.Json;
using Linli.Domain.Devices;

namespace Linli.DeviceSim;

/// <summary>A device the simulator speaks for: its wire code, its secret (absent when it talks through a gateway) and its type.</summary>
public sealed record SimulatedDevice(string Code, string? Secret, DeviceType Type);

/// <summary>Reads the device list: a JSON array of <c>{"code","secret","type"}</c>, type being a <see cref="DeviceType"/> name.</summary>
public static class DeviceList
{
    sealed record Entry(string? Code, string? Secret, string? Type);

    static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    public static IReadOnlyList<SimulatedDevice> Load(string path) => Parse(File.ReadAllText(path), path);

    public static IReadOnlyList<SimulatedDevice> Parse(string json, string source = "device list")
    {
        List<Entry>? entries;
        try { entries = JsonSerializer.Deserialize<List<Entry>>(json, Json); }
        catch (JsonException e) { throw new FormatException($"{source}: not a JSON array of devices ({e.Message})", e); }
        if (entries is null || entries.Count == 0) throw new FormatException($"{source}: no devices");

        var devices = new List<SimulatedDevice>(entries.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            if (!Device.IsValidCode(e.Code)) throw new FormatException($"{source}[{i}]: code must be 1–{Device.CodeMaxLength} letters, digits, '-' or '_'");
            if (!Enum.TryParse<DeviceType>(e.Type, ignoreCase: true, out var type) || !Enum.IsDefined(type))
                throw new FormatException($"{source}[{i}] ({e.Code}): unknown type '{e.Type}'; one of {string.Join(", ", Enum.GetNames<DeviceType>())}");
            if (!seen.Add(e.Code!)) throw new FormatException($"{source}[{i}]: device {e.Code} is listed twice");
            devices.Add(new SimulatedDevice(e.Code!, string.IsNullOrEmpty(e.Secret) ? null : e.Secret, type));
        }
        return devices;
    }
}

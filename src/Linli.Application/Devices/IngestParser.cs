using System.Globalization;
using System.Text.Json;
using Linli.Domain.Common;
using Linli.Domain.Devices;
using Microsoft.Extensions.Options;

namespace Linli.Application.Devices;

/// <summary>Why a message was refused, by its position in the batch.</summary>
public sealed record RejectedMessage(int Index, string? Device, string Reason);

/// <summary>
/// Reads device messages (ADR 0006) and decides, message by message, whether to take them: the format, the device (a
/// gateway may speak for devices of its community), the timestamp and the device's rate limit. A refused message is
/// counted against its device and never stops the others.
/// </summary>
public sealed class IngestParser(DeviceDirectory directory, TimeProvider time, IOptions<DeviceOptions> options)
{
    public const int MaxMessagesPerRequest = 1000;

    public (List<AcceptedMessage> Accepted, List<RejectedMessage> Rejected) Parse(DeviceEntry sender, JsonElement messages)
    {
        ArgumentNullException.ThrowIfNull(sender);
        var accepted = new List<AcceptedMessage>(messages.ValueKind == JsonValueKind.Array ? messages.GetArrayLength() : 1);
        var rejected = new List<RejectedMessage>();
        var now = time.GetUtcNow();
        var i = 0;
        foreach (var m in messages.ValueKind == JsonValueKind.Array ? messages.EnumerateArray() : Single(messages))
        {
            var index = i++;
            var device = sender;
            if (m.ValueKind == JsonValueKind.Object && m.TryGetProperty("device", out var code) && code.ValueKind == JsonValueKind.String)
            {
                var name = Text(code);
                if (name is null || !Device.IsValidCode(name))
                {
                    sender.Reject("device is not a device code", now);
                    rejected.Add(new RejectedMessage(index, null, "device is not a device code"));
                    continue;
                }
                if (name != sender.Code)
                {
                    var target = directory.Find(name);
                    if (sender.Type != DeviceType.Gateway || target is null || target.CommunityId != sender.CommunityId || target.Disabled)
                    {
                        sender.Reject("not allowed to send for this device", now);
                        rejected.Add(new RejectedMessage(index, name, "not allowed to send for this device"));
                        continue;
                    }
                    device = target;
                }
            }
            var (message, reason) = Read(device, m, now);
            if (message is null)
            {
                device.Reject(reason!, now);
                rejected.Add(new RejectedMessage(index, device.Code, reason!));
                continue;
            }
            if (!device.TryTake(1, now.UtcTicks))
            {
                device.Reject("rate limit", now);
                rejected.Add(new RejectedMessage(index, device.Code, "rate limit: too many messages from this device"));
                continue;
            }
            accepted.Add(new AcceptedMessage(device, message));
        }
        return (accepted, rejected);
    }

    static IEnumerable<JsonElement> Single(JsonElement e) { yield return e; }

    /// <summary>
    /// One message: <c>{"ts":…,"values":{"smoke":0.02,"leak":true},"event":"sos","text":"…"}</c>. Its text is read here,
    /// message by message, so that bytes which are not UTF-8 (the reader decodes strings only when asked) refuse this
    /// message alone.
    /// </summary>
    public (DeviceMessage? Message, string? Reason) Read(DeviceEntry device, JsonElement m, DateTimeOffset now)
    {
        try
        {
            return ReadChecked(device, m, now);
        }
        catch (InvalidOperationException)
        {
            return (null, "the message holds text that is not valid UTF-8");
        }
    }

    /// <summary>A string of the message, or null when it is not text the platform stores (not UTF-8, NUL, control characters).</summary>
    static string? Text(JsonElement e)
    {
        try
        {
            var s = e.GetString();
            return StorableText.Problem(s) is null ? s : null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    (DeviceMessage? Message, string? Reason) ReadChecked(DeviceEntry device, JsonElement m, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (m.ValueKind != JsonValueKind.Object) return (null, "a message must be a JSON object");
        var at = now;
        if (m.TryGetProperty("ts", out var ts))
        {
            if (ts.ValueKind == JsonValueKind.Number && ts.TryGetInt64(out var ms))
            {
                if (ms is < 0 or > 253_402_300_799_999) return (null, "ts is out of range");
                at = DateTimeOffset.FromUnixTimeMilliseconds(ms);
            }
            else if (ts.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(ts.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                at = parsed.ToUniversalTime();
            else return (null, "ts must be Unix milliseconds or an ISO 8601 time");
            if (at > now.AddSeconds(options.Value.MaxClockSkewSeconds)) return (null, "ts is in the future: check the device's clock");
            if (at < now.AddDays(-options.Value.RawRetentionDays)) return (null, "ts is older than the history kept");
        }
        var readings = new List<Reading>();
        if (m.TryGetProperty("values", out var values))
        {
            if (values.ValueKind != JsonValueKind.Object) return (null, "values must be an object of metric: number");
            foreach (var p in values.EnumerateObject())
            {
                if (!DeviceMessage.IsValidMetric(p.Name)) return (null, $"metric name \"{Cut(p.Name)}\" is not valid");
                double v;
                switch (p.Value.ValueKind)
                {
                    case JsonValueKind.Number when p.Value.TryGetDouble(out v) && double.IsFinite(v): break;
                    case JsonValueKind.True: v = 1; break;
                    case JsonValueKind.False: v = 0; break;
                    default: return (null, $"value of \"{p.Name}\" must be a number or true/false");
                }
                readings.Add(new Reading(p.Name, v));
            }
        }
        string? text = null;
        if (m.TryGetProperty("text", out var t))
        {
            if (t.ValueKind != JsonValueKind.String) return (null, "text must be a string");
            text = t.GetString();
            if (StorableText.Problem(text) is { } problem) return (null, "text: " + problem);
            if (text!.Length > DeviceMessage.TextMaxLength) return (null, $"text is longer than {DeviceMessage.TextMaxLength} characters");
        }
        if (m.TryGetProperty("event", out var ev))
        {
            if (ev.ValueKind != JsonValueKind.String || !DeviceMessage.IsValidMetric(ev.GetString())) return (null, "event must be a name (letters, digits, '_', '.', '-')");
            readings.Add(new Reading(ev.GetString()!, 1, text, IsEvent: true));
        }
        if (readings.Count == 0) return (null, "a message needs values or an event");
        if (readings.Count > DeviceMessage.MaxReadingsPerMessage) return (null, $"at most {DeviceMessage.MaxReadingsPerMessage} values per message");
        return (new DeviceMessage(device.Id, at, readings), null);
    }

    static string Cut(string s) => s.Length <= 40 ? s : s[..40];
}

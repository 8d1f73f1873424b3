using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace Linli.DeviceSim;

/// <summary>One metric of a message; flags go on the wire as JSON true/false, everything else as a number.</summary>
public readonly record struct MetricValue(string Name, double Value, bool IsFlag = false)
{
    public static MetricValue Flag(string name, bool on) => new(name, on ? 1 : 0, IsFlag: true);
}

/// <summary>One message a simulated device sends: readings, or a named event with an optional text.</summary>
public sealed record SimMessage(SimulatedDevice Device, DateTimeOffset At, IReadOnlyList<MetricValue> Values, string? Event = null, string? Text = null)
{
    public bool IsEvent => Event is not null;

    /// <summary>The MQTT topic of the message: <c>devices/{code}/events</c> for events, <c>devices/{code}/telemetry</c> otherwise.</summary>
    public string MqttTopic => $"devices/{Device.Code}/{(IsEvent ? "events" : "telemetry")}";
}

/// <summary>The JSON shapes of docs/decisions/0006-device-ingestion.md.</summary>
public static class WireFormat
{
    // Chinese plates stay readable UTF-8 instead of \uXXXX escapes; HTML-sensitive characters are still escaped.
    static readonly JsonWriterOptions Json = new() { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    /// <summary>HTTP body <c>{"messages":[…]}</c>; <paramref name="withDevice"/> adds each message's device code, as a gateway sends.</summary>
    public static void WriteIngestBody(IBufferWriter<byte> output, IReadOnlyList<SimMessage> messages, bool withDevice)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using var json = new Utf8JsonWriter(output, Json);
        json.WriteStartObject();
        json.WriteStartArray("messages");
        foreach (var m in messages)
        {
            json.WriteStartObject();
            if (withDevice) json.WriteString("device", m.Device.Code);
            WriteBody(json, m);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>MQTT payload: the device's secret travels in the message, as the broker's login is shared.</summary>
    public static byte[] MqttPayload(SimMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(buffer, Json))
        {
            json.WriteStartObject();
            json.WriteString("key", message.Device.Secret);
            WriteBody(json, message);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    static void WriteBody(Utf8JsonWriter json, SimMessage m)
    {
        json.WriteNumber("ts", m.At.ToUnixTimeMilliseconds());
        if (m.Values.Count > 0)
        {
            json.WriteStartObject("values");
            foreach (var v in m.Values)
            {
                if (v.IsFlag) json.WriteBoolean(v.Name, v.Value != 0);
                else json.WriteNumber(v.Name, v.Value);
            }
            json.WriteEndObject();
        }
        if (m.Event is not null) json.WriteString("event", m.Event);
        if (m.Text is not null) json.WriteString("text", m.Text);
    }
}

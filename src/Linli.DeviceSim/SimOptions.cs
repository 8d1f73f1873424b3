using System.Globalization;

namespace Linli.DeviceSim;

/// <summary>The command line, parsed and checked.</summary>
public sealed class SimOptions
{
    public const string Usage = """
        Linli device simulator — sends realistic device traffic to the platform over HTTP or MQTT.

        linli-devicesim --devices-file devices.json (--url URL | --mqtt HOST:PORT) [options]

          --devices-file PATH      JSON array of {"code","secret","type"} (type: a DeviceType name, e.g. SmokeDetector)
          --url URL                HTTP: POST {URL}/api/v1/ingest (e.g. http://127.0.0.1:5000)
          --mqtt HOST:PORT         MQTT 3.1.1 (QoS 1) to devices/{code}/telemetry|events (e.g. 127.0.0.1:1884)
          --mqtt-user U            broker login (with --mqtt-password P)
          --mqtt-keepalive S       MQTT keep-alive in seconds (default 30)
          --gateway CODE           HTTP only: send every device's messages through this gateway ...
          --gateway-key SECRET     ... with this secret (messages then carry "device")
          --rate N                 messages per second in total, paced (default 100)
          --duration S | --count N stop after S seconds or N messages (default: run until Ctrl+C or 'quit')
          --batch N                HTTP messages per request, 1–1000 (default 100)
          --linger-ms MS           HTTP: send a partial batch after this long (default 1000)
          --concurrency N          parallel HTTP requests, or MQTT connections (default 4)
          --offline P              fraction 0–1 of the devices that stay silent (default 0)
          --seed N                 random seed (default 42): same seed, same traffic
          --smoke CODE[@S]         smoke detector reports smoke 0.35 from S seconds on (default 0)
          --leak CODE[@S]          leak detector reports leak=true from S seconds on
          --sos CODE[@S]           SOS button sends event "sos" at S seconds
          --fire-lane CODE[@S]     AI camera sends event "fire_lane_blocked" at S seconds
          --interactive            read commands while sending: smoke|leak|sos|fire-lane|clear|offline CODE, quit

        Exit codes: 0 every message was answered; 1 cannot connect, connection lost, or nothing accepted;
        2 bad arguments; 3 some requests failed (errors > 0).
        """;

    public string DevicesFile { get; private set; } = "";
    public Uri? Url { get; private set; }
    public string? MqttHost { get; private set; }
    public int MqttPort { get; private set; } = 1883;
    public string? MqttUser { get; private set; }
    public string? MqttPassword { get; private set; }
    public TimeSpan MqttKeepAlive { get; private set; } = TimeSpan.FromSeconds(30);
    public GatewayLogin? Gateway { get; private set; }
    public double Rate { get; private set; } = 100;
    public TimeSpan? Duration { get; private set; }
    public long? Count { get; private set; }
    public int Batch { get; private set; } = 100;
    public TimeSpan Linger { get; private set; } = TimeSpan.FromSeconds(1);
    public int Concurrency { get; private set; } = 4;
    public double Offline { get; private set; }
    public int Seed { get; private set; } = 42;
    public bool Interactive { get; private set; }
    public bool Help { get; private set; }
    public List<AnomalyCue> Cues { get; } = [];

    /// <summary>Parses the arguments; throws <see cref="FormatException"/> with a message naming the option.</summary>
    public static SimOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var o = new SimOptions();
        string? gatewayCode = null, gatewayKey = null;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new FormatException($"{name} needs a value");
            switch (name)
            {
                case "-h" or "--help": o.Help = true; break;
                case "--devices-file": o.DevicesFile = Value(); break;
                case "--url":
                    if (!Uri.TryCreate(Value(), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                        throw new FormatException("--url must be an http:// or https:// address");
                    o.Url = url;
                    break;
                case "--mqtt":
                    var hostPort = Value();
                    var colon = hostPort.LastIndexOf(':');
                    o.MqttHost = colon < 0 ? hostPort : hostPort[..colon];
                    if (colon >= 0) o.MqttPort = Int(name, hostPort[(colon + 1)..], 1, 65535);
                    if (o.MqttHost.Length == 0) throw new FormatException("--mqtt must be HOST:PORT");
                    break;
                case "--mqtt-user": o.MqttUser = Value(); break;
                case "--mqtt-password": o.MqttPassword = Value(); break;
                case "--mqtt-keepalive": o.MqttKeepAlive = TimeSpan.FromSeconds(Int(name, Value(), 1, ushort.MaxValue)); break;
                case "--gateway": gatewayCode = Value(); break;
                case "--gateway-key": gatewayKey = Value(); break;
                case "--rate": o.Rate = Number(name, Value(), 0.001, 10_000_000); break;
                case "--duration": o.Duration = TimeSpan.FromSeconds(Number(name, Value(), 0.001, 365 * 86400)); break;
                case "--count": o.Count = Int(name, Value(), 1, int.MaxValue); break;
                case "--batch": o.Batch = Int(name, Value(), 1, HttpSenderOptions.MaxBatch); break;
                case "--linger-ms": o.Linger = TimeSpan.FromMilliseconds(Int(name, Value(), 1, 600_000)); break;
                case "--concurrency": o.Concurrency = Int(name, Value(), 1, 1024); break;
                case "--offline": o.Offline = Number(name, Value(), 0, 1); break;
                case "--seed": o.Seed = Int(name, Value(), int.MinValue, int.MaxValue); break;
                case "--interactive": o.Interactive = true; break;
                case "--smoke": o.Cues.Add(Cue(Anomaly.Smoke, name, Value())); break;
                case "--leak": o.Cues.Add(Cue(Anomaly.Leak, name, Value())); break;
                case "--sos": o.Cues.Add(Cue(Anomaly.Sos, name, Value())); break;
                case "--fire-lane": o.Cues.Add(Cue(Anomaly.FireLane, name, Value())); break;
                default: throw new FormatException($"unknown option {name}");
            }
        }
        if (o.Help) return o;
        if (o.DevicesFile.Length == 0) throw new FormatException("--devices-file is required");
        if ((o.Url is null) == (o.MqttHost is null)) throw new FormatException("give exactly one of --url and --mqtt");
        if (o.Duration is not null && o.Count is not null) throw new FormatException("give --duration or --count, not both");
        if ((gatewayCode is null) != (gatewayKey is null)) throw new FormatException("--gateway and --gateway-key go together");
        if (gatewayCode is not null)
        {
            if (o.MqttHost is not null) throw new FormatException("--gateway works over HTTP only (MQTT messages carry each device's own key)");
            o.Gateway = new GatewayLogin(gatewayCode, gatewayKey!);
        }
        if (o.MqttPassword is not null && o.MqttUser is null) throw new FormatException("--mqtt-password needs --mqtt-user");
        return o;
    }

    static AnomalyCue Cue(Anomaly kind, string option, string value)
    {
        var at = value.IndexOf('@');
        var code = at < 0 ? value : value[..at];
        if (code.Length == 0) throw new FormatException($"{option} needs a device code (CODE or CODE@SECONDS)");
        var seconds = at < 0 ? 0 : Number(option, value[(at + 1)..], 0, 365 * 86400);
        return new AnomalyCue(kind, code, TimeSpan.FromSeconds(seconds));
    }

    static double Number(string option, string text, double min, double max) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v : throw new FormatException($"{option} must be a number from {min} to {max}, not '{text}'");

    static int Int(string option, string text, int min, int max) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v : throw new FormatException($"{option} must be a whole number from {min} to {max}, not '{text}'");
}

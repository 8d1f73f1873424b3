using Linli.Domain.Devices;

namespace Linli.DeviceSim;

/// <summary>Anomalies that can be set off on cue or typed in interactive mode.</summary>
public enum Anomaly { Smoke, Leak, Sos, FireLane, Clear, Offline }

/// <summary>
/// Makes plausible messages per device type, round-robin over the devices that are online, and keeps each device's
/// slowly moving state (meters only go up, bins fill and get emptied, batteries drain). Thread-safe: the producer and
/// the anomaly cues call it from different threads.
/// </summary>
public sealed class MessageGenerator
{
    /// <summary>The smoke density a detector reports once it "sees smoke"; the normal range is 0.00–0.03.</summary>
    public const double SmokeAlarmLevel = 0.35;

    static readonly string[] Provinces = ["浙", "沪", "苏", "京", "粤", "皖", "赣", "闽"];
    const string PlateLetters = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    const string PlateChars = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";

    readonly Lock gate = new();
    readonly Random random;
    readonly TimeProvider time;
    readonly Dictionary<string, DeviceModel> models = new(StringComparer.Ordinal);
    List<DeviceModel> online = [];
    int next;

    public MessageGenerator(IEnumerable<SimulatedDevice> devices, double offlineFraction = 0, int seed = 42,
        IEnumerable<string>? keepOnline = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentOutOfRangeException.ThrowIfLessThan(offlineFraction, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offlineFraction, 1);
        random = new Random(seed);
        this.time = time ?? TimeProvider.System;
        foreach (var d in devices) models[d.Code] = new DeviceModel(d, random);

        // Devices named in a cue stay online: an alarm from a device that was silenced at random would not arrive.
        var pinned = new HashSet<string>(keepOnline ?? [], StringComparer.Ordinal);
        var candidates = models.Values.Where(m => m.Device.Type != DeviceType.Gateway && !pinned.Contains(m.Device.Code)).ToList();
        var silent = (int)Math.Round(candidates.Count * offlineFraction);
        foreach (var m in candidates.OrderBy(_ => random.Next()).Take(silent)) m.Offline = true;
        Rebuild();
    }

    public int OnlineCount { get { lock (gate) return online.Count; } }
    /// <summary>Devices that send (gateways only forward).</summary>
    public int DeviceCount => models.Values.Count(m => m.Device.Type != DeviceType.Gateway);
    public bool Knows(string code) => models.ContainsKey(code);
    public SimulatedDevice? Find(string code) => models.TryGetValue(code, out var m) ? m.Device : null;

    /// <summary>The next normal message, from the next online device; null when no device is online.</summary>
    public SimMessage? Next()
    {
        lock (gate)
        {
            if (online.Count == 0) return null;
            if (next >= online.Count) next = 0;
            var model = online[next++];
            return Normal(model);
        }
    }

    /// <summary>
    /// Sets off an anomaly on a device and returns the message that announces it at once (null when there is none to
    /// send, e.g. for <see cref="Anomaly.Offline"/>). Smoke and leak persist in every later reading until cleared.
    /// </summary>
    public SimMessage? Trigger(Anomaly anomaly, string code)
    {
        lock (gate)
        {
            if (!models.TryGetValue(code, out var model)) throw new ArgumentException($"Unknown device {code}.", nameof(code));
            var wasOffline = model.Offline;
            model.Offline = anomaly == Anomaly.Offline;
            switch (anomaly)
            {
                case Anomaly.Smoke: model.Smoke = true; break;
                case Anomaly.Leak: model.Leak = true; break;
                case Anomaly.Clear: model.Smoke = false; model.Leak = false; break;
            }
            if (wasOffline != model.Offline) Rebuild();
            return anomaly switch
            {
                Anomaly.Sos => Event(model, "sos", null),
                Anomaly.FireLane => Event(model, "fire_lane_blocked", Plate()),
                Anomaly.Offline => null,
                _ => Normal(model),
            };
        }
    }

    void Rebuild()
    {
        online = models.Values.Where(m => !m.Offline && m.Device.Type != DeviceType.Gateway).ToList();
        next = 0;
    }

    SimMessage Event(DeviceModel model, string name, string? text) => new(model.Device, time.GetUtcNow(), [], name, text);

    SimMessage Normal(DeviceModel m)
    {
        var now = time.GetUtcNow();
        m.Battery = Math.Max(5, m.Battery - random.NextDouble() * 0.002);
        var battery = new MetricValue("battery", Math.Round(m.Battery, 1));
        switch (m.Device.Type)
        {
            case DeviceType.SmokeDetector:
                var smoke = m.Smoke ? SmokeAlarmLevel + random.NextDouble() * 0.03 : random.NextDouble() * 0.03;
                return new(m.Device, now, [new("smoke", Math.Round(smoke, 3)), battery]);
            case DeviceType.GasDetector:
                return new(m.Device, now, [new("gas_ppm", Math.Round(2 + random.NextDouble() * 6, 1))]);
            case DeviceType.WaterLeakDetector:
                return new(m.Device, now, [MetricValue.Flag("leak", m.Leak), battery]);
            case DeviceType.SosButton:
                return new(m.Device, now, [battery]);
            case DeviceType.DoorController:
                // Most openings are by card (the card number travels as text); the rest by the exit button.
                var card = random.NextDouble() < 0.7 ? $"IC:{random.Next(0x1000000, int.MaxValue):X8}" : null;
                return new(m.Device, now, [], "door_open", card);
            case DeviceType.CameraAi:
                return new(m.Device, now, [new("fps", Math.Round(24.5 + random.NextDouble(), 1))]);
            case DeviceType.ParkingBarrier:
                return new(m.Device, now, [], "plate", Plate());
            case DeviceType.BinFillSensor:
                m.Counter += 0.05 + random.NextDouble() * 0.3;
                if (m.Counter > 98) m.Counter = 3 + random.NextDouble() * 5; // emptied by the cleaners
                return new(m.Device, now, [new("fill_pct", Math.Round(m.Counter, 1)), battery]);
            case DeviceType.WaterMeter:
                m.Counter += random.NextDouble() * 0.02;
                return new(m.Device, now, [new("water_m3", Math.Round(m.Counter, 3))]);
            case DeviceType.ElectricityMeter:
                m.Counter += random.NextDouble() * 0.2;
                return new(m.Device, now, [new("kwh", Math.Round(m.Counter, 2))]);
            case DeviceType.EnvironmentSensor:
                m.Pm25 = Walk(m.Pm25, 3, 5, 150);
                m.Temperature = Walk(m.Temperature, 0.2, -5, 38);
                return new(m.Device, now,
                [
                    new("pm25", Math.Round(m.Pm25, 1)),
                    new("noise_db", Math.Round(42 + random.NextDouble() * 20, 1)),
                    new("temperature", Math.Round(m.Temperature, 1)),
                ]);
            case DeviceType.LiftMonitor:
                return new(m.Device, now, [MetricValue.Flag("running", random.NextDouble() < 0.4), MetricValue.Flag("fault", false)]);
            default:
                return new(m.Device, now, [battery]);
        }
    }

    double Walk(double value, double step, double min, double max) =>
        Math.Clamp(value + (random.NextDouble() * 2 - 1) * step, min, max);

    string Plate()
    {
        Span<char> tail = stackalloc char[5];
        for (var i = 0; i < tail.Length; i++) tail[i] = PlateChars[random.Next(PlateChars.Length)];
        return $"{Provinces[random.Next(Provinces.Length)]}{PlateLetters[random.Next(PlateLetters.Length)]}{tail}";
    }

    sealed class DeviceModel(SimulatedDevice device, Random random)
    {
        public SimulatedDevice Device { get; } = device;
        public bool Offline { get; set; }
        public bool Smoke { get; set; }
        public bool Leak { get; set; }
        public double Battery { get; set; } = 80 + random.NextDouble() * 20;
        /// <summary>A meter's total or a bin's fill level.</summary>
        public double Counter { get; set; } = device.Type switch
        {
            DeviceType.WaterMeter => 100 + random.NextDouble() * 800,
            DeviceType.ElectricityMeter => 1000 + random.NextDouble() * 8000,
            DeviceType.BinFillSensor => random.NextDouble() * 60,
            _ => 0,
        };
        public double Pm25 { get; set; } = 20 + random.NextDouble() * 40;
        public double Temperature { get; set; } = 15 + random.NextDouble() * 15;
    }
}

using System.Globalization;
using Linli.DeviceSim;

if (args is ["access-controller", .. var rest]) return await DoorControllerCli.RunAsync(rest);

SimOptions options;
try { options = SimOptions.Parse(args); }
catch (FormatException e)
{
    Console.Error.WriteLine($"error: {e.Message}\n\n{SimOptions.Usage}");
    return 2;
}
if (options.Help)
{
    Console.WriteLine(SimOptions.Usage);
    return 0;
}

IReadOnlyList<SimulatedDevice> devices;
try { devices = DeviceList.Load(options.DevicesFile); }
catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

var generator = new MessageGenerator(devices, options.Offline, options.Seed, options.Cues.Select(c => c.Code));
foreach (var cue in options.Cues.Where(c => !generator.Knows(c.Code)))
{
    Console.Error.WriteLine($"error: --{cue.Kind.ToString().ToLowerInvariant()} {cue.Code}: no such device in {options.DevicesFile}");
    return 2;
}
if (options.Gateway is null && devices.FirstOrDefault(d => d.Secret is null && d.Type != Linli.Domain.Devices.DeviceType.Gateway) is { } keyless)
{
    Console.Error.WriteLine($"error: device {keyless.Code} has no secret in {options.DevicesFile} (needed unless --gateway is given)");
    return 2;
}

using var stop = new CancellationTokenSource();
using var abort = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // First Ctrl+C: stop sending and wait for the answers; second: give up waiting.
    e.Cancel = true;
    if (stop.IsCancellationRequested) abort.Cancel();
    else stop.Cancel();
};

var stats = new SimStats();
IMessageSink sink;
string target;
try
{
    if (options.Url is { } url)
    {
        await HttpIngestSender.CheckReachableAsync(url, TimeSpan.FromSeconds(5), stop.Token);
        var http = new HttpIngestSender(url, stats,
            new HttpSenderOptions { BatchSize = options.Batch, Concurrency = options.Concurrency, Linger = options.Linger },
            options.Gateway);
        sink = http;
        target = options.Gateway is { } g ? $"{http.Endpoint} through gateway {g.Code}" : http.Endpoint.ToString();
    }
    else
    {
        var mqtt = new MqttConnectOptions(options.MqttHost!, options.MqttPort, $"linli-sim-{Environment.ProcessId}")
        {
            UserName = options.MqttUser,
            Password = options.MqttPassword,
            KeepAlive = options.MqttKeepAlive,
        };
        sink = await MqttSender.ConnectAsync(mqtt, options.Concurrency, stats, stop.Token);
        target = $"mqtt://{options.MqttHost}:{options.MqttPort} ({options.Concurrency} connection(s), QoS 1)";
    }
}
catch (SimConnectionException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

await using (sink)
{
    var simulator = new Simulator(generator, sink, stats);
    var started = DateTime.UtcNow;
    simulator.Announce += text => Console.WriteLine($"[{(DateTime.UtcNow - started).TotalSeconds,6:0.0}s] {text}");

    var limit = options.Duration is { } d ? $"for {d.TotalSeconds:0.#} s" : options.Count is { } c ? $"{c} messages" : "until stopped";
    Console.WriteLine($"Sending to {target}: {generator.OnlineCount} of {generator.DeviceCount} devices online, "
        + $"{options.Rate:0.###} msg/s, {limit}.");

    var run = simulator.RunAsync(new RunLimits(options.Rate, options.Duration, options.Count), options.Cues, stop.Token, abort.Token);
    var progress = ReportProgressAsync(stats, run);
    if (options.Interactive)
    {
        Console.WriteLine("Commands: smoke|leak|sos|fire-lane|clear|offline CODE, quit");
        _ = Task.Run(() => ReadCommandsAsync(simulator, stop));
    }
    var summary = await run;
    await progress;

    var p50 = summary.LatencyP50Ms is { } a ? $"{a:0.0} ms" : "-";
    var p99 = summary.LatencyP99Ms is { } b ? $"{b:0.0} ms" : "-";
    Console.WriteLine();
    Console.WriteLine($"messages {summary.Sent}  accepted {summary.Accepted}  rejected {summary.Rejected}  errors {summary.Errors}");
    Console.WriteLine($"elapsed {summary.Elapsed.TotalSeconds:0.00} s  {summary.MessagesPerSecond:0.0} msg/s  latency p50 {p50}  p99 {p99}");
    if (stats.LastProblem is { } problem) Console.WriteLine($"last problem: {problem}");

    if (summary.Fatal is { } fatal)
    {
        Console.Error.WriteLine($"error: {fatal}");
        return 1;
    }
    if (summary.Sent > 0 && summary.Accepted == 0)
    {
        Console.Error.WriteLine($"error: no message was accepted: {stats.LastProblem}");
        return 1;
    }
    return summary.Errors > 0 ? 3 : 0;
}

static async Task ReportProgressAsync(SimStats stats, Task run)
{
    long lastSent = 0;
    string? lastProblem = null;
    var second = 0;
    while (await Task.WhenAny(run, Task.Delay(1000)) != run)
    {
        second++;
        var sent = stats.Sent;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[{second,5}s] sent {sent,9}  accepted {stats.Accepted,9}  rejected {stats.Rejected,6}  errors {stats.Errors,6}  rate {sent - lastSent,7} msg/s"));
        lastSent = sent;
        if (stats.LastProblem is { } p && p != lastProblem) Console.WriteLine($"        {p}");
        lastProblem = stats.LastProblem;
    }
}

static async Task ReadCommandsAsync(Simulator simulator, CancellationTokenSource stop)
{
    while (await Console.In.ReadLineAsync() is { } line)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 0) continue;
        if (words[0] is "quit" or "exit" or "q")
        {
            await stop.CancelAsync();
            return;
        }
        Anomaly? anomaly = words[0] switch
        {
            "smoke" => Anomaly.Smoke,
            "leak" => Anomaly.Leak,
            "sos" => Anomaly.Sos,
            "fire-lane" or "fire_lane" => Anomaly.FireLane,
            "clear" => Anomaly.Clear,
            "offline" => Anomaly.Offline,
            _ => null,
        };
        if (anomaly is null || words.Length != 2)
        {
            Console.WriteLine("Commands: smoke|leak|sos|fire-lane|clear|offline CODE, quit");
            continue;
        }
        if (!simulator.Generator.Knows(words[1]))
        {
            Console.WriteLine($"No device {words[1]} in the device list.");
            continue;
        }
        try { await simulator.TriggerAsync(anomaly.Value, words[1], stop.Token); }
        catch (OperationCanceledException) { return; }
    }
}

namespace Linli.DeviceSim;

/// <summary><c>linli-devicesim access-controller</c>: one door controller that syncs its whitelist, then presents what is typed at a gate.</summary>
public static class DoorControllerCli
{
    public const string Usage = """
        linli-devicesim access-controller --url URL --device CODE --key SECRET [--gate GATE]

        Syncs the controller's offline whitelist, then reads lines from stdin: a card UID, a scanned code (LQ1.… or LV1.…)
        or a plate is presented at the gate (default: the controller's first gate); 'gate CODE' switches gates;
        'offline' cuts the link, 'online' brings it back (sync and upload), 'quit' ends.
        Exit codes: 0 done; 1 the platform refused or could not be reached; 2 bad arguments.
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Count; i += 2) options[args[i]] = args[i + 1];
        if (args.Count % 2 != 0 || !options.TryGetValue("--url", out var url) || !Uri.TryCreate(url, UriKind.Absolute, out var baseUrl)
            || !options.TryGetValue("--device", out var device) || !options.TryGetValue("--key", out var key))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
        var door = new DoorControllerSim(http, device, key, TimeProvider.System);
        door.Announce += text => Console.WriteLine($"  ({text})");
        try
        {
            await door.SyncAsync();
            Console.WriteLine($"Synced: {door.Whitelist.Count} credentials, gates {string.Join(", ", door.Gates.Select(g => g.Code))}, version {door.AckedVersion}.");
            var gate = options.GetValueOrDefault("--gate") ?? door.Gates.FirstOrDefault()?.Code;
            while (await Console.In.ReadLineAsync() is { } line)
            {
                var text = line.Trim();
                switch (text)
                {
                    case "": continue;
                    case "quit" or "exit" or "q": return 0;
                    case "offline":
                        door.GoOffline();
                        Console.WriteLine("Link down: deciding from the whitelist.");
                        continue;
                    case "online":
                        var upload = await door.ComeBackAsync();
                        Console.WriteLine($"Link up: synced to version {door.AckedVersion}; uploaded {upload.Accepted}, refused {upload.Rejected.Count}.");
                        continue;
                }
                if (text.StartsWith("gate ", StringComparison.Ordinal))
                {
                    gate = text[5..].Trim();
                    continue;
                }
                if (gate is null)
                {
                    Console.WriteLine("No gate is wired to this controller.");
                    continue;
                }
                var d = await door.PresentAsync(gate, text);
                Console.WriteLine($"{gate}: {(d.Allowed ? "OPEN" : "refused " + d.Reason)}{(d.Holder is { } h ? " " + h : "")}{(d.Offline ? " (offline)" : "")}");
            }
            return 0;
        }
        catch (Exception e) when (e is HttpRequestException or InvalidDataException or ArgumentException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}

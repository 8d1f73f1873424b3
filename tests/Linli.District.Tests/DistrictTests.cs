using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Linli.District.Tests;

/// <summary>
/// The district under failure, with real processes: devices have one owner node behind the load balancer, and a node
/// killed with SIGKILL in the middle of MQTT ingestion loses no acknowledged reading and raises no alarm twice.
/// </summary>
[Collection(DistrictCollection.Name)]
public sealed class DistrictTests(District district)
{
    [Fact]
    public async Task A_devices_readings_sent_through_the_load_balancer_all_reach_one_node_which_owns_it()
    {
        var admin = await district.ClientAsAsync("admin1");
        var device = await RegisterAsync(admin, "SmokeDetector");
        var before = await StoredPerNodeAsync();

        using var wire = new HttpClient { BaseAddress = district.LoadBalancer };
        for (var i = 0; i < 20; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/ingest")
            {
                Content = JsonContent.Create(new { messages = new[] { new { values = new { smoke = 0.01, battery = 90 - i } } } }),
            };
            request.Headers.Add("X-Device-Id", device.Code);
            request.Headers.Add("X-Device-Key", device.Secret);
            using var response = await wire.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(40, await district.ScalarAsync<long>("""SELECT count(*) FROM device_readings WHERE "DeviceId" = @id""", ("id", device.Id)));
        var owner = await district.ScalarAsync<string>("""SELECT "OwnerNode" FROM devices WHERE "Id" = @id""", ("id", device.Id));
        // The metrics endpoint keeps a scrape for 300 ms (the exporter's default): the next one must be a fresh one.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var after = await StoredPerNodeAsync();
        // Every one of the 40 readings was stored by the owner; the other nodes stored none of them.
        var grew = Enumerable.Range(1, District.Nodes).Where(n => after[n] > before[n]).ToList();
        Assert.Equal([int.Parse(owner["node".Length..], CultureInfo.InvariantCulture)], grew);
        Assert.Equal(40, after[grew[0]] - before[grew[0]]);
    }

    [Fact]
    public async Task Statistics_through_the_load_balancer_are_read_from_the_streaming_replica()
    {
        // Each node asks the hot standby every few seconds whether it may serve (ADR 0015); once it has, every node's
        // statistics come from it: a run of answers as long as the nodes, round-robin, all say so.
        var admin = await district.ClientAsAsync("admin1");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        for (var inARow = 0; inARow < District.Nodes;)
        {
            using var response = await admin.GetAsync("/api/v1/statistics/population");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var from = response.Headers.TryGetValues("X-Linli-Read-From", out var values) ? string.Join(",", values) : null;
            inARow = from == "replica" ? inARow + 1 : 0;
            Assert.True(from == "replica" || DateTime.UtcNow < deadline, $"the statistics still read from the {from ?? "(no header)"}");
            if (from != "replica") await Task.Delay(500);
        }
    }

    [Fact]
    public async Task A_node_killed_during_MQTT_ingestion_loses_no_acknowledged_reading_and_no_alarm_is_raised_twice()
    {
        const int devices = 24, messages = 20, spikeAt = 15;
        var admin = await district.ClientAsAsync("admin1");
        var detectors = new List<Registered>();
        for (var i = 0; i < devices; i++) detectors.Add(await RegisterAsync(admin, "SmokeDetector"));
        // Every node must know the new devices before they publish (the directory edit crosses the broker).
        await Task.Delay(TimeSpan.FromSeconds(2));

        // Each device sends 20 numbered readings over MQTT; number 15 carries smoke (the demo's district rule raises a fire
        // alarm on it). While the first ten are being taken in, node 2 (which by then holds some of the devices) is killed:
        // its partitions' messages wait in their queues until the others take them over, with the devices' state rebuilt
        // from what is stored. mosquitto_pub returns only when the broker has acknowledged every message.
        string Payload(Registered d, int seq) => JsonSerializer.Serialize(new
        {
            key = d.Secret,
            values = new Dictionary<string, double> { ["seq"] = seq, ["smoke"] = seq == spikeAt ? 0.6 : 0.01 },
        });
        var ids = detectors.Select(d => d.Id).ToArray();
        var firstHalf = Task.WhenAll(detectors.Select(d => District.PublishAsync($"devices/{d.Code}/telemetry", Enumerable.Range(0, messages / 2).Select(s => Payload(d, s)))));
        await District.UntilAsync(async () => (await district.ColumnAsync<string>("""SELECT "OwnerNode" FROM devices WHERE "Id" = ANY(@ids)""", ("ids", ids))).Contains("node2"),
            TimeSpan.FromSeconds(60), "node 2 holds some of the devices");
        await district.KillAsync(2);
        await firstHalf;
        try
        {
            await Task.WhenAll(detectors.Select(d => District.PublishAsync($"devices/{d.Code}/telemetry", Enumerable.Range(messages / 2, messages / 2).Select(s => Payload(d, s)))));

            // Every acknowledged reading is stored: all 20 numbers of every device (a message stored just before the kill
            // and not yet acknowledged may be stored twice; none may be missing).
            await District.UntilAsync(async () => await district.ScalarAsync<long>(
                """SELECT count(*) FROM (SELECT DISTINCT "DeviceId", "Value" FROM device_readings WHERE "Metric" = 'seq' AND "DeviceId" = ANY(@ids)) x""",
                ("ids", ids)) == devices * messages, TimeSpan.FromSeconds(90), "every numbered reading stored");
            // One fire alarm per device: the spike was seen once, by whichever node held the device then.
            await District.UntilAsync(async () => await district.ScalarAsync<long>(
                """SELECT count(DISTINCT "DeviceId") FROM alarms WHERE "DeviceId" = ANY(@ids)""", ("ids", ids)) == devices,
                TimeSpan.FromSeconds(30), "an alarm for every device");
            await Task.Delay(TimeSpan.FromSeconds(3));
            var perDevice = await district.ColumnAsync<long>("""SELECT count(*) FROM alarms WHERE "DeviceId" = ANY(@ids) GROUP BY "DeviceId" ORDER BY 1 DESC""", ("ids", ids));
            Assert.Equal(devices, perDevice.Count);
            Assert.All(perDevice, n => Assert.Equal(1, n));
            // Node 2 held some of these devices before it died (waited for above), and holds none now.
            var owners = await district.ColumnAsync<string>("""SELECT "OwnerNode" FROM devices WHERE "Id" = ANY(@ids)""", ("ids", ids));
            Assert.DoesNotContain("node2", owners);
            Assert.True(await district.ScalarAsync<long>("""SELECT count(*) FROM device_readings WHERE "Metric" = 'seq' AND "DeviceId" = ANY(@ids)""", ("ids", ids)) >= devices * messages);
        }
        finally
        {
            await district.StartAsync(2);
        }
    }

    sealed record Registered(long Id, string Code, string Secret);

    async Task<Registered> RegisterAsync(HttpClient admin, string type)
    {
        var building = await district.ScalarAsync<int>(
            """SELECT b."Id" FROM buildings b JOIN nodes n ON n."Id" = b."CommunityId" WHERE n."Name" LIKE '桂花苑%' ORDER BY b."Id" LIMIT 1""");
        var code = $"dt-{Guid.NewGuid():N}"[..24];
        using var response = await admin.PostAsJsonAsync("/api/v1/devices", new { code, name = "烟感 " + code[^4..], type, buildingId = building, unit = 1 });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new Registered(body.GetProperty("device").GetProperty("id").GetInt64(), code, body.GetProperty("secret").GetString()!);
    }

    /// <summary>Readings stored by each node since it started, from its own metrics endpoint (refused at the load balancer).</summary>
    static async Task<Dictionary<int, long>> StoredPerNodeAsync()
    {
        var result = new Dictionary<int, long>();
        using var http = new HttpClient();
        for (var n = 1; n <= District.Nodes; n++)
        {
            var text = await http.GetStringAsync(new Uri(District.Node(n), "/metrics"));
            var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("linli_ingest_readings_stored_total", StringComparison.Ordinal));
            result[n] = line is null ? 0 : (long)double.Parse(line[(line.IndexOf("} ", StringComparison.Ordinal) + 2)..].Split(' ')[0], CultureInfo.InvariantCulture);
        }
        return result;
    }
}

/// <summary>The operations view across processes: what one node raises reaches the duty screen connected to another.</summary>
[Collection(DistrictCollection.Name)]
public sealed class DistrictLiveViewTests(District district)
{
    [Fact]
    public async Task An_SOS_pressed_through_node_3_reaches_the_duty_screen_connected_to_node_1()
    {
        using var adminOn1 = await district.ClientAsAsync("admin1", District.Node(1));
        var token = adminOn1.DefaultRequestHeaders.Authorization!.Parameter!;
        var heard = new System.Collections.Concurrent.ConcurrentQueue<JsonElement>();
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(District.Node(1), "/hubs/ops"), o =>
            {
                o.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                o.Headers["Authorization"] = "Bearer " + token;
            })
            .Build();
        hub.On<JsonElement>("alarm", heard.Enqueue);
        await hub.StartAsync();
        // The hub puts the connection into its groups after the handshake: an invocation's answer says it is done.
        try { await hub.InvokeAsync("joined"); } catch (Microsoft.AspNetCore.SignalR.HubException) { }

        using var residentOn3 = await district.ClientAsAsync("resident1", District.Node(3));
        using var pressed = await residentOn3.PostAsJsonAsync("/api/v1/sos", new { note = "摔倒了" });
        Assert.Equal(HttpStatusCode.Created, pressed.StatusCode);
        var sos = await pressed.Content.ReadFromJsonAsync<JsonElement>();
        var id = sos.GetProperty("id").GetInt64();

        await District.UntilAsync(() => Task.FromResult(heard.Any(p => p.GetProperty("id").GetInt64() == id)), TimeSpan.FromSeconds(15),
            "the SOS on node 1's duty screen");
        Assert.Equal("raised", heard.First(p => p.GetProperty("id").GetInt64() == id).GetProperty("change").GetString());
    }
}

/// <summary>Work shared through the database across processes: an import and webhook deliveries.</summary>
[Collection(DistrictCollection.Name)]
public sealed class DistrictSharedWorkTests(District district)
{
    [Fact]
    public async Task An_import_uploaded_to_node_1_is_followed_to_the_end_on_node_2()
    {
        using var adminOn1 = await district.ClientAsAsync("admin1", District.Node(1));
        using var adminOn2 = await district.ClientAsAsync("admin1", District.Node(2));
        var buildings = await district.ColumnAsync<string>(
            """SELECT b."Name" FROM buildings b JOIN nodes n ON n."Id" = b."CommunityId" WHERE n."Name" LIKE '桂花苑%' ORDER BY b."Id" LIMIT 2""");
        var file = Linli.Application.Registry.ImportSamples.Residents(Linli.Application.Registry.TableFormat.Csv, 120,
            Linli.Application.Registry.ImportSamples.StandardRooms(buildings), seed: 11);
        var before = await district.ScalarAsync<long>("SELECT count(*) FROM residents");

        using var form = new MultipartFormDataContent();
        var content = new ByteArrayContent(file);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
        form.Add(content, "file", "居民.csv");
        using var accepted = await adminOn1.PostAsync("/api/v1/imports/residents", form);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var location = accepted.Headers.Location!.ToString();

        JsonElement job = default;
        await District.UntilAsync(async () =>
        {
            job = await adminOn2.GetFromJsonAsync<JsonElement>(location);
            return job.GetProperty("state").GetString() is "Succeeded" or "Failed";
        }, TimeSpan.FromSeconds(60), "the import finished, seen from node 2");
        Assert.Equal("Succeeded", job.GetProperty("state").GetString());
        Assert.Equal(120, job.GetProperty("processedRows").GetInt32());
        Assert.Equal(before + 120, await district.ScalarAsync<long>("SELECT count(*) FROM residents"));
    }

    [Fact]
    public async Task Alarms_raised_on_three_nodes_are_each_delivered_to_a_webhook_once()
    {
        const int detectors = 9;
        using var admin = await district.ClientAsAsync("admin1");
        await using var receiver = await WebhookReceiver.StartAsync();
        using (var created = await admin.PostAsJsonAsync("/api/v1/webhooks", new { name = "区平台 " + Guid.NewGuid().ToString("N")[..6], url = receiver.Url, minSeverity = "Warning" }))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var building = await district.ScalarAsync<int>(
            """SELECT b."Id" FROM buildings b JOIN nodes n ON n."Id" = b."CommunityId" WHERE n."Name" LIKE '桂花苑%' ORDER BY b."Id" LIMIT 1""");
        var devices = new List<(long Id, string Code, string Secret)>();
        for (var i = 0; i < detectors; i++)
        {
            var code = $"wh-{Guid.NewGuid():N}"[..24];
            using var response = await admin.PostAsJsonAsync("/api/v1/devices", new { code, name = "烟感 " + code[^4..], type = "SmokeDetector", buildingId = building, unit = 1 });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            devices.Add((body.GetProperty("device").GetProperty("id").GetInt64(), code, body.GetProperty("secret").GetString()!));
        }
        await Task.Delay(TimeSpan.FromSeconds(2)); // every node hears of the new devices

        // Each node takes a third of the devices' smoke (straight to its port), so each raises alarms of its own and has
        // deliveries of its own for the same receiver.
        for (var i = 0; i < detectors; i++)
        {
            using var wire = new HttpClient { BaseAddress = District.Node(i % District.Nodes + 1) };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/ingest")
            {
                Content = JsonContent.Create(new { messages = new[] { new { values = new { smoke = 0.7 } } } }),
            };
            request.Headers.Add("X-Device-Id", devices[i].Code);
            request.Headers.Add("X-Device-Key", devices[i].Secret);
            using var sent = await wire.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        }
        var ids = devices.Select(d => d.Id).ToArray();
        await District.UntilAsync(async () => await district.ScalarAsync<long>(
            """SELECT count(*) FROM alarms WHERE "DeviceId" = ANY(@ids)""", ("ids", ids)) == detectors, TimeSpan.FromSeconds(30), "an alarm per device");
        var alarmIds = (await district.ColumnAsync<long>("""SELECT "Id" FROM alarms WHERE "DeviceId" = ANY(@ids)""", ("ids", ids))).ToHashSet();

        await District.UntilAsync(() => Task.FromResult(alarmIds.All(a => receiver.AlarmIds.Contains(a))), TimeSpan.FromSeconds(60), "every alarm delivered");
        await Task.Delay(TimeSpan.FromSeconds(3)); // more polls on every node: nothing may go out again
        var deliveries = receiver.Deliveries.ToList();
        Assert.True(deliveries.Count == deliveries.Distinct().Count(), $"a delivery went out twice: {string.Join(", ", deliveries)}");
        // The premise: the alarms were raised by all three nodes.
        var owners = await district.ColumnAsync<string>("""SELECT DISTINCT "OwnerNode" FROM devices WHERE "Id" = ANY(@ids)""", ("ids", ids));
        Assert.Equal(District.Nodes, owners.Count);
    }

    [Fact]
    public async Task Response_deadlines_reached_while_three_nodes_poll_escalate_each_case_exactly_once()
    {
        const int count = 30;
        using var resident = await district.ClientAsAsync("resident1");
        var categories = await resident.GetFromJsonAsync<JsonElement>("/api/v1/case-categories");
        var lift = categories.EnumerateArray().First(c => c.GetProperty("code").GetString() == "lift").GetProperty("id").GetInt32();
        var ids = new List<long>();
        for (var i = 0; i < count; i++)
        {
            using var reported = await resident.PostAsJsonAsync("/api/v1/cases", new { categoryId = lift, title = $"电梯故障 {i} {Guid.NewGuid():N}"[..20] });
            Assert.Equal(HttpStatusCode.Created, reported.StatusCode);
            ids.Add((await reported.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        }
        var caseIds = ids.ToArray();
        // Nobody accepted them, and their response deadlines are moved to now: every node's timer service sees them due
        // in its next poll, and the row locks decide which node fires each.
        await district.ScalarAsync<long>(
            """WITH u AS (UPDATE case_timers SET "DueAt" = now() WHERE "CaseId" = ANY(@ids) AND "Kind" = 'Response' AND "Round" = 1 RETURNING 1) SELECT count(*) FROM u""",
            ("ids", caseIds));

        await District.UntilAsync(async () => await district.ScalarAsync<long>(
            """SELECT count(*) FROM cases WHERE "Id" = ANY(@ids) AND "EscalationCount" > 0""", ("ids", caseIds)) == count,
            TimeSpan.FromSeconds(60), "every case escalated");
        await Task.Delay(TimeSpan.FromSeconds(5)); // more polls on every node: nothing may fire again
        var escalated = await district.ColumnAsync<long>(
            """SELECT count(*) FROM case_events WHERE "CaseId" = ANY(@ids) AND "Kind" = 'Escalated' GROUP BY "CaseId" """, ("ids", caseIds));
        var overdue = await district.ColumnAsync<long>(
            """SELECT count(*) FROM case_events WHERE "CaseId" = ANY(@ids) AND "Kind" = 'ResponseOverdue' GROUP BY "CaseId" """, ("ids", caseIds));
        Assert.Equal(count, escalated.Count);
        Assert.All(escalated, n => Assert.Equal(1, n));
        Assert.Equal(count, overdue.Count);
        Assert.All(overdue, n => Assert.Equal(1, n));
    }

    /// <summary>A webhook receiver on 127.0.0.1 that answers 200 and keeps each delivery's id and the alarm it names.</summary>
    sealed class WebhookReceiver : IAsyncDisposable
    {
        readonly HttpListener _listener = new();
        readonly CancellationTokenSource _stop = new();
        Task? _loop;

        public string Url { get; private set; } = "";
        public System.Collections.Concurrent.ConcurrentQueue<string> Deliveries { get; } = new();
        public System.Collections.Concurrent.ConcurrentDictionary<long, bool> Alarms { get; } = new();
        public ICollection<long> AlarmIds => Alarms.Keys;

        public static Task<WebhookReceiver> StartAsync()
        {
            var receiver = new WebhookReceiver();
            for (var attempt = 0; ; attempt++)
            {
                var port = Random.Shared.Next(20000, 30000);
                var url = $"http://127.0.0.1:{port}/";
                receiver._listener.Prefixes.Clear();
                receiver._listener.Prefixes.Add(url);
                try
                {
                    receiver._listener.Start();
                    receiver.Url = url + "hook";
                    break;
                }
                catch (HttpListenerException) when (attempt < 20) { }
            }
            receiver._loop = receiver.LoopAsync();
            return Task.FromResult(receiver);
        }

        async Task LoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
                using (var reader = new StreamReader(context.Request.InputStream))
                {
                    var body = await reader.ReadToEndAsync();
                    if (context.Request.Headers["X-Linli-Delivery"] is { } id) Deliveries.Enqueue(id);
                    try
                    {
                        using var json = JsonDocument.Parse(body);
                        if (FindAlarmId(json.RootElement) is { } alarm) Alarms[alarm] = true;
                    }
                    catch (JsonException) { }
                }
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        }

        /// <summary>The alarm the payload is about (<c>alarmId</c>).</summary>
        static long? FindAlarmId(JsonElement root) =>
            root.ValueKind == JsonValueKind.Object && root.TryGetProperty("alarmId", out var id) && id.ValueKind == JsonValueKind.Number ? id.GetInt64() : null;

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            if (_loop is not null) await _loop;
            _listener.Close();
            _stop.Dispose();
        }
    }
}

/// <summary>Upward to the higher platform across processes: a push survives the city platform being down for a while.</summary>
[Collection(DistrictCollection.Name)]
public sealed class DistrictUpwardTests(District district)
{
    [Fact]
    public async Task A_case_reported_while_the_city_platform_is_down_arrives_there_once_signed_when_it_is_back()
    {
        // The city is down: nothing listens on its address.
        using var resident = await district.ClientAsAsync("resident1");
        var categories = await resident.GetFromJsonAsync<JsonElement>("/api/v1/case-categories");
        var lift = categories.EnumerateArray().First(c => c.GetProperty("code").GetString() == "lift").GetProperty("id").GetInt32();
        using var reported = await resident.PostAsJsonAsync("/api/v1/cases", new { categoryId = lift, title = "电梯按钮失灵 " + Guid.NewGuid().ToString("N")[..4] });
        Assert.Equal(HttpStatusCode.Created, reported.StatusCode);
        var caseId = (await reported.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var subject = $"case:{caseId}";

        // The nodes try, fail and keep the message (attempts counted in the push log's table).
        await District.UntilAsync(async () => await district.ScalarAsync<long>(
            """SELECT COALESCE(max("Attempts"), 0) FROM upstream_pushes WHERE "Subject" = @s AND "DeliveredAt" IS NULL""", ("s", subject)) >= 2,
            TimeSpan.FromSeconds(60), "the push tried at least twice while the city is down");

        // The city comes back: the case's report arrives, signed, exactly once.
        await using var city = CityPlatform.Start(District.CityPort, District.CityKey);
        await District.UntilAsync(() => Task.FromResult(city.Received.Any(m => m.Subject == subject && m.Type == "case.created")), TimeSpan.FromSeconds(60),
            "the case's report at the city");
        await District.UntilAsync(async () => await district.ScalarAsync<long>(
            """SELECT count(*) FROM upstream_pushes WHERE "Subject" = @s AND "DeliveredAt" IS NULL""", ("s", subject)) == 0,
            TimeSpan.FromSeconds(30), "the push log says delivered");
        await Task.Delay(TimeSpan.FromSeconds(3)); // further rounds on every node: nothing may go out again
        var mine = city.Received.Where(m => m.Subject == subject).ToList();
        Assert.Single(mine, m => m.Type == "case.created");
        Assert.Equal(mine.Count, mine.Select(m => m.Id).Distinct().Count());
        Assert.All(city.Received, m => Assert.True(m.SignatureOk, $"bad signature on {m.Id}"));
        Assert.Equal(0, city.Refused);
    }

    /// <summary>The city platform, simulated: verifies each request's HMAC-SHA256 signature and keeps what arrived.</summary>
    sealed class CityPlatform : IAsyncDisposable
    {
        readonly HttpListener _listener = new();
        readonly string _key;
        readonly Task _loop;
        int _refused;

        public sealed record Message(string Id, string Type, string Subject, bool SignatureOk);

        public System.Collections.Concurrent.ConcurrentQueue<Message> Received { get; } = new();
        public int Refused => _refused;

        CityPlatform(int port, string key)
        {
            _key = key;
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            _loop = LoopAsync();
        }

        public static CityPlatform Start(int port, string key) => new(port, key);

        async Task LoopAsync()
        {
            while (true)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                var bytes = body.ToArray();
                var timestamp = context.Request.Headers["X-Linli-Timestamp"] ?? "";
                var nonce = context.Request.Headers["X-Linli-Nonce"] ?? "";
                var signature = context.Request.Headers["X-Linli-Signature"] ?? "";
                var signed = System.Text.Encoding.UTF8.GetBytes(timestamp + "\n" + nonce + "\n").Concat(bytes).ToArray();
                var expected = "sha256=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(_key), signed));
                var ok = System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                    System.Text.Encoding.ASCII.GetBytes(expected), System.Text.Encoding.ASCII.GetBytes(signature));
                try
                {
                    using var json = JsonDocument.Parse(bytes);
                    var root = json.RootElement;
                    Received.Enqueue(new Message(root.GetProperty("id").GetString()!, root.GetProperty("type").GetString()!, root.GetProperty("subject").GetString()!, ok));
                    context.Response.StatusCode = ok ? 200 : 401;
                }
                catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
                {
                    Interlocked.Increment(ref _refused);
                    context.Response.StatusCode = 400;
                }
                context.Response.Close();
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _loop;
            _listener.Close();
        }
    }
}

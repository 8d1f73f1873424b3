using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Linli.Domain.Devices;
using Linli.Infrastructure.Persistence;
using Linli.Web.Features.Devices;
using Linli.Web.Features.Registry;
using Linli.Web.Features.Shared;
using Npgsql;
using Xunit.Abstractions;

namespace Linli.Web.Tests;

/// <summary>
/// ADR 0006 promises that a reading the device was told is stored survives a crash. Here the server is a real process,
/// killed with SIGKILL while devices are sending, started again on the same database, and every acknowledged reading is
/// looked for in device_readings.
/// </summary>
public sealed class IngestionCrashTests(ITestOutputHelper output)
{
    const int Senders = 6;
    const int MessagesPerBatch = 25;
    static readonly TimeSpan StartWithin = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task Killing_the_server_during_ingestion_loses_no_acknowledged_reading_and_the_restarted_server_takes_new_ones()
    {
        var (connectionString, drop) = await TestDatabase.CreateAsync();
        var watch = Stopwatch.StartNew();
        try
        {
            var acknowledged = new ConcurrentBag<long>();
            var devices = new List<DeviceWithSecret>();
            var unanswered = 0;
            var failedBeforeKill = new ConcurrentQueue<string>();
            long nextSeq = 0;
            long stalledFrom = -1;

            await using (var first = await ServerProcess.StartAsync(connectionString, StartWithin))
            {
                output.WriteLine($"{watch.Elapsed.TotalSeconds:0.0} s: first server up");
                using var admin = await first.ClientAsAsync("admin1");
                // admin1 sees community 1 only, so any building listed is one of 桂花苑's.
                var buildings = await admin.GetOkAsync<Page<BuildingDto>>("/api/v1/buildings?pageSize=1");
                var buildingId = Assert.Single(buildings.Items).Id;
                for (var i = 0; i < Senders; i++)
                    devices.Add(await MonitoringKit.RegisterAsync(admin, DeviceType.WaterMeter, new { buildingId }));

                // killing: the kill has begun, so a failed request from now on is one the crash cut off; stop: it is over, send no more.
                var killing = 0;
                var stop = 0;
                var inFlight = 0;
                using var wire = first.Anonymous();
                async Task SendUntilKilledAsync(DeviceWithSecret device)
                {
                    while (Volatile.Read(ref stop) == 0)
                    {
                        var from = Interlocked.Add(ref nextSeq, MessagesPerBatch) - MessagesPerBatch;
                        var messages = Enumerable.Range(0, MessagesPerBatch).Select(i => (object)new { values = new { seq = from + i } }).ToArray();
                        HttpResponseMessage response;
                        Interlocked.Increment(ref inFlight);
                        try
                        {
                            response = await MonitoringKit.SendAsync(wire, device.Device.Code, device.Secret, messages);
                        }
                        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                        {
                            output.WriteLine($"{watch.Elapsed.TotalSeconds:0.000} s: {e.InnerException?.Message ?? e.Message}");
                            // No answer: not acknowledged. The client may report a request the dying server had as a refused
                            // connection (it retries a request whose pooled connection closed before any answer), so every
                            // request left without an answer once the kill began counts as one the crash took.
                            if (Volatile.Read(ref killing) == 0) failedBeforeKill.Enqueue(e.Message);
                            else Interlocked.Increment(ref unanswered);
                            return;
                        }
                        finally
                        {
                            Interlocked.Decrement(ref inFlight);
                        }
                        using (response)
                        {
                            if (response.StatusCode != HttpStatusCode.OK)
                            {
                                failedBeforeKill.Enqueue($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                                continue;
                            }
                            var result = await response.Content.ReadFromJsonAsync<IngestResult>(Api.Json);
                            var refused = result!.Rejected.Select(r => r.Index).ToHashSet();
                            for (var i = 0; i < MessagesPerBatch; i++)
                                if (!refused.Contains(i)) acknowledged.Add(from + i);
                            foreach (var r in result.Rejected) failedBeforeKill.Enqueue($"refused #{r.Index}: {r.Reason}");
                        }
                    }
                }

                var senders = devices.Select(d => Task.Run(() => SendUntilKilledAsync(d))).ToArray();
                // At least a second and a half of traffic, and enough acknowledged that the check below means something.
                var traffic = Stopwatch.StartNew();
                while ((traffic.Elapsed < TimeSpan.FromSeconds(1.5) || acknowledged.Count < 500) && traffic.Elapsed < TimeSpan.FromSeconds(15)
                    && !senders.Any(s => s.IsCompleted))
                    await Task.Delay(50);
                Assert.False(senders.Any(s => s.IsCompleted), "A sender stopped before the kill: " + string.Join("; ", failedBeforeKill) + first.Output());

                // The kill comes while a request is surely on its way (the case the promise is about): one batch whose body is
                // half sent, the rest held back until after the kill, so the server has it and can never have answered it.
                var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var halfSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                stalledFrom = Interlocked.Add(ref nextSeq, MessagesPerBatch) - MessagesPerBatch;
                var stalled = SendStalledAsync(wire, devices[0], stalledFrom, halfSent, release.Task);
                await halfSent.Task.WaitAsync(TimeSpan.FromSeconds(15));
                var inFlightAtKill = Volatile.Read(ref inFlight) + 1;
                Volatile.Write(ref killing, 1);
                first.Kill();
                release.TrySetResult();
                var cutOff = await Record.ExceptionAsync(() => stalled.WaitAsync(TimeSpan.FromSeconds(30)));
                Assert.True(cutOff is HttpRequestException or IOException or TaskCanceledException,
                    $"the request in flight at the kill was not cut off: {cutOff?.GetType().Name ?? "it was answered"}");
                Interlocked.Increment(ref unanswered);
                Volatile.Write(ref stop, 1);
                Assert.True(first.HasExited);
                output.WriteLine($"{watch.Elapsed.TotalSeconds:0.0} s: killed after {traffic.Elapsed.TotalSeconds:0.0} s of traffic, {acknowledged.Count} readings acknowledged");
                await Task.WhenAll(senders).WaitAsync(TimeSpan.FromSeconds(40));
                output.WriteLine($"{watch.Elapsed.TotalSeconds:0.0} s: {inFlightAtKill} requests in flight at the kill, {unanswered} left without an answer by it");
            }

            Assert.Empty(failedBeforeKill);
            Assert.True(acknowledged.Count > 200, $"Only {acknowledged.Count} readings were acknowledged before the kill: too few to show anything.");
            // The premise, checked above: the kill cut a request off mid-way (the half-sent one, besides whatever the senders
            // had on the wire). Without one, the test would only show that a stopped server keeps what it had already answered.

            await using var second = await ServerProcess.StartAsync(connectionString, StartWithin);
            output.WriteLine($"{watch.Elapsed.TotalSeconds:0.0} s: restarted server up");
            var stored = await StoredSeqsAsync(connectionString);
            output.WriteLine($"{stored.Count} readings stored, {stored.Except(acknowledged).Count()} of them never acknowledged");
            var lost = acknowledged.Where(s => !stored.Contains(s)).Order().ToList();
            // The batch cut off in the middle of its body is not half-stored: none of it is there.
            Assert.DoesNotContain(stored, s => s >= stalledFrom && s < stalledFrom + MessagesPerBatch);
            Assert.True(lost.Count == 0,
                $"{lost.Count} of {acknowledged.Count} acknowledged readings are missing after the crash, e.g. seq {string.Join(", ", lost.Take(10))}.");

            // The restarted server knows the devices again (from the database) and stores what they send now.
            var after = Interlocked.Read(ref nextSeq);
            using var device = second.Anonymous();
            var fresh = Enumerable.Range(0, MessagesPerBatch).Select(i => (object)new { values = new { seq = after + i } }).ToArray();
            var answer = await MonitoringKit.SendOkAsync(device, devices[0], fresh);
            Assert.Equal(MessagesPerBatch, answer.Accepted);
            var storedNow = await StoredSeqsAsync(connectionString);
            Assert.All(Enumerable.Range(0, MessagesPerBatch), i => Assert.Contains(after + i, storedNow));
            output.WriteLine($"{watch.Elapsed.TotalSeconds:0.0} s: done");
        }
        finally
        {
            await drop();
        }
    }

    /// <summary>
    /// Posts one batch whose JSON body is written in two parts: the first at once (then <paramref name="halfSent"/>
    /// completes), the rest only when <paramref name="release"/> completes. Until then the server holds an unfinished request.
    /// </summary>
    static async Task SendStalledAsync(HttpClient wire, DeviceWithSecret device, long from, TaskCompletionSource halfSent, Task release)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(new
        {
            messages = Enumerable.Range(0, MessagesPerBatch).Select(i => new { values = new { seq = from + i } }).ToArray(),
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/ingest") { Content = new StalledContent(json, halfSent, release) };
        request.Headers.Add(IngestApi.DeviceIdHeader, device.Device.Code);
        request.Headers.Add(IngestApi.DeviceKeyHeader, device.Secret);
        using var response = await wire.SendAsync(request);
    }

    sealed class StalledContent(string json, TaskCompletionSource halfSent, Task release) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(json);
            await stream.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
            await stream.FlushAsync();
            halfSent.TrySetResult();
            await release;
            await stream.WriteAsync(bytes.AsMemory(bytes.Length / 2));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false; // chunked: the headers go first, the body as it is written
        }
    }

    /// <summary>Every seq value in device_readings, read straight from the database (not through the server).</summary>
    static async Task<HashSet<long>> StoredSeqsAsync(string connectionString)
    {
        const string sql = """SELECT "Value" FROM device_readings WHERE "Metric" = 'seq'""";
        var seqs = new HashSet<long>();
        if (TestDatabase.Provider == DatabaseProvider.Sqlite)
        {
            await using var c = new Microsoft.Data.Sqlite.SqliteConnection(connectionString);
            await c.OpenAsync();
            await using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) seqs.Add((long)r.GetDouble(0));
        }
        else
        {
            await using var c = new NpgsqlConnection(connectionString);
            await c.OpenAsync();
            await using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) seqs.Add((long)r.GetDouble(0));
        }
        return seqs;
    }
}

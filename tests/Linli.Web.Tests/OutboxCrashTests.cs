using System.Diagnostics;
using System.Net;
using Linli.Infrastructure.Persistence;
using Linli.Web.Features.Alarms;
using Xunit.Abstractions;

namespace Linli.Web.Tests;

/// <summary>
/// ADR 0010 promises that a change and its consequences are committed together: a crash after the commit delays a
/// delivery, never loses it. Here the server is a real process that dies (FailFast) right after committing an SOS alarm
/// and its outbox rows, before delivering anything; the restarted server delivers what the first one owed.
/// </summary>
public sealed class OutboxCrashTests(ITestOutputHelper output)
{
    static readonly TimeSpan StartWithin = TimeSpan.FromSeconds(45);

    static readonly Dictionary<string, string> Quick = new()
    {
        ["Linli:Outbox:LeaseSeconds"] = "2",
        ["Linli:Outbox:PollSeconds"] = "0.5",
        ["Linli:Webhooks:PollSeconds"] = "0.2",
    };

    [Fact]
    public async Task A_crash_between_the_commit_of_an_SOS_and_its_delivery_delays_the_webhook_but_loses_nothing()
    {
        var (connectionString, drop) = await TestDatabase.CreateAsync();
        var watch = Stopwatch.StartNew();
        string secret = "";
        await using var receiver = await Receiver.StartAsync(() => secret, _ => 200);
        try
        {
            await using (var first = await ServerProcess.StartAsync(connectionString, StartWithin, Quick))
            {
                using var admin = await first.ClientAsAsync("admin1");
                using var created = await admin.PostJsonAsync("/api/v1/webhooks", new { name = "街道平台", url = receiver.Url, minSeverity = "Critical" });
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                secret = (await created.OkAsync<WebhookCreatedDto>()).Secret;
            }

            var crashing = new Dictionary<string, string>(Quick) { ["Linli:Outbox:CrashAfterCommitForTests"] = "true" };
            await using (var second = await ServerProcess.StartAsync(connectionString, StartWithin, crashing))
            {
                using var resident = await second.ClientAsAsync("resident1");
                output.WriteLine($"{watch.Elapsed.TotalSeconds:0.0} s: pressing SOS on the server that dies after its commit");
                await Assert.ThrowsAnyAsync<HttpRequestException>(() => resident.PostJsonAsync("/api/v1/sos", new { note = "摔倒了" }));
                for (var i = 0; i < 100 && !second.HasExited; i++) await Task.Delay(100);
                Assert.True(second.HasExited, "the server should have died right after the commit" + second.Output());
            }

            // The alarm is committed and its events wait in the outbox; nothing was delivered.
            var alarmId = await ScalarAsync(connectionString, """SELECT MAX("Id") FROM alarms WHERE "Kind" = 'Sos'""");
            Assert.Equal(1, await ScalarAsync(connectionString, """SELECT COUNT(*) FROM alarms WHERE "Kind" = 'Sos'"""));
            Assert.True(await ScalarAsync(connectionString, "SELECT COUNT(*) FROM outbox_messages") >= 1, "the SOS's events should be in the outbox");
            Assert.Empty(receiver.Received);

            await using (var third = await ServerProcess.StartAsync(connectionString, StartWithin, Quick))
            {
                output.WriteLine($"{watch.Elapsed.TotalSeconds:0.0} s: restarted");
                var deadline = DateTime.UtcNow.AddSeconds(30);
                while (receiver.Received.IsEmpty && DateTime.UtcNow < deadline) await Task.Delay(100);
                var (eventType, body, signatureOk, _) = Assert.Single(receiver.Received);
                Assert.Equal("alarm.raised", eventType);
                Assert.True(signatureOk);
                Assert.Contains($"\"alarmId\":{alarmId}", body, StringComparison.Ordinal);

                // The duty screen shows the call as any other: the alarm is there, open, waiting for someone to take it.
                using var grid = await third.ClientAsAsync("admin1");
                var detail = await grid.GetOkAsync<AlarmDetailDto>($"/api/v1/alarms/{alarmId}");
                Assert.True(detail.Alarm.NeedsAcknowledgement);

                deadline = DateTime.UtcNow.AddSeconds(10);
                while (await ScalarAsync(connectionString, "SELECT COUNT(*) FROM outbox_messages") > 0 && DateTime.UtcNow < deadline) await Task.Delay(100);
                Assert.Equal(0, await ScalarAsync(connectionString, "SELECT COUNT(*) FROM outbox_messages"));
            }
            output.WriteLine($"{watch.Elapsed.TotalSeconds:0.0} s: delivered after the restart");
        }
        finally
        {
            await drop();
        }
    }

    /// <summary>A number read straight from the database, not through a server.</summary>
    static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using System.Data.Common.DbConnection c = TestDatabase.Provider == DatabaseProvider.Sqlite
            ? new Microsoft.Data.Sqlite.SqliteConnection(connectionString) : new Npgsql.NpgsqlConnection(connectionString);
        await c.OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

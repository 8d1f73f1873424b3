using System.Globalization;
using System.Net;
using Linli.Domain.Devices;
using Linli.Infrastructure.Persistence;
using Linli.Web.Features.Devices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>Telemetry history for charts, and the job that rolls raw readings into hours and deletes old ones.</summary>
public sealed class TelemetryTests
{
    static string Iso(DateTimeOffset t) => Uri.EscapeDataString(t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));

    static long Ms(DateTimeOffset t) => t.ToUnixTimeMilliseconds();

    /// <summary>A sensor in a c1 building that sent temperatures at known minutes of two hours, five and three hours ago.</summary>
    static async Task<(DeviceWithSecret Sensor, DateTimeOffset HourA, DateTimeOffset HourB)> SensorWithHistoryAsync(TestApp app)
    {
        var places = await DemoPlaces.LoadAsync(app);
        var admin = await app.ClientAsAsync("admin1");
        var sensor = await MonitoringKit.RegisterAsync(admin, DeviceType.EnvironmentSensor, new { buildingId = places.C1.BuildingIds[0] });
        var hourA = TelemetryRetention.HourOf(app.Clock.GetUtcNow()).AddHours(-5);
        var hourB = hourA.AddHours(2);
        var result = await MonitoringKit.SendOkAsync(app.Anonymous(), sensor,
            new { ts = Ms(hourA.AddMinutes(5)), values = new { temperature = 20.0, humidity = 55 } },
            new { ts = Ms(hourA.AddMinutes(25)), values = new { temperature = 30.0 } },
            new { ts = Ms(hourA.AddMinutes(50)), values = new { temperature = 25.0 } },
            new { ts = Ms(hourB.AddMinutes(10)), values = new { temperature = 40.0 } });
        Assert.Equal(4, result.Accepted);
        return (sensor, hourA, hourB);
    }

    static async Task<List<(long DeviceId, string Metric, DateTimeOffset Hour, int Count, double Min, double Max, double Sum)>> HourRowsAsync(TestApp app, long deviceId)
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        var rows = await db.ReadingHours.IgnoreQueryFilters().AsNoTracking().Where(h => h.DeviceId == deviceId).ToListAsync();
        return rows.OrderBy(h => h.Metric, StringComparer.Ordinal).ThenBy(h => h.Hour)
            .Select(h => (h.DeviceId, h.Metric, h.Hour, h.Count, h.Min, h.Max, h.Sum)).ToList();
    }

    static async Task<int> RawCountAsync(TestApp app, long deviceId)
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        return await db.Readings.IgnoreQueryFilters().CountAsync(r => r.DeviceId == deviceId);
    }

    /// <summary>A client with a token issued now: the factory's cached token has expired once the clock moved a month.</summary>
    static async Task<HttpClient> FreshClientAsync(TestApp app, string userName)
    {
        using var anonymous = app.Anonymous();
        using var response = await anonymous.PostJsonAsync("/api/v1/auth/token", new { userName, password = Linli.Infrastructure.Seeding.RegistrySeeder.DemoPassword });
        var token = await response.OkAsync<Api.Token>();
        var client = app.Anonymous();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.AccessToken);
        return client;
    }

    [Fact]
    public async Task Staff_chart_a_metric_raw_and_hourly_and_other_communities_see_no_such_device()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var (sensor, hourA, hourB) = await SensorWithHistoryAsync(app);
        var id = sensor.Device.Id;
        var grid1 = await app.ClientAsAsync("grid1");
        var from = hourA.AddHours(-1);

        var raw = await grid1.GetOkAsync<TelemetryDto>($"/api/v1/devices/{id}/telemetry?metric=temperature&from={Iso(from)}&resolution=raw");
        Assert.Equal(TelemetryResolution.Raw, raw.Resolution);
        Assert.Equal([20.0, 30.0, 25.0, 40.0], raw.Points.Select(p => p.Value));
        Assert.Equal(hourA.AddMinutes(5), raw.Points[0].At);
        Assert.False(raw.Truncated);

        // "auto" over six hours is raw; over a week it is hourly (rolled or not, the answer is the same).
        var auto = await grid1.GetOkAsync<TelemetryDto>($"/api/v1/devices/{id}/telemetry?metric=temperature&from={Iso(from)}");
        Assert.Equal(TelemetryResolution.Raw, auto.Resolution);
        foreach (var rolled in new[] { false, true })
        {
            if (rolled) await app.Factory.Services.GetRequiredService<TelemetryRetention>().RunOnceAsync(default);
            var week = await grid1.GetOkAsync<TelemetryDto>(
                $"/api/v1/devices/{id}/telemetry?metric=temperature&from={Iso(app.Clock.GetUtcNow().AddDays(-7))}");
            Assert.Equal(TelemetryResolution.Hour, week.Resolution);
            Assert.Equal(2, week.Points.Count);
            var a = week.Points[0];
            Assert.Equal((hourA, 3, 20.0, 30.0, 25.0), (a.At, a.Count, a.Min, a.Max, a.Value));
            Assert.Equal((hourB, 1, 40.0), (week.Points[1].At, week.Points[1].Count, week.Points[1].Max));
        }

        var metrics = await grid1.GetOkAsync<List<DeviceMetricDto>>($"/api/v1/devices/{id}/metrics");
        Assert.Equal(["humidity", "temperature"], metrics.Select(m => m.Metric));
        Assert.Equal(40.0, metrics.Single(m => m.Metric == "temperature").Value);
        Assert.Equal(hourB.AddMinutes(10), metrics.Single(m => m.Metric == "temperature").At);

        var admin2 = await app.ClientAsAsync("admin2");
        using (var hidden = await admin2.GetAsync($"/api/v1/devices/{id}/telemetry?metric=temperature&from={Iso(from)}"))
            Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        using (var hidden = await admin2.GetAsync($"/api/v1/devices/{id}/metrics"))
            Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        var resident = await app.ClientAsAsync("resident1");
        using (var denied = await resident.GetAsync($"/api/v1/devices/{id}/metrics"))
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);

        using (var bad = await grid1.GetAsync($"/api/v1/devices/{id}/telemetry?metric=temp%20erature"))
            await bad.ExpectFieldErrorAsync("metric");
        using (var bad = await grid1.GetAsync($"/api/v1/devices/{id}/telemetry?metric=temperature&resolution=minute"))
            await bad.ExpectFieldErrorAsync("resolution");
        using (var bad = await grid1.GetAsync($"/api/v1/devices/{id}/telemetry?metric=temperature&from=yesterday"))
            await bad.ExpectFieldErrorAsync("from");
        using (var bad = await grid1.GetAsync($"/api/v1/devices/{id}/telemetry?metric=temperature&from={Iso(hourB)}&to={Iso(hourA)}"))
            await bad.ExpectFieldErrorAsync("from");
    }

    [Fact]
    public async Task Raw_answers_are_bounded_and_auto_falls_back_to_hours_when_there_are_too_many_points()
    {
        // A meter flushing a day of buffered readings at once: above the normal burst allowance.
        await using var app = await LinliAppFactory.StartAsync(new Dictionary<string, string> { ["Linli:Devices:RateBurst"] = "5000" });
        var places = await DemoPlaces.LoadAsync(app);
        var admin = await app.ClientAsAsync("admin1");
        var meter = await MonitoringKit.RegisterAsync(admin, DeviceType.WaterMeter, new { buildingId = places.C1.BuildingIds[0] });
        var start = TelemetryRetention.HourOf(app.Clock.GetUtcNow()).AddHours(-30);
        var device = app.Anonymous();
        var total = 0;
        for (var batch = 0; batch < 11; batch++)
        {
            // 1,100 readings, one a minute, sent 100 to a request.
            var messages = Enumerable.Range(batch * 100, 100).Select(i => (object)new { ts = Ms(start.AddMinutes(i)), values = new { flow = i } }).ToArray();
            total += (await MonitoringKit.SendOkAsync(device, meter, messages)).Accepted;
        }
        Assert.Equal(1100, total);
        var from = Iso(start);

        var raw = await admin.GetOkAsync<TelemetryDto>($"/api/v1/devices/{meter.Device.Id}/telemetry?metric=flow&from={from}&resolution=raw");
        Assert.Equal(TelemetryQueries.MaxPoints, raw.Points.Count);
        Assert.True(raw.Truncated);
        Assert.Equal(1099.0, raw.Points[^1].Value);

        var auto = await admin.GetOkAsync<TelemetryDto>($"/api/v1/devices/{meter.Device.Id}/telemetry?metric=flow&from={from}");
        Assert.Equal(TelemetryResolution.Hour, auto.Resolution);
        Assert.Equal(1100, auto.Points.Sum(p => p.Count));
        Assert.Equal((0.0, 59.0, 29.5), (auto.Points[0].Min!.Value, auto.Points[0].Max!.Value, auto.Points[0].Value));
    }

    [Fact]
    public async Task Roll_up_counts_each_hour_once_and_retention_drops_old_raw_rows_but_keeps_hours()
    {
        await using var app = await LinliAppFactory.StartAsync(new Dictionary<string, string> { ["Linli:Devices:RollupLookbackHours"] = "12" });
        var (sensor, hourA, hourB) = await SensorWithHistoryAsync(app);
        var id = sensor.Device.Id;
        var retention = app.Factory.Services.GetRequiredService<TelemetryRetention>();

        await retention.RunOnceAsync(default);
        var first = await HourRowsAsync(app, id);
        Assert.Equal(
            [(id, "humidity", hourA, 1, 55.0, 55.0, 55.0), (id, "temperature", hourA, 3, 20.0, 30.0, 75.0), (id, "temperature", hourB, 1, 40.0, 40.0, 40.0)],
            first);

        // Again: the same numbers, not doubled.
        await retention.RunOnceAsync(default);
        Assert.Equal(first, await HourRowsAsync(app, id));

        // A reading the device buffered arrives late for hour A: the hour is recomputed, not added to twice.
        await MonitoringKit.SendOkAsync(app.Anonymous(), sensor, new { ts = Ms(hourA.AddMinutes(55)), values = new { temperature = 10.0 } });
        await retention.RunOnceAsync(default);
        await retention.RunOnceAsync(default);
        var late = (await HourRowsAsync(app, id)).Single(h => h.Metric == "temperature" && h.Hour == hourA);
        Assert.Equal((4, 10.0, 30.0, 85.0), (late.Count, late.Min, late.Max, late.Sum));
        Assert.Equal(6, await RawCountAsync(app, id));

        // A month on: the raw points are gone, the hours stay and still draw the chart.
        app.Clock.Advance(TimeSpan.FromDays(31));
        var run = await retention.RunOnceAsync(default);
        // Row by row, or whole (a PostgreSQL month wholly past, an SQLite day table), as where they sat allows.
        Assert.True(run.RawDeleted >= 6 || run.PartitionsDropped >= 1, $"{run}");
        Assert.Equal(0, await RawCountAsync(app, id));
        Assert.Equal(3, (await HourRowsAsync(app, id)).Count);
        var admin = await FreshClientAsync(app, "admin1");
        var month = await admin.GetOkAsync<TelemetryDto>(
            $"/api/v1/devices/{id}/telemetry?metric=temperature&from={Iso(hourA.AddDays(-1))}&to={Iso(hourA.AddDays(2))}");
        Assert.Equal(TelemetryResolution.Hour, month.Resolution);
        Assert.Equal([4, 1], month.Points.Select(p => p.Count));
        Assert.Contains((await admin.GetOkAsync<List<DeviceMetricDto>>($"/api/v1/devices/{id}/metrics")).Select(m => m.Metric), m => m == "humidity");

        // A year on: the hours go too.
        app.Clock.Advance(TimeSpan.FromDays(340));
        var later = await retention.RunOnceAsync(default);
        Assert.Equal(3, later.HourlyDeleted);
        Assert.Empty(await HourRowsAsync(app, id));
    }

    [Fact]
    public async Task Raw_readings_go_by_whole_months_on_PostgreSQL_and_by_whole_days_on_SQLite()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var (sensor, hourA, hourB) = await SensorWithHistoryAsync(app);
        var id = sensor.Device.Id;
        var retention = app.Factory.Services.GetRequiredService<TelemetryRetention>();
        var now = app.Clock.GetUtcNow();
        var sqlite = TestDatabase.Provider == DatabaseProvider.Sqlite;
        string PartitionOf(DateTimeOffset t) => "device_readings_" + t.ToString(sqlite ? "yyyyMMdd" : "yyyyMM", CultureInfo.InvariantCulture);
        var thisMonth = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);

        await retention.RunOnceAsync(default);
        var partitions = await PartitionsAsync(app);
        // The months (days) up to two ahead exist before any reading needs them.
        if (sqlite)
        {
            for (var d = today.AddDays(-1); d <= today.AddDays(2); d = d.AddDays(1)) Assert.Contains(PartitionOf(d), partitions);
            // The writer commits into its inbox and, with nothing more to store, moves the rows into their day's table.
            Assert.Equal(0, await CaseKit.EventuallyAsync(() => CountInAsync(app, SqliteReadingDays.Inbox, id), n => n == 0));
        }
        else
        {
            for (var m = thisMonth; m <= thisMonth.AddMonths(2); m = m.AddMonths(1)) Assert.Contains(PartitionOf(m), partitions);
        }
        var inOwn = 0;
        foreach (var partition in new[] { PartitionOf(hourA), PartitionOf(hourB) }.Distinct()) inOwn += await CountInAsync(app, partition, id);
        Assert.Equal(5, inOwn);

        // Past the 30 days' retention by more than the month: the partitions go whole, without a row being read.
        app.Clock.Advance(thisMonth.AddMonths(1).AddDays(31) - now);
        var run = await retention.RunOnceAsync(default);
        Assert.Equal(0, await RawCountAsync(app, id));
        Assert.True(run.PartitionsDropped >= 1);
        Assert.Equal(0, run.RawDeleted);
        Assert.DoesNotContain(PartitionOf(hourA), await PartitionsAsync(app));
        Assert.True(run.PartitionsCreated >= 1);
    }

    static async Task<List<string>> PartitionsAsync(TestApp app)
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        return TestDatabase.Provider == DatabaseProvider.Postgres
            ? await db.Database.SqlQueryRaw<string>(
                "SELECT c.relname AS \"Value\" FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'device_readings'::regclass").ToListAsync()
            : await db.Database.SqlQueryRaw<string>(
                "SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name GLOB 'device_readings_[0-9]*'").ToListAsync();
    }

    static async Task<int> CountInAsync(TestApp app, string partition, long deviceId)
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        // A table name cannot be a parameter; this one is made by the test from a date.
#pragma warning disable EF1002
        return TestDatabase.Provider == DatabaseProvider.Postgres
            ? await db.Database.SqlQueryRaw<int>($"SELECT count(*)::int AS \"Value\" FROM {partition} WHERE \"DeviceId\" = @id", new Npgsql.NpgsqlParameter("id", deviceId)).SingleAsync()
            : await db.Database.SqlQueryRaw<int>($"SELECT count(*) AS \"Value\" FROM \"{partition}\" WHERE \"DeviceId\" = @id", new Microsoft.Data.Sqlite.SqliteParameter("id", deviceId)).SingleAsync();
#pragma warning restore EF1002
    }

    [Fact]
    public async Task The_background_job_rolls_up_completed_hours_by_itself()
    {
        await using var app = await LinliAppFactory.StartAsync(new Dictionary<string, string> { ["Linli:Devices:RetentionMinutes"] = "0.005" });
        var (sensor, hourA, _) = await SensorWithHistoryAsync(app);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var rows = await HourRowsAsync(app, sensor.Device.Id);
            if (rows.Any(h => h.Metric == "temperature" && h.Hour == hourA))
            {
                Assert.Equal(3, rows.Single(h => h.Metric == "temperature" && h.Hour == hourA).Count);
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, "the retention job did not roll up the hour");
            await Task.Delay(100);
        }
    }
}

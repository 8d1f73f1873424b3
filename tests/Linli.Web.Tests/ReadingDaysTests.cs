using Linli.Domain.Devices;
using Linli.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>
/// ADR 0016: on SQLite the ingestion writer commits into an inbox and moves it into one table per day afterwards — in
/// small steps while nothing is queued, whole once it is large. What a reader of the history notices: every reading is
/// there from its commit on, wherever it sits, and none is lost or doubled by a move. PostgreSQL writes straight into
/// its monthly partitions and has nothing to move.
/// </summary>
public sealed class ReadingDaysTests
{
    static List<(long, DateTimeOffset, Reading)> Rows(long deviceId, DateTimeOffset from, int count, string metric = "temperature") =>
        Enumerable.Range(0, count).Select(i => (deviceId, from.AddMilliseconds(i), new Reading(metric, i))).ToList();

    static async Task<long> CountAsync(TestApp app, string table, long deviceId)
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        // The table name is one of the writer's own, made from a date or a constant.
#pragma warning disable EF1002
        return await db.Database.SqlQueryRaw<long>($"SELECT count(*) AS \"Value\" FROM \"{table}\" WHERE \"DeviceId\" = {deviceId}").SingleAsync();
#pragma warning restore EF1002
    }

    /// <summary>All readings, as the store holds them: the test reads as no user, so the scope filters are off for it.</summary>
    static IQueryable<StoredReading> Stored(LinliDbContext db) => db.Readings.IgnoreQueryFilters().AsNoTracking();

    [Fact]
    public async Task Readings_are_readable_from_their_commit_and_land_in_their_day_once_whether_moved_in_steps_or_whole()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var admin = await app.ClientAsAsync("admin1");
        var sensor = (await MonitoringKit.RegisterAsync(admin, DeviceType.EnvironmentSensor, new { buildingId = places.C1.BuildingIds[0] })).Device;
        var now = app.Clock.GetUtcNow();
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);

        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        await using var writer = await ReadingWriter.OpenAsync(db, app.Clock, retentionDays: 30, default);
        // Today, yesterday, and a day beyond the days made ahead (a clock running days fast).
        await writer.WriteAsync(Rows(sensor.Id, today.AddHours(1), 2_500), default);
        await writer.WriteAsync(Rows(sensor.Id, today.AddDays(-1).AddHours(1), 10), default);
        await writer.WriteAsync(Rows(sensor.Id, today.AddDays(5), 10), default);

        // Readable through device_readings (charts, rebuilds, the welfare check) the moment the write returns.
        Assert.Equal(2_520, await Stored(db).CountAsync(r => r.DeviceId == sensor.Id));

        if (TestDatabase.Provider == DatabaseProvider.Postgres)
        {
            Assert.False(writer.HasDeferredWork);
            Assert.Equal(0, await writer.MaintainAsync(idle: true, default));
            return;
        }

        Assert.Equal(2_520, writer.InboxRows);
        Assert.Equal(0, await writer.MaintainAsync(idle: false, default));
        // Nothing queued: steps of at most IdleMoveRows, until the inbox is empty.
        var steps = new List<long>();
        while (writer.HasDeferredWork) steps.Add(await writer.MaintainAsync(idle: true, default));
        Assert.Equal([1_000, 1_000, 520], steps);
        Assert.Equal(0, await CountAsync(app, SqliteReadingDays.Inbox, sensor.Id));
        Assert.Equal(2_500, await CountAsync(app, SqliteReadingDays.TableOf(DateOnly.FromDateTime(today.UtcDateTime)), sensor.Id));
        Assert.Equal(10, await CountAsync(app, SqliteReadingDays.TableOf(DateOnly.FromDateTime(today.AddDays(-1).UtcDateTime)), sensor.Id));
        Assert.Equal(10, await CountAsync(app, SqliteReadingDays.Default, sensor.Id));
        Assert.Equal(2_520, await Stored(db).CountAsync(r => r.DeviceId == sensor.Id));
        Assert.Equal(2_520, await Stored(db).Where(r => r.DeviceId == sensor.Id).Select(r => r.Id).Distinct().CountAsync());

        // Under load (never idle) the inbox waits until it holds MoveRows, then goes in one move.
        await writer.WriteAsync(Rows(sensor.Id, today.AddHours(2), ReadingWriter.MoveRows - 1, "humidity"), default);
        Assert.Equal(0, await writer.MaintainAsync(idle: false, default));
        await writer.WriteAsync(Rows(sensor.Id, today.AddHours(3), 1, "humidity"), default);
        Assert.Equal(ReadingWriter.MoveRows, await writer.MaintainAsync(idle: false, default));
        Assert.False(writer.HasDeferredWork);
        Assert.Equal(2_500 + ReadingWriter.MoveRows, await CountAsync(app, SqliteReadingDays.TableOf(DateOnly.FromDateTime(today.UtcDateTime)), sensor.Id));

        // A chart of the last hours reads the day table through the view, newest first, as before the move.
        var newest = await Stored(db).Where(r => r.DeviceId == sensor.Id && r.Metric == "humidity").OrderByDescending(r => r.At).FirstAsync();
        Assert.Equal(today.AddHours(3), newest.At);
    }

    [Fact]
    public async Task A_writer_opened_on_an_inbox_left_by_a_crash_moves_it_and_nothing_is_doubled()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var admin = await app.ClientAsAsync("admin1");
        var sensor = (await MonitoringKit.RegisterAsync(admin, DeviceType.EnvironmentSensor, new { buildingId = places.C1.BuildingIds[0] })).Device;
        var from = app.Clock.GetUtcNow().AddMinutes(-10);
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();

        // The first writer commits and is never disposed (a killed process neither moves nor closes anything).
        var crashed = await ReadingWriter.OpenAsync(db, app.Clock, retentionDays: 30, default);
        await crashed.WriteAsync(Rows(sensor.Id, from, 300), default);

        await using var next = await ReadingWriter.OpenAsync(db, app.Clock, retentionDays: 30, default);
        if (TestDatabase.Provider == DatabaseProvider.Sqlite)
        {
            Assert.Equal(300, next.InboxRows);
            Assert.Equal(300, await next.MaintainAsync(idle: true, default) + await next.MaintainAsync(idle: true, default));
            Assert.False(next.HasDeferredWork);
        }
        await next.WriteAsync(Rows(sensor.Id, from.AddMinutes(1), 5), default);
        while (next.HasDeferredWork) await next.MaintainAsync(idle: true, default);
        Assert.Equal(305, await Stored(db).CountAsync(r => r.DeviceId == sensor.Id));
        Assert.Equal(305, await Stored(db).Where(r => r.DeviceId == sensor.Id).Select(r => r.Id).Distinct().CountAsync());
        await crashed.DisposeAsync();
    }
}

using System.Net;
using System.Net.Http.Json;
using Linli.Application.Common;
using Linli.Application.Registry;
using Linli.Infrastructure.Persistence;
using Linli.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>
/// Stale-tolerant reads (statistics, exports) on the replica, everything a user must see after writing on the primary
/// (ADR 0015). The test server has no streaming replica: the "replica" is a second copy of the seeded demo database, made
/// like the primary's from the same template, so it holds what the primary held before the test wrote, and nothing after.
/// </summary>
public sealed class ReplicaReadsTests
{
    const string Header = ObservabilityModule.ReadFromHeader;

    [Fact]
    public async Task Statistics_and_exports_read_the_replica_while_the_users_own_pages_read_the_primary()
    {
        if (!await OnPostgresAsync()) return;
        await using var app = (await StartWithReplicaAsync()).App;
        var admin1 = await app.ClientAsAsync("admin1");
        var places = await DemoPlaces.LoadAsync(app);
        var before = await TotalAsync(admin1, "replica");
        Assert.Equal(await ListTotalAsync(admin1), before);

        // The admin registers someone: the write and every page of theirs that shows it read the primary.
        var name = "副本延迟测试";
        var created = await admin1.PostJsonAsync("/api/v1/residents", TestPeople.Family(places.C1.OccupiedRoomId, name));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.OkAsync<ResidentDto>()).Id;
        using (var page = await admin1.GetAsync($"/api/v1/residents/{id}"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.False(page.Headers.Contains(Header), "a page that read nothing stale says nothing about the replica");
        }
        Assert.Equal(before + 1, await ListTotalAsync(admin1));

        // The statistics and the export come from the replica, which never got the new resident.
        Assert.Equal(before, await TotalAsync(admin1, "replica"));
        using (var cases = await admin1.GetAsync("/api/v1/statistics/cases"))
        {
            Assert.Equal(HttpStatusCode.OK, cases.StatusCode);
            Assert.Equal("replica", ReadFrom(cases));
        }
        using var export = await admin1.GetAsync($"/api/v1/residents/export.csv?q={Uri.EscapeDataString(name)}");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("replica", ReadFrom(export));
        Assert.DoesNotContain(name, await export.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_scope_filters_hold_on_the_replica()
    {
        if (!await OnPostgresAsync()) return;
        await using var app = (await StartWithReplicaAsync()).App;
        var admin1 = await app.ClientAsAsync("admin1");
        var admin2 = await app.ClientAsAsync("admin2");
        var street = await app.ClientAsAsync("street");

        var one = await TotalAsync(admin1, "replica");
        var two = await TotalAsync(admin2, "replica");
        var all = await TotalAsync(street, "replica");
        Assert.True(one > 0 && two > 0);
        Assert.Equal(all, one + two);
        Assert.Equal(await ListTotalAsync(admin2), two);

        // Another community's admin cannot narrow the replica's figures to the first community, nor export its people.
        var community1 = (await admin1.MeAsync()).NodeId;
        using var refused = await admin2.GetAsync($"/api/v1/statistics/population?communityId={community1}");
        await refused.ExpectFieldErrorAsync("communityId");
        using var export = await admin2.GetAsync("/api/v1/residents/export.csv");
        Assert.Equal("replica", ReadFrom(export));
        var rows = (await export.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1;
        Assert.Equal(two, rows);
    }

    [Fact]
    public async Task A_replica_that_stops_answering_sends_the_reads_back_to_the_primary()
    {
        if (!await OnPostgresAsync()) return;
        // Checked once at start and then not for an hour: only a read can find the replica gone.
        var (started, dropReplica) = await StartWithReplicaAsync(checkSeconds: "3600");
        await using var app = started;
        var admin1 = await app.ClientAsAsync("admin1");
        var places = await DemoPlaces.LoadAsync(app);
        var before = await TotalAsync(admin1, "replica");
        Assert.Equal(HttpStatusCode.Created, (await admin1.PostJsonAsync("/api/v1/residents", TestPeople.Family(places.C1.OccupiedRoomId))).StatusCode);
        Assert.Equal(before, await TotalAsync(admin1, "replica"));

        await dropReplica();

        // The very next read finds the replica gone: it moves the reads to the primary and is itself answered from there,
        // with the write, not with a 500.
        using (var first = await admin1.GetAsync("/api/v1/statistics/population"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal("primary", ReadFrom(first));
            Assert.Equal(before + 1, (await first.Content.ReadFromJsonAsync<PopulationTotal>())!.Total);
        }
        Assert.Equal(before + 1, await TotalAsync(admin1, "primary"));
        using var export = await admin1.GetAsync("/api/v1/residents/export.csv");
        Assert.Equal("primary", ReadFrom(export));
    }

    [Fact]
    public async Task An_export_that_finds_the_replica_gone_is_answered_from_the_primary_and_audited_once()
    {
        if (!await OnPostgresAsync()) return;
        var (started, dropReplica) = await StartWithReplicaAsync(checkSeconds: "3600");
        await using var app = started;
        var admin1 = await app.ClientAsAsync("admin1");
        using (var warm = await admin1.GetAsync("/api/v1/residents/export.csv"))
            Assert.Equal("replica", ReadFrom(warm));
        var before = await ExportsAuditedAsync(app);

        await dropReplica();

        using var export = await admin1.GetAsync("/api/v1/residents/export.csv");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("primary", ReadFrom(export));
        Assert.StartsWith("姓名", await export.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before + 1, await ExportsAuditedAsync(app));
    }

    static async Task<int> ExportsAuditedAsync(TestApp app)
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        // The test counts every entry, as no user: the scope filters are not what it is about.
        return await db.Audit.IgnoreQueryFilters().CountAsync(a => a.Action == "Export");
    }

    [Fact]
    public async Task A_replica_that_never_answered_leaves_every_read_on_the_primary()
    {
        if (!await OnPostgresAsync()) return;
        var missing = new Npgsql.NpgsqlConnectionStringBuilder(TestDatabase.PostgresServer) { Database = "linli_no_such_replica" }.ConnectionString;
        await using var app = (await StartWithReplicaAsync(missing)).App;
        var admin1 = await app.ClientAsAsync("admin1");
        await Task.Delay(TimeSpan.FromSeconds(1)); // several checks, each answered "no"
        Assert.Equal(await ListTotalAsync(admin1), await TotalAsync(admin1, "primary"));
    }

    [Fact]
    public async Task Without_a_replica_statistics_and_exports_read_the_primary_and_see_a_write_at_once()
    {
        // SQLite always, PostgreSQL when no replica is configured.
        await using var app = await LinliAppFactory.StartAsync();
        var admin1 = await app.ClientAsAsync("admin1");
        var places = await DemoPlaces.LoadAsync(app);
        var before = await TotalAsync(admin1, "primary");
        var name = "主库读测试";
        Assert.Equal(HttpStatusCode.Created, (await admin1.PostJsonAsync("/api/v1/residents", TestPeople.Family(places.C1.OccupiedRoomId, name))).StatusCode);
        Assert.Equal(before + 1, await TotalAsync(admin1, "primary"));
        using var export = await admin1.GetAsync($"/api/v1/residents/export.csv?q={Uri.EscapeDataString(name)}");
        Assert.Equal("primary", ReadFrom(export));
        Assert.Contains(name, await export.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_read_context_tracks_nothing_and_refuses_to_save()
    {
        await using var app = await LinliAppFactory.StartAsync();
        await using var scope = app.Factory.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<DeclaredScope>().Declare(Domain.Identity.Scope.System, "test");
        var reads = scope.ServiceProvider.GetRequiredService<ILinliReadDb>();
        var resident = await reads.Residents.FirstAsync();
        var context = Assert.IsType<LinliDbContext>(reads);
        Assert.Empty(context.ChangeTracker.Entries());
        context.Attach(resident);
        Assert.Throws<InvalidOperationException>(() => context.SaveChanges());
        await Assert.ThrowsAsync<InvalidOperationException>(() => context.SaveChangesAsync());
        // The primary's context of the same scope is another one, and saves.
        var db = scope.ServiceProvider.GetRequiredService<ILinliDb>();
        Assert.NotSame(reads, db);
        Assert.Equal(0, await db.SaveChangesAsync());
    }

    /// <summary>
    /// An app on a fresh demo database with a "replica": another fresh copy of the same seeded template, checked often.
    /// Returns the app and what drops the replica's database (the replica going away).
    /// </summary>
    static async Task<(TestApp App, Func<Task> DropReplica)> StartWithReplicaAsync(string? replica = null, string checkSeconds = "0.2")
    {
        var (primary, dropPrimary) = await TestDatabase.CreateAsync();
        var (copy, dropCopy) = replica is null ? await TestDatabase.CreateAsync() : (replica, () => Task.CompletedTask);
        var settings = new Dictionary<string, string>
        {
            ["Linli:Database:ReplicaConnectionString"] = copy,
            // A copy, not a hot standby: trusted while it answers.
            ["Linli:Database:ReplicaMustBeStandby"] = "false",
            ["Linli:Database:ReplicaCheckSeconds"] = checkSeconds,
        };
        var app = new TestApp(new LinliAppFactory(primary, settings: settings), async () =>
        {
            await dropPrimary();
            await dropCopy();
        });
        return (app, dropCopy);
    }

    /// <summary>The population total, once the answer comes from <paramref name="source"/> (the replica's state is checked in the background).</summary>
    /// <summary>
    /// True on PostgreSQL, where a replica test goes on. The embedded database has no replica: there the setting is refused
    /// at start-up, naming it (what an operator who sets it sees), and the test ends with that assertion.
    /// </summary>
    static async Task<bool> OnPostgresAsync()
    {
        if (TestDatabase.Provider == DatabaseProvider.Postgres) return true;
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = await LinliAppFactory.StartAsync(new Dictionary<string, string> { ["Linli:Database:ReplicaConnectionString"] = "Data Source=replica.db" });
            _ = app.Factory.Services; // starts the host
        });
        Assert.Contains("ReplicaConnectionString", error.ToString(), StringComparison.Ordinal);
        return false;
    }

    static async Task<int> TotalAsync(HttpClient client, string source)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            using var response = await client.GetAsync("/api/v1/statistics/population");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            if (ReadFrom(response) == source) return (await response.Content.ReadFromJsonAsync<PopulationTotal>())!.Total;
            Assert.True(DateTime.UtcNow < deadline, $"the statistics still read the {ReadFrom(response)}, not the {source}");
            await Task.Delay(100);
        }
    }

    static async Task<int> ListTotalAsync(HttpClient client) =>
        (await client.GetOkAsync<Page<ResidentSummaryDto>>("/api/v1/residents?pageSize=1")).Total;

    static string? ReadFrom(HttpResponseMessage response) =>
        response.Headers.TryGetValues(Header, out var values) ? string.Join(",", values) : null;

    sealed record PopulationTotal(int Total);
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Threading.Channels;
using Linli.Web.Features.Registry;
using Microsoft.Extensions.DependencyInjection;
using static Linli.Web.Tests.ImportExportTests;

namespace Linli.Web.Tests;

/// <summary>
/// ADR 0013 for imports and files: with several web nodes on one database and one shared directory, an import is
/// followed and reported by whichever node is asked, is run by exactly one node, is taken over when its node stops
/// answering, and imports its rows once; a photo uploaded to one node is served by another.
/// </summary>
public sealed class SharedNodeFilesTests
{
    /// <summary>Workers that look for queued jobs and write progress five times a second, so the tests wait little.</summary>
    static readonly Dictionary<string, string> QuickImports = new()
    {
        ["Linli:Imports:PollSeconds"] = "0.2",
        ["Linli:Imports:ProgressSeconds"] = "0.2",
    };

    [Fact]
    public async Task An_import_uploaded_to_one_node_is_followed_to_the_end_and_reported_on_another()
    {
        await using var app = await LinliAppFactory.StartAsync(QuickImports);
        var nodeB = app.StartNode();
        var adminA = await app.ClientAsAsync("admin1");
        var adminB = await nodeB.ClientAsAsync("admin1");
        var rooms = await RoomsAsync(adminA, 2);
        var before = await ResidentTotal(adminB);

        // A good file through A: B follows it to its counts, and B's registry has the people.
        var good = await StartAsync(adminA, ImportSamples.Residents(TableFormat.Xlsx, 40, rooms, seed: 71), "good.xlsx");
        var done = await UntilDoneAsync(adminB, good.Id);
        Assert.Equal(("Succeeded", 40, 40, 40), (done.State, done.TotalRows, done.ProcessedRows, done.Imported!.Residents));
        Assert.Equal(before + 40, await ResidentTotal(adminB));

        // A file with a bad row through A: B shows it failed and hands out both error reports.
        var r = rooms[0];
        var bad = await StartAsync(adminA, Csv(
            ["姓名", "身份证号", "楼栋", "单元", "房号", "关系"],
            ["好人", ValidId(11), r.Building, $"{r.Unit}", r.Room, "业主"],
            ["没楼栋", ValidId(12), "99号楼", "1", "101", "家属"]), "bad.csv");
        var failed = await UntilDoneAsync(adminB, bad.Id);
        Assert.Equal(("Failed", 1), (failed.State, failed.ErrorsCount));
        var report = await ReadCsvAsync(await adminB.GetAsync(failed.ErrorReportUrl));
        Assert.Equal(ImportApi.ErrorReportHeaders, report[0]);
        Assert.Equal(("3", "楼栋", "99号楼"), (report[1][0], report[1][1], report[1][2]));
        var sheet = ReadXlsx(await adminB.GetByteArrayAsync(failed.ErrorReportXlsxUrl));
        Assert.Equal(("3", "楼栋"), (sheet[1][0], sheet[1][1]));
        Assert.Contains("99号楼", await adminB.GetStringAsync($"/import?job={bad.Id}"), StringComparison.Ordinal);
        Assert.Equal(before + 40, await ResidentTotal(adminB));

        // The job is still only its uploader's, on every node.
        var otherB = await nodeB.ClientAsAsync("admin2");
        Assert.Equal(HttpStatusCode.NotFound, (await otherB.GetAsync($"/api/v1/imports/jobs/{bad.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otherB.GetAsync(failed.ErrorReportUrl)).StatusCode);
    }

    [Fact]
    public async Task A_job_whose_node_stopped_answering_is_run_by_another_and_imports_its_rows_once()
    {
        var storeA = new WatchedFileStore("A");
        var storeB = new WatchedFileStore("B");
        await using var app = await LinliAppFactory.StartAsync(QuickImports, storeA.Install);
        var adminA = await app.ClientAsAsync("admin1");
        var rooms = await RoomsAsync(adminA, 2);
        var residents = await ScalarAsync(app, "SELECT COUNT(*) FROM residents");
        var audit = await ScalarAsync(app, "SELECT COUNT(*) FROM audit_entries");

        // A claims the job and then hangs, just before it reads the file.
        storeA.Hold();
        var job = await StartAsync(adminA, ImportSamples.Residents(TableFormat.Xlsx, 60, rooms, seed: 72), "stuck.xlsx");
        Assert.Equal(job.Id, await storeA.NextHeldAsync());

        // Another node, while A's claim holds: it leaves the job alone.
        var nodeB = app.StartNode(services: storeB.Install);
        var adminB = await nodeB.ClientAsAsync("admin1");
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // several of B's polls
        Assert.Empty(storeB.Opened);
        var waiting = await adminB.GetFromJsonAsync<JobDto>($"/api/v1/imports/jobs/{job.Id}");
        Assert.Equal(("Validating", 0), (waiting!.State, waiting.ProcessedRows));

        // To B, A's claim has run out (A renews it by a clock now 31 s behind B's, as a dead node renews nothing): B takes over.
        nodeB.Clock.Advance(TimeSpan.FromSeconds(31));
        var done = await UntilDoneAsync(adminB, job.Id);
        Assert.Equal(("Succeeded", 60), (done.State, done.Imported!.Residents));
        Assert.Equal([job.Id], storeB.Opened);

        // A's run was called off when its renewal found the job taken; let go and then stopped, it has written nothing.
        storeA.Release();
        await Task.Delay(TimeSpan.FromSeconds(1));
        await app.StopAsync();
        Assert.Equal(residents + 60, await NodeScalarAsync(nodeB, "SELECT COUNT(*) FROM residents"));
        Assert.Equal(audit + 1, await NodeScalarAsync(nodeB, "SELECT COUNT(*) FROM audit_entries"));
        var final = await adminB.GetFromJsonAsync<JobDto>($"/api/v1/imports/jobs/{job.Id}");
        Assert.Equal(("Succeeded", 60, 0), (final!.State, final.Imported!.Residents, final.ErrorsCount));
        Assert.Equal([job.Id], storeA.Opened);
    }

    [Fact]
    public async Task Two_nodes_taking_jobs_from_one_queue_never_run_the_same_job()
    {
        var storeA = new WatchedFileStore("A");
        var storeB = new WatchedFileStore("B");
        await using var app = await LinliAppFactory.StartAsync(QuickImports, storeA.Install);
        var nodeB = app.StartNode(services: storeB.Install);
        var adminA = await app.ClientAsAsync("admin1");
        var adminB = await nodeB.ClientAsAsync("admin1");
        var rooms = await RoomsAsync(adminA, 3);
        var residents = await ScalarAsync(app, "SELECT COUNT(*) FROM residents");
        var audit = await ScalarAsync(app, "SELECT COUNT(*) FROM audit_entries");

        // Six jobs, uploaded to both nodes; each node's worker takes one and is held with it.
        storeA.Hold();
        storeB.Hold();
        var jobs = new List<JobDto>();
        for (var i = 0; i < 6; i++)
            jobs.Add(await StartAsync(i % 2 == 0 ? adminA : adminB, ImportSamples.Residents(TableFormat.Csv, 25, rooms, seed: 80 + i), $"part{i}.csv"));
        var heldByA = await storeA.NextHeldAsync();
        var heldByB = await storeB.NextHeldAsync();
        Assert.NotEqual(heldByA, heldByB);

        storeA.Release();
        storeB.Release();
        for (var i = 0; i < jobs.Count; i++)
        {
            // Each followed on the node it was not uploaded to.
            var done = await UntilDoneAsync(i % 2 == 0 ? adminB : adminA, jobs[i].Id);
            Assert.True(done.State == "Succeeded", $"job {i}: {done.State} {done.Message}");
            Assert.Equal(25, done.Imported!.Residents);
        }

        // Each job was started once, by one node, and its rows are in once.
        var started = storeA.Opened.Concat(storeB.Opened).ToList();
        Assert.Equal(jobs.Select(j => j.Id).Order(), started.Order());
        Assert.Equal(residents + 6 * 25, await ScalarAsync(app, "SELECT COUNT(*) FROM residents"));
        Assert.Equal(audit + 6, await ScalarAsync(app, "SELECT COUNT(*) FROM audit_entries"));
    }

    [Fact]
    public async Task A_photo_uploaded_to_one_node_is_served_by_another()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var nodeB = app.StartNode();
        var residentA = await app.ClientAsAsync("resident1");
        var created = await CaseKit.ReportAsync(residentA, "lighting", "楼道灯不亮");
        var png = CaseKit.Png(9, 7);
        using var upload = await CaseKit.UploadAsync(residentA, created.Id, png, "IMG_1.PNG", "image/png");
        var photo = await upload.OkAsync<CasePhotoDto>();

        foreach (var user in new[] { "resident1", "property1" })
        {
            using var download = await (await nodeB.ClientAsAsync(user)).GetAsync(photo.Url);
            await download.ExpectAsync(HttpStatusCode.OK);
            Assert.Equal("image/png", download.Content.Headers.ContentType?.MediaType);
            Assert.Equal(png, await download.Content.ReadAsByteArrayAsync());
        }
        await (await (await nodeB.ClientAsAsync("resident2")).GetAsync(photo.Url)).ExpectAsync(HttpStatusCode.NotFound);
    }

    static async Task<JobDto> StartAsync(HttpClient client, byte[] content, string fileName)
    {
        using var response = await client.PostAsync("/api/v1/imports/residents", Form(content, fileName));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JobDto>())!;
    }

    static async Task<JobDto> UntilDoneAsync(HttpClient client, string id)
    {
        JobDto? job = null;
        for (var i = 0; i < 600 && job?.State is not ("Succeeded" or "Failed"); i++)
        {
            if (i > 0) await Task.Delay(100);
            job = await client.GetFromJsonAsync<JobDto>($"/api/v1/imports/jobs/{id}");
        }
        return job!;
    }

    static async Task<long> NodeScalarAsync(LinliAppFactory node, string sql)
    {
        using var scope = node.Services.CreateScope();
        var connection = Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.GetDbConnection(
            scope.ServiceProvider.GetRequiredService<Linli.Infrastructure.Persistence.LinliDbContext>().Database);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A node's file store as the test sees it: which import files the node opened (a worker opens the file when it starts
    /// a job), and a gate that holds a worker right there until the test lets it go.
    /// </summary>
    sealed class WatchedFileStore(string node) : IFileStore
    {
        readonly Channel<string> _held = Channel.CreateUnbounded<string>();
        readonly ConcurrentQueue<string> _opened = new();
        IFileStore _inner = null!;
        volatile TaskCompletionSource? _gate;

        /// <summary>The jobs whose file this node opened, by job id.</summary>
        public IReadOnlyList<string> Opened => [.. _opened];

        /// <summary>Takes the place of the node's file store, wrapping it.</summary>
        public void Install(IServiceCollection services)
        {
            _inner = (IFileStore)services.Last(d => d.ServiceType == typeof(IFileStore)).ImplementationInstance!;
            services.AddSingleton<IFileStore>(this);
        }

        public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _gate?.TrySetResult();

        /// <summary>The job a worker of this node is held with next.</summary>
        public async Task<string> NextHeldAsync() => await _held.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        public async Task<Stream?> OpenReadAsync(string key, CancellationToken ct)
        {
            if (key.StartsWith("imports/", StringComparison.Ordinal))
            {
                var job = key["imports/".Length..].Split('.')[0];
                _opened.Enqueue(job);
                if (_gate is { Task.IsCompleted: false } gate)
                {
                    _held.Writer.TryWrite(job);
                    await gate.Task.WaitAsync(ct);
                }
            }
            return await _inner.OpenReadAsync(key, ct);
        }

        public Task PutAsync(string key, Stream content, CancellationToken ct) => _inner.PutAsync(key, content, ct);
        public Task<bool> ExistsAsync(string key, CancellationToken ct) => _inner.ExistsAsync(key, ct);
        public Task DeleteAsync(string key, CancellationToken ct) => _inner.DeleteAsync(key, ct);

        public override string ToString() => node;
    }
}

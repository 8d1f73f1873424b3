using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Linli.Infrastructure.Persistence;
using Linli.Web.Features.Registry;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Linli.Bench;

/// <summary>
/// Imports an .xlsx of residents through the public API (POST /api/v1/imports/residents, then polling the job) into a fresh
/// demo database, timing from the upload until the job reports it is finished. The workbook comes from the importer's own
/// sample generator (Linli.Web.Features.Registry.ImportSamples), so the bench and the importer agree on the columns.
/// </summary>
public static class ImportScenario
{
    static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(3);

    public static async Task<ScenarioResult> RunAsync(BenchDatabase database, string repoRoot, int rows, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(log);
        var result = new ScenarioResult("import", database.ProviderName);
        var kind = $"{rows:N0} residents (.xlsx)";
        result.Facts["how"] = "fresh demo database; POST the workbook as admin1, poll GET /api/v1/imports/jobs/{id} every 100 ms; time from upload start to a finished job; one run";

        var workbook = Generate(rows);
        result.Facts["workbook size"] = $"{workbook.Length / 1024d:0} KiB";

        var (connectionString, drop) = await FreshDatabaseAsync(database);
        try
        {
            await using var app = await AppProcess.StartAsync(database, repoRoot, connectionString, log, seed: "demo");
            var token = await app.TokenAsync("admin1");
            var started = Stopwatch.GetTimestamp();
            using var content = new MultipartFormDataContent();
            var file = new ByteArrayContent(workbook);
            file.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
            content.Add(file, "file", "residents.xlsx");
            using var post = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/v1/imports/residents", UriKind.Relative)) { Content = content };
            using var accepted = await app.SendAsync(post, token);
            var acceptedBody = await accepted.Content.ReadAsStringAsync();
            var uploadMs = Samples.Ms(started);
            if (accepted.StatusCode == HttpStatusCode.NotFound)
            {
                result.Rows.Add(Row.Pending("import", kind, "admin1", "POST /api/v1/imports/residents answers 404 (import module not merged yet)"));
                return result;
            }
            if (accepted.StatusCode != HttpStatusCode.Accepted)
            {
                result.Rows.Add(Row.Pending("import", kind, "admin1", $"upload answered {(int)accepted.StatusCode}, expected 202: {Trim(acceptedBody)}"));
                return result;
            }
            var jobId = JobId(accepted, acceptedBody)
                ?? throw new InvalidOperationException($"202 without a job id (no Location header, no id in the body): {Trim(acceptedBody)}");
            string status;
            string last;
            while (true)
            {
                var job = await app.GetAsync($"/api/v1/imports/jobs/{jobId}", token);
                last = job.Body;
                status = Status(job.Body);
                if (job.Status != HttpStatusCode.OK) throw new InvalidOperationException($"job status answered {(int)job.Status}: {Trim(job.Body)}");
                if (IsFinished(status)) break;
                if (Stopwatch.GetElapsedTime(started) > JobTimeout) { status = "timed out"; break; }
                await Task.Delay(100);
            }
            var totalMs = Samples.Ms(started);
            // Only an import that wrote every row is timed: a failed or partial job did not do the work the figure names.
            var imported = Imported(last);
            if (!string.Equals(status, nameof(ImportState.Succeeded), StringComparison.OrdinalIgnoreCase) || imported != rows)
            {
                result.Rows.Add(Row.Failed("import", kind, "admin1", $"job {status} after {totalMs:0} ms with {imported?.ToString(CultureInfo.InvariantCulture) ?? "no"} of {rows} rows imported; final job: {Trim(last)}"));
                log.WriteLine($"  import of {rows} rows FAILED: job {status}, {imported} imported");
                return result;
            }
            var samples = new Samples();
            samples.Add(totalMs);
            result.Rows.Add(Row.Of("import", kind, "admin1", samples, null, 10_000, $"job {status}, {imported:N0} rows imported; upload + 202 took {uploadMs:0} ms; final job: {Trim(last)}"));
            log.WriteLine($"  import of {rows} rows: {totalMs:0} ms, job {status}");
        }
        finally
        {
            await drop();
        }
        return result;
    }

    /// <summary>
    /// The importer's own sample generator, spread over unit 1, floors 1–6 of the first community's 17 demo buildings
    /// (every demo building has those rooms), so the bench and the importer agree on the columns.
    /// </summary>
    static byte[] Generate(int rows) =>
        ImportSamples.Residents(TableFormat.Xlsx, rows, ImportSamples.StandardRooms(Enumerable.Range(1, 17).Select(i => $"{i}号楼")), seed: 10_000);

    static string? JobId(HttpResponseMessage response, string body)
    {
        if (response.Headers.Location is { } location) return location.OriginalString.TrimEnd('/').Split('/')[^1];
        try
        {
            using var json = JsonDocument.Parse(body);
            foreach (var name in new[] { "id", "jobId" })
                if (json.RootElement.TryGetProperty(name, out var id)) return id.ToString();
        }
        catch (JsonException)
        {
            // Not JSON: no id in the body.
        }
        return null;
    }

    static string Status(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("state", out var s) ? s.ToString() : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    /// <summary>Residents the finished job says it wrote (imported.residents), or null when it names none.</summary>
    static int? Imported(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("imported", out var i) && i.ValueKind == JsonValueKind.Object
                && i.TryGetProperty("residents", out var r) && r.TryGetInt32(out var n) ? n : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    static bool IsFinished(string status) => status.ToLowerInvariant() is "completed" or "succeeded" or "done" or "finished" or "failed" or "completedwitherrors";

    static string Trim(string body) => body.Length > 300 ? body[..300] + "…" : body;

    /// <summary>An empty database the app migrates and seeds with the demo district on start; dropped afterwards.</summary>
    static async Task<(string ConnectionString, Func<Task> Drop)> FreshDatabaseAsync(BenchDatabase database)
    {
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            var file = Path.Combine(database.DataDirectory, $"import-{Guid.NewGuid():N}.db");
            return ($"Data Source={file}", () =>
            {
                SqliteConnection.ClearAllPools();
                foreach (var f in new[] { file, file + "-wal", file + "-shm" }) if (File.Exists(f)) File.Delete(f);
                return Task.CompletedTask;
            });
        }
        const string name = "linli_bench_import";
        async Task Exec(string sql)
        {
            await using var c = new NpgsqlConnection(BenchDatabase.PostgresServer);
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand(sql, c);
            await cmd.ExecuteNonQueryAsync();
        }
        await Exec($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        await Exec($"CREATE DATABASE {name}");
        return (new NpgsqlConnectionStringBuilder(BenchDatabase.PostgresServer) { Database = name }.ConnectionString,
            () => Exec($"DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    }
}

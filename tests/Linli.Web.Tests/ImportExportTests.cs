using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Linli.Domain.Registry;
using Linli.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Linli.Web.Features.Registry;
using Xunit.Abstractions;

namespace Linli.Web.Tests;

public sealed class ImportExportTests(ITestOutputHelper output)
{
    sealed record Me(int NodeId);
    sealed record BuildingItem(int Id, string Name, int CommunityId, int GridId);
    sealed record BuildingPage(List<BuildingItem> Items, int Total);
    sealed record RoomItem(int Id, int UnitNo, int Floor, string Number, string Occupancy, int Residents);
    sealed record BuildingDetail(BuildingItem Building, List<RoomItem> Rooms);
    sealed record ResidentItem(int Id, string Name, string? PhoneMasked, string IdNumberMasked, int? RoomId, string? RoomLabel, string? Relation, List<string> Labels);
    sealed record ResidentPage(List<ResidentItem> Items, int Total, bool TotalIsLowerBound = false);

    sealed record Population(int Total);
    internal sealed record Counts(int Rooms, int Residents);
    internal sealed record JobDto(string Id, string State, int ProcessedRows, int TotalRows, int ErrorsCount, string? ErrorReportUrl, string? ErrorReportXlsxUrl, Counts? Imported, string? Message);
    sealed record Problem(int Status, Dictionary<string, string[]>? Errors, string? ErrorReportUrl, string? ErrorReportXlsxUrl, int? ErrorsCount);
    sealed record History(DateOnly MovedInOn, DateOnly? LeaseEnd, string Relation);
    sealed record ResidentDetail(int Id, string Name, string? RoomLabel, List<string> Labels, string? EmergencyContactName, List<History> History);

    internal static readonly string[] ResidentHeaders = ImportColumns.Residents.Select(c => c.TemplateHeader).ToArray();

    // ---- helpers -------------------------------------------------------------------------------------------

    static async Task<int> NodeOf(HttpClient client) => (await client.GetFromJsonAsync<Me>("/api/v1/me"))!.NodeId;

    internal static async Task<int> ResidentTotal(HttpClient client, string query = "") =>
        (await client.GetFromJsonAsync<ResidentPage>($"/api/v1/residents?pageSize=1{query}"))!.Total;

    /// <summary>Existing rooms of the first buildings the client can see, as import files name them.</summary>
    internal static async Task<List<ImportSamples.RoomAddress>> RoomsAsync(HttpClient client, int buildings, int? gridId = null)
    {
        var page = await client.GetFromJsonAsync<BuildingPage>($"/api/v1/buildings?pageSize=100{(gridId is null ? "" : $"&gridId={gridId}")}");
        var rooms = new List<ImportSamples.RoomAddress>();
        foreach (var b in page!.Items.Take(buildings))
        {
            var detail = await client.GetFromJsonAsync<BuildingDetail>($"/api/v1/buildings/{b.Id}");
            rooms.AddRange(detail!.Rooms.Select(r => new ImportSamples.RoomAddress(b.Name, r.UnitNo, r.Number)));
        }
        return rooms;
    }

    internal static MultipartFormDataContent Form(byte[] content, string fileName, int? communityId = null)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue(fileName.EndsWith(".xlsx", StringComparison.Ordinal)
            ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv");
        form.Add(file, "file", fileName);
        if (communityId is { } c) form.Add(new StringContent(c.ToString(CultureInfo.InvariantCulture)), "communityId");
        return form;
    }

    static Task<HttpResponseMessage> ImportAsync(HttpClient client, string kind, byte[] content, string fileName, int? communityId = null) =>
        client.PostAsync($"/api/v1/imports/{kind}?wait=true", Form(content, fileName, communityId));

    internal static byte[] Csv(params string[][] rows)
    {
        var text = string.Join("\r\n", rows.Select(r => string.Join(",", r.Select(c => c.Contains(',', StringComparison.Ordinal) ? $"\"{c}\"" : c))));
        return Encoding.UTF8.GetBytes(text);
    }

    internal static string ValidId(int n, string region = "330110", string born = "19800101")
    {
        var first17 = $"{region}{born}{n:000}";
        return first17 + IdCardNumber.CheckCharacter(first17);
    }

    internal static async Task<List<string[]>> ReadCsvAsync(HttpResponseMessage response)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.True(bytes.AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }), "CSV must start with a UTF-8 byte-order mark");
        var text = Encoding.UTF8.GetString(bytes.AsSpan(3));
        using var reader = CsvHelper.CsvReader.FromText(text, new CsvHelper.CsvReaderOptions { HasHeader = false });
        var rows = new List<string[]>();
        while (reader.Read()) rows.Add(reader.Current.ToArray());
        return rows;
    }

    internal static List<string[]> ReadXlsx(byte[] bytes)
    {
        using var doc = SpreadsheetDocument.Open(new MemoryStream(bytes), false);
        var wb = doc.WorkbookPart!;
        var sheet = wb.Workbook.Sheets!.Elements<Sheet>().First();
        var part = (WorksheetPart)wb.GetPartById(sheet.Id!.Value!);
        var shared = wb.SharedStringTablePart?.SharedStringTable.Elements<SharedStringItem>().Select(s => s.InnerText).ToList() ?? [];
        string Text(Cell c) =>
            c.DataType?.Value == CellValues.SharedString ? shared[int.Parse(c.CellValue!.Text, CultureInfo.InvariantCulture)]
            : c.DataType?.Value == CellValues.InlineString ? c.InlineString!.InnerText
            : c.CellValue?.Text ?? "";
        // Empty cells are absent from the XML: place each cell by its reference (A, B, …).
        return part.Worksheet.Descendants<Row>().Select(r =>
        {
            var cells = r.Elements<Cell>().ToList();
            var width = cells.Count == 0 ? 0 : cells.Max(c => c.CellReference!.Value![0] - 'A') + 1;
            var row = Enumerable.Repeat("", width).ToArray();
            foreach (var c in cells) row[c.CellReference!.Value![0] - 'A'] = Text(c);
            return row;
        }).ToList();
    }

    // ---- residents -----------------------------------------------------------------------------------------

    [Fact]
    public async Task Valid_csv_of_residents_imports_and_they_are_searchable()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin = await app.ClientAsAsync("admin1");
        var before = await ResidentTotal(admin);
        var rooms = await RoomsAsync(admin, 2);
        var rows = ImportSamples.ResidentRows(20, rooms, seed: 11).ToList();

        var response = await ImportAsync(admin, "residents", ImportSamples.Residents(TableFormat.Csv, 20, rooms, seed: 11), "residents.csv");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var job = await response.Content.ReadFromJsonAsync<JobDto>();
        Assert.Equal("Succeeded", job!.State);
        Assert.Equal(20, job.Imported!.Residents);
        Assert.Equal(before + 20, await ResidentTotal(admin));
        foreach (var row in rows.Take(5))
        {
            var found = await admin.GetFromJsonAsync<ResidentPage>($"/api/v1/residents?q={row[1]}");
            var person = Assert.Single(found!.Items);
            Assert.Equal((string)row[0]!, person.Name);
            Assert.Equal($"{row[3]}{row[4]}单元{row[5]}", person.RoomLabel);
        }
        // The room the first owner moved into is no longer counted as vacant.
        var first = await admin.GetFromJsonAsync<ResidentPage>($"/api/v1/residents?q={rows[0][1]}");
        var room = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/rooms/{first!.Items[0].RoomId}");
        Assert.NotEqual("Vacant", room.GetProperty("occupancy").GetString());
    }

    [Fact]
    public async Task Valid_xlsx_with_english_headers_shared_strings_and_date_cells_imports()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin = await app.ClientAsAsync("admin1");
        var rooms = await RoomsAsync(admin, 1);
        var (a, b) = (rooms[0], rooms[1]);
        var xlsx = BuildXlsx(
            ["name", "idNumber", "phone", "building", "unit", "room", "relation", "movedInOn", "leaseEnd", "labels", "emergencyContactName", "emergencyContactPhone"],
            [
                ["测试甲", ValidId(1), 13912345678d, a.Building, (double)a.Unit, a.Room, "Owner", new DateOnly(2021, 5, 3), null, "独居、党员", "测试乙", "13900001111"],
                ["测试丙", ValidId(2), null, b.Building, (double)b.Unit, b.Room, "租户", "2023-02-01", new DateOnly(2026, 1, 31), "LowIncome", null, null],
            ]);

        var response = await ImportAsync(admin, "residents", xlsx, "people.xlsx");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var found = await admin.GetFromJsonAsync<ResidentPage>($"/api/v1/residents?q={ValidId(1)}");
        var detail = await admin.GetFromJsonAsync<ResidentDetail>($"/api/v1/residents/{Assert.Single(found!.Items).Id}");
        Assert.Equal("测试甲", detail!.Name);
        Assert.Equal(new DateOnly(2021, 5, 3), detail.History[0].MovedInOn);
        Assert.Contains("LivingAlone", detail.Labels);
        Assert.Contains("PartyMember", detail.Labels);
        Assert.Equal("测试乙", detail.EmergencyContactName);
        var tenant = await admin.GetFromJsonAsync<ResidentPage>($"/api/v1/residents?q={ValidId(2)}");
        var tenantDetail = await admin.GetFromJsonAsync<ResidentDetail>($"/api/v1/residents/{Assert.Single(tenant!.Items).Id}");
        Assert.Equal("Tenant", tenantDetail!.History[0].Relation);
        Assert.Equal(new DateOnly(2026, 1, 31), tenantDetail.History[0].LeaseEnd);
    }

    [Fact]
    public async Task File_with_bad_rows_imports_nothing_and_the_report_names_row_and_column()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin = await app.ClientAsAsync("admin1");
        var before = await ResidentTotal(admin);
        var r = (await RoomsAsync(admin, 1))[0];
        var badChecksum = ValidId(3)[..17] + (ValidId(3)[17] == '1' ? "2" : "1");
        var csv = Csv(
            ["姓名", "身份证号", "楼栋", "单元", "房号", "关系"],
            ["好人一", ValidId(1), r.Building, $"{r.Unit}", r.Room, "业主"],
            ["坏号码", badChecksum, r.Building, $"{r.Unit}", r.Room, "家属"],
            ["没楼栋", ValidId(2), "99号楼", "1", "101", "家属"],
            ["好人二", ValidId(4), r.Building, $"{r.Unit}", r.Room, "家属"],
            ["重复的", ValidId(1), r.Building, $"{r.Unit}", r.Room, "家属"]);

        var response = await ImportAsync(admin, "residents", csv, "bad.csv");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<Problem>();
        Assert.Equal(3, problem!.ErrorsCount);
        Assert.Contains("身份证号", problem.Errors!.Keys);
        Assert.Contains("楼栋", problem.Errors.Keys);
        Assert.Equal(before, await ResidentTotal(admin));
        Assert.Equal(0, await ResidentTotal(admin, $"&q={ValidId(1)}"));

        var report = await ReadCsvAsync(await admin.GetAsync(problem.ErrorReportUrl));
        Assert.Equal(ImportApi.ErrorReportHeaders, report[0]);
        Assert.Equal(
            [("3", "身份证号", badChecksum), ("4", "楼栋", "99号楼"), ("6", "身份证号", ValidId(1))],
            report.Skip(1).Select(x => (x[0], x[1], x[2])).ToList());
        Assert.Contains("row 2", report[3][3], StringComparison.Ordinal);

        var xlsx = await admin.GetByteArrayAsync(problem.ErrorReportXlsxUrl);
        var sheet = ReadXlsx(xlsx);
        Assert.Equal(4, sheet.Count);
        Assert.Equal("4", sheet[2][0]);
        Assert.Equal("楼栋", sheet[2][1]);

        // Someone else cannot read the report.
        var other = await app.ClientAsAsync("admin2");
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(problem.ErrorReportUrl)).StatusCode);
    }

    [Fact]
    public async Task Id_number_already_registered_is_an_error_row()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin = await app.ClientAsAsync("admin1");
        var rooms = await RoomsAsync(admin, 1);
        var first = ImportSamples.Residents(TableFormat.Csv, 3, rooms, seed: 5);
        Assert.Equal(HttpStatusCode.OK, (await ImportAsync(admin, "residents", first, "a.csv")).StatusCode);

        var again = await ImportAsync(admin, "residents", first, "a.csv");

        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        var problem = await again.Content.ReadFromJsonAsync<Problem>();
        Assert.Equal(3, problem!.ErrorsCount);
        Assert.All(problem.Errors!["身份证号 (idNumber)"], m => Assert.Contains("already registered", m, StringComparison.Ordinal));
    }

    // ---- rooms ---------------------------------------------------------------------------------------------

    [Fact]
    public async Task Rooms_import_into_an_existing_building_and_duplicates_are_refused()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin = await app.ClientAsAsync("admin1");
        var building = (await admin.GetFromJsonAsync<BuildingPage>("/api/v1/buildings?pageSize=1"))!.Items[0];
        var csv = Csv(["楼栋", "单元", "楼层", "房号", "面积"], [building.Name, "1", "1", "1A1", "45.5"], [building.Name, "1单元", "2", "2A1", "60"]);

        var response = await ImportAsync(admin, "rooms", csv, "rooms.csv");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (await response.Content.ReadFromJsonAsync<JobDto>())!.Imported!.Rooms);
        var detail = await admin.GetFromJsonAsync<BuildingDetail>($"/api/v1/buildings/{building.Id}");
        Assert.Contains(detail!.Rooms, r => r.Number == "1A1" && r.Floor == 1 && r.Occupancy == "Vacant");
        Assert.Contains(detail.Rooms, r => r.Number == "2A1" && r.Floor == 2);

        var again = await ImportAsync(admin, "rooms", csv, "rooms.csv");
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        var problem = await again.Content.ReadFromJsonAsync<Problem>();
        Assert.Equal(2, problem!.ErrorsCount);
        Assert.Contains("房号", problem.Errors!.Keys);
    }

    // ---- scope and permissions -----------------------------------------------------------------------------

    [Fact]
    public async Task Community_admin_cannot_import_into_another_community()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin1 = await app.ClientAsAsync("admin1");
        var admin2 = await app.ClientAsAsync("admin2");
        var community2 = await NodeOf(admin2);
        var rooms2 = await RoomsAsync(admin2, 1);
        var before = await ResidentTotal(admin2);

        var response = await ImportAsync(admin1, "residents", ImportSamples.Residents(TableFormat.Csv, 3, rooms2, seed: 7), "c2.csv", community2);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<Problem>();
        Assert.Contains("communityId", problem!.Errors!.Keys);
        Assert.Equal(before, await ResidentTotal(admin2));
    }

    [Fact]
    public async Task Grid_worker_cannot_import_into_buildings_of_another_grid()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin = await app.ClientAsAsync("admin1");
        var grid = await app.ClientAsAsync("grid1");
        var myGrid = await NodeOf(grid);
        var all = (await admin.GetFromJsonAsync<BuildingPage>("/api/v1/buildings?pageSize=100"))!.Items;
        var mine = all.First(b => b.GridId == myGrid);
        var theirs = all.First(b => b.GridId != myGrid);
        var before = await ResidentTotal(admin);
        var csv = Csv(["姓名", "身份证号", "楼栋", "单元", "房号", "关系"],
            ["本网格", ValidId(11), mine.Name, "1", "101", "业主"],
            ["别网格", ValidId(12), theirs.Name, "1", "101", "业主"]);

        var response = await ImportAsync(grid, "residents", csv, "grid.csv");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<Problem>();
        Assert.Equal(1, problem!.ErrorsCount);
        Assert.Contains("Row 3", Assert.Single(problem.Errors!["楼栋"]), StringComparison.Ordinal);
        Assert.Equal(before, await ResidentTotal(admin));
    }

    [Fact]
    public async Task Property_staff_may_neither_import_nor_export()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var property = await app.ClientAsAsync("property1");
        var response = await ImportAsync(property, "residents", Csv(["姓名"], ["x"]), "x.csv");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await property.GetAsync("/api/v1/residents/export.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await property.GetAsync("/api/v1/imports/templates/residents.xlsx")).StatusCode);
    }

    // ---- bad files -----------------------------------------------------------------------------------------

    [Fact]
    public async Task Binary_file_is_refused_naming_file()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin = await app.ClientAsAsync("admin1");
        var png = new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0 };

        var response = await ImportAsync(admin, "residents", png, "photo.csv");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("file", (await response.Content.ReadFromJsonAsync<Problem>())!.Errors!.Keys);

        var fakeZip = new byte[] { 0x50, 0x4B, 0x03, 0x04, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
        var zip = await ImportAsync(admin, "residents", fakeZip, "fake.xlsx");
        Assert.Equal(HttpStatusCode.BadRequest, zip.StatusCode);
        Assert.Contains("file", (await zip.Content.ReadFromJsonAsync<Problem>())!.Errors!.Keys);
    }

    [Fact]
    public async Task Unknown_header_is_refused_naming_the_column()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin = await app.ClientAsAsync("admin1");
        var response = await ImportAsync(admin, "residents", Csv(["姓名", "身份证号", "楼栋", "单元", "房号", "关系", "血型"], ["张三", ValidId(1), "1号楼", "1", "101", "业主", "A"]), "x.csv");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("血型", (await response.Content.ReadFromJsonAsync<Problem>())!.Errors!.Keys);
    }

    // ---- jobs and the page ---------------------------------------------------------------------------------

    [Fact]
    public async Task Upload_answers_202_with_a_job_that_reports_progress_until_done()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin = await app.ClientAsAsync("admin1");
        var rooms = await RoomsAsync(admin, 2);

        var response = await admin.PostAsync("/api/v1/imports/residents", Form(ImportSamples.Residents(TableFormat.Xlsx, 300, rooms, seed: 3), "big.xlsx"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var location = response.Headers.Location!.ToString();
        JobDto? job = null;
        for (var i = 0; i < 300 && job?.State is not ("Succeeded" or "Failed"); i++)
        {
            if (i > 0) await Task.Delay(100);
            job = await admin.GetFromJsonAsync<JobDto>(location);
        }
        Assert.Equal("Succeeded", job!.State);
        Assert.Equal(300, job.TotalRows);
        Assert.Equal(300, job.ProcessedRows);

        var fragment = await admin.GetStringAsync($"/import/jobs/{job.Id}/progress");
        Assert.Contains("300", fragment, StringComparison.Ordinal);
        Assert.DoesNotContain("hx-trigger", fragment, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await (await app.ClientAsAsync("admin2")).GetAsync(location)).StatusCode);

        var page = await admin.GetStringAsync($"/import?job={job.Id}");
        Assert.Contains("/api/v1/imports/templates/residents.xlsx", page, StringComparison.Ordinal);
        Assert.Contains("enctype=\"multipart/form-data\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Templates_have_bilingual_headers_that_import_back()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin = await app.ClientAsAsync("admin1");
        var xlsx = await admin.GetByteArrayAsync("/api/v1/imports/templates/residents.xlsx");
        Assert.Equal(ResidentHeaders, ReadXlsx(xlsx)[0]);
        var csv = await ReadCsvAsync(await admin.GetAsync("/api/v1/imports/templates/rooms.csv"));
        Assert.Equal(["楼栋 (building)", "单元 (unit)", "楼层 (floor)", "房号 (room)", "面积 (areaM2)"], csv[0]);
        // An empty template is a file without rows, refused as such.
        var empty = await ImportAsync(admin, "residents", xlsx, "template.xlsx");
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("no rows", string.Join(" ", (await empty.Content.ReadFromJsonAsync<Problem>())!.Errors!["file"]), StringComparison.Ordinal);
    }

    // ---- export --------------------------------------------------------------------------------------------

    [Fact]
    public async Task Export_csv_of_a_filtered_list_has_only_matching_masked_rows()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin = await app.ClientAsAsync("admin1");
        var expected = await ResidentTotal(admin, "&label=LivingAlone");
        Assert.True(expected > 0, "the demo community has people living alone");

        var response = await admin.GetAsync("/api/v1/residents/export.csv?label=LivingAlone");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        var rows = await ReadCsvAsync(response);
        Assert.Equal(ResidentExport.Headers, rows[0]);
        Assert.Equal(expected, rows.Count - 1);
        Assert.All(rows.Skip(1), r =>
        {
            Assert.Contains("独居", r[7], StringComparison.Ordinal);
            Assert.Matches(@"^\d{6}\*{8}\d{3}[\dX]$", r[4]);
            if (r[3].Length > 0) Assert.Matches(@"^1\d{2}\*{4}\d{4}$", r[3]);
        });
        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/v1/audit?pageSize=5");
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "Export"
            && e.GetProperty("detail").GetString()!.StartsWith($"{expected} residents", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Export_xlsx_opens_and_has_the_header_and_the_rows()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin = await app.ClientAsAsync("admin1");
        var building = (await admin.GetFromJsonAsync<BuildingPage>("/api/v1/buildings?pageSize=1"))!.Items[0];
        var expected = await admin.GetFromJsonAsync<ResidentPage>($"/api/v1/residents?buildingId={building.Id}&pageSize=200");

        var bytes = await admin.GetByteArrayAsync($"/api/v1/residents/export.xlsx?buildingId={building.Id}");

        var sheet = ReadXlsx(bytes);
        Assert.Equal(ResidentExport.Headers, sheet[0]);
        Assert.Equal(expected!.Total, sheet.Count - 1);
        Assert.Equal(expected.Items.Select(r => r.Name).OrderBy(n => n, StringComparer.Ordinal), sheet.Skip(1).Select(r => r[0]).OrderBy(n => n, StringComparer.Ordinal));
        Assert.All(sheet.Skip(1), r => Assert.StartsWith(building.Name, r[5], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Export_with_a_bad_filter_is_a_400_naming_it()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin = await app.ClientAsAsync("admin1");
        var response = await admin.GetAsync("/api/v1/residents/export.csv?label=Nonsense");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("label", (await response.Content.ReadFromJsonAsync<Problem>())!.Errors!.Keys);
    }

    // ---- scale ---------------------------------------------------------------------------------------------

    [Fact]
    public async Task Ten_thousand_residents_import_from_xlsx_in_seconds()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin = await app.ClientAsAsync("admin1");
        var rooms = await RoomsAsync(admin, 10);
        var before = await ResidentTotal(admin);
        var xlsx = ImportSamples.Residents(TableFormat.Xlsx, 10_000, rooms, seed: 10_000);

        var parse = Stopwatch.StartNew();
        Assert.Equal(10_000, ImportFile.Read(ImportKind.Residents, xlsx).Rows.Count);
        parse.Stop();

        var clock = Stopwatch.StartNew();
        var response = await admin.PostAsync("/api/v1/imports/residents", Form(xlsx, "10k.xlsx"));
        var accepted = clock.Elapsed;
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        JobDto? job = null;
        while (job?.State is not ("Succeeded" or "Failed") && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(50);
            job = await admin.GetFromJsonAsync<JobDto>(response.Headers.Location);
        }
        clock.Stop();

        Assert.Equal("Succeeded", job!.State);
        // The statistics count exactly; the list counts up to 10,000 and then says "10,000+".
        Assert.Equal(before + 10_000, (await admin.GetFromJsonAsync<Population>("/api/v1/statistics/population"))!.Total);
        var list = await admin.GetFromJsonAsync<ResidentPage>("/api/v1/residents?pageSize=1");
        Assert.Equal(ResidentSearch.CountLimit, list!.Total);
        Assert.True(list.TotalIsLowerBound);
        output.WriteLine($"10,000 residents from .xlsx ({xlsx.Length / 1024} KB) on {TestDatabase.Provider}: {clock.ElapsedMilliseconds} ms " +
            $"(upload and read {accepted.TotalMilliseconds:0} ms, of which reading alone takes about {parse.ElapsedMilliseconds} ms; validate and write {(clock.Elapsed - accepted).TotalMilliseconds:0} ms)");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"import took {clock.Elapsed}");
    }

    /// <summary>A workbook the way Excel writes one: shared strings, numbers as numbers, dates as styled day numbers.</summary>
    static byte[] BuildXlsx(string[] headers, object?[][] rows)
    {
        using var buffer = new MemoryStream();
        using (var doc = SpreadsheetDocument.Create(buffer, SpreadsheetDocumentType.Workbook))
        {
            var wb = doc.AddWorkbookPart();
            wb.Workbook = new Workbook();
            var styles = wb.AddNewPart<WorkbookStylesPart>();
            styles.Stylesheet = new Stylesheet(
                new Fonts(new Font()), new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 })),
                new Borders(new Border()), new CellFormats(new CellFormat(), new CellFormat { NumberFormatId = 14, ApplyNumberFormat = true }));
            var sst = wb.AddNewPart<SharedStringTablePart>();
            sst.SharedStringTable = new SharedStringTable();
            var strings = new List<string>();
            int Shared(string s)
            {
                var i = strings.IndexOf(s);
                if (i >= 0) return i;
                strings.Add(s);
                // Chinese Excel adds phonetic guides to names; they are not part of the value.
                sst.SharedStringTable.AppendChild(s.StartsWith("测试", StringComparison.Ordinal)
                    ? new SharedStringItem(new Text(s), new PhoneticRun(new Text("ceshi")) { BaseTextStartIndex = 0, EndingBaseIndex = 2 })
                    : new SharedStringItem(new Text(s)));
                return strings.Count - 1;
            }
            var data = new SheetData();
            var all = new[] { headers.Cast<object?>().ToArray() }.Concat(rows).ToList();
            for (var r = 0; r < all.Count; r++)
            {
                var row = new Row { RowIndex = (uint)(r + 1) };
                for (var c = 0; c < all[r].Length; c++)
                {
                    var reference = $"{ImportFile.ColumnLetters(c)}{r + 1}";
                    switch (all[r][c])
                    {
                        // Excel writes formatted empty cells as self-closing elements.
                        case null: row.AppendChild(new Cell { CellReference = reference, StyleIndex = 1 }); break;
                        case string s: row.AppendChild(new Cell { CellReference = reference, DataType = CellValues.SharedString, CellValue = new CellValue(Shared(s)) }); break;
                        case double d: row.AppendChild(new Cell { CellReference = reference, CellValue = new CellValue(d) }); break;
                        case DateOnly day:
                            row.AppendChild(new Cell { CellReference = reference, StyleIndex = 1, CellValue = new CellValue(day.ToDateTime(TimeOnly.MinValue).ToOADate()) });
                            break;
                    }
                }
                data.AppendChild(row);
            }
            var sheet = wb.AddNewPart<WorksheetPart>();
            sheet.Worksheet = new Worksheet(data);
            wb.Workbook.AppendChild(new Sheets(new Sheet { Id = wb.GetIdOfPart(sheet), SheetId = 1, Name = "Sheet1" }));
        }
        return buffer.ToArray();
    }

    [Fact]
    public async Task An_import_that_fails_half_way_through_writing_leaves_nothing_behind_and_can_be_run_again()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin = await app.ClientAsAsync("admin1");
        var rooms = await RoomsAsync(admin, 3);
        const int rows = 300;
        var file = ImportSamples.Residents(TableFormat.Xlsx, rows, rooms, seed: 21);
        var before = await StoredAsync(app);

        // The database itself refuses the 151st new resident: the import is past validation and half-way through writing
        // its rows (rooms' occupancy and the audit entry still to come) when the failure comes from inside the transaction.
        await ExecuteAsync(app, TestDatabase.Provider == DatabaseProvider.Sqlite
            ? [$"""
                CREATE TRIGGER fail_half_way BEFORE INSERT ON residents
                WHEN (SELECT COUNT(*) FROM residents) >= {before.Residents + rows / 2}
                BEGIN SELECT RAISE(ABORT, 'refused half-way by the test'); END
                """]
            : [$"""
                CREATE FUNCTION fail_half_way() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF (SELECT COUNT(*) FROM residents) >= {before.Residents + rows / 2} THEN
                        RAISE EXCEPTION 'refused half-way by the test';
                    END IF;
                    RETURN NEW;
                END $$
                """,
               "CREATE TRIGGER fail_half_way BEFORE INSERT ON residents FOR EACH ROW EXECUTE FUNCTION fail_half_way()"]);

        // Uploaded as the import page does: 202, then the job is polled until it ends.
        using (var accepted = await admin.PostAsync("/api/v1/imports/residents", Form(file, "residents.xlsx")))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            JobDto? job = null;
            for (var i = 0; i < 300 && job?.State is not ("Succeeded" or "Failed"); i++)
            {
                if (i > 0) await Task.Delay(100);
                job = await admin.GetFromJsonAsync<JobDto>(accepted.Headers.Location!.ToString());
            }
            Assert.Equal("Failed", job!.State);
            Assert.Null(job.Imported);
            // Not a refusal of the file's rows (that would list problems): the write failed. The trigger is the only thing
            // that differs from the successful run below, and it refuses only once 150 of the file's residents are in, so the
            // failure came half-way through writing.
            Assert.Equal(0, job.ErrorsCount);
            Assert.Equal("The import failed unexpectedly; nothing was written.", job.Message);
        }
        Assert.Equal(before, await StoredAsync(app));

        // Nothing half-written stands in the way: with the database willing again, the same file imports in full.
        await ExecuteAsync(app, TestDatabase.Provider == DatabaseProvider.Sqlite
            ? ["DROP TRIGGER fail_half_way"]
            : ["DROP TRIGGER fail_half_way ON residents", "DROP FUNCTION fail_half_way()"]);
        using (var again = await ImportAsync(admin, "residents", file, "residents.xlsx"))
        {
            var job = await again.Content.ReadFromJsonAsync<JobDto>();
            Assert.Equal("Succeeded", job!.State);
            Assert.Equal(rows, job.Imported!.Residents);
        }
        var after = await StoredAsync(app);
        Assert.Equal(before.Residents + rows, after.Residents);
        Assert.Equal(before.Audit + 1, after.Audit);
    }

    /// <summary>What an import writes, read straight from the tables (no scope filter in the way).</summary>
    sealed record Stored(long Residents, long Occupancies, long Audit, string RoomStates);

    static async Task<Stored> StoredAsync(TestApp app) => new(
        await ScalarAsync(app, "SELECT COUNT(*) FROM residents"),
        await ScalarAsync(app, "SELECT COUNT(*) FROM room_occupancies"),
        await ScalarAsync(app, "SELECT COUNT(*) FROM audit_entries"),
        string.Join(",", await ColumnAsync(app, "SELECT \"Occupancy\" FROM rooms ORDER BY \"Id\"")));

    internal static Task<long> ScalarAsync(TestApp app, string sql) =>
        WithConnectionAsync(app, async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        });

    internal static Task<List<string>> ColumnAsync(TestApp app, string sql) =>
        WithConnectionAsync(app, async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            var values = new List<string>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) values.Add(reader.GetString(0));
            return values;
        });

    static Task ExecuteAsync(TestApp app, string[] statements) =>
        WithConnectionAsync(app, async connection =>
        {
            foreach (var sql in statements)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = sql;
                await command.ExecuteNonQueryAsync();
            }
            return 0;
        });

    /// <summary>Straight on the test app's database connection, past the scope filters.</summary>
    static async Task<T> WithConnectionAsync<T>(TestApp app, Func<System.Data.Common.DbConnection, Task<T>> work)
    {
        using var scope = app.Factory.Services.CreateScope();
        var connection = scope.ServiceProvider.GetRequiredService<LinliDbContext>().Database.GetDbConnection();
        await connection.OpenAsync();
        return await work(connection);
    }
}

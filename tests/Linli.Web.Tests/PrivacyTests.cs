using System.Net;
using System.Text.RegularExpressions;
using Linli.Domain.Common;
using Linli.Domain.Registry;
using Linli.Infrastructure.Persistence;
using Linli.Web.Features.Registry;
using Linli.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>Lists and details show masked numbers only. Reads only.</summary>
public sealed partial class MaskingTests(SharedDemoApp shared) : IClassFixture<SharedDemoApp>
{
    [GeneratedRegex(@"^\d{6}\*{8}\d{3}[\dX]$")]
    internal static partial Regex MaskedId();

    [GeneratedRegex(@"^1\d{2}\*{4}\d{4}$")]
    internal static partial Regex MaskedPhone();

    // A full ID card number or mobile number anywhere in an answer.
    [GeneratedRegex(@"\d{17}[\dXx]|(?<!\d)1[3-9]\d{9}(?!\d)")]
    internal static partial Regex FullNumber();

    [Fact]
    public async Task Resident_lists_show_only_masked_ID_and_phone_numbers()
    {
        var admin1 = await shared.App.ClientAsAsync("admin1");
        using var response = await admin1.GetAsync($"/api/v1/residents?pageSize={PageRequest.MaxPageSize}");
        var raw = await response.Content.ReadAsStringAsync();
        Assert.DoesNotMatch(FullNumber(), raw);
        var page = System.Text.Json.JsonSerializer.Deserialize<Page<ResidentSummaryDto>>(raw, Api.Json)!;
        Assert.Equal(PageRequest.MaxPageSize, page.Items.Count);
        Assert.All(page.Items, r => Assert.Matches(MaskedId(), r.IdNumberMasked));
        Assert.All(page.Items.Where(r => r.PhoneMasked is not null), r => Assert.Matches(MaskedPhone(), r.PhoneMasked!));
        Assert.Contains(page.Items, r => r.PhoneMasked is not null);
    }

    [Fact]
    public async Task Resident_details_and_room_households_show_only_masked_numbers()
    {
        var admin1 = await shared.App.ClientAsAsync("admin1");
        // Elderly people living alone have an emergency contact: their details carry a third number.
        var elder = (await admin1.GetOkAsync<Page<ResidentSummaryDto>>("/api/v1/residents?label=ElderlyLivingAlone&pageSize=1")).Items[0];

        using var detailResponse = await admin1.GetAsync($"/api/v1/residents/{elder.Id}");
        var raw = await detailResponse.Content.ReadAsStringAsync();
        Assert.DoesNotMatch(FullNumber(), raw);
        var detail = System.Text.Json.JsonSerializer.Deserialize<ResidentDto>(raw, Api.Json)!;
        Assert.Matches(MaskedId(), detail.IdNumberMasked);
        Assert.NotNull(detail.EmergencyContactName);
        Assert.Matches(MaskedPhone(), detail.EmergencyContactPhoneMasked!);

        using var roomResponse = await admin1.GetAsync($"/api/v1/rooms/{elder.RoomId}");
        Assert.DoesNotMatch(FullNumber(), await roomResponse.Content.ReadAsStringAsync());
    }
}

/// <summary>Unmasking shows the full numbers once, to someone allowed, and leaves a trace; the database never holds them in clear.</summary>
public sealed class UnmaskTests
{
    [Fact]
    public async Task Unmasking_shows_the_full_numbers_behind_the_masks()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin1 = await app.ClientAsAsync("admin1");
        var elder = await ElderWithPhoneAsync(admin1);
        var detail = await admin1.GetOkAsync<ResidentDto>($"/api/v1/residents/{elder.Id}");

        var full = await (await admin1.PostAsync($"/api/v1/residents/{elder.Id}/unmask", null)).OkAsync<UnmaskedDto>();

        Assert.Equal(elder.Id, full.ResidentId);
        Assert.True(IdCardNumber.TryParse(full.IdNumber, out var id, out var error), error);
        Assert.Equal(detail.IdNumberMasked, id!.Masked);
        Assert.Equal(detail.BirthDate, id.BirthDate);
        Assert.Equal(detail.Gender, id.Gender);
        Assert.True(PhoneNumber.TryParse(full.Phone, out var phone));
        Assert.Equal(detail.PhoneMasked, phone!.Masked);
        Assert.True(PhoneNumber.TryParse(full.EmergencyContactPhone, out var contact));
        Assert.Equal(detail.EmergencyContactPhoneMasked, contact!.Masked);
    }

    [Fact]
    public async Task Unmasking_is_written_to_the_audit_log_that_only_the_residents_community_reads()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin1 = await app.ClientAsAsync("admin1");
        var elder = await ElderWithPhoneAsync(admin1);
        var full = await (await admin1.PostAsync($"/api/v1/residents/{elder.Id}/unmask", null)).OkAsync<UnmaskedDto>();

        var audit = await admin1.GetOkAsync<Page<AuditEntryDto>>("/api/v1/audit");
        var entry = audit.Items[0];
        Assert.Equal(("admin1", "Unmask", "Resident", elder.Id), (entry.UserName, entry.Action, entry.SubjectType, entry.SubjectId));
        Assert.InRange(entry.At, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        // The log says what was seen, not the numbers themselves.
        Assert.DoesNotContain(full.IdNumber, entry.Detail ?? "", StringComparison.Ordinal);
        Assert.DoesNotContain(full.Phone!, entry.Detail ?? "", StringComparison.Ordinal);

        var admin2 = await app.ClientAsAsync("admin2");
        var seenByAdmin2 = await admin2.AllPagesAsync<AuditEntryDto>("/api/v1/audit");
        Assert.DoesNotContain(seenByAdmin2, a => a.Id == entry.Id || a.SubjectId == elder.Id);
    }

    [Fact]
    public async Task Every_unmask_is_logged_again()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin1 = await app.ClientAsAsync("admin1");
        var elder = await ElderWithPhoneAsync(admin1);
        for (var i = 0; i < 3; i++) await (await admin1.PostAsync($"/api/v1/residents/{elder.Id}/unmask", null)).OkAsync<UnmaskedDto>();
        var grid = await app.ClientAsAsync("grid1");
        var gridId = (await grid.MeAsync()).ScopeId;
        if (elder.GridId == gridId) await (await grid.PostAsync($"/api/v1/residents/{elder.Id}/unmask", null)).OkAsync<UnmaskedDto>();

        var entries = (await admin1.AllPagesAsync<AuditEntryDto>("/api/v1/audit")).Where(a => a.SubjectId == elder.Id && a.Action == "Unmask").ToList();
        Assert.Equal(elder.GridId == gridId ? 4 : 3, entries.Count);
    }

    [Fact]
    public async Task The_residents_table_holds_ID_and_phone_numbers_only_encrypted()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin1 = await app.ClientAsAsync("admin1");
        var elder = await ElderWithPhoneAsync(admin1);
        var full = await (await admin1.PostAsync($"/api/v1/residents/{elder.Id}/unmask", null)).OkAsync<UnmaskedDto>();
        string[] plain = [full.IdNumber, full.Phone!, full.EmergencyContactPhone!];

        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
        var stored = await db.Residents.IgnoreQueryFilters().AsNoTracking().SingleAsync(r => r.Id == elder.Id);
        Assert.DoesNotContain(full.IdNumber, stored.IdNumberProtected, StringComparison.Ordinal);
        Assert.DoesNotContain(full.IdNumber[6..14], stored.IdNumberProtected, StringComparison.Ordinal);
        Assert.DoesNotContain(full.Phone!, stored.PhoneProtected!, StringComparison.Ordinal);
        // It is the number, encrypted: the app's key turns it back, and equal numbers do not encrypt alike.
        var protector = scope.ServiceProvider.GetRequiredService<IPersonalDataProtector>();
        Assert.Equal(full.IdNumber, protector.Unprotect(stored.IdNumberProtected));
        Assert.NotEqual(stored.IdNumberProtected, protector.Protect(full.IdNumber));

        // Every column of the row, read past EF: no plain number anywhere.
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM residents WHERE \"Id\" = {elder.Id}";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var columns = 0;
        for (var i = 0; i < reader.FieldCount; i++)
        {
            if (reader.IsDBNull(i)) continue;
            var value = Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!;
            columns++;
            foreach (var number in plain) Assert.DoesNotContain(number, value, StringComparison.Ordinal);
        }
        Assert.True(columns > 15, $"read only {columns} columns");
    }

    internal static async Task<ResidentSummaryDto> ElderWithPhoneAsync(HttpClient admin)
    {
        var elders = await admin.GetOkAsync<Page<ResidentSummaryDto>>("/api/v1/residents?label=ElderlyLivingAlone&pageSize=200");
        return elders.Items.First(r => r.PhoneMasked is not null);
    }
}

/// <summary>Medical notes are for whoever answers an SOS call: kept encrypted, shown only through an audited unmask.</summary>
public sealed class MedicalNotesTests
{
    [Fact]
    public async Task Medical_notes_are_stored_encrypted_and_read_back_only_through_an_audited_unmask()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin1 = await app.ClientAsAsync("admin1");
        var elder = await UnmaskTests.ElderWithPhoneAsync(admin1);
        var detail = await admin1.GetOkAsync<ResidentDto>($"/api/v1/residents/{elder.Id}");
        const string notes = "青霉素过敏；高血压，每日服用氨氯地平";

        using var updated = await admin1.PutJsonAsync($"/api/v1/residents/{elder.Id}", new { name = detail.Name, medicalNotes = notes });
        Assert.True(updated.IsSuccessStatusCode, await updated.Content.ReadAsStringAsync());
        using (var scope = app.Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LinliDbContext>();
            var stored = await db.Residents.IgnoreQueryFilters().Where(r => r.Id == elder.Id).Select(r => r.MedicalNotesProtected).SingleAsync();
            Assert.NotNull(stored);
            Assert.DoesNotContain("青霉素", stored, StringComparison.Ordinal);
        }

        var full = await (await admin1.PostAsync($"/api/v1/residents/{elder.Id}/unmask", null)).OkAsync<UnmaskedDto>();
        Assert.Equal(notes, full.MedicalNotes);
        var audit = await admin1.GetOkAsync<Page<AuditEntryDto>>("/api/v1/audit");
        Assert.Contains(audit.Items, e => e.Action == "Unmask" && e.SubjectId == elder.Id && (e.Detail ?? "").Contains("medical", StringComparison.Ordinal));

        using var tooLong = await admin1.PutJsonAsync($"/api/v1/residents/{elder.Id}", new { name = detail.Name, medicalNotes = new string('病', 301) });
        await tooLong.ExpectFieldErrorAsync("medicalNotes");
        var again = await (await admin1.PostAsync($"/api/v1/residents/{elder.Id}/unmask", null)).OkAsync<UnmaskedDto>();
        Assert.Equal(notes, again.MedicalNotes);
    }
}

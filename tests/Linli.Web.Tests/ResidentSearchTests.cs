using System.Text.RegularExpressions;
using Linli.Web.Features.Registry;
using Linli.Web.Features.Shared;

namespace Linli.Web.Tests;

/// <summary>The one search box understands room addresses, number fragments and names. Reads only.</summary>
public sealed partial class ResidentSearchTests(SharedDemoApp shared) : IClassFixture<SharedDemoApp>
{
    [GeneratedRegex(@"^(\d+)号楼(\d+)单元(\d+)$")]
    private static partial Regex RoomLabel();

    [Theory]
    [InlineData("{0}-{1}-{2}")]
    [InlineData("{0}号楼{1}单元{2}")]
    [InlineData("{0}号楼{1}单元{2}室")]
    [InlineData("{0}栋{1}-{2}")]
    [InlineData("{0} - {1} - {2}")]
    public async Task A_room_address_finds_exactly_that_households_members(string format)
    {
        var admin1 = await shared.App.ClientAsAsync("admin1");
        // A high floor gives a 4-digit room number, the form that once read as an ID region code.
        var someone = (await admin1.AllPagesAsync<ResidentSummaryDto>("/api/v1/residents?label=PartyMember"))
            .First(r => RoomLabel().Match(r.RoomLabel!).Groups[3].Value.Length == 4);
        var parts = RoomLabel().Match(someone.RoomLabel!).Groups;
        var household = await admin1.AllPagesAsync<ResidentSummaryDto>($"/api/v1/residents?roomId={someone.RoomId}");

        var text = string.Format(System.Globalization.CultureInfo.InvariantCulture, format, parts[1].Value, parts[2].Value, parts[3].Value);
        var found = await admin1.AllPagesAsync<ResidentSummaryDto>("/api/v1/residents?q=" + Uri.EscapeDataString(text));
        Assert.Equal(household.Select(r => r.Id).Order(), found.Select(r => r.Id).Order());
    }

    [Fact]
    public async Task Six_digits_find_people_by_the_region_code_of_their_ID_card()
    {
        var admin1 = await shared.App.ClientAsAsync("admin1");
        var page = await admin1.GetOkAsync<Page<ResidentSummaryDto>>("/api/v1/residents?q=110101&pageSize=200");
        Assert.True(page.Total > 0);
        Assert.All(page.Items, r => Assert.StartsWith("110101", r.IdNumberMasked, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Four_digits_find_people_by_the_last_four_of_their_phone_or_ID_card()
    {
        var admin1 = await shared.App.ClientAsAsync("admin1");
        var someone = shared.Places.C1.SomeResidents.First(r => r.PhoneMasked is not null);
        var last4 = someone.PhoneMasked![^4..];
        var found = await admin1.AllPagesAsync<ResidentSummaryDto>($"/api/v1/residents?q={last4}");
        Assert.Contains(found, r => r.Id == someone.Id);
        Assert.All(found, r => Assert.True(r.PhoneMasked?.EndsWith(last4, StringComparison.Ordinal) == true || r.IdNumberMasked.EndsWith(last4, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_surname_finds_only_people_whose_name_starts_with_it()
    {
        var admin1 = await shared.App.ClientAsAsync("admin1");
        var surname = shared.Places.C1.SomeResidents[0].Name[..1];
        var found = await admin1.AllPagesAsync<ResidentSummaryDto>("/api/v1/residents?q=" + Uri.EscapeDataString(surname));
        Assert.NotEmpty(found);
        Assert.All(found, r => Assert.StartsWith(surname, r.Name, StringComparison.Ordinal));
    }
}

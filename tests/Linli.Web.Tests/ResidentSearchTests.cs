using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace Linli.Web.Tests;

public sealed partial class ResidentSearchTests
{
    [GeneratedRegex(@"^(\d+)号楼(\d+)单元(\d+)$")]
    private static partial Regex RoomLabel();

    [Fact]
    public async Task Room_typed_with_dashes_finds_the_household()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var client = await app.ClientAsAsync("admin1");
        var someone = (await client.GetFromJsonAsync<PageOf>("/api/v1/residents?pageSize=1"))!.Items.Single();
        var room = RoomLabel().Match(someone.RoomLabel!);
        Assert.True(room.Success, $"unexpected room label '{someone.RoomLabel}'");

        // "12-2-601" once fell through to the 6-digit ID-prefix search because the dashes were stripped first.
        var found = await client.GetFromJsonAsync<PageOf>($"/api/v1/residents?q={room.Groups[1].Value}-{room.Groups[2].Value}-{room.Groups[3].Value}&pageSize=50");

        Assert.Contains(found!.Items, r => r.Id == someone.Id);
        Assert.All(found.Items, r => Assert.Equal(someone.RoomId, r.RoomId));
    }

    sealed record PageOf(int Total, List<Row> Items);

    sealed record Row(int Id, int? RoomId, string? RoomLabel);
}

using System.Net;
using System.Text;
using Linli.Domain.Registry;
using Linli.Web.Features.Registry;
using Linli.Web.Features.Shared;

namespace Linli.Web.Tests;

/// <summary>Bad input gets a 400 ProblemDetails naming the field, never a 500, and nothing stored changes.</summary>
public sealed class ResidentValidationTests
{
    public static TheoryData<string, string> BadRegistrations => new()
    {
        { "wrong ID check digit", "idNumber" },
        { "ID with a bad birth date", "idNumber" },
        { "missing ID", "idNumber" },
        { "bad phone", "phone" },
        { "missing name", "name" },
        { "name too long", "name" },
        { "missing relation", "relation" },
        { "missing room", "roomId" },
        { "tenant without lease end", "leaseEnd" },
        { "lease end before move-in", "leaseEnd" },
        { "unknown label", "labels" },
        { "contact without phone", "emergencyContactPhone" },
        { "bad contact phone", "emergencyContactPhone" },
    };

    static CreateResidentRequest Break(CreateResidentRequest ok, string problem) => problem switch
    {
        "wrong ID check digit" => ok with { IdNumber = TestPeople.WithWrongCheckCharacter(ok.IdNumber!) },
        "ID with a bad birth date" => ok with { IdNumber = "440305" + "19851332" + "0011" },
        "missing ID" => ok with { IdNumber = null },
        "bad phone" => ok with { Phone = "12345" },
        "missing name" => ok with { Name = "  " },
        "name too long" => ok with { Name = new string('张', Resident.NameMaxLength + 1) },
        "missing relation" => ok with { Relation = null },
        "missing room" => ok with { RoomId = null },
        "tenant without lease end" => ok with { Relation = Relation.Tenant, LeaseEnd = null },
        "lease end before move-in" => ok with { Relation = Relation.Tenant, MovedInOn = new DateOnly(2025, 3, 1), LeaseEnd = new DateOnly(2025, 2, 1) },
        "unknown label" => ok with { Labels = ["LivingAlone", "Millionaire"] },
        "contact without phone" => ok with { EmergencyContactName = "王小明", EmergencyContactPhone = null },
        "bad contact phone" => ok with { EmergencyContactName = "王小明", EmergencyContactPhone = "0571-1234" },
        _ => throw new ArgumentOutOfRangeException(nameof(problem)),
    };

    [Theory]
    [MemberData(nameof(BadRegistrations))]
    public async Task A_bad_registration_is_refused_naming_the_field_and_registers_no_one(string problem, string field)
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var headCount = await TestPeople.HeadCountAsync(app);
        var admin1 = await app.ClientAsAsync("admin1");
        var roomBefore = await admin1.GetOkAsync<RoomDto>($"/api/v1/rooms/{places.C1.OccupiedRoomId}");
        var request = Break(TestPeople.Family(places.C1.OccupiedRoomId, name: "校验测试"), problem);

        using var response = await admin1.PostJsonAsync("/api/v1/residents", request);
        await response.ExpectFieldErrorAsync(field);

        Assert.Equal(headCount, await TestPeople.HeadCountAsync(app));
        var roomAfter = await admin1.GetOkAsync<RoomDto>($"/api/v1/rooms/{places.C1.OccupiedRoomId}");
        Assert.Equal(roomBefore.Occupancy, roomAfter.Occupancy);
        Assert.Equal(roomBefore.History.Count, roomAfter.History.Count);
        Assert.Equal(0, (await admin1.GetOkAsync<Page<ResidentSummaryDto>>("/api/v1/residents?includeMovedOut=true&q=" + Uri.EscapeDataString("校验测试"))).Total);
    }

    public static TheoryData<string, string> UnreadableBodies => new()
    {
        { """{"name":"张三","idNumber":"ID","roomId":"1-1-301","relation":"Family"}""", "roomId" },
        { """{"name":"张三","idNumber":"ID","roomId":ROOM,"relation":"Landlord"}""", "relation" },
        { """{"name":"张三","idNumber":"ID","roomId":ROOM,"relation":"Tenant","leaseEnd":"2027-13-01"}""", "leaseEnd" },
        { """{"name":"张三","idNumber":"ID","roomId":ROOM,"relation":"Family","labels":"LivingAlone"}""", "labels" },
    };

    [Theory]
    [MemberData(nameof(UnreadableBodies))]
    public async Task A_value_of_the_wrong_type_in_the_JSON_body_is_refused_naming_the_field(string json, string field)
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var headCount = await TestPeople.HeadCountAsync(app);
        var admin1 = await app.ClientAsAsync("admin1");
        var body = json.Replace("ROOM", places.C1.OccupiedRoomId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("\"ID\"", $"\"{TestPeople.NewIdNumber(new DateOnly(1990, 1, 1))}\"", StringComparison.Ordinal);

        using var response = await admin1.PostAsync("/api/v1/residents", new StringContent(body, Encoding.UTF8, "application/json"));
        await response.ExpectFieldErrorAsync(field);
        Assert.Equal(headCount, await TestPeople.HeadCountAsync(app));
    }

    [Fact]
    public async Task Registering_an_ID_card_number_already_registered_is_refused_even_across_communities()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var admin2 = await app.ClientAsAsync("admin2");
        var existing = await (await admin2.PostAsync($"/api/v1/residents/{places.C2.ResidentId}/unmask", null)).OkAsync<UnmaskedDto>();
        var headCount = await TestPeople.HeadCountAsync(app);

        var admin1 = await app.ClientAsAsync("admin1");
        using var response = await admin1.PostJsonAsync("/api/v1/residents", TestPeople.Family(places.C1.OccupiedRoomId, idNumber: existing.IdNumber.ToLowerInvariant()));
        var messages = await response.ExpectFieldErrorAsync("idNumber");
        // The answer must not reveal where the person lives.
        Assert.DoesNotContain(messages, m => m.Contains(places.C2.SomeResidents[0].Name, StringComparison.Ordinal));
        Assert.Equal(headCount, await TestPeople.HeadCountAsync(app));
    }

    [Fact]
    public async Task Editing_a_resident_to_another_persons_ID_card_number_is_refused_and_changes_nothing()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var admin1 = await app.ClientAsAsync("admin1");
        var (first, second) = (places.C1.SomeResidents[0], places.C1.SomeResidents[1]);
        var taken = await (await admin1.PostAsync($"/api/v1/residents/{first.Id}/unmask", null)).OkAsync<UnmaskedDto>();
        var before = await admin1.GetOkAsync<ResidentDto>($"/api/v1/residents/{second.Id}");

        using var response = await admin1.PutJsonAsync($"/api/v1/residents/{second.Id}",
            new UpdateResidentRequest("新名字", taken.IdNumber, null, ["Veteran"], null, null));
        await response.ExpectFieldErrorAsync("idNumber");

        var after = await admin1.GetOkAsync<ResidentDto>($"/api/v1/residents/{second.Id}");
        Assert.Equal(before, after with { History = before.History, Labels = before.Labels });
        Assert.Equal(before.Labels, after.Labels);
        Assert.Equal(before.History.Count, after.History.Count);
    }

    [Theory]
    [InlineData("12345", "phone")]
    [InlineData("", "name")]
    [InlineData("Kraken", "labels")]
    public async Task A_bad_edit_is_refused_naming_the_field_and_the_resident_keeps_their_data(string badValue, string field)
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var admin1 = await app.ClientAsAsync("admin1");
        var target = places.C1.SomeResidents.First(r => r.PhoneMasked is not null);
        var before = await admin1.GetOkAsync<ResidentDto>($"/api/v1/residents/{target.Id}");
        var edit = field switch
        {
            "phone" => new UpdateResidentRequest("改过的名字", null, badValue, ["Veteran"], null, null),
            "name" => new UpdateResidentRequest(badValue, null, TestPeople.NewPhone(), ["Veteran"], null, null),
            _ => new UpdateResidentRequest("改过的名字", null, TestPeople.NewPhone(), [badValue], null, null),
        };

        using var response = await admin1.PutJsonAsync($"/api/v1/residents/{target.Id}", edit);
        await response.ExpectFieldErrorAsync(field);

        var after = await admin1.GetOkAsync<ResidentDto>($"/api/v1/residents/{target.Id}");
        Assert.Equal((before.Name, before.PhoneMasked, before.IdNumberMasked, string.Join(',', before.Labels)),
            (after.Name, after.PhoneMasked, after.IdNumberMasked, string.Join(',', after.Labels)));
    }

    [Fact]
    public async Task Moving_out_someone_who_already_moved_out_is_refused_and_keeps_the_first_move_out_date()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var admin1 = await app.ClientAsAsync("admin1");
        var target = places.C1.SomeResidents[0];
        var movedOut = await (await admin1.PostJsonAsync($"/api/v1/residents/{target.Id}/move-out", new MoveOutRequest(null))).OkAsync<ResidentDto>();
        Assert.Null(movedOut.RoomId);

        using var again = await admin1.PostJsonAsync($"/api/v1/residents/{target.Id}/move-out", new MoveOutRequest(new DateOnly(2020, 1, 1)));
        await again.ExpectFieldErrorAsync("residentId");

        var after = await admin1.GetOkAsync<ResidentDto>($"/api/v1/residents/{target.Id}");
        Assert.Equal(movedOut.History.Select(h => (h.RoomId, h.MovedInOn, h.MovedOutOn)), after.History.Select(h => (h.RoomId, h.MovedInOn, h.MovedOutOn)));
    }

    [Theory]
    [InlineData(1900, "on")]
    [InlineData(2999, "on")]
    public async Task A_move_out_date_before_move_in_or_in_the_future_is_refused_naming_the_date(int year, string field)
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var admin1 = await app.ClientAsAsync("admin1");
        var target = places.C1.SomeResidents[0];

        using var response = await admin1.PostJsonAsync($"/api/v1/residents/{target.Id}/move-out", new MoveOutRequest(new DateOnly(year, 1, 1)));
        await response.ExpectFieldErrorAsync(field);

        var after = await admin1.GetOkAsync<ResidentDto>($"/api/v1/residents/{target.Id}");
        Assert.Equal(target.RoomId, after.RoomId);
        Assert.All(after.History.Where(h => h.RoomId == target.RoomId), h => Assert.Null(h.MovedOutOn));
    }
}

/// <summary>Paging and search input on the lists: 400 naming the parameter. Reads only.</summary>
public sealed class ListInputTests(SharedDemoApp shared) : IClassFixture<SharedDemoApp>
{
    [Theory]
    [InlineData("/api/v1/residents?page=0", "page")]
    [InlineData("/api/v1/residents?page=-3", "page")]
    [InlineData("/api/v1/residents?pageSize=1000", "pageSize")]
    [InlineData("/api/v1/residents?pageSize=0", "pageSize")]
    [InlineData("/api/v1/residents?page=abc", "page")]
    [InlineData("/api/v1/residents?q=01234567890123456789012345678901234567890", "q")]
    [InlineData("/api/v1/residents?label=Rich", "label")]
    [InlineData("/api/v1/residents?ageBand=Teen", "ageBand")]
    [InlineData("/api/v1/buildings?page=0", "page")]
    [InlineData("/api/v1/buildings?pageSize=1000", "pageSize")]
    [InlineData("/api/v1/facilities?pageSize=1000", "pageSize")]
    [InlineData("/api/v1/facilities?category=Casino", "category")]
    [InlineData("/api/v1/organizations?page=0", "page")]
    [InlineData("/api/v1/audit?pageSize=1000", "pageSize")]
    public async Task Bad_paging_or_search_input_is_refused_naming_the_parameter(string url, string field)
    {
        var admin1 = await shared.App.ClientAsAsync("admin1");
        using var response = await admin1.GetAsync(url);
        await response.ExpectFieldErrorAsync(field);
    }

    [Fact]
    public async Task Search_text_of_exactly_forty_characters_is_accepted()
    {
        var admin1 = await shared.App.ClientAsAsync("admin1");
        var page = await admin1.GetOkAsync<Page<ResidentSummaryDto>>("/api/v1/residents?q=" + new string('张', ResidentSearch.MaxQueryLength));
        Assert.Equal(0, page.Total);
    }

    [Fact]
    public async Task The_largest_page_size_is_accepted_and_honoured()
    {
        var admin1 = await shared.App.ClientAsAsync("admin1");
        var page = await admin1.GetOkAsync<Page<ResidentSummaryDto>>($"/api/v1/residents?pageSize={PageRequest.MaxPageSize}");
        Assert.Equal(PageRequest.MaxPageSize, page.Items.Count);
    }
}

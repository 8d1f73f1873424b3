using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Linli.Domain.Registry;
using Linli.Web.Features.Identity;
using Linli.Web.Features.Registry;
using Linli.Web.Features.Shared;

namespace Linli.Web.Tests;

/// <summary>Reading the API the way a client does: JSON with enums as strings, failures shown with the answer's body.</summary>
static class Api
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static async Task<T> GetOkAsync<T>(this HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        return await response.OkAsync<T>();
    }

    public static async Task<T> OkAsync<T>(this HttpResponseMessage response)
    {
        await response.ExpectAsync(HttpStatusCode.OK, HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<T>(Json))!;
    }

    public static async Task ExpectAsync(this HttpResponseMessage response, params HttpStatusCode[] statuses)
    {
        if (statuses.Contains(response.StatusCode)) return;
        var body = await response.Content.ReadAsStringAsync();
        Assert.Fail($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: expected {string.Join(" or ", statuses)}, got {(int)response.StatusCode} {response.StatusCode}: {body}");
    }

    public static async Task<HttpStatusCode> StatusOfAsync(this Task<HttpResponseMessage> request)
    {
        using var response = await request;
        return response.StatusCode;
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body) =>
        client.PostAsJsonAsync(url, body, Json);

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string url, object body) =>
        client.PutAsJsonAsync(url, body, Json);

    /// <summary>A 400 ValidationProblem that names <paramref name="field"/>; returns its messages.</summary>
    public static async Task<string[]> ExpectFieldErrorAsync(this HttpResponseMessage response, string field)
    {
        await response.ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblem>(Json);
        Assert.Equal(400, problem!.Status);
        Assert.NotNull(problem.Errors);
        Assert.True(problem.Errors!.ContainsKey(field), $"expected an error for '{field}', got: {string.Join(", ", problem.Errors.Keys)}");
        Assert.NotEmpty(problem.Errors[field]);
        return problem.Errors[field];
    }

    public sealed record ValidationProblem(int? Status, string? Title, string? Detail, Dictionary<string, string[]>? Errors);

    public sealed record Token(string AccessToken);

    /// <summary>Every item of a paged list.</summary>
    public static async Task<List<T>> AllPagesAsync<T>(this HttpClient client, string url)
    {
        var items = new List<T>();
        var separator = url.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        for (var page = 1; ; page++)
        {
            var p = await client.GetOkAsync<Page<T>>($"{url}{separator}page={page}&pageSize={PageRequest.MaxPageSize}");
            items.AddRange(p.Items);
            if (page >= p.PageCount) return items;
        }
    }

    public static IEnumerable<NodeDto> Flatten(this IEnumerable<NodeDto> nodes) => nodes.SelectMany(n => n.Children.Flatten().Prepend(n));

    public static Task<IdentityModule.MeDto> MeAsync(this HttpClient client) => client.GetOkAsync<IdentityModule.MeDto>("/api/v1/me");
}

/// <summary>Ids of the seeded demo district, looked up through the district officer's view.</summary>
sealed record DemoPlaces(
    int DistrictId, int StreetId, Community C1, Community C2)
{
    public static async Task<DemoPlaces> LoadAsync(TestApp app)
    {
        var district = await app.ClientAsAsync("district");
        var all = (await district.GetOkAsync<List<NodeDto>>("/api/v1/nodes")).Flatten().ToList();
        var communities = all.Where(n => n.Kind == NodeKind.Community).ToList();
        Assert.Equal(2, communities.Count);
        async Task<Community> Load(string namePrefix)
        {
            var node = communities.Single(n => n.Name.StartsWith(namePrefix, StringComparison.Ordinal));
            var buildings = await district.GetOkAsync<Page<BuildingDto>>($"/api/v1/buildings?communityId={node.Id}&pageSize=200");
            var building = await district.GetOkAsync<BuildingDetailDto>($"/api/v1/buildings/{buildings.Items[0].Id}");
            var residents = await district.GetOkAsync<Page<ResidentSummaryDto>>($"/api/v1/residents?communityId={node.Id}&pageSize=200");
            return new Community(node.Id, node.Children.Select(g => g.Id).ToList(), buildings.Items.Select(b => b.Id).ToList(),
                building.Rooms.First(r => r.Residents > 0).Id, residents.Items, residents.Total);
        }
        return new DemoPlaces(all.Single(n => n.Kind == NodeKind.District).Id, all.Single(n => n.Kind == NodeKind.Street).Id,
            await Load("桂花苑"), await Load("枫林"));
    }
}

/// <summary>One community of the demo: its grids, buildings, an occupied room, the first residents by name and the head count.</summary>
sealed record Community(int Id, IReadOnlyList<int> GridIds, IReadOnlyList<int> BuildingIds, int OccupiedRoomId,
    IReadOnlyList<ResidentSummaryDto> SomeResidents, int ResidentCount)
{
    public int ResidentId => SomeResidents[0].Id;
}

/// <summary>One app on one demo database for a test class whose tests only read.</summary>
public sealed class SharedDemoApp : IAsyncLifetime
{
    TestApp? _app;
    DemoPlaces? _places;

    public TestApp App => _app ?? throw new InvalidOperationException("Not started.");
    internal DemoPlaces Places => _places ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        _app = await LinliAppFactory.StartAsync();
        _places = await DemoPlaces.LoadAsync(_app);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}

using System.Net;
using Linli.Infrastructure.Seeding;

namespace Linli.Web.Tests;

/// <summary>
/// The limit on sign-in attempts per address holds for the district, not per web node: a guesser spreading attempts over
/// the nodes behind the load balancer gets the limit once.
/// </summary>
public sealed class SignInLimitTests
{
    const int Permit = 5;
    static readonly Dictionary<string, string> Strict = new() { ["Linli:SignIn:PermitPerMinute"] = Permit.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    [Fact]
    public async Task Attempts_spread_over_two_nodes_share_one_limit_per_address()
    {
        await using var app = await LinliAppFactory.StartAsync(Strict);
        var second = app.StartNode(settings: Strict);
        using var a = app.Anonymous();
        using var b = second.CreateClient();

        // Permit attempts in all (other names each time, so no account locks itself), alternating nodes: each node alone
        // has seen at most three, well inside its own limit.
        for (var i = 0; i < Permit; i++)
        {
            using var wrong = await (i % 2 == 0 ? a : b).PostJsonAsync("/api/v1/auth/token", new { userName = $"nobody{i}", password = $"guess-{i}" });
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
        // The next one is refused on either node, even with the right password, and says why.
        foreach (var node in new[] { a, b })
        {
            using var refused = await node.PostJsonAsync("/api/v1/auth/token", new { userName = "admin2", password = RegistrySeeder.DemoPassword });
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Too many sign-in attempts", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // A minute later the address may try again.
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        second.Clock.Advance(TimeSpan.FromMinutes(1));
        using var later = await b.PostJsonAsync("/api/v1/auth/token", new { userName = "admin2", password = RegistrySeeder.DemoPassword });
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
    }
}

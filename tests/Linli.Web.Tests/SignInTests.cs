using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Linli.Domain.Identity;
using Linli.Infrastructure.Seeding;
using Linli.Web.Features.Registry;
using Linli.Web.Features.Shared;
using Microsoft.AspNetCore.Hosting;

namespace Linli.Web.Tests;

/// <summary>Password and SMS-code sign-in, lockout and the sign-in rate limit.</summary>
public sealed partial class SignInTests
{
    [GeneratedRegex(@"(?<!\d)\d{6}(?!\d)")]
    private static partial Regex SixDigits();

    static object Password(string userName, string password = RegistrySeeder.DemoPassword) => new { userName, password };

    static HttpClient WithToken(TestApp app, string token)
    {
        var client = app.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact]
    public async Task The_right_password_gives_a_token_that_carries_role_and_scope()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var token = await (await app.Anonymous().PostJsonAsync("/api/v1/auth/token", Password("Admin1"))).OkAsync<Api.Token>();
        Assert.False(string.IsNullOrEmpty(token.AccessToken));

        var me = await WithToken(app, token.AccessToken).MeAsync();
        Assert.Equal(("admin1", Role.CommunityAdmin, ScopeLevel.Community, places.C1.Id), (me.UserName, me.Role, me.ScopeLevel, me.ScopeId));
        Assert.Contains(Permission.Unmask, me.Permissions);
    }

    [Fact]
    public async Task A_wrong_password_or_unknown_user_gets_401()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var anonymous = app.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, await anonymous.PostJsonAsync("/api/v1/auth/token", Password("admin1", "wrong")).StatusOfAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, await anonymous.PostJsonAsync("/api/v1/auth/token", Password("nobody")).StatusOfAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, await anonymous.PostJsonAsync("/api/v1/auth/token", new { userName = "admin1" }).StatusOfAsync());
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_even_against_the_right_password()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var anonymous = app.Anonymous();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < UserAccount.MaxFailedSignIns; i++)
            statuses.Add(await anonymous.PostJsonAsync("/api/v1/auth/token", Password("admin1", $"wrong-{i}")).StatusOfAsync());
        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 4), (HttpStatusCode)423], statuses);

        using var right = await anonymous.PostJsonAsync("/api/v1/auth/token", Password("admin1"));
        Assert.Equal((HttpStatusCode)423, right.StatusCode);
        Assert.Contains("locked", await right.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

        // Only that account is locked.
        await (await anonymous.PostJsonAsync("/api/v1/auth/token", Password("admin2"))).OkAsync<Api.Token>();
    }

    [Fact]
    public async Task A_resident_signs_in_with_phone_and_the_code_sent_by_SMS()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var phone = await PhoneOfResident1Async(app);
        var anonymous = app.Anonymous();

        using (var request = await anonymous.PostJsonAsync("/api/v1/auth/code", new { phone }))
            await request.ExpectAsync(HttpStatusCode.Accepted);
        var (to, message) = Assert.Single(app.Factory.Sms.Sent);
        Assert.Equal(phone, to);
        var code = SixDigits().Match(message).Value;
        Assert.Equal(6, code.Length);

        var token = await (await anonymous.PostJsonAsync("/api/v1/auth/code/token", new { phone, code })).OkAsync<Api.Token>();
        var me = await WithToken(app, token.AccessToken).MeAsync();
        Assert.Equal(("resident1", Role.Resident, ScopeLevel.Household), (me.UserName, me.Role, me.ScopeLevel));

        // The code is spent.
        Assert.Equal(HttpStatusCode.Unauthorized, await anonymous.PostJsonAsync("/api/v1/auth/code/token", new { phone, code }).StatusOfAsync());
    }

    [Fact]
    public async Task A_wrong_code_fails_and_the_right_one_still_works_afterwards()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var phone = await PhoneOfResident1Async(app);
        var anonymous = app.Anonymous();
        (await anonymous.PostJsonAsync("/api/v1/auth/code", new { phone })).Dispose();
        var code = SixDigits().Match(Assert.Single(app.Factory.Sms.Sent).Message).Value;
        var wrong = ((int.Parse(code, System.Globalization.CultureInfo.InvariantCulture) + 1) % 1_000_000).ToString("000000", System.Globalization.CultureInfo.InvariantCulture);

        using (var failed = await anonymous.PostJsonAsync("/api/v1/auth/code/token", new { phone, code = wrong }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
            var body = await failed.Content.ReadAsStringAsync();
            Assert.DoesNotContain("accessToken", body, StringComparison.Ordinal);
            // The person typed a code, not a password: the answer says so.
            Assert.Contains("code is wrong", body, StringComparison.Ordinal);
            Assert.DoesNotContain("password", body, StringComparison.OrdinalIgnoreCase);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, await anonymous.PostJsonAsync("/api/v1/auth/code/token", new { phone }).StatusOfAsync());

        await (await anonymous.PostJsonAsync("/api/v1/auth/code/token", new { phone, code })).OkAsync<Api.Token>();
    }

    [Fact]
    public async Task An_unknown_phone_gets_the_same_202_but_no_message_is_sent()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var anonymous = app.Anonymous();
        using var response = await anonymous.PostJsonAsync("/api/v1/auth/code", new { phone = "166 0000 0001" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Empty(app.Factory.Sms.Sent);
        Assert.Equal(HttpStatusCode.Unauthorized, await anonymous.PostJsonAsync("/api/v1/auth/code/token", new { phone = "16600000001", code = "000000" }).StatusOfAsync());
    }

    [Fact]
    public async Task A_code_request_for_a_malformed_phone_is_refused_naming_the_phone()
    {
        await using var app = await LinliAppFactory.StartAsync();
        using var response = await app.Anonymous().PostJsonAsync("/api/v1/auth/code", new { phone = "12345" });
        await response.ExpectFieldErrorAsync("phone");
        Assert.Empty(app.Factory.Sms.Sent);
    }

    [Fact]
    public async Task The_fourth_sign_in_attempt_within_a_minute_is_turned_away_with_429()
    {
        await using var app = await LinliAppFactory.StartAsync();
        using var limited = app.Factory.WithWebHostBuilder(b => b.UseSetting("Linli:SignIn:PermitPerMinute", "3"));
        var client = limited.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
            statuses.Add(await client.PostJsonAsync("/api/v1/auth/token", Password("admin1")).StatusOfAsync());
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        // The limit covers the code endpoints as well.
        Assert.Equal(HttpStatusCode.TooManyRequests, await client.PostJsonAsync("/api/v1/auth/code", new { phone = "16600000001" }).StatusOfAsync());
        // The rest of the API is not rate limited by it.
        using var health = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    /// <summary>resident1's phone number, as an admin of their community would look it up.</summary>
    static async Task<string> PhoneOfResident1Async(TestApp app)
    {
        var me = await (await app.ClientAsAsync("resident1")).MeAsync();
        var admin1 = await app.ClientAsAsync("admin1");
        var household = await admin1.GetOkAsync<Page<ResidentSummaryDto>>($"/api/v1/residents?roomId={me.ScopeId}");
        var person = household.Items.Single(r => r.Name == me.DisplayName);
        var full = await (await admin1.PostAsync($"/api/v1/residents/{person.Id}/unmask", null)).OkAsync<UnmaskedDto>();
        return full.Phone!;
    }
}

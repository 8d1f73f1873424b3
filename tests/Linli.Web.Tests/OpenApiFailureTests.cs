using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Web.Tests;

/// <summary>
/// The OpenAPI document is the contract clients read: an operation that can fail says how. Failures travel as exceptions,
/// which the document cannot see, so each route declares them; this test holds every route to it.
/// </summary>
public sealed class OpenApiFailureTests
{
    static readonly string[] Methods = ["get", "post", "put", "patch", "delete"];

    [Fact]
    public async Task Every_operation_lists_the_failures_it_can_answer_with()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var response = await app.Anonymous().GetAsync("/swagger/v1/swagger.json");
        response.EnsureSuccessStatusCode();
        // Parsing fails on anything that is not JSON; the version field says it is an OpenAPI document.
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.StartsWith("3.", document.RootElement.GetProperty("openapi").GetString(), StringComparison.Ordinal);

        // Who may call an operation is endpoint metadata, not part of the document: read it where Swashbuckle reads it.
        var descriptions = app.Factory.Services.GetRequiredService<IApiDescriptionGroupCollectionProvider>().ApiDescriptionGroups.Items
            .SelectMany(g => g.Items).ToList();
        var authorized = descriptions.Where(d => d.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().Any()
                && !d.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any())
            .Select(Key).ToHashSet(StringComparer.Ordinal);
        var limited = descriptions.Where(d => d.ActionDescriptor.EndpointMetadata.OfType<EnableRateLimitingAttribute>().Any())
            .Select(Key).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(authorized);
        Assert.NotEmpty(limited);

        var missing = new List<string>();
        var operations = 0;
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => Methods.Contains(o.Name)))
            {
                operations++;
                var key = $"{operation.Name.ToUpperInvariant()} {path.Name}";
                var op = operation.Value;
                var answers = op.TryGetProperty("responses", out var r) ? r.EnumerateObject().Select(x => x.Name).ToHashSet() : [];
                var parameters = op.TryGetProperty("parameters", out var p) ? p.EnumerateArray().ToList() : [];
                var inPath = parameters.Where(x => x.GetProperty("in").GetString() == "path").Select(x => x.GetProperty("name").GetString()!).ToList();
                var inQuery = parameters.Any(x => x.GetProperty("in").GetString() == "query");
                var body = op.TryGetProperty("requestBody", out _);

                void Expect(string status, string why)
                {
                    if (!answers.Contains(status)) missing.Add($"{key} lists no {status} ({why})");
                }
                if (inPath.Any(IsId)) Expect("404", "it names a thing by id");
                if (body) Expect("400", "it takes a body a rule can refuse");
                if (inQuery && !body) Expect("400", "it takes query values that can be unreadable or refused");
                if (inPath.Count > 0 && !answers.Contains("400") && !answers.Contains("404")) missing.Add($"{key} lists neither 400 nor 404 for its path");
                if (authorized.Contains(key))
                {
                    Expect("401", "it needs a signed-in caller");
                    Expect("403", "it needs a permission");
                }
                if (limited.Contains(key)) Expect("429", "it is rate-limited");
            }
        }
        Assert.True(operations > 50, $"only {operations} operations in the document");
        Assert.True(missing.Count == 0, "Failures not declared:\n" + string.Join("\n", missing));
    }

    static string Key(ApiDescription d) => $"{d.HttpMethod!.ToUpperInvariant()} /{d.RelativePath}";

    static bool IsId(string name) => name == "id" || name.EndsWith("Id", StringComparison.Ordinal);
}

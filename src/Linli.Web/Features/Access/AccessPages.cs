using Linli.Application.Access;
using Linli.Domain.Identity;
using Linli.Web.Features.Identity;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Linli.Web.Features.Access;

/// <summary>The one card's page fragments: the phone's current door code, fetched by the page every few seconds.</summary>
public static class AccessPages
{
    public static IEndpointRouteBuilder MapAccessPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/my/card/code/{id:long}", Code).RequireAuthorization(IdentityModule.Policy(Permission.UseOneCard)).ExcludeFromDescription();
        return app;
    }

    static async Task<RazorComponentResult<PhoneCodeView>> Code(long id, CredentialCommands credentials, CancellationToken ct) =>
        new(new { Code = await credentials.PhoneCodeAsync(id, ct) });
}

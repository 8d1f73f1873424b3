using System.Threading.RateLimiting;
using Linli.Domain.Identity;
using Linli.Domain.Registry;
using Linli.Web.Features.Shared;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace Linli.Web.Features.Identity;

public static class IdentityModule
{
    public const string SmartScheme = "Linli";
    public const string SignInRateLimit = "signin";

    /// <summary>Where a request keeps the outcome of its household check, for every DI scope it opens.</summary>
    public static readonly object HouseholdCheckKey = new();

    public static string Policy(Permission permission) => $"perm:{permission}";

    public static IServiceCollection AddIdentityModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHttpContextAccessor();
        services.AddScoped(sp =>
        {
            var context = sp.GetRequiredService<IHttpContextAccessor>().HttpContext;
            var user = new CurrentUser(context?.User);
            if (context?.Items[HouseholdCheckKey] is bool stillHeld) user.AdoptHouseholdCheck(stillHeld);
            return user;
        });
        // Work that declared a scope (a background job's DI scope) runs under it; a request runs under its user's.
        services.AddScoped<ICurrentScope>(sp => sp.GetRequiredService<DeclaredScope>().Scope is { } declared
            ? new FixedScope(declared) : sp.GetRequiredService<CurrentUser>());
        services.AddSingleton<HouseholdCheck>();
        services.AddScoped<SignInService>();
        services.Configure<SignInLimitOptions>(configuration.GetSection("Linli:SignIn"));
        services.AddScoped<SignInLimits>();
        services.AddScoped<AuditLog>();

        services.AddAuthentication(SmartScheme)
            // Pages use the cookie; API clients send "Authorization: Bearer …".
            .AddPolicyScheme(SmartScheme, SmartScheme, o => o.ForwardDefaultSelector = ctx =>
                ctx.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? BearerTokenDefaults.AuthenticationScheme : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.LoginPath = "/signin";
                o.AccessDeniedPath = "/denied";
                o.Cookie.Name = "linli.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.SlidingExpiration = true;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                // The API answers 401/403; only pages redirect to the sign-in form.
                o.Events.OnRedirectToLogin = ctx => ApiOr(ctx, 401);
                o.Events.OnRedirectToAccessDenied = ctx => ApiOr(ctx, 403);
            })
            .AddBearerToken(o => o.BearerTokenExpiration = TimeSpan.FromHours(1));

        services.AddAuthorizationBuilder().AddDefaultPolicy("signed-in", p => p.RequireAuthenticatedUser());
        foreach (var permission in Enum.GetValues<Permission>())
        {
            services.AddAuthorizationBuilder().AddPolicy(Policy(permission), p => p.RequireAuthenticatedUser()
                .RequireAssertion(ctx => ctx.User.FindFirst(System.Security.Claims.ClaimTypes.Role)?.Value is { } role
                    && Enum.TryParse<Role>(role, out var r) && r.Has(permission)));
        }

        var permitPerMinute = configuration.GetValue("Linli:SignIn:PermitPerMinute", 20);
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(SignInRateLimit, ctx => RateLimitPartition.GetFixedWindowLimiter(
                ctx.Connection.RemoteIpAddress?.ToString() ?? "local",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = permitPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });
        return services;
    }

    static Task ApiOr(RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api"))
        {
            ctx.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }

    public sealed record TokenRequest(string? UserName, string? Password);
    public sealed record CodeRequest(string? Phone);
    public sealed record CodeTokenRequest(string? Phone, string? Code);
    public sealed record MeDto(int Id, string UserName, string DisplayName, Role Role, int NodeId, ScopeLevel ScopeLevel, int ScopeId, IReadOnlyList<Permission> Permissions);

    public static IEndpointRouteBuilder MapIdentity(this IEndpointRouteBuilder app)
    {
        // Two limits: this node's own (cheap, in memory, first) and the one all nodes share through the database.
        var auth = app.MapGroup("/api/v1/auth").WithTags("Identity").RequireRateLimiting(SignInRateLimit).AllowAnonymous()
            .AddEndpointFilter(async (context, next) =>
            {
                var http = context.HttpContext;
                await http.RequestServices.GetRequiredService<SignInLimits>().TakeAsync(http.Connection.RemoteIpAddress?.ToString(), http.RequestAborted);
                return await next(context);
            })
            .ProducesInputFailure().ProducesProblem(StatusCodes.Status429TooManyRequests);
        auth.MapPost("/token", IssueToken).WithName("IssueToken").WithSummary("Exchanges user name and password for a bearer token.")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status423Locked);
        auth.MapPost("/code", RequestCode).WithName("RequestSignInCode").WithSummary("Sends a one-time sign-in code to a registered phone (SMS adapter).");
        auth.MapPost("/code/token", IssueTokenForCode).WithName("IssueTokenForCode").WithSummary("Exchanges phone and one-time code for a bearer token.")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status423Locked);

        app.MapGet("/api/v1/me", Me).WithTags("Identity").WithName("Me").WithSummary("Who the caller is, their role, scope and permissions.").RequireAuthorization()
            .ProducesAuthFailures();
        app.MapPost("/signout", async (HttpContext ctx) =>
        {
            await ctx.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect("/signin");
        }).ExcludeFromDescription();
        return app;
    }

    static async Task<Results<SignInHttpResult, ProblemHttpResult>> IssueToken(TokenRequest request, SignInService signIn, CancellationToken ct)
    {
        var outcome = await signIn.WithPasswordAsync(request.UserName, request.Password, ct);
        return Issue(outcome);
    }

    static async Task<Results<Accepted, ValidationProblem>> RequestCode(CodeRequest request, SignInService signIn, CancellationToken ct)
    {
        if (!PhoneNumber.TryParse(request.Phone, out var phone))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["phone"] = ["Phone number must be an 11-digit mainland mobile number."] });
        await signIn.RequestCodeAsync(phone!, ct);
        return TypedResults.Accepted((string?)null);
    }

    static async Task<Results<SignInHttpResult, ProblemHttpResult, ValidationProblem>> IssueTokenForCode(CodeTokenRequest request, SignInService signIn, CancellationToken ct)
    {
        if (!PhoneNumber.TryParse(request.Phone, out var phone))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["phone"] = ["Phone number must be an 11-digit mainland mobile number."] });
        var outcome = await signIn.WithCodeAsync(phone!, request.Code, ct);
        return Issue(outcome) switch
        {
            { Result: SignInHttpResult ok } => ok,
            { Result: ProblemHttpResult problem } => problem,
            _ => throw new InvalidOperationException(),
        };
    }

    static Results<SignInHttpResult, ProblemHttpResult> Issue(SignInOutcome outcome) => outcome.Failure switch
    {
        SignInFailure.None => TypedResults.SignIn(CurrentUser.Principal(outcome.Account!, outcome.Scope!, BearerTokenDefaults.AuthenticationScheme), authenticationScheme: BearerTokenDefaults.AuthenticationScheme),
        SignInFailure.LockedOut => TypedResults.Problem("Too many failed attempts: the account is locked for 15 minutes.", statusCode: 423, title: "Locked out"),
        SignInFailure.NoHousehold => TypedResults.Problem("This resident account is not linked to a household any more.", statusCode: 403, title: "No household"),
        SignInFailure.WrongCode => TypedResults.Problem("The code is wrong or has expired; ask for a new one.", statusCode: 401, title: "Sign-in failed"),
        _ => TypedResults.Problem("User name or password is wrong.", statusCode: 401, title: "Sign-in failed"),
    };

    static MeDto Me(CurrentUser user) => new(user.Id, user.UserName, user.DisplayName, user.Role, user.NodeId, user.Scope.Level, user.Scope.Id,
        Enum.GetValues<Permission>().Where(user.Can).ToList());
}

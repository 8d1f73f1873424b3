using System.Globalization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.Options;

namespace Linli.Web.Features.Shared;

/// <summary>Cross-cutting web plumbing: errors, JSON, OpenAPI, localization, pages, health.</summary>
public static class WebSetup
{
    public static readonly CultureInfo[] Cultures = [new("zh-CN"), new("en")];
    public const string LargeTextCookie = "linli.large";

    public static IServiceCollection AddLinliWeb(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddProblemDetails();
        // Unreadable input goes through the one exception handler, which names the field.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddExceptionHandler<DomainExceptionHandler>();
        // Enum names as JsonStringEnumConverter writes them; values outside an enum's set, text that cannot be stored and dates
        // outside the window are refused at their path (see DefinedEnums and RequestText).
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.AddRequestChecks());
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc("v1", new() { Title = "Linli API", Version = "v1", Description = "邻里 smart-community platform: registry, identity and more." });
            // Swagger UI's "Authorize" button: sign in with POST /api/v1/auth/token and paste the access token.
            o.AddSecurityDefinition("Bearer", new Microsoft.OpenApi.OpenApiSecurityScheme
            {
                Type = Microsoft.OpenApi.SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "The accessToken from POST /api/v1/auth/token (or /api/v1/auth/code/token).",
            });
            o.AddSecurityRequirement(document => new Microsoft.OpenApi.OpenApiSecurityRequirement
            {
                [new Microsoft.OpenApi.OpenApiSecuritySchemeReference("Bearer", document)] = [],
            });
            o.CustomSchemaIds(t => t.FullName!.Replace("Linli.Web.Features.", "", StringComparison.Ordinal).Replace("+", ".", StringComparison.Ordinal));
        });
        services.AddLocalization(o => o.ResourcesPath = "Resources");
        // Chinese text goes out as text, not as &#x...; entities.
        services.AddWebEncoders(o => o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        services.AddCascadingAuthenticationState();
        services.AddRazorComponents();
        services.AddAntiforgery();
        services.AddSingleton<DatabaseReadiness>();
        // Domain events are delivered after their commit by the outbox dispatcher (registered with the persistence).
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        services.AddDataProtection().SetApplicationName("linli");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
            new ConfigureOptions<KeyManagementOptions>(o =>
            {
                o.XmlRepository = new DatabaseXmlRepository(sp.GetRequiredService<IServiceScopeFactory>());
                o.XmlEncryptor = new DataProtectionKeyEncryptor(sp.GetRequiredService<Linli.Domain.Common.IPersonalDataProtector>());
            }));
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        return services;
    }

    public static WebApplication UseLinliWeb(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseServerTiming();
        app.UseExceptionHandler();
        app.UseStatusCodePages(DomainExceptionHandler.StatusCodePage);
        app.UseRequestTextChecks();
        app.UseCheckedParameters();
        app.UseRequestLocalization(o =>
        {
            o.DefaultRequestCulture = new RequestCulture("zh-CN");
            o.SupportedCultures = Cultures;
            o.SupportedUICultures = Cultures;
            o.RequestCultureProviders = [new QueryStringRequestCultureProvider(), new CookieRequestCultureProvider()];
        });
        app.UseStaticFiles();
        app.UseSwagger();
        app.UseSwaggerUI(o => o.DocumentTitle = "Linli API");
        app.UseAuthentication();
        // A resident's household is confirmed once per request, asynchronously, before anything reads through its scope.
        app.Use(async (context, next) =>
        {
            var user = context.RequestServices.GetRequiredService<CurrentUser>();
            if (user.NeedsHouseholdCheck)
            {
                await user.ConfirmHouseholdAsync(context.RequestServices.GetRequiredService<HouseholdCheck>(), context.RequestAborted);
                context.Items[Identity.IdentityModule.HouseholdCheckKey] = user.Scope.Level == Linli.Domain.Identity.ScopeLevel.Household;
            }
            await next(context);
        });
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();
        return app;
    }

    /// <summary>A return address from a query string, if it stays on this site (no //host or /\host); else the start page.</summary>
    public static string LocalOrHome(string? url) =>
        url is { Length: > 0 } && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal) ? url : "/";

    /// <summary>Remembers the chosen language in a cookie and goes back to the page.</summary>
    public static IEndpointRouteBuilder MapLanguageSwitch(this IEndpointRouteBuilder app)
    {
        app.MapGet("/language", (HttpContext ctx, string? culture, string? returnUrl) =>
        {
            var chosen = Cultures.FirstOrDefault(c => c.Name == culture) ?? Cultures[0];
            ctx.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(chosen)),
                new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, SameSite = SameSiteMode.Lax });
            return Results.LocalRedirect(LocalOrHome(returnUrl));
        }).ExcludeFromDescription();
        app.MapGet("/display", (HttpContext ctx, bool large, string? returnUrl) =>
        {
            ctx.Response.Cookies.Append(LargeTextCookie, large ? "1" : "0",
                new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, SameSite = SameSiteMode.Lax });
            return Results.LocalRedirect(LocalOrHome(returnUrl));
        }).ExcludeFromDescription();
        return app;
    }
}

using Microsoft.AspNetCore.Mvc;

namespace Linli.Web.Features.Shared;

/// <summary>
/// Failures travel as exceptions (see <see cref="DomainExceptionHandler"/>), which the OpenAPI document cannot see; these
/// conventions declare them on the routes where they can happen, so a client reads the failures from the contract.
/// </summary>
public static class DeclaredFailures
{
    /// <summary>
    /// An authorized route: 401 without a body when nobody is signed in (the cookie handler answers the API so, see
    /// IdentityModule), 403 when the caller lacks the permission (no body) or a rule of the scope refuses (ProblemDetails).
    /// </summary>
    public static TBuilder ProducesAuthFailures<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(void)),
            new ProducesResponseTypeMetadata(StatusCodes.Status403Forbidden, typeof(ProblemDetails), ["application/problem+json"]));

    /// <summary>A route whose input a rule can refuse: 400 naming the field (a bad query value included).</summary>
    public static TBuilder ProducesInputFailure<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status400BadRequest, typeof(HttpValidationProblemDetails), ["application/problem+json"]));

    /// <summary>A route about one thing by id: 404 when it does not exist or lies outside the caller's scope.</summary>
    public static TBuilder ProducesNotFound<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status404NotFound, typeof(ProblemDetails), ["application/problem+json"]));

    /// <summary>A change the current state can refuse (or a concurrent edit): 409 naming the field.</summary>
    public static TBuilder ProducesConflict<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status409Conflict, typeof(HttpValidationProblemDetails), ["application/problem+json"]));

    /// <summary>A route behind a limit: 429 naming what ran out.</summary>
    public static TBuilder ProducesLimit<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status429TooManyRequests, typeof(HttpValidationProblemDetails), ["application/problem+json"]));

    /// <summary>Failures answered in a protocol's own error format rather than ProblemDetails (Open311's error list).</summary>
    public static TBuilder ProducesStatus<TBuilder>(this TBuilder builder, params int[] statusCodes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata([.. statusCodes.Select(code => new ProducesResponseTypeMetadata(code, typeof(void)))]);
}

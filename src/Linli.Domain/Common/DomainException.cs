namespace Linli.Domain.Common;

/// <summary>A rule of the domain refused an operation; the message is for the user, <see cref="Field"/> names the input at fault.</summary>
public class DomainException(string message, string? field = null) : Exception(message)
{
    public string? Field { get; } = field;
}

/// <summary>The thing asked for does not exist, or is outside the caller's scope (the two look the same on purpose).</summary>
public sealed class NotFoundException(string what) : DomainException($"{what} was not found.");

/// <summary>The caller may see the thing but lacks the permission for this action.</summary>
public sealed class ForbiddenException(string message) : DomainException(message);

/// <summary>The request is valid but clashes with the current state (HTTP 409): the case moved on, someone else took it first.</summary>
public class ConflictException(string message, string? field = null) : DomainException(message, field);

/// <summary>A per-account limit was reached (HTTP 429); the message says when it resets.</summary>
public sealed class LimitExceededException(string message, string? field = null) : DomainException(message, field);

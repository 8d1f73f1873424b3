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

using Linli.Domain.Identity;

namespace Linli.Application.Common;

/// <summary>The scope of whoever is asking; the web host reads it from the signed-in user, background work uses <see cref="Scope.System"/>.</summary>
public interface ICurrentScope
{
    Scope Scope { get; }
}

/// <summary>A scope fixed when the unit of work began (see <see cref="DeclaredScope"/>).</summary>
public sealed record FixedScope(Scope Scope) : ICurrentScope;

public sealed class SystemScope : ICurrentScope
{
    public static readonly SystemScope Instance = new();
    public Scope Scope => Scope.System;
}

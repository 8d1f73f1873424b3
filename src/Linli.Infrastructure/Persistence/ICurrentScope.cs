using Linli.Domain.Identity;

namespace Linli.Infrastructure.Persistence;

/// <summary>The scope of whoever is asking; the web host reads it from the signed-in user, background work uses <see cref="Scope.System"/>.</summary>
public interface ICurrentScope
{
    Scope Scope { get; }
}

public sealed class SystemScope : ICurrentScope
{
    public static readonly SystemScope Instance = new();
    public Scope Scope => Scope.System;
}

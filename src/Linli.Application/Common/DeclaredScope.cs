using Linli.Domain.Identity;

namespace Linli.Application.Common;

/// <summary>
/// The scope a unit of work without a signed-in user runs under: a background job declares it when it opens its DI scope
/// (the system for timers and ingestion, the uploader's node for an import), and every query in that scope is filtered by
/// it. A job that declares nothing sees nothing.
/// </summary>
public sealed class DeclaredScope
{
    public Scope? Scope { get; private set; }

    /// <summary>Why this work needs the scope it declared, for logs and reviews.</summary>
    public string? Reason { get; private set; }

    public void Declare(Scope scope, string reason)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        if (Scope is not null && Scope != scope) throw new InvalidOperationException($"This unit of work already runs as {Scope.Level} ({Reason}).");
        Scope = scope;
        Reason = reason;
    }
}

public static class DeclaredScopes
{
    /// <summary>A DI scope whose database, and everything else that asks for the current scope, sees <paramref name="scope"/>.</summary>
    public static AsyncServiceScope CreateDeclaredScope(this IServiceScopeFactory scopes, Scope scope, string reason)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        var created = scopes.CreateAsyncScope();
        created.ServiceProvider.GetRequiredService<DeclaredScope>().Declare(scope, reason);
        return created;
    }

    /// <summary>A DI scope for work of the whole installation (timers, ingestion, notifications): it sees every node.</summary>
    public static AsyncServiceScope CreateSystemScope(this IServiceScopeFactory scopes, string reason) =>
        scopes.CreateDeclaredScope(Domain.Identity.Scope.System, reason);
}

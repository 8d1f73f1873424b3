using Linli.Application.Common;
using Linli.Domain.Registry;

namespace Linli.Application.Access;

/// <summary>
/// A resident who moved out loses access (issue 12): the registry says so by its event, and every credential of the
/// resident is revoked. Runs after the move-out is committed; a second delivery finds nothing left to revoke.
/// </summary>
public sealed class MoveOutRevocation(CredentialCommands credentials) : IDomainEventHandler<ResidentMovedOut>
{
    public Task HandleAsync(ResidentMovedOut e, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(e);
        return credentials.RevokeForMoveOutAsync(e.ResidentId, ct);
    }
}

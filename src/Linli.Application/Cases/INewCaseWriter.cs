using Linli.Domain.Cases;

namespace Linli.Application.Cases;

/// <summary>
/// The lean write path of a new report: the case, its first timeline entry, its SLA timers and its outbox rows are written
/// in one transaction, nothing is read back, and the call returns once that transaction has committed (the case then has
/// its id). Reports arriving together share a transaction (group commit), as device readings do.
/// </summary>
public interface INewCaseWriter
{
    Task WriteAsync(Case c, CancellationToken ct);
}

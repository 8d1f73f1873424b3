using Linli.Domain.Cases;

namespace Linli.Application.Cases;

/// <summary>
/// The lean write path of a new report: the case, its first timeline entry, its SLA timers and its outbox rows are written
/// in one transaction, nothing is read back, and the call returns once that transaction has committed (the case then has
/// its id). Reports arriving together share a transaction (group commit), as device readings do.
/// </summary>
public interface INewCaseWriter
{
    /// <summary>
    /// Writes the case unless its reporter is over <paramref name="quota"/>: then nothing is written and the answer is
    /// false. The count is taken for a whole batch at once (one query, whatever the number of reports in it).
    /// </summary>
    Task<bool> WriteAsync(Case c, ReportQuota? quota, CancellationToken ct);
}

/// <summary>At most <paramref name="Limit"/> reports by account <paramref name="UserId"/> since <paramref name="Since"/>, this one included.</summary>
public sealed record ReportQuota(int UserId, DateTimeOffset Since, int Limit);

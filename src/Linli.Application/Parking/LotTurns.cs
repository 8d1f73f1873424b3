using Linli.Application.Common;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Parking;

/// <summary>
/// One change at a time per lot, on every node: the transaction touches the lot's row first, which takes its row lock on
/// PostgreSQL (held to the commit) and the write lock on SQLite. Entries then count the visitor spaces and open a stay as
/// one step, and a stay is never paid and closed by two requests at once.
/// </summary>
static class LotTurns
{
    public static Task TakeAsync(ILinliDb db, int lotId, CancellationToken ct) =>
        db.Database.ExecuteSqlInterpolatedAsync($"""UPDATE parking_lots SET "Id" = "Id" WHERE "Id" = {lotId}""", ct);
}

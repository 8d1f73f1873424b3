using System.Globalization;
using Linli.Application.Common;
using Npgsql;

namespace Linli.Infrastructure.Observability;

/// <summary>
/// The PostgreSQL read replica (<c>Linli:Database:ReplicaConnectionString</c>): ready while it answers as a standby and has
/// replayed what it received within <see cref="MaxLag"/>; its lag is reported either way. With
/// <paramref name="mustBeStandby"/> false (<c>ReplicaMustBeStandby</c>: a copy kept by other means, such as the tests'
/// copy of their database) a database that is not in recovery is ready too, its lag 0.
/// </summary>
public sealed class ReplicaProbe(string connectionString, TimeSpan maxLag, bool mustBeStandby = true) : IReadinessProbe
{
    /// <summary>Without the replica the stale-tolerant reads go to the primary (ADR 0015): the node stays ready, degraded.</summary>
    public bool Required => false;

    public string Name => "replica";

    public TimeSpan MaxLag => maxLag;

    public async Task<ProbeResult> ProbeAsync(CancellationToken ct)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("""
                SELECT pg_is_in_recovery(),
                       pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn(),
                       COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)::float8
                """, connection);
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            var standby = reader.GetBoolean(0);
            var caughtUp = reader.GetBoolean(1);
            // With nothing written lately the last replayed transaction is old although nothing is missing: lag is 0 then.
            var lag = caughtUp ? 0 : reader.GetDouble(2);
            var data = new Dictionary<string, object> { ["standby"] = standby, ["lagSeconds"] = Math.Round(lag, 3) };
            if (!standby && mustBeStandby) return new ProbeResult(false, "The replica is not a standby (promoted?).", data);
            return lag <= maxLag.TotalSeconds
                ? new ProbeResult(true, $"streaming, {lag.ToString("0.###", CultureInfo.InvariantCulture)} s behind", data)
                : new ProbeResult(false, $"{lag.ToString("0.#", CultureInfo.InvariantCulture)} s behind, more than {maxLag.TotalSeconds:0} s", data);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return new ProbeResult(false, "The replica does not answer: " + e.Message);
        }
    }
}

namespace Linli.Infrastructure.Persistence;

public enum DatabaseProvider { Sqlite, Postgres }

/// <summary>Which database and where; bound from the <c>Linli:Database</c> configuration section.</summary>
public sealed class DatabaseOptions
{
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>For SQLite a connection string or empty for <c>data/linli.db</c>; for PostgreSQL an Npgsql connection string.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>PostgreSQL only: a streaming replica for reads that may lag; its health is part of readiness.</summary>
    public string? ReplicaConnectionString { get; set; }

    /// <summary>How far the replica may fall behind before the node reports it not ready.</summary>
    public double ReplicaMaxLagSeconds { get; set; } = 30;

    /// <summary>How often the stale-tolerant reads ask whether the replica may serve them (ADR 0015).</summary>
    public double ReplicaCheckSeconds { get; set; } = 5;

    /// <summary>
    /// The replica must be a hot standby (in recovery). False only for a copy kept by other means (logical replication, the
    /// tests' copy of their database): it is then trusted while it answers.
    /// </summary>
    public bool ReplicaMustBeStandby { get; set; } = true;
}

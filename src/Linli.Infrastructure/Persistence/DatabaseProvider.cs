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
}

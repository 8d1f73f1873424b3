using System.Data.Common;
using System.Diagnostics;
using Linli.Application.Common;
using Linli.Infrastructure.Observability;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Linli.Infrastructure.Persistence;

/// <summary>Which database served a unit of work's stale-tolerant reads (<see cref="ILinliReadDb"/>).</summary>
public enum ReadSource { Primary, Replica }

/// <summary>
/// The PostgreSQL replica as the stale-tolerant reads use it: its own pool of contexts, and whether it may serve now. A
/// loop asks <see cref="ReplicaProbe"/> every <c>Linli:Database:ReplicaCheckSeconds</c> (the readiness probe's question:
/// a standby replayed within <c>ReplicaMaxLagSeconds</c>), so a request only reads a flag. Until the first answer, after
/// a "no", when the answers stop coming (a probe stuck on a dead host) and from the moment a read on the replica finds it
/// gone (until the probe says "ready" again), reads go to the primary. Each switch is logged.
/// </summary>
public sealed partial class ReplicaReads : BackgroundService
{
    enum State { Unknown, Replica, Primary }

    readonly IDbContextFactory<LinliDbContext> _contexts;
    readonly ReplicaProbe _probe;
    readonly TimeSpan _interval;
    readonly ILogger<ReplicaReads> _logger;
    readonly object _switch = new();
    // The last answer and when it came (Stopwatch ticks, monotonic: a test's clock or a clock step does not age it).
    volatile State _state;
    long _answeredAt;

    public ReplicaReads(DbContextOptions<LinliDbContext> replica, ReplicaProbe probe, TimeSpan interval, ILogger<ReplicaReads> logger)
    {
        _contexts = new PooledDbContextFactory<LinliDbContext>(
            new DbContextOptionsBuilder<LinliDbContext>(replica).AddInterceptors(new FailureWatch(this)).Options);
        _probe = probe;
        _interval = interval;
        _logger = logger;
    }

    /// <summary>An answer older than this is none: a probe blocked on a black-holed host must not keep reads on the replica.</summary>
    TimeSpan Stale => _interval * 3;

    /// <summary>True while the replica's last answer, taken less than three intervals ago, was "ready".</summary>
    public bool Usable => _state == State.Replica && Stopwatch.GetElapsedTime(Interlocked.Read(ref _answeredAt)) < Stale;

    /// <summary>A context of the replica's pool; the caller gives it its scope and gives it back.</summary>
    internal LinliDbContext CreateContext() => _contexts.CreateDbContext();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await CheckAsync(stoppingToken);
            try
            {
                await Task.Delay(_interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Asks the replica once and records the answer, logging a change.</summary>
    public async Task CheckAsync(CancellationToken ct)
    {
        ProbeResult result;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Stale);
        try
        {
            result = await _probe.ProbeAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            result = new ProbeResult(false, $"The replica does not answer within {Stale.TotalSeconds:0} s.");
        }
        catch (OperationCanceledException)
        {
            return;
        }
        Record(result.Ready, result.Detail);
    }

    void Record(bool ready, string detail)
    {
        var state = ready ? State.Replica : State.Primary;
        lock (_switch)
        {
            Interlocked.Exchange(ref _answeredAt, Stopwatch.GetTimestamp());
            if (_state == state) return;
            _state = state;
        }
        if (ready) LogReplica(_logger, detail);
        else LogPrimary(_logger, detail);
    }

    /// <summary>
    /// A read on the replica that finds it gone (no connection, a terminated session, the database missing) sends the next
    /// reads to the primary at once instead of at the next check; that read itself fails. Errors of the query are not the
    /// replica's health and change nothing.
    /// </summary>
    sealed class FailureWatch(ReplicaReads reads) : DbConnectionInterceptor, IDbCommandInterceptor
    {
        public override void ConnectionFailed(DbConnection connection, ConnectionErrorEventData eventData) => Seen(eventData.Exception);

        public override Task ConnectionFailedAsync(DbConnection connection, ConnectionErrorEventData eventData, CancellationToken cancellationToken = default)
        {
            Seen(eventData.Exception);
            return Task.CompletedTask;
        }

        public void CommandFailed(DbCommand command, CommandErrorEventData eventData) => Seen(eventData.Exception);

        public Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
        {
            Seen(eventData.Exception);
            return Task.CompletedTask;
        }

        void Seen(Exception e)
        {
            // 08: connection exceptions; 57P: the server shutting down or the session terminated; 3D000: no such database.
            var gone = e switch
            {
                PostgresException p => p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState.StartsWith("57P", StringComparison.Ordinal) || p.SqlState == "3D000",
                NpgsqlException => true, // no server answer at all: refused, reset, timed out
                _ => false,
            };
            if (gone) reads.Record(false, "a read found the replica gone: " + e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stale-tolerant reads (statistics, exports) go to the replica: {Detail}.")]
    static partial void LogReplica(ILogger logger, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stale-tolerant reads (statistics, exports) go to the primary: {Detail}")]
    static partial void LogPrimary(ILogger logger, string detail);
}

/// <summary>
/// A DI scope's hold on the context of its stale-tolerant reads (<see cref="ILinliReadDb"/>): rented on first use from
/// the replica's pool while <see cref="ReplicaReads.Usable"/>, else from the primary's, under the scope's caller like
/// <see cref="PooledLinliDbContext"/>, read-only; given back when the scope ends. <see cref="Source"/> says which served.
/// </summary>
public sealed class PooledLinliReadDb(IDbContextFactory<LinliDbContext> primary, IServiceProvider services) : IAsyncDisposable, IDisposable
{
    LinliDbContext? _context;

    /// <summary>Where this scope's stale-tolerant reads went; null while it has read none.</summary>
    public ReadSource? Source { get; private set; }

    public LinliDbContext Context
    {
        get
        {
            if (_context is not null) return _context;
            var replica = services.GetService<ReplicaReads>();
            var source = replica?.Usable == true ? ReadSource.Replica : ReadSource.Primary;
            var context = source == ReadSource.Replica ? replica!.CreateContext() : primary.CreateDbContext();
            context.RunAs((services.GetService<ICurrentScope>() ?? SystemScope.Instance).Scope, readOnly: true);
            Source = source;
            return _context = context;
        }
    }

    public ValueTask DisposeAsync() => _context?.GiveBackAsync() ?? ValueTask.CompletedTask;

    public void Dispose() => _context?.GiveBack();
}

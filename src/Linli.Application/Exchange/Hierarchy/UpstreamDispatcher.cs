using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Linli.Application.Common;
using Linli.Application.Statistics;
using Linli.Domain.Common;
using Linli.Domain.Exchange;
using Linli.Domain.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Linli.Application.Exchange.Hierarchy;

/// <summary>
/// Sends the upward outbox to the higher platform, signed, and queues every community's statistics when they are due.
/// One web node at a time pushes: it claims the link with a conditional UPDATE, renewed before each send and released
/// after, so two nodes never send the same message at once. Messages of one subject go out in the order they were written
/// and a failed one holds those behind it; a receiver that does not answer stops the pass, and each message is tried again
/// after its back-off, until it is taken. A node that dies mid-send loses its claim when it runs out; the next node may
/// send that one message again, with the same id, which the receiver keeps once.
/// </summary>
public sealed partial class UpstreamDispatcher(IServiceScopeFactory scopes, IHttpClientFactory http, UpstreamSignal signal, TimeProvider time,
    IOptions<ExchangeOptions> options, ILogger<UpstreamDispatcher> logger) : PeriodicJob(logger)
{
    public const string ClientName = "upstream";
    const string Reason = "push the installation's cases, alarms and statistics to the higher platform";

    readonly string _node = Cut($"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}", HierarchyLink.NodeMaxLength);

    static string Cut(string s, int max) => s.Length <= max ? s : s[^max..];

    ExchangeOptions O => options.Value;

    /// <summary>How long a claim holds without renewal: longer than one send may take.</summary>
    TimeSpan Claim => TimeSpan.FromSeconds(O.TimeoutSeconds * 2 + 5);

    protected override TimeSpan Interval => TimeSpan.FromSeconds(Math.Max(0.05, O.PollSeconds));

    protected override Task WaitAsync(TimeSpan interval, CancellationToken ct) => signal.WaitAsync(interval, ct);

    protected override async Task<bool> PassAsync(CancellationToken ct)
    {
        if (!O.Pushes) return false;
        await using var scope = scopes.CreateSystemScope(Reason);
        var db = scope.ServiceProvider.GetRequiredService<ILinliDb>();
        await EnsureLinkAsync(db, ct);
        await QueueStatisticsIfDueAsync(scope.ServiceProvider, db, ct);
        var now = time.GetUtcNow();
        if (!await db.UpstreamPushes.AnyAsync(p => p.DeliveredAt == null && p.NextAttemptAt <= now, ct)) return false;
        // Another node pushing now: it carries on, this one leaves it alone.
        if (!await ClaimAsync(db, ct)) return false;
        try
        {
            await PushDueAsync(db, ct);
        }
        finally
        {
            await db.HierarchyLinks.Where(l => l.Name == HierarchyLink.Upstream && l.PushingBy == _node)
                .ExecuteUpdateAsync(u => u.SetProperty(l => l.PushingBy, (string?)null).SetProperty(l => l.PushingUntil, (DateTimeOffset?)null),
                    CancellationToken.None);
        }
        return false;
    }

    async Task EnsureLinkAsync(ILinliDb db, CancellationToken ct)
    {
        if (await db.HierarchyLinks.AnyAsync(l => l.Name == HierarchyLink.Upstream, ct)) return;
        // The first statistics go up as soon as the link exists; then every interval.
        var link = new HierarchyLink(HierarchyLink.Upstream, time.GetUtcNow());
        db.HierarchyLinks.Add(link);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.Entry(link).State = EntityState.Detached; // another node created it at the same moment
        }
    }

    /// <summary>
    /// When the statistics are due, the node whose conditional UPDATE moves the due time on queues them, in the same
    /// transaction: once per interval across all nodes, and never the time moved on without the messages.
    /// </summary>
    async Task QueueStatisticsIfDueAsync(IServiceProvider services, ILinliDb db, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var due = await db.HierarchyLinks.AsNoTracking().Where(l => l.Name == HierarchyLink.Upstream).Select(l => l.StatisticsDueAt).FirstOrDefaultAsync(ct);
        if (due == default || due > now) return;
        var next = now.AddMinutes(Math.Max(1, O.StatisticsIntervalMinutes));
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var taken = await db.HierarchyLinks.Where(l => l.Name == HierarchyLink.Upstream && l.StatisticsDueAt == due)
            .ExecuteUpdateAsync(u => u.SetProperty(l => l.StatisticsDueAt, next), ct);
        if (taken != 1) return;
        var count = await services.GetRequiredService<CommunityStatistics>().QueueAsync(now, ct);
        await tx.CommitAsync(ct);
        LogStatisticsQueued(logger, count);
    }

    async Task<bool> ClaimAsync(ILinliDb db, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        DateTimeOffset? until = now + Claim;
        return await db.HierarchyLinks
            .Where(l => l.Name == HierarchyLink.Upstream && (l.PushingBy == _node || l.PushingUntil == null || l.PushingUntil < now))
            .ExecuteUpdateAsync(u => u.SetProperty(l => l.PushingBy, _node).SetProperty(l => l.PushingUntil, until), ct) == 1;
    }

    async Task PushDueAsync(ILinliDb db, CancellationToken ct)
    {
        var client = http.CreateClient(ClientName);
        client.Timeout = TimeSpan.FromSeconds(O.TimeoutSeconds);
        while (!ct.IsCancellationRequested)
        {
            var rows = await db.UpstreamPushes.Where(p => p.DeliveredAt == null).OrderBy(p => p.Id).Take(Math.Max(1, O.BatchSize)).ToListAsync(ct);
            // A subject whose earlier message is still waiting (for its back-off, or failed just now) sends nothing after it.
            var held = new HashSet<string>(StringComparer.Ordinal);
            var sent = 0;
            foreach (var row in rows)
            {
                if (held.Contains(row.Subject)) continue;
                if (row.NextAttemptAt > time.GetUtcNow()) { held.Add(row.Subject); continue; }
                // Renewed before each send; lost (this node stalled past it), the link is another node's now.
                if (!await ClaimAsync(db, ct)) return;
                var outcome = await SendAsync(client, row, ct);
                await db.SaveChangesAsync(ct);
                if (outcome == Outcome.Delivered) { sent++; continue; }
                held.Add(row.Subject);
                if (outcome == Outcome.Down) return; // nobody is answering: each message waits for its back-off
            }
            if (sent == 0 || rows.Count < O.BatchSize) return;
        }
    }

    enum Outcome { Delivered, Refused, Down }

    async Task<Outcome> SendAsync(HttpClient client, UpstreamPush row, CancellationToken ct)
    {
        var body = Encoding.UTF8.GetBytes(row.Payload);
        var timestamp = ExchangeSigning.Timestamp(time.GetUtcNow());
        var nonce = ExchangeSigning.NewNonce();
        using var request = new HttpRequestMessage(HttpMethod.Post, O.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(ExchangeSigning.KeyIdHeader, O.KeyId);
        request.Headers.Add(ExchangeSigning.TimestampHeader, timestamp);
        request.Headers.Add(ExchangeSigning.NonceHeader, nonce);
        request.Headers.Add(ExchangeSigning.SignatureHeader, ExchangeSigning.Sign(O.Key!, timestamp, nonce, body));
        request.Headers.Add(ExchangeSigning.MessageIdHeader, row.MessageId);
        request.Headers.Add(ExchangeSigning.MessageTypeHeader, row.Type);
        int? status = null;
        string error;
        var down = true;
        try
        {
            using var response = await client.SendAsync(request, ct);
            status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                row.Succeeded(status.Value, time.GetUtcNow());
                return Outcome.Delivered;
            }
            error = $"HTTP {status} {response.ReasonPhrase}".TrimEnd();
            // A 4xx other than "slow down" or "try later" is about this message; the receiver itself is up.
            down = status is >= 500 or 408 or 429;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            error = e is TaskCanceledException ? $"no answer within {O.TimeoutSeconds:0.#} s" : e.Message;
        }
        row.Failed(status, error, time.GetUtcNow(), TimeSpan.FromSeconds(O.RetrySeconds), TimeSpan.FromSeconds(Math.Max(O.RetrySeconds, O.MaxRetrySeconds)));
        LogPushFailed(logger, row.MessageId, row.Type, row.Attempts, error);
        return down ? Outcome.Down : Outcome.Refused;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Queued the statistics of {Count} communities for the higher platform.")]
    static partial void LogStatisticsQueued(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Push {MessageId} ({Type}) attempt {Attempt} failed: {Error}")]
    static partial void LogPushFailed(ILogger logger, string messageId, string type, int attempt, string error);
}

/// <summary>Every community's registry figures as <c>statistics.community</c> messages, from the statistics module's own queries.</summary>
public sealed class CommunityStatistics(ILinliDb db, StatisticsQueries statistics, ExchangePlaces places, UpstreamSignal signal, TimeProvider time,
    IOptions<ExchangeOptions> options)
{
    /// <summary>Queues one message per community in the caller's scope (the system's, for the schedule); returns how many.</summary>
    public async Task<int> QueueAsync(DateTimeOffset now, CancellationToken ct)
    {
        var communities = await db.Nodes.AsNoTracking().Where(n => n.Kind == NodeKind.Community).OrderBy(n => n.Code).Select(n => n.Id).ToListAsync(ct);
        foreach (var id in communities)
        {
            if (await places.CommunityAsync(id, ct) is not { } community) continue;
            var population = await statistics.PopulationAsync(id, null, ct);
            var occupancy = await statistics.OccupancyAsync(id, null, ct);
            var data = new StatisticsData(community.Code, community.Name, community.StreetCode, population.AsOf, population.Total,
                occupancy.OwnerOccupied + occupancy.Rented, occupancy.Rooms, occupancy.Vacant,
                population.ByLabel.ToDictionary(l => l.Label.ToString(), l => l.Count));
            var subject = $"community:{community.Code}";
            var messageId = Guid.NewGuid().ToString();
            var envelope = new ExchangeEnvelope<StatisticsData>(ExchangeTypes.Version, messageId, ExchangeTypes.Statistics, subject, options.Value.Source, now, data);
            var node = await db.Nodes.AsNoTracking().SingleAsync(n => n.Id == id, ct);
            db.UpstreamPushes.Add(new UpstreamPush(new PlaceKeys(node.DistrictId, node.StreetId, node.CommunityId, 0), messageId, ExchangeTypes.Statistics,
                subject, JsonSerializer.Serialize(envelope, ExchangeSigning.Json), time.GetUtcNow()));
        }
        await db.SaveChangesAsync(ct);
        signal.Pulse();
        return communities.Count;
    }
}

using System.Collections.Concurrent;
using Linli.Application.Common;
using Linli.Domain.Access;
using Linli.Domain.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Linli.Application.Access;

public sealed class AccessOptions
{
    /// <summary>How often a node reads the credentials and gates changed since its snapshot's version.</summary>
    public int PollMilliseconds { get; set; } = 250;
    /// <summary>
    /// How long a change is read again after it was first seen: versions are taken when a row is written and transactions
    /// commit in any order, so a change numbered lower than one already seen can still appear for a moment.
    /// </summary>
    public double SettleSeconds { get; set; } = 3;
    /// <summary>How often the whole snapshot is read afresh, in case a transaction committed later than <see cref="SettleSeconds"/>.</summary>
    public double ReconcileMinutes { get; set; } = 10;
    /// <summary>Decisions waiting to be written to the access log before new ones are counted as lost.</summary>
    public int LogQueueCapacity { get; set; } = 200_000;
    public int LogBatchSize { get; set; } = 5_000;
    /// <summary>Commands a controller gets per request for its offline whitelist.</summary>
    public int WhitelistPageSize { get; set; } = 1_000;
    public int LogRetentionDays { get; set; } = 180;
}

/// <summary>What a decision needs of a gate, with where it is and who drives it.</summary>
public sealed record GateEntry(GateView View, string Name, PlaceKeys Keys, long? ControllerId, bool Disabled);

/// <summary>What a decision needs of a credential; a phone code's secret is decrypted once, when first needed.</summary>
public sealed class CredentialEntry(CredentialView view, string holderName, PlaceKeys keys, int? residentId, string identifier, string? secretProtected)
{
    string? _secret;

    public CredentialView View { get; } = view;
    public long Id => View.Id;
    public string HolderName { get; } = holderName;
    public PlaceKeys Keys { get; } = keys;
    public int? ResidentId { get; } = residentId;
    public string Identifier { get; } = identifier;
    public string? SecretProtected { get; } = secretProtected;

    public string Secret(IPersonalDataProtector protector) => _secret ??= protector.Unprotect(SecretProtected ?? "");
}

/// <summary>
/// Every gate and every credential not revoked, in memory on every web node, so a decision reads no database (ADR 0017).
/// Each node reads the rows whose access version is past its own (<see cref="AccessSync"/>, a few times a second, and at
/// once after a change made on this node), so all nodes hold the same snapshot within a fraction of a second of a commit.
/// </summary>
public sealed class AccessSnapshot(IServiceScopeFactory scopes, TimeProvider time, IOptions<AccessOptions> options)
{
    /// <summary>The column the database's trigger numbers every change in.</summary>
    public const string VersionColumn = "Version";
    const int PageSize = 5_000;

    readonly ConcurrentDictionary<string, GateEntry> _gatesByCode = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<int, GateEntry> _gatesById = new();
    readonly ConcurrentDictionary<long, CredentialEntry> _credentials = new();
    readonly ConcurrentDictionary<(CredentialKind, string), long> _byIdentifier = new();
    readonly SemaphoreSlim _reading = new(1, 1);
    // The highest version seen, and when: what was seen long enough ago is settled.
    readonly Queue<(long Version, DateTimeOffset At)> _seen = new();
    long _since;
    long _settled;
    long _highest;
    DateTimeOffset _reconciledAt;

    /// <summary>Every change at or below this version is in the snapshot (and, for whitelists, safe to hand out).</summary>
    public long Version => Interlocked.Read(ref _settled);
    /// <summary>The highest change read so far.</summary>
    public long Highest => Interlocked.Read(ref _highest);
    public int CredentialCount => _credentials.Count;
    public int GateCount => _gatesById.Count;
    public bool Loaded { get; private set; }

    public GateEntry? Gate(string code) => _gatesByCode.TryGetValue(code, out var g) ? g : null;
    public GateEntry? Gate(int id) => _gatesById.TryGetValue(id, out var g) ? g : null;
    public IEnumerable<GateEntry> Gates => _gatesById.Values;
    public CredentialEntry? Credential(long id) => _credentials.TryGetValue(id, out var c) ? c : null;

    public CredentialEntry? Find(CredentialKind kind, string identifier) =>
        _byIdentifier.TryGetValue((kind, identifier), out var id) ? Credential(id) : null;

    /// <summary>Reads everything afresh (start-up, and every <see cref="AccessOptions.ReconcileMinutes"/>).</summary>
    public Task LoadAsync(CancellationToken ct) => ReadAsync(full: true, ct);

    /// <summary>Reads what changed since the snapshot's version; a full read when the reconcile time came.</summary>
    public Task CatchUpAsync(CancellationToken ct) =>
        ReadAsync(full: time.GetUtcNow() - _reconciledAt > TimeSpan.FromMinutes(options.Value.ReconcileMinutes), ct);

    async Task ReadAsync(bool full, CancellationToken ct)
    {
        await _reading.WaitAsync(ct);
        try
        {
            var now = time.GetUtcNow();
            var since = full ? 0 : _since;
            // A full read sees every row; between reconciles the reads go on from where they were.
            await using var scope = scopes.CreateSystemScope("keep the access snapshot of every gate and credential");
            var db = scope.ServiceProvider.GetRequiredService<ILinliDb>();
            var seenGates = new HashSet<int>();
            var seenCredentials = new HashSet<long>();
            var highest = since;
            for (var after = since; ;)
            {
                var gates = await db.Gates.AsNoTracking().Where(g => EF.Property<long>(g, VersionColumn) > after)
                    .OrderBy(g => EF.Property<long>(g, VersionColumn)).Take(PageSize)
                    .Select(g => new { Gate = g, Version = EF.Property<long>(g, VersionColumn) }).ToListAsync(ct);
                var credentials = await db.Credentials.AsNoTracking().Where(c => EF.Property<long>(c, VersionColumn) > after)
                    .OrderBy(c => EF.Property<long>(c, VersionColumn)).Take(PageSize)
                    .Select(c => new { Credential = c, Version = EF.Property<long>(c, VersionColumn) }).ToListAsync(ct);
                foreach (var g in gates)
                {
                    Put(g.Gate);
                    seenGates.Add(g.Gate.Id);
                }
                foreach (var c in credentials)
                {
                    Put(c.Credential);
                    seenCredentials.Add(c.Credential.Id);
                }
                // Both pages cover the versions up to the lower of their ends when either was full.
                var gateEnd = gates.Count == PageSize ? gates[^1].Version : long.MaxValue;
                var credentialEnd = credentials.Count == PageSize ? credentials[^1].Version : long.MaxValue;
                var end = Math.Min(gateEnd, credentialEnd);
                highest = Math.Max(highest, Math.Max(gates.Count > 0 ? gates[^1].Version : 0, credentials.Count > 0 ? credentials[^1].Version : 0));
                if (end == long.MaxValue) break;
                after = end;
            }
            if (full)
            {
                // A full read saw every row there is: what it did not see is gone (revoked rows are kept out by Put).
                foreach (var id in _gatesById.Keys.Where(id => !seenGates.Contains(id)).ToList()) RemoveGate(id);
                foreach (var id in _credentials.Keys.Where(id => !seenCredentials.Contains(id)).ToList()) RemoveCredential(id);
                _reconciledAt = now;
            }
            Settle(highest, now);
            Loaded = true;
        }
        finally
        {
            _reading.Release();
        }
    }

    /// <summary>
    /// The next read starts after the highest version seen <see cref="AccessOptions.SettleSeconds"/> ago: a transaction
    /// that took a lower number than one already seen and committed a moment later is still read.
    /// </summary>
    void Settle(long highest, DateTimeOffset now)
    {
        Interlocked.Exchange(ref _highest, Math.Max(Highest, highest));
        _seen.Enqueue((highest, now));
        var settleFor = TimeSpan.FromSeconds(options.Value.SettleSeconds);
        // The first read starts from what it saw: a transaction still open at start-up is found by the next reconcile.
        var settled = Loaded ? _since : highest;
        while (_seen.Count > 0 && now - _seen.Peek().At >= settleFor) settled = Math.Max(settled, _seen.Dequeue().Version);
        _since = settled;
        Interlocked.Exchange(ref _settled, settled);
    }

    void Put(Domain.Access.Gate g)
    {
        var entry = new GateEntry(new GateView(g.Id, g.Code, g.Kind, g.CommunityId, g.BuildingId, g.Unit, g.FacilityId), g.Name, g.Keys, g.ControllerId, g.Disabled);
        if (_gatesById.TryGetValue(g.Id, out var old) && old.View.Code != g.Code) _gatesByCode.TryRemove(old.View.Code, out _);
        _gatesById[g.Id] = entry;
        _gatesByCode[g.Code] = entry;
    }

    void RemoveGate(int id)
    {
        if (_gatesById.TryRemove(id, out var old)) _gatesByCode.TryRemove(old.View.Code, out _);
    }

    void Put(Domain.Access.Credential c)
    {
        if (c.Status == CredentialStatus.Revoked)
        {
            // Revoked is for good: the snapshot forgets it, and a reader's input finds nothing ("unknown").
            RemoveCredential(c.Id);
            return;
        }
        var entry = new CredentialEntry(c.View, c.HolderName, c.Keys, c.ResidentId, c.Identifier, c.SecretProtected);
        if (_credentials.TryGetValue(c.Id, out var old) && old.Identifier != c.Identifier)
            _byIdentifier.TryRemove(new KeyValuePair<(CredentialKind, string), long>((old.View.Kind, old.Identifier), c.Id));
        _credentials[c.Id] = entry;
        if (c.Kind != CredentialKind.PhoneQr) _byIdentifier[(c.Kind, c.Identifier)] = c.Id;
    }

    void RemoveCredential(long id)
    {
        if (_credentials.TryRemove(id, out var old) && old.View.Kind != CredentialKind.PhoneQr)
            _byIdentifier.TryRemove(new KeyValuePair<(CredentialKind, string), long>((old.View.Kind, old.Identifier), id));
    }
}

/// <summary>Keeps this node's access snapshot current (loaded at start by the module): read for changes a few times a second.</summary>
public sealed class AccessSync(AccessSnapshot snapshot, IOptions<AccessOptions> options, ILogger<AccessSync> logger) : PeriodicJob(logger)
{
    protected override TimeSpan Interval => TimeSpan.FromMilliseconds(options.Value.PollMilliseconds);

    protected override async Task<bool> PassAsync(CancellationToken ct)
    {
        await snapshot.CatchUpAsync(ct);
        return false;
    }
}

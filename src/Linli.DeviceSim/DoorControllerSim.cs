using System.Net.Http.Json;
using Linli.Domain.Access;
using Linli.Domain.Common;

namespace Linli.DeviceSim;

/// <summary>A controller's answer at a gate: open or not, why not, whose credential, whether it came from the whitelist, and when.</summary>
public sealed record DoorDecision(bool Allowed, DenyReason? Reason, string? Holder, bool Offline, DateTimeOffset At);

/// <summary>
/// A door controller as the platform sees one (issue 12): it asks the platform at each gate while the link is up, and
/// decides from its offline whitelist by the same rules (<see cref="AccessPolicy"/>) when the link is down, buffering those
/// decisions for upload when it comes back. It serves one reader at a time: not for use from several threads at once.
/// </summary>
public sealed class DoorControllerSim
{
    /// <summary>The platform takes at most this many events per upload.</summary>
    public const int MaxEventsPerUpload = 5_000;

    readonly HttpClient http;
    readonly string deviceCode;
    readonly string deviceSecret;
    readonly TimeProvider time;
    readonly Dictionary<long, WhitelistEntry> whitelist = [];
    // Kept on the controller only: offline, a phone code's step and a pass's entries can be spent only here.
    readonly Dictionary<long, long> lastCodeStep = [];
    readonly Dictionary<long, int> passEntriesUsed = [];
    readonly List<OfflineDecision> buffer = [];
    IReadOnlyList<GateView> gates = [];
    byte[]? passKey;
    bool linkDown;

    /// <summary><paramref name="http"/>'s BaseAddress is the platform; the device code and secret are the controller's own.</summary>
    public DoorControllerSim(HttpClient http, string deviceCode, string deviceSecret, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentException.ThrowIfNullOrEmpty(deviceCode);
        ArgumentException.ThrowIfNullOrEmpty(deviceSecret);
        ArgumentNullException.ThrowIfNull(time);
        this.http = http;
        this.deviceCode = deviceCode;
        this.deviceSecret = deviceSecret;
        this.time = time;
    }

    /// <summary>How long a person at the door waits for the platform before the whitelist decides.</summary>
    public TimeSpan DecisionTimeout { get; init; } = TimeSpan.FromSeconds(1);

    public IReadOnlyDictionary<long, WhitelistEntry> Whitelist => whitelist;
    public IReadOnlyList<GateView> Gates => gates;
    public long AckedVersion { get; private set; }
    public DateTimeOffset? LastSync { get; private set; }
    public bool IsOffline => linkDown;
    /// <summary>Decisions made from the whitelist and not yet uploaded, oldest first.</summary>
    public IReadOnlyList<OfflineDecision> Buffered => buffer;

    /// <summary>What the controller would write to its own log: link failures, uploads the platform refused.</summary>
    public event Action<string>? Announce;

    /// <summary>Pulls whitelist commands and applies them in order, acknowledging each page, until the platform has no more.</summary>
    public async Task SyncAsync(CancellationToken ct = default)
    {
        WhitelistPage page;
        do
        {
            page = await SendAsync<WhitelistPage>(HttpMethod.Get, AccessWire.CommandsPath, null, ct);
            foreach (var command in page.Commands.OrderBy(c => c.Id))
            {
                switch (command.Op)
                {
                    case "put" when command.Credential is { } entry:
                        whitelist[command.CredentialId] = entry;
                        break;
                    case "remove":
                        whitelist.Remove(command.CredentialId);
                        break;
                    default:
                        // Nothing of this page is acknowledged, so the platform sends it again.
                        throw new InvalidDataException($"Command {command.Id}: cannot apply '{command.Op}'.");
                }
            }
            gates = page.Gates;
            passKey = Convert.FromBase64String(page.PassKey);
            // Applying a page is all in memory, so it is applied whole: the page's version is acknowledged, which also moves
            // past changes that were for other controllers.
            AckedVersion = (await SendAsync<AckAnswer>(HttpMethod.Post, AccessWire.AcksPath, new { version = page.Version }, ct)).Acked;
        }
        while (page.More);
        LastSync = time.GetUtcNow();
    }

    /// <summary>
    /// Someone shows a card's UID, a scanned code (phone code or visitor pass) or a plate at <paramref name="gateCode"/>.
    /// A real controller knows which reader read it; here they are told apart by shape: a scanned code starts with
    /// <c>LQ1.</c> or <c>LV1.</c>, a plate with a province's character, anything else is a card. When the platform refuses
    /// the controller itself (a wrong key, a gate not its own: 4xx) that is thrown, not decided offline.
    /// </summary>
    public async Task<DoorDecision> PresentAsync(string gateCode, string shown, PassageDirection direction = PassageDirection.In, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(gateCode);
        ArgumentNullException.ThrowIfNull(shown);
        var text = shown.Trim();
        var kind = AccessCodes.IsScannedCode(text) ? ShownKind.PhoneQr : LicensePlate.TryParse(text, out _) ? ShownKind.Plate : ShownKind.Card;
        if (!linkDown && await AskAsync(gateCode, kind, text, direction, ct) is { } answer) return answer;
        return DecideOffline(gateCode, kind, text, direction);
    }

    /// <summary>The link goes down: every decision comes from the whitelist until <see cref="ComeBackAsync"/>.</summary>
    public void GoOffline() => linkDown = true;

    /// <summary>The link is back: the whitelist is brought up to date, then the buffered decisions are uploaded.</summary>
    public async Task<UploadOutcome> ComeBackAsync(CancellationToken ct = default)
    {
        linkDown = false;
        await SyncAsync(ct);
        return await UploadBufferedAsync(ct);
    }

    /// <summary>
    /// Uploads the buffer oldest first, in batches the platform takes. A batch the platform answered leaves the buffer, its
    /// refused events included (they would be refused again; they are announced instead); when a call fails, that batch
    /// and the rest stay for the next try and the failure is thrown.
    /// </summary>
    public async Task<UploadOutcome> UploadBufferedAsync(CancellationToken ct = default)
    {
        var accepted = 0;
        var rejected = new List<string>();
        while (buffer.Count > 0)
        {
            var batch = buffer.Take(MaxEventsPerUpload).ToList();
            var answer = await SendAsync<UploadOutcome>(HttpMethod.Post, AccessWire.EventsPath, new { events = batch }, ct);
            buffer.RemoveRange(0, batch.Count);
            accepted += answer.Accepted;
            foreach (var refusal in answer.Rejected) Announce?.Invoke($"upload refused {refusal}");
            rejected.AddRange(answer.Rejected);
        }
        return new UploadOutcome(accepted, rejected);
    }

    /// <summary>The platform's decision, or null when the link failed (no answer in time, no connection, a server error).</summary>
    async Task<DoorDecision?> AskAsync(string gate, ShownKind kind, string text, PassageDirection direction, CancellationToken ct)
    {
        var at = time.GetUtcNow();
        using var timeout = new CancellationTokenSource(DecisionTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        var ask = new DecisionAsk(gate, kind == ShownKind.Card ? text : null, kind == ShownKind.PhoneQr ? text : null, kind == ShownKind.Plate ? text : null, direction);
        try
        {
            var answer = await SendAsync<DecisionAnswer>(HttpMethod.Post, AccessWire.DecisionsPath, ask, linked.Token);
            return new DoorDecision(answer.Allowed, answer.Reason, answer.Holder, Offline: false, at);
        }
        // A refused key or an unknown gate (4xx) is not a link failure: deciding offline would hide it, so it is thrown.
        catch (HttpRequestException e) when (e.StatusCode is null || (int)e.StatusCode >= 500)
        {
            Announce?.Invoke($"link failed at {gate}: {e.Message}");
        }
        // Our own timeout or the HttpClient's: the person at the door is not kept waiting.
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Announce?.Invoke($"no answer at {gate} within {DecisionTimeout.TotalMilliseconds:0} ms");
        }
        return null;
    }

    DoorDecision DecideOffline(string gateCode, ShownKind kind, string text, PassageDirection direction)
    {
        var gate = gates.FirstOrDefault(g => g.Code == gateCode)
            ?? throw new ArgumentException($"Gate {gateCode} is not wired to this controller (or it never synced).", nameof(gateCode));
        // The controller's clock keeps milliseconds; the decision is logged at this moment however late it is uploaded.
        var now = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
        WhitelistEntry? credential = null;
        long? passId = null;
        AccessDecision decision;
        // A controller's whitelist holds a few hundred entries: a scan is as quick as an index and has nothing to keep in step.
        switch (kind)
        {
            case ShownKind.Card:
                credential = AccessCodes.CardUid(text) is { } uid ? whitelist.Values.FirstOrDefault(e => e.Kind == CredentialKind.Card && e.Card == uid) : null;
                decision = credential is null ? AccessDecision.Deny(DenyReason.UnknownCredential) : AccessPolicy.Decide(credential.View(), gate, now);
                break;
            case ShownKind.Plate:
                credential = LicensePlate.TryParse(text, out var plate) ? whitelist.Values.FirstOrDefault(e => e.Kind == CredentialKind.Plate && e.Plate == plate!.Value) : null;
                decision = credential is null ? AccessDecision.Deny(DenyReason.UnknownCredential) : AccessPolicy.Decide(credential.View(), gate, now);
                break;
            default:
                if (AccessCodes.TryReadPass(text, passKey, out var pass))
                {
                    kind = ShownKind.VisitorPass;
                    passId = pass?.Id;
                    decision = pass is null ? AccessDecision.Deny(DenyReason.Forged) : AdmitVisitor(pass, gate, now, direction);
                }
                else (credential, decision) = PhoneCode(text, gate, now);
                break;
        }
        buffer.Add(new OfflineDecision(gate.Code, now, kind, credential?.Id, passId, decision.Allowed, decision.Reason, direction));
        return new DoorDecision(decision.Allowed, decision.Reason, decision.Allowed ? credential?.Holder : null, Offline: true, now);
    }

    (WhitelistEntry?, AccessDecision) PhoneCode(string text, GateView gate, DateTimeOffset now)
    {
        if (AccessCodes.PhoneCode(text) is not { } code) return (null, AccessDecision.Deny(DenyReason.Forged));
        if (!whitelist.TryGetValue(code.CredentialId, out var credential) || credential.Kind != CredentialKind.PhoneQr || credential.Secret is null)
            return (null, AccessDecision.Deny(DenyReason.UnknownCredential));
        // The platform's order (usable, then the code, then the rights), so a refusal names the same reason online and offline.
        var view = credential.View();
        if (AccessPolicy.Usable(view, now) is { } unusable) return (credential, AccessDecision.Deny(unusable));
        var (step, refused) = AccessCodes.VerifyPhoneCode(code.Code, credential.Secret, now, lastCodeStep.TryGetValue(credential.Id, out var last) ? last : null);
        if (refused is { } reason) return (credential, AccessDecision.Deny(reason));
        var decision = AccessPolicy.Covers(view.Grants, gate, now);
        // Only a code that opens is spent: shown at the wrong door, it still opens the right one.
        if (decision.Allowed) lastCodeStep[credential.Id] = step!.Value;
        return (credential, decision);
    }

    /// <summary>
    /// A signed pass opens the gates it names within its window, entries counted here; entries used online are not known
    /// here, so offline a visitor may come in up to the pass's number again at this controller.
    /// </summary>
    AccessDecision AdmitVisitor(SignedPass pass, GateView gate, DateTimeOffset now, PassageDirection direction)
    {
        var view = new CredentialView(pass.Id, CredentialKind.PhoneQr, HolderKind.Visitor, CredentialStatus.Active, pass.ValidFrom, pass.ValidUntil,
            pass.Gates.Select(AccessGrant.AlwaysAt).ToList());
        var decision = AccessPolicy.Decide(view, gate, now);
        // Leaving is not an entry.
        if (!decision.Allowed || direction != PassageDirection.In) return decision;
        var used = passEntriesUsed.GetValueOrDefault(pass.Id);
        if (used >= pass.Entries) return AccessDecision.Deny(DenyReason.PassUsedUp);
        passEntriesUsed[pass.Id] = used + 1;
        return decision;
    }

    async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        // GoOffline cuts the cable: nothing reaches the platform, as with a real link down.
        if (linkDown) throw new HttpRequestException($"{method} {path}: the link is down.");
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body, options: AccessWire.Json) };
        request.Headers.Add("X-Device-Id", deviceCode);
        request.Headers.Add("X-Device-Key", deviceSecret);
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            var problem = await response.Content.ReadAsStringAsync(ct);
            throw new HttpRequestException($"{method} {path}: {(int)response.StatusCode} {problem[..Math.Min(problem.Length, 300)]}", null, response.StatusCode);
        }
        return await response.Content.ReadFromJsonAsync<T>(AccessWire.Json, ct) ?? throw new InvalidDataException($"{method} {path}: an empty answer.");
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;
using Linli.Domain.Access;

namespace Linli.DeviceSim;

// The controller API's messages as a controller reads and writes them. They are written out here rather than shared with
// the platform: a controller is a device that knows the wire, not the platform's code (the simulator references the domain only).

/// <summary>One right of a whitelist entry as it travels.</summary>
public sealed record WhitelistGrant(GateScope Scope, int Id, int? Unit, IReadOnlyList<GateKind>? Kinds, IReadOnlyList<DayOfWeek>? Days,
    TimeOnly? From, TimeOnly? Until, DateOnly? FirstDate, DateOnly? LastDate)
{
    public AccessGrant ToGrant() => new(new GateSelector(Scope, Id, Unit, Kinds), new AccessSchedule(Days, From, Until, FirstDate, LastDate));
}

/// <summary>A credential in the controller's whitelist: what a reader reads (card UID, plate, phone code secret), its status, validity and rights.</summary>
public sealed record WhitelistEntry(long Id, CredentialKind Kind, string? Card, string? Plate, string? Secret, CredentialStatus Status,
    DateTimeOffset? ValidFrom, DateTimeOffset? ValidUntil, string Holder, IReadOnlyList<WhitelistGrant> Grants)
{
    // The whitelist does not say what kind of holder it is, and the rules do not ask; Resident fills the place.
    public CredentialView View() => new(Id, Kind, HolderKind.Resident, Status, ValidFrom, ValidUntil, Grants.Select(g => g.ToGrant()).ToList());
}

sealed record WhitelistCommand(long Id, string Op, long CredentialId, WhitelistEntry? Credential);

/// <summary>A page of <c>GET /api/v1/access/controller/commands</c>; a gate arrives in the shape of the domain's <see cref="GateView"/>.</summary>
sealed record WhitelistPage(long Version, bool More, IReadOnlyList<WhitelistCommand> Commands, IReadOnlyList<GateView> Gates, string PassKey);

/// <summary>A decision made from the whitelist, as uploaded to <c>POST /api/v1/access/controller/events</c>.</summary>
public sealed record OfflineDecision(string Gate, DateTimeOffset At, ShownKind Kind, long? CredentialId, long? PassId, bool Allowed, DenyReason? Reason,
    PassageDirection Direction);

/// <summary>What the platform did with an upload: how many it logged, and the ones it refused (<c>events[i]: why</c>).</summary>
public sealed record UploadOutcome(int Accepted, IReadOnlyList<string> Rejected);

sealed record DecisionAsk(string Gate, string? Card, string? Code, string? Plate, PassageDirection Direction);

sealed record DecisionAnswer(bool Allowed, DenyReason? Reason, string? Holder, long Version);

sealed record AckAnswer(long Acked);

static class AccessWire
{
    public const string DecisionsPath = "api/v1/access/decisions";
    public const string CommandsPath = "api/v1/access/controller/commands";
    public const string AcksPath = "api/v1/access/controller/acks";
    public const string EventsPath = "api/v1/access/controller/events";

    /// <summary>The platform's JSON: camelCase, enums by name.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

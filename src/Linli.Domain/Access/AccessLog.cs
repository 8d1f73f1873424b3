using Linli.Domain.Common;

namespace Linli.Domain.Access;

/// <summary>Which way a reader lets people through: an entrance's reader or an exit's.</summary>
public enum PassageDirection { In, Out }

/// <summary>What was shown at the reader: a credential of one of its kinds, or a visitor's pass.</summary>
public enum ShownKind { Card, PhoneQr, Plate, VisitorPass }

/// <summary>
/// One decision at a gate, as the access log keeps it: who (a credential or a visitor pass; neither for an unknown card),
/// which gate and way, when, and the answer with its reason. Online decisions are written by the log's batch writer;
/// an offline controller's decisions arrive later with their own times and are marked offline.
/// </summary>
public sealed class AccessLogEntry : ScopedEntity
{
    public long Id { get; private set; }
    public DateTimeOffset At { get; private set; }
    public int GateId { get; private set; }
    /// <summary>The gate's building, for "who is inside" per building.</summary>
    public int? BuildingId { get; private set; }
    public long? ControllerId { get; private set; }
    public long? CredentialId { get; private set; }
    public long? PassId { get; private set; }
    public ShownKind Kind { get; private set; }
    public bool Allowed { get; private set; }
    public DenyReason? Reason { get; private set; }
    public PassageDirection Direction { get; private set; }
    /// <summary>Decided by the controller from its whitelist while its link was down, and uploaded afterwards.</summary>
    public bool Offline { get; private set; }

    AccessLogEntry() { }

    public AccessLogEntry(DateTimeOffset at, PlaceKeys community, int gateId, int? buildingId, long? controllerId, ShownKind kind,
        long? credentialId, long? passId, AccessDecision decision, PassageDirection direction, bool offline)
    {
        At = at;
        PlaceIn(community with { GridId = 0 });
        GateId = gateId;
        BuildingId = buildingId;
        ControllerId = controllerId;
        Kind = kind;
        CredentialId = credentialId;
        PassId = passId;
        Allowed = decision.Allowed;
        Reason = decision.Reason;
        Direction = direction;
        Offline = offline;
    }
}

/// <summary>
/// A controller's offline whitelist as the platform knows it: the access version up to which it acknowledged every
/// command, when it last synced, and what it uploaded from its buffer. Its link (online, offline) is the device's.
/// </summary>
public sealed class AccessController : ScopedEntity
{
    public long DeviceId { get; private set; }
    public long AckedVersion { get; private set; }
    public DateTimeOffset? LastSyncAt { get; private set; }
    public DateTimeOffset? LastUploadAt { get; private set; }
    public long UploadedEvents { get; private set; }

    AccessController() { }

    public AccessController(long deviceId, PlaceKeys community)
    {
        DeviceId = deviceId;
        PlaceIn(community with { GridId = 0 });
    }

    /// <summary>The controller asked for commands: its link is alive even when nothing changed.</summary>
    public void Polled(DateTimeOffset now) => LastSyncAt = now;

    /// <summary>
    /// The controller applied every command up to <paramref name="version"/>. An older acknowledgement (a retry that
    /// crossed a newer one) changes nothing: the whitelist never goes back.
    /// </summary>
    public void Acknowledge(long version, DateTimeOffset now)
    {
        if (version < 0) throw new DomainException("A version is 0 or more.", "version");
        if (version > AckedVersion) AckedVersion = version;
        LastSyncAt = now;
    }

    /// <summary>
    /// Starts the whitelist afresh (a controller replaced or wiped): the next commands carry every credential again.
    /// </summary>
    public void Reset(DateTimeOffset now)
    {
        AckedVersion = 0;
        LastSyncAt = now;
    }

    public void Uploaded(int events, DateTimeOffset now)
    {
        UploadedEvents += events;
        LastUploadAt = now;
    }
}

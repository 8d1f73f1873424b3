namespace Linli.Domain.Access;

/// <summary>What a holder shows at a reader: a card's UID, the rotating code on their phone, or their vehicle's plate.</summary>
public enum CredentialKind { Card, PhoneQr, Plate }

/// <summary>Who a credential is issued to; access rules are written per kind of holder.</summary>
public enum HolderKind { Resident, Staff, Volunteer, Contractor, Visitor }

/// <summary>A credential's life: usable, suspended while lost (and found again), revoked for good.</summary>
public enum CredentialStatus { Active, Suspended, Revoked }

/// <summary>What a gate closes: the kinds an access rule names.</summary>
public enum GateKind
{
    /// <summary>An entrance of the community (pedestrian gate).</summary>
    CommunityGate,
    /// <summary>A building's entrance shared by all its units.</summary>
    BuildingDoor,
    /// <summary>The door of one unit (单元门) of a building.</summary>
    UnitDoor,
    /// <summary>A car park's barrier, read by plate.</summary>
    CarParkBarrier,
    /// <summary>A facility's door: pump room, power room, activity room.</summary>
    FacilityDoor,
}

/// <summary>Why a reader said no; shown to staff in the access log and spoken by the controller.</summary>
public enum DenyReason
{
    /// <summary>No credential with that card, code or plate.</summary>
    UnknownCredential,
    /// <summary>Reported lost: suspended until found or replaced.</summary>
    Suspended,
    Revoked,
    NotYetValid,
    /// <summary>Past its validity: a tenancy that ended, a contractor's last day, a visitor's window.</summary>
    Expired,
    /// <summary>No rule of the holder covers this gate.</summary>
    NoRightToGate,
    /// <summary>A rule covers the gate, but not at this hour or on this day.</summary>
    OutsideHours,
    /// <summary>A phone code older than the step before the current one: a screenshot, or a clock far off.</summary>
    CodeExpired,
    /// <summary>A phone code already used at this step.</summary>
    CodeReplayed,
    /// <summary>A code or pass whose signature does not verify.</summary>
    Forged,
    /// <summary>A visitor pass with no entries left.</summary>
    PassUsedUp,
}

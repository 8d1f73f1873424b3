using Linli.Domain.Cases;
using Linli.Domain.Devices;
using Linli.Domain.Registry;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Common;

/// <summary>
/// The reviewed reads that look past the caller's scope on purpose, each saying why; the only place in Application where
/// the scope filters are switched off. Background work does not come here: it declares its scope instead
/// (<see cref="DeclaredScopes"/>). A new entry needs a reason a reviewer can check, and must not hand out personal data
/// the caller could not otherwise read.
/// </summary>
public static class Unscoped
{
    /// <summary>
    /// Hierarchy nodes of the whole installation, for their names and keys: a grid worker's scope holds no community node,
    /// yet their pages name it; sign-in and routing need the community of a node. Node names are labels, not personal data.
    /// </summary>
    public static IQueryable<HierarchyNode> UnscopedNodes(this ILinliReadDb db) => Db(db).Nodes.IgnoreQueryFilters();

    /// <summary>Organizations for their names and for routing (the property company of a case's community).</summary>
    public static IQueryable<Organization> UnscopedOrganizations(this ILinliReadDb db) => Db(db).Organizations.IgnoreQueryFilters();

    /// <summary>
    /// Buildings a report or a page may name: a resident reports the lamp of the building next door, which their household
    /// scope does not hold; a room's page names its building. Places carry no personal data.
    /// </summary>
    public static IQueryable<Building> UnscopedBuildings(this ILinliDb db) => Db(db).Buildings.IgnoreQueryFilters();

    /// <summary>Rooms a report names (the room of the reporter's own home, resolved with its building) and the home of a resident signing in.</summary>
    public static IQueryable<Room> UnscopedRooms(this ILinliDb db) => Db(db).Rooms.IgnoreQueryFilters();

    /// <summary>Facilities a report names (the pump room, the bike shed) in the reporter's community.</summary>
    public static IQueryable<Facility> UnscopedFacilities(this ILinliDb db) => Db(db).Facilities.IgnoreQueryFilters();

    /// <summary>
    /// Residents for installation-wide checks only: one ID number, one registration (the answer says no more than that),
    /// and the room of a resident signing in, before any scope exists. Callers read keys, never names or numbers.
    /// </summary>
    public static IQueryable<Resident> UnscopedResidentsForChecks(this ILinliDb db) => Db(db).Residents.IgnoreQueryFilters();

    /// <summary>
    /// Credentials for the installation-wide uniqueness of a card or plate: one physical card is one credential, whoever's
    /// area holds it. Callers ask "any?", never read the rows.
    /// </summary>
    public static IQueryable<Linli.Domain.Access.Credential> UnscopedCredentialsForChecks(this ILinliDb db) => Db(db).Credentials.IgnoreQueryFilters();

    /// <summary>Gates for the installation-wide uniqueness of their codes (a controller names its gate by code), and the places a right may name.</summary>
    public static IQueryable<Linli.Domain.Access.Gate> UnscopedGatesForChecks(this ILinliDb db) => Db(db).Gates.IgnoreQueryFilters();

    /// <summary>Devices for the installation-wide uniqueness of their codes.</summary>
    public static IQueryable<Device> UnscopedDevicesForChecks(this ILinliDb db) => Db(db).Devices.IgnoreQueryFilters();

    /// <summary>
    /// Cases past the caller's household: a neighbour's open, non-private report to join ("me too", "similar reports
    /// nearby"), the account's own reports of today in every household it reported from (the daily limit), Open311's
    /// public feed, and a case an outside client has just written.
    /// </summary>
    public static IQueryable<Case> UnscopedCases(this ILinliDb db) => Db(db).Cases.IgnoreQueryFilters();

    /// <summary>Photos of public cases, for Open311's public feed.</summary>
    public static IQueryable<CaseAttachment> UnscopedCaseAttachments(this ILinliDb db) => Db(db).CaseAttachments.IgnoreQueryFilters();

    static T Db<T>(T db) where T : ILinliReadDb
    {
        ArgumentNullException.ThrowIfNull(db);
        return db;
    }
}

using Linli.Domain.Alarms;
using Linli.Domain.Cases;
using Linli.Domain.Devices;
using Linli.Domain.Exchange;
using Linli.Domain.Identity;
using Linli.Domain.Notices;
using Linli.Domain.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Linli.Application.Common;

/// <summary>
/// Reads that may be a few seconds old (statistics, exports, reports): the entity sets they need, filtered to the
/// caller's <see cref="Scope"/> like <see cref="ILinliDb"/>'s. Given by DI, it reads the PostgreSQL replica while that is
/// healthy and the primary otherwise (ADR 0015); it tracks nothing and cannot save. A request that must see its own write
/// reads through <see cref="ILinliDb"/>, which is also an <see cref="ILinliReadDb"/> on the primary.
/// </summary>
public interface ILinliReadDb
{
    Scope Scope { get; }
    bool IsPostgres { get; }

    IQueryable<HierarchyNode> Nodes { get; }
    IQueryable<Building> Buildings { get; }
    IQueryable<Room> Rooms { get; }
    IQueryable<RoomOccupancy> Occupancies { get; }
    IQueryable<Resident> Residents { get; }
    IQueryable<Organization> Organizations { get; }
    IQueryable<CaseCategory> CaseCategories { get; }
    IQueryable<Case> Cases { get; }
}

/// <summary>
/// The database as use cases see it: the entity sets, already filtered to the caller's <see cref="Scope"/>. The EF Core
/// context in Infrastructure implements it; Application never names a provider.
/// </summary>
public interface ILinliDb : ILinliReadDb
{
    new DbSet<HierarchyNode> Nodes { get; }
    new DbSet<Building> Buildings { get; }
    new DbSet<Room> Rooms { get; }
    new DbSet<RoomOccupancy> Occupancies { get; }
    new DbSet<Resident> Residents { get; }
    DbSet<Facility> Facilities { get; }
    new DbSet<Organization> Organizations { get; }
    DbSet<UserAccount> Users { get; }
    DbSet<AuditEntry> Audit { get; }
    DbSet<OneTimeCode> OneTimeCodes { get; }
    new DbSet<CaseCategory> CaseCategories { get; }
    new DbSet<Case> Cases { get; }
    DbSet<CaseEvent> CaseEvents { get; }
    DbSet<CaseTimer> CaseTimers { get; }
    DbSet<CaseFollower> CaseFollowers { get; }
    DbSet<CaseAttachment> CaseAttachments { get; }
    DbSet<Open311Client> Open311Clients { get; }
    DbSet<Open311Submission> Open311Submissions { get; }
    DbSet<Notice> Notices { get; }
    DbSet<NoticeRead> NoticeReads { get; }
    DbSet<Device> Devices { get; }
    DbSet<StoredReading> Readings { get; }
    DbSet<ReadingHour> ReadingHours { get; }
    DbSet<AlarmRule> AlarmRules { get; }
    DbSet<Alarm> Alarms { get; }
    DbSet<AlarmEvent> AlarmEvents { get; }
    DbSet<AlarmTimer> AlarmTimers { get; }
    DbSet<NotificationPreference> NotificationPreferences { get; }
    DbSet<Webhook> Webhooks { get; }
    DbSet<WebhookDelivery> WebhookDeliveries { get; }
    /// <summary>Import jobs carry no scope keys: each is its uploader's, and is found by id together with the asking user.</summary>
    DbSet<Registry.ImportJob> ImportJobs { get; }
    DbSet<HierarchyLink> HierarchyLinks { get; }
    DbSet<UpstreamPush> UpstreamPushes { get; }
    DbSet<InboundMessage> InboundMessages { get; }
    DbSet<Linli.Domain.Access.Gate> Gates { get; }
    DbSet<Linli.Domain.Access.Credential> Credentials { get; }
    DbSet<Linli.Domain.Access.VisitorPass> VisitorPasses { get; }
    DbSet<Linli.Domain.Access.AccessLogEntry> AccessLog { get; }
    DbSet<Linli.Domain.Access.AccessController> AccessControllers { get; }
    DbSet<Linli.Domain.Parking.ParkingLot> ParkingLots { get; }
    DbSet<Linli.Domain.Parking.ParkingSpace> ParkingSpaces { get; }
    DbSet<Linli.Domain.Parking.MonthlyPass> MonthlyPasses { get; }
    DbSet<Linli.Domain.Parking.PlateListEntry> PlateLists { get; }
    DbSet<Linli.Domain.Parking.ParkingSession> ParkingSessions { get; }

    DatabaseFacade Database { get; }
    ChangeTracker ChangeTracker { get; }
    DbSet<TEntity> Set<TEntity>() where TEntity : class;
    EntityEntry<TEntity> Entry<TEntity>(TEntity entity) where TEntity : class;
    Task<int> SaveChangesAsync(CancellationToken cancellationToken = default);
}

using System.Linq.Expressions;
using Linli.Application.Common;
using Linli.Domain.Alarms;
using Linli.Domain.Cases;
using Linli.Domain.Devices;
using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Domain.Notices;
using Linli.Domain.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Linli.Infrastructure.Persistence;

/// <summary>
/// The one DbContext. Every scoped entity gets a query filter built from the caller's <see cref="Scope"/>, so a query
/// written anywhere in the code base sees only the caller's part of the hierarchy.
/// Instances are pooled (creating one cost a tenth of a case report's CPU): a DI scope rents one through
/// <see cref="PooledLinliDbContext"/> and gives it its caller's scope (<see cref="RunAs"/>); one given back sees nothing
/// until it is rented again.
/// </summary>
public sealed class LinliDbContext(DbContextOptions<LinliDbContext> options) : DbContext(options), ILinliDb
{
    Scope _scope = Scope.None;
    // Set while a DI scope holds the instance (see PooledLinliDbContext): disposing it then is the DI container tidying up
    // an alias (ILinliDb and LinliDbContext are the same object, captured twice) and must not give it back, or a second
    // dispose arriving after another scope has rented the instance would take it from under that scope.
    bool _held;
    // Set for a lease that serves stale-tolerant reads (ILinliReadDb): nothing tracked, nothing saved.
    bool _readOnly;

    /// <summary>The outbox's bookkeeping for this lease (events saved, not yet committed); see <see cref="OutboxInterceptor"/>.</summary>
    internal OutboxInterceptor.State? OutboxState { get; set; }

    /// <summary>
    /// Called by the DI scope that rented this instance from the pool, before anything reads through it; a
    /// <paramref name="readOnly"/> lease tracks nothing and refuses to save.
    /// </summary>
    internal void RunAs(Scope scope, bool readOnly = false)
    {
        _scope = scope;
        _held = true;
        _readOnly = readOnly;
        ChangeTracker.QueryTrackingBehavior = readOnly ? QueryTrackingBehavior.NoTracking : QueryTrackingBehavior.TrackAll;
    }

    /// <summary>True for a lease that serves stale-tolerant reads (see <see cref="RunAs"/>).</summary>
    internal bool IsReadOnly => _readOnly;

    // SaveChanges() and SaveChangesAsync(ct) end up here, so one check holds every way of saving.
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        RefuseIfReadOnly();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        RefuseIfReadOnly();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    void RefuseIfReadOnly()
    {
        if (_readOnly)
            throw new InvalidOperationException("This context serves stale-tolerant reads (ILinliReadDb, maybe on the replica) and cannot save; write through ILinliDb.");
    }

    public override void Dispose()
    {
        if (!_held) base.Dispose();
    }

    public override ValueTask DisposeAsync() => _held ? ValueTask.CompletedTask : base.DisposeAsync();

    /// <summary>
    /// Gives the instance back to the pool, once, from the DI scope that rented it: it sees nothing, the outbox's
    /// bookkeeping is dropped, and a connection opened past EF (raw SQL that opened it itself) is closed, or the next renter
    /// would find it open behind EF's back. (Asking for the connection costs nothing after an instance's first use: a
    /// pooled instance keeps its services.)
    /// </summary>
    internal ValueTask GiveBackAsync() => Release() ? base.DisposeAsync() : ValueTask.CompletedTask;

    /// <inheritdoc cref="GiveBackAsync"/>
    internal void GiveBack()
    {
        if (Release()) base.Dispose();
    }

    bool Release()
    {
        if (!_held) return false;
        _held = false;
        _scope = Scope.None;
        _readOnly = false;
        OutboxState = null;
        // A connection opened through EF (OpenConnectionAsync without a matching close) is closed through EF, so EF's own
        // count of opens starts at zero for the next renter; one opened past EF is closed directly.
        var connection = Database.GetDbConnection();
        for (var i = 0; i < 32 && connection.State != System.Data.ConnectionState.Closed; i++) Database.CloseConnection();
        if (connection.State != System.Data.ConnectionState.Closed) connection.Close();
        return true;
    }

    // Read by the query filters; EF turns these into parameters per query.
    public ScopeLevel ScopeLevel => _scope.Level;
    public int ScopeId => _scope.Id;
    public int HouseholdBuildingId => _scope.HouseholdBuildingId;
    public int ScopeCommunityId => _scope.CommunityId;

    public Scope Scope => _scope;

    public DbSet<HierarchyNode> Nodes => Set<HierarchyNode>();
    public DbSet<Building> Buildings => Set<Building>();
    public DbSet<Room> Rooms => Set<Room>();
    public DbSet<RoomOccupancy> Occupancies => Set<RoomOccupancy>();
    public DbSet<Resident> Residents => Set<Resident>();
    public DbSet<Facility> Facilities => Set<Facility>();
    public DbSet<Organization> Organizations => Set<Organization>();
    public DbSet<UserAccount> Users => Set<UserAccount>();
    public DbSet<AuditEntry> Audit => Set<AuditEntry>();
    public DbSet<OneTimeCode> OneTimeCodes => Set<OneTimeCode>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<CaseCategory> CaseCategories => Set<CaseCategory>();
    public DbSet<Case> Cases => Set<Case>();
    public DbSet<CaseEvent> CaseEvents => Set<CaseEvent>();
    public DbSet<CaseTimer> CaseTimers => Set<CaseTimer>();
    public DbSet<CaseFollower> CaseFollowers => Set<CaseFollower>();
    public DbSet<CaseAttachment> CaseAttachments => Set<CaseAttachment>();
    public DbSet<Linli.Domain.Exchange.Open311Client> Open311Clients => Set<Linli.Domain.Exchange.Open311Client>();
    public DbSet<Linli.Domain.Exchange.Open311Submission> Open311Submissions => Set<Linli.Domain.Exchange.Open311Submission>();
    public DbSet<Notice> Notices => Set<Notice>();
    public DbSet<NoticeRead> NoticeReads => Set<NoticeRead>();
    public DbSet<Device> Devices => Set<Device>();
    public DbSet<StoredReading> Readings => Set<StoredReading>();
    public DbSet<ReadingHour> ReadingHours => Set<ReadingHour>();
    public DbSet<AlarmRule> AlarmRules => Set<AlarmRule>();
    public DbSet<Alarm> Alarms => Set<Alarm>();
    public DbSet<AlarmEvent> AlarmEvents => Set<AlarmEvent>();
    public DbSet<AlarmTimer> AlarmTimers => Set<AlarmTimer>();
    public DbSet<NotificationPreference> NotificationPreferences => Set<NotificationPreference>();
    public DbSet<Webhook> Webhooks => Set<Webhook>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<Linli.Application.Registry.ImportJob> ImportJobs => Set<Linli.Application.Registry.ImportJob>();
    public DbSet<Linli.Domain.Exchange.HierarchyLink> HierarchyLinks => Set<Linli.Domain.Exchange.HierarchyLink>();
    public DbSet<Linli.Domain.Exchange.UpstreamPush> UpstreamPushes => Set<Linli.Domain.Exchange.UpstreamPush>();
    public DbSet<Linli.Domain.Exchange.InboundMessage> InboundMessages => Set<Linli.Domain.Exchange.InboundMessage>();
    public DbSet<Linli.Domain.Access.Gate> Gates => Set<Linli.Domain.Access.Gate>();
    public DbSet<Linli.Domain.Access.Credential> Credentials => Set<Linli.Domain.Access.Credential>();
    public DbSet<Linli.Domain.Access.VisitorPass> VisitorPasses => Set<Linli.Domain.Access.VisitorPass>();
    public DbSet<Linli.Domain.Access.AccessLogEntry> AccessLog => Set<Linli.Domain.Access.AccessLogEntry>();
    public DbSet<Linli.Domain.Access.AccessController> AccessControllers => Set<Linli.Domain.Access.AccessController>();
    public DbSet<Linli.Domain.Parking.ParkingLot> ParkingLots => Set<Linli.Domain.Parking.ParkingLot>();
    public DbSet<Linli.Domain.Parking.ParkingSpace> ParkingSpaces => Set<Linli.Domain.Parking.ParkingSpace>();
    public DbSet<Linli.Domain.Parking.MonthlyPass> MonthlyPasses => Set<Linli.Domain.Parking.MonthlyPass>();
    public DbSet<Linli.Domain.Parking.PlateListEntry> PlateLists => Set<Linli.Domain.Parking.PlateListEntry>();
    public DbSet<Linli.Domain.Parking.ParkingSession> ParkingSessions => Set<Linli.Domain.Parking.ParkingSession>();

    // The stale-tolerant reads see the same sets, filtered alike (ILinliReadDb).
    IQueryable<HierarchyNode> ILinliReadDb.Nodes => Nodes;
    IQueryable<Building> ILinliReadDb.Buildings => Buildings;
    IQueryable<Room> ILinliReadDb.Rooms => Rooms;
    IQueryable<RoomOccupancy> ILinliReadDb.Occupancies => Occupancies;
    IQueryable<Resident> ILinliReadDb.Residents => Residents;
    IQueryable<Organization> ILinliReadDb.Organizations => Organizations;
    IQueryable<CaseCategory> ILinliReadDb.CaseCategories => CaseCategories;
    IQueryable<Case> ILinliReadDb.Cases => Cases;

    public bool IsPostgres => Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) == true;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        if (!IsPostgres)
        {
            // SQLite has no date type; storing UTC ticks keeps ordering and range queries in SQL.
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
        }
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(LinliDbContext).Assembly);
        SqlFunctionTranslations.Register(modelBuilder, IsPostgres);
        if (IsPostgres)
        {
            // Binary collation so that name prefix search is an index range scan on both databases.
            modelBuilder.Entity<Resident>().Property(r => r.Name).UseCollation("C");
        }

        // Grid workers and residents also see their community: its node, its facilities and the organizations serving it.
        modelBuilder.Entity<HierarchyNode>().HasQueryFilter(Scoped<HierarchyNode>(n => n.Id == ScopeCommunityId, alsoForGrid: true));
        modelBuilder.Entity<Building>().HasQueryFilter(Scoped<Building>(b => b.Id == HouseholdBuildingId));
        modelBuilder.Entity<Room>().HasQueryFilter(Scoped<Room>(r => r.Id == ScopeId));
        modelBuilder.Entity<Resident>().HasQueryFilter(Scoped<Resident>(r => r.RoomId == ScopeId));
        modelBuilder.Entity<Facility>().HasQueryFilter(Scoped<Facility>(f => f.CommunityId == ScopeCommunityId, alsoForGrid: true));
        modelBuilder.Entity<Organization>().HasQueryFilter(Scoped<Organization>(o => o.CommunityId == ScopeCommunityId, alsoForGrid: true));
        modelBuilder.Entity<AuditEntry>().HasQueryFilter(Scoped<AuditEntry>(_ => false));
        // A household sees the cases it reported and those it joined with "me too".
        modelBuilder.Entity<Case>().HasQueryFilter(Scoped<Case>(c => c.ReporterRoomId == ScopeId
            || Set<CaseFollower>().Any(f => f.CaseId == c.Id && f.RoomId == ScopeId)));
        modelBuilder.Entity<CaseEvent>().HasQueryFilter(Scoped<CaseEvent>(e => e.Case!.ReporterRoomId == ScopeId
            || Set<CaseFollower>().Any(f => f.CaseId == e.CaseId && f.RoomId == ScopeId)));
        // Photos follow the case: a neighbour who joined sees the photos of the problem they share, as they see its timeline.
        modelBuilder.Entity<CaseAttachment>().HasQueryFilter(Scoped<CaseAttachment>(a => Set<Case>().Any(c => c.Id == a.CaseId && c.ReporterRoomId == ScopeId)
            || Set<CaseFollower>().Any(f => f.CaseId == a.CaseId && f.RoomId == ScopeId)));
        // A notice is seen in its subtree (to manage it) and wherever it reaches: by a place at or below its node.
        modelBuilder.Entity<Notice>().HasQueryFilter(Or(
            Scoped<Notice>(CoversAny<Notice, Room>(r => r.Id == ScopeId)),
            NotHousehold<Notice>().And(CoversAny<Notice, HierarchyNode>(x => x.Id == ScopeId))));
        modelBuilder.Entity<NoticeRead>().HasQueryFilter(Scoped<NoticeRead>(r => r.RoomId == ScopeId));

        // A resident sees the devices and alarms of their own home (their SOS button, their SOS calls).
        modelBuilder.Entity<Device>().HasQueryFilter(Scoped<Device>(d => d.RoomId == ScopeId));
        modelBuilder.Entity<Alarm>().HasQueryFilter(Scoped<Alarm>(a => a.RoomId == ScopeId));
        modelBuilder.Entity<AlarmEvent>().HasQueryFilter(e => ScopeLevel == ScopeLevel.System || Set<Alarm>().Any(a => a.Id == e.AlarmId));
        // Rules, like notices, are seen in their subtree and by the nodes they cover (a community sees the district's rules).
        modelBuilder.Entity<AlarmRule>().HasQueryFilter(Or(Scoped<AlarmRule>(_ => false),
            NotHousehold<AlarmRule>().And(CoversAny<AlarmRule, HierarchyNode>(x => x.Id == ScopeId))));
        modelBuilder.Entity<Webhook>().HasQueryFilter(Scoped<Webhook>(_ => false));
        // The exchange with the higher platform: what went up and came down about a place is seen in that place's subtree.
        modelBuilder.Entity<Linli.Domain.Exchange.UpstreamPush>().HasQueryFilter(Scoped<Linli.Domain.Exchange.UpstreamPush>(_ => false));
        modelBuilder.Entity<Linli.Domain.Exchange.InboundMessage>().HasQueryFilter(Scoped<Linli.Domain.Exchange.InboundMessage>(_ => false));
        // One card: a household sees its own members' credentials and visitor passes, and its community's gates (to
        // invite a visitor through them).
        modelBuilder.Entity<Linli.Domain.Access.Gate>().HasQueryFilter(Scoped<Linli.Domain.Access.Gate>(
            g => Set<Room>().Any(r => r.Id == ScopeId && r.CommunityId == g.CommunityId)));
        modelBuilder.Entity<Linli.Domain.Access.Credential>().HasQueryFilter(Scoped<Linli.Domain.Access.Credential>(
            c => Set<Resident>().Any(r => r.Id == c.ResidentId && r.RoomId == ScopeId)));
        modelBuilder.Entity<Linli.Domain.Access.VisitorPass>().HasQueryFilter(Scoped<Linli.Domain.Access.VisitorPass>(
            p => Set<Resident>().Any(r => r.Id == p.HostResidentId && r.RoomId == ScopeId)));
        // A household reads its own members' passages (a resident's "my passages"), never the gate's whole log.
        modelBuilder.Entity<Linli.Domain.Access.AccessLogEntry>().HasQueryFilter(Scoped<Linli.Domain.Access.AccessLogEntry>(
            e => Set<Linli.Domain.Access.Credential>().Any(c => c.Id == e.CredentialId && Set<Resident>().Any(r => r.Id == c.ResidentId && r.RoomId == ScopeId))));
        modelBuilder.Entity<Linli.Domain.Access.AccessController>().HasQueryFilter(Scoped<Linli.Domain.Access.AccessController>(_ => false));
        // Parking: a household sees its community's lots, the spaces and passes of its members, and the stays of their
        // vehicles (the plates on those spaces and passes); never a lot's lists.
        modelBuilder.Entity<Linli.Domain.Parking.ParkingLot>().HasQueryFilter(Scoped<Linli.Domain.Parking.ParkingLot>(l => l.CommunityId == ScopeCommunityId));
        modelBuilder.Entity<Linli.Domain.Parking.ParkingSpace>().HasQueryFilter(Scoped<Linli.Domain.Parking.ParkingSpace>(
            sp => Set<Resident>().Any(r => r.Id == sp.ResidentId && r.RoomId == ScopeId)));
        modelBuilder.Entity<Linli.Domain.Parking.MonthlyPass>().HasQueryFilter(Scoped<Linli.Domain.Parking.MonthlyPass>(
            p => Set<Resident>().Any(r => r.Id == p.ResidentId && r.RoomId == ScopeId)));
        modelBuilder.Entity<Linli.Domain.Parking.PlateListEntry>().HasQueryFilter(Scoped<Linli.Domain.Parking.PlateListEntry>(_ => false));
        modelBuilder.Entity<Linli.Domain.Parking.ParkingSession>().HasQueryFilter(Scoped<Linli.Domain.Parking.ParkingSession>(
            s => Set<Linli.Domain.Parking.ParkingSpace>().Any(sp => sp.LotId == s.LotId && sp.Plates.Contains(s.Plate)
                    && Set<Resident>().Any(r => r.Id == sp.ResidentId && r.RoomId == ScopeId))
                || Set<Linli.Domain.Parking.MonthlyPass>().Any(p => p.LotId == s.LotId && p.Plate == s.Plate
                    && Set<Resident>().Any(r => r.Id == p.ResidentId && r.RoomId == ScopeId))));
        // Readings carry no scope keys (they are written tens of thousands a second): they are visible with their device.
        modelBuilder.Entity<StoredReading>().HasQueryFilter(r => ScopeLevel == ScopeLevel.System || Set<Device>().Any(d => d.Id == r.DeviceId));
        modelBuilder.Entity<ReadingHour>().HasQueryFilter(h => ScopeLevel == ScopeLevel.System || Set<Device>().Any(d => d.Id == h.DeviceId));
    }

    /// <summary>
    /// The scope rule, written once: system sees all, a node sees its subtree, a household what <paramref name="household"/>
    /// allows; with <paramref name="alsoForGrid"/> a grid scope is widened by the same rule.
    /// </summary>
    Expression<Func<T, bool>> Scoped<T>(Expression<Func<T, bool>> household, bool alsoForGrid = false) where T : ScopedEntity
    {
        Expression<Func<T, bool>> byNode = e =>
            ScopeLevel == ScopeLevel.System
            || (ScopeLevel == ScopeLevel.District && e.DistrictId == ScopeId)
            || (ScopeLevel == ScopeLevel.Street && e.StreetId == ScopeId)
            || (ScopeLevel == ScopeLevel.Community && e.CommunityId == ScopeId)
            || (ScopeLevel == ScopeLevel.Grid && e.GridId == ScopeId);
        Expression<Func<T, bool>> isHousehold = alsoForGrid
            ? _ => ScopeLevel == ScopeLevel.Household || ScopeLevel == ScopeLevel.Grid
            : _ => ScopeLevel == ScopeLevel.Household;
        var p = byNode.Parameters[0];
        var householdBody = new ReplaceParameter(household.Parameters[0], p).Visit(household.Body);
        return Expression.Lambda<Func<T, bool>>(
            Expression.OrElse(byNode.Body, Expression.AndAlso(new ReplaceParameter(isHousehold.Parameters[0], p).Visit(isHousehold.Body), householdBody)), p);
    }

    /// <summary>
    /// <c>n =&gt; some <typeparamref name="TPlace"/> row matching <paramref name="which"/> lies where n covers</c>, with the
    /// covering rule of <see cref="PlaceKeys"/>: an EXISTS on the place's primary key and equalities on the scope keys.
    /// </summary>
    Expression<Func<T, bool>> CoversAny<T, TPlace>(Expression<Func<TPlace, bool>> which) where T : ScopedEntity where TPlace : ScopedEntity
    {
        var covers = PlaceKeys.CoversExpression<T, TPlace>();
        var (node, place) = (covers.Parameters[0], covers.Parameters[1]);
        var match = Expression.Lambda<Func<TPlace, bool>>(
            Expression.AndAlso(new ReplaceParameter(which.Parameters[0], place).Visit(which.Body), covers.Body), place);
        Expression<Func<IQueryable<TPlace>>> places = () => Set<TPlace>();
        return Expression.Lambda<Func<T, bool>>(
            Expression.Call(typeof(Queryable), nameof(Queryable.Any), [typeof(TPlace)], places.Body, Expression.Quote(match)), node);
    }

    Expression<Func<T, bool>> NotHousehold<T>() => _ => ScopeLevel != ScopeLevel.Household;

    static Expression<Func<T, bool>> Or<T>(Expression<Func<T, bool>> left, Expression<Func<T, bool>> right) =>
        Expression.Lambda<Func<T, bool>>(Expression.OrElse(left.Body, new ReplaceParameter(right.Parameters[0], left.Parameters[0]).Visit(right.Body)), left.Parameters[0]);

    sealed class ReplaceParameter(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}

sealed class UtcTicksConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTimeOffset, long>(
    v => v.UtcTicks, v => new DateTimeOffset(v, TimeSpan.Zero));

/// <summary>ASP.NET Core data-protection keys, kept in the database so that every web node can read every cookie.</summary>
public sealed class DataProtectionKey
{
    public int Id { get; set; }
    public string FriendlyName { get; set; } = "";
    public string Xml { get; set; } = "";
}

/// <summary>
/// A DI scope's hold on one pooled <see cref="LinliDbContext"/>: rented when the scope first needs a context, given back
/// exactly once when the scope ends (the context itself ignores the container's disposing of it while held).
/// </summary>
public sealed class PooledLinliDbContext(IDbContextFactory<LinliDbContext> factory, IServiceProvider services) : IAsyncDisposable, IDisposable
{
    LinliDbContext? _context;

    public LinliDbContext Context
    {
        get
        {
            if (_context is not null) return _context;
            var context = factory.CreateDbContext();
            // The scope's caller: a request's user or a job's declared scope; without one (tools, migrations) the system.
            context.RunAs((services.GetService<ICurrentScope>() ?? SystemScope.Instance).Scope);
            return _context = context;
        }
    }

    public ValueTask DisposeAsync() => _context?.GiveBackAsync() ?? ValueTask.CompletedTask;

    public void Dispose() => _context?.GiveBack();
}

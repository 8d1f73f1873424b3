using System.Globalization;
using System.Text.Json;
using Linli.Domain.Access;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Linli.Infrastructure.Persistence.Configurations;

sealed class GateConfiguration : IEntityTypeConfiguration<Gate>
{
    public void Configure(EntityTypeBuilder<Gate> b)
    {
        // A trigger numbers every change (the access version); SQLite's AFTER triggers rule out RETURNING.
        b.ToTable("gates", t => t.UseSqlReturningClause(false));
        AccessVersionColumn.Map(b);
        b.Property(g => g.Code).HasMaxLength(Gate.CodeMaxLength);
        b.Property(g => g.Name).HasMaxLength(Gate.NameMaxLength);
        b.Property(g => g.Kind).HasConversion<string>().HasMaxLength(20);
        b.HasIndex(g => g.Code).IsUnique();
        b.HasIndex(g => new { g.CommunityId, g.Kind });
        b.HasIndex(g => g.ControllerId);
    }
}

sealed class CredentialConfiguration : IEntityTypeConfiguration<Credential>
{
    public void Configure(EntityTypeBuilder<Credential> b)
    {
        b.ToTable("credentials", t => t.UseSqlReturningClause(false));
        AccessVersionColumn.Map(b);
        b.Property(c => c.Kind).HasConversion<string>().HasMaxLength(10);
        b.Property(c => c.Holder).HasConversion<string>().HasMaxLength(12);
        b.Property(c => c.Status).HasConversion<string>().HasMaxLength(10);
        b.Property(c => c.HolderName).HasMaxLength(Credential.HolderNameMaxLength);
        b.Property(c => c.Identifier).HasMaxLength(Credential.IdentifierMaxLength);
        b.Property(c => c.SecretProtected).HasMaxLength(200);
        b.Property(c => c.StatusReason).HasMaxLength(Credential.ReasonMaxLength);
        b.Property<List<AccessGrant>>("_grants").HasColumnName("Grants").HasConversion(AccessGrantsJson.Converter, AccessGrantsJson.Comparer).IsRequired();
        b.Ignore(c => c.Grants);
        b.Ignore(c => c.View);
        // A reader's input finds its credential by kind and identifier (a card's keyed hash, a plate).
        b.HasIndex(c => new { c.Kind, c.Identifier });
        b.HasIndex(c => c.ResidentId);
        b.HasIndex(c => new { c.CommunityId, c.Status });
    }
}

sealed class VisitorPassConfiguration : IEntityTypeConfiguration<VisitorPass>
{
    public void Configure(EntityTypeBuilder<VisitorPass> b)
    {
        b.ToTable("visitor_passes");
        b.Property(p => p.VisitorName).HasMaxLength(VisitorPass.VisitorNameMaxLength);
        b.Property(p => p.VisitorPhoneProtected).HasMaxLength(200);
        b.Property(p => p.VisitorPhoneMasked).HasMaxLength(20);
        b.Property<List<AccessGrant>>("_grants").HasColumnName("Grants").HasConversion(AccessGrantsJson.Converter, AccessGrantsJson.Comparer).IsRequired();
        b.Ignore(p => p.Grants);
        b.Ignore(p => p.RemainingEntries);
        b.HasIndex(p => new { p.HostResidentId, p.ValidUntil });
        b.HasIndex(p => new { p.CommunityId, p.ValidUntil });
    }
}

sealed class AccessLogEntryConfiguration : IEntityTypeConfiguration<AccessLogEntry>
{
    public void Configure(EntityTypeBuilder<AccessLogEntry> b)
    {
        b.ToTable("access_log");
        b.Property(e => e.Kind).HasConversion<string>().HasMaxLength(10);
        b.Property(e => e.Reason).HasConversion<string>().HasMaxLength(20);
        b.Property(e => e.Direction).HasConversion<string>().HasMaxLength(4);
        // Written by the batch writer (raw SQL), read by the log pages: a gate's hours, a person's passages, a community's day.
        b.HasIndex(e => new { e.GateId, e.At });
        b.HasIndex(e => new { e.CredentialId, e.At });
        b.HasIndex(e => new { e.CommunityId, e.At });
    }
}

sealed class AccessControllerConfiguration : IEntityTypeConfiguration<AccessController>
{
    public void Configure(EntityTypeBuilder<AccessController> b)
    {
        b.ToTable("access_controllers");
        b.HasKey(c => c.DeviceId);
        b.Property(c => c.DeviceId).ValueGeneratedNever();
    }
}

/// <summary>
/// The access version of a credential or gate: written by the database's trigger on every insert and update, never by
/// EF (which neither sends nor reads it back); read by the snapshot and the whitelist queries by name.
/// </summary>
static class AccessVersionColumn
{
    public const string Name = "Version";

    public static void Map<T>(EntityTypeBuilder<T> b) where T : class
    {
        var property = b.Property<long>(Name).Metadata;
        property.SetBeforeSaveBehavior(Microsoft.EntityFrameworkCore.Metadata.PropertySaveBehavior.Ignore);
        property.SetAfterSaveBehavior(Microsoft.EntityFrameworkCore.Metadata.PropertySaveBehavior.Ignore);
        b.HasIndex(Name);
    }
}

/// <summary>
/// A credential's or pass's rights as one JSON column: read with the row, never queried into. The shape is ours, not the
/// domain's records serialized as they are, so renaming a property does not change what is stored.
/// </summary>
static class AccessGrantsJson
{
    sealed record Stored(string Scope, int Id, int? Unit, string[]? Kinds, string[]? Days, string? From, string? Until, string? First, string? Last);

    static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public static readonly ValueConverter<List<AccessGrant>, string> Converter = new(g => Write(g), s => Read(s));

    public static readonly ValueComparer<List<AccessGrant>> Comparer = new(
        (a, b) => a != null && b != null && a.SequenceEqual(b),
        g => g.Aggregate(0, (h, x) => HashCode.Combine(h, x.GetHashCode())),
        g => g.ToList());

    static string Write(List<AccessGrant> grants) => JsonSerializer.Serialize(grants.Select(g => new Stored(
        g.Gates.Scope.ToString(), g.Gates.Id, g.Gates.Unit,
        g.Gates.Kinds.Count == 0 ? null : g.Gates.Kinds.Select(k => k.ToString()).Order(StringComparer.Ordinal).ToArray(),
        g.When.Days.Count == 0 ? null : g.When.Days.OrderBy(d => d).Select(d => d.ToString()).ToArray(),
        g.When.From?.ToString("HH:mm", CultureInfo.InvariantCulture), g.When.Until?.ToString("HH:mm", CultureInfo.InvariantCulture),
        g.When.FirstDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), g.When.LastDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))).ToList(), Options);

    static List<AccessGrant> Read(string json) => (JsonSerializer.Deserialize<List<Stored>>(json, Options) ?? []).Select(s => new AccessGrant(
        new GateSelector(Enum.Parse<GateScope>(s.Scope), s.Id, s.Unit, s.Kinds?.Select(Enum.Parse<GateKind>)),
        new AccessSchedule(s.Days?.Select(Enum.Parse<DayOfWeek>),
            s.From is null ? null : TimeOnly.ParseExact(s.From, "HH:mm", CultureInfo.InvariantCulture),
            s.Until is null ? null : TimeOnly.ParseExact(s.Until, "HH:mm", CultureInfo.InvariantCulture),
            s.First is null ? null : DateOnly.ParseExact(s.First, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            s.Last is null ? null : DateOnly.ParseExact(s.Last, "yyyy-MM-dd", CultureInfo.InvariantCulture)))).ToList();
}

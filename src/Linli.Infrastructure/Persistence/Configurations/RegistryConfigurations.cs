using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Domain.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ImportError = Linli.Application.Registry.ImportError;
using ImportJob = Linli.Application.Registry.ImportJob;

namespace Linli.Infrastructure.Persistence.Configurations;

static class ScopeColumns
{
    /// <summary>Scope keys are indexed at every level a filter can ask for.</summary>
    public static void Configure<T>(EntityTypeBuilder<T> b) where T : ScopedEntity
    {
        b.HasIndex(e => e.CommunityId);
        b.HasIndex(e => e.GridId);
        b.HasIndex(e => e.StreetId);
    }
}

sealed class HierarchyNodeConfiguration : IEntityTypeConfiguration<HierarchyNode>
{
    public void Configure(EntityTypeBuilder<HierarchyNode> b)
    {
        b.ToTable("nodes");
        b.Property(n => n.Kind).HasConversion<string>().HasMaxLength(20);
        b.Property(n => n.Name).HasMaxLength(HierarchyNode.NameMaxLength);
        b.Property(n => n.Code).HasMaxLength(HierarchyNode.CodeMaxLength);
        b.HasIndex(n => n.ParentId);
        b.HasIndex(n => n.Code).IsUnique();
        ScopeColumns.Configure(b);
    }
}

sealed class BuildingConfiguration : IEntityTypeConfiguration<Building>
{
    public void Configure(EntityTypeBuilder<Building> b)
    {
        b.ToTable("buildings");
        b.Property(x => x.Name).HasMaxLength(Building.NameMaxLength);
        ScopeColumns.Configure(b);
    }
}

sealed class RoomConfiguration : IEntityTypeConfiguration<Room>
{
    public void Configure(EntityTypeBuilder<Room> b)
    {
        b.ToTable("rooms");
        b.Property(r => r.Number).HasMaxLength(Room.NumberMaxLength);
        b.Property(r => r.AreaM2).HasPrecision(9, 2);
        b.Property(r => r.Occupancy).HasConversion<string>().HasMaxLength(20);
        b.HasOne<Building>().WithMany().HasForeignKey(r => r.BuildingId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(r => new { r.BuildingId, r.UnitNo, r.Number }).IsUnique();
        // Covering index for occupancy statistics, in the order they group by (scope keys included, so the scope filter needs no row).
        b.HasIndex(r => new { r.CommunityId, r.GridId, r.BuildingId, r.Occupancy, r.StreetId, r.DistrictId });
        b.HasMany(r => r.Occupancies).WithOne().HasForeignKey(o => o.RoomId).OnDelete(DeleteBehavior.Cascade);
        b.Navigation(r => r.Occupancies).UsePropertyAccessMode(PropertyAccessMode.Field);
        ScopeColumns.Configure(b);
    }
}

sealed class RoomOccupancyConfiguration : IEntityTypeConfiguration<RoomOccupancy>
{
    public void Configure(EntityTypeBuilder<RoomOccupancy> b)
    {
        b.ToTable("room_occupancies");
        b.Property(o => o.Relation).HasConversion<string>().HasMaxLength(20);
        b.HasOne(o => o.Resident).WithMany().HasForeignKey(o => o.ResidentId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(o => o.ResidentId);
        b.HasIndex(o => o.LeaseEnd);
    }
}

sealed class ResidentConfiguration : IEntityTypeConfiguration<Resident>
{
    public void Configure(EntityTypeBuilder<Resident> b)
    {
        b.ToTable("residents");
        b.Property(r => r.Name).HasMaxLength(Resident.NameMaxLength);
        b.Property(r => r.Gender).HasConversion<string>().HasMaxLength(10);
        b.Property(r => r.Relation).HasConversion<string>().HasMaxLength(20);
        b.Property(r => r.IdNumberProtected).HasMaxLength(200);
        b.Property(r => r.IdNumberMasked).HasMaxLength(IdCardNumber.Length);
        b.Property(r => r.IdNumberIndex).HasMaxLength(64);
        b.Property(r => r.IdNumberLast4).HasMaxLength(4);
        b.Property(r => r.PhoneProtected).HasMaxLength(200);
        b.Property(r => r.PhoneMasked).HasMaxLength(11);
        b.Property(r => r.PhoneIndex).HasMaxLength(64);
        b.Property(r => r.PhoneLast4).HasMaxLength(4);
        b.Property(r => r.EmergencyContactName).HasMaxLength(Resident.ContactNameMaxLength);
        b.Property(r => r.EmergencyContactPhoneProtected).HasMaxLength(200);
        b.Property(r => r.EmergencyContactPhoneMasked).HasMaxLength(11);
        b.Property(r => r.MedicalNotesProtected).HasMaxLength(1400);
        b.HasOne<Room>().WithMany().HasForeignKey(r => r.RoomId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(r => r.Name);
        b.HasIndex(r => new { r.CommunityId, r.Name });
        b.HasIndex(r => new { r.GridId, r.Name });
        b.HasIndex(r => r.RoomId);
        b.HasIndex(r => r.IdNumberIndex).IsUnique();
        b.HasIndex(r => r.PhoneIndex);
        b.HasIndex(r => r.PhoneLast4);
        b.HasIndex(r => r.IdNumberLast4);
        // Covering index for statistics: one pass over it, in its own order, answers age, gender and label counts per grid.
        // RoomId and the other scope keys are in it so that "living here" and the scope filter are answered from the index.
        b.HasIndex(r => new { r.CommunityId, r.GridId, r.Gender, r.Labels, r.BirthDate, r.RoomId, r.StreetId, r.DistrictId });
        b.HasIndex(r => r.StreetId);
        b.HasIndex(r => r.GridId);
        // Welfare work lists the people living alone every day: a partial index keeps that list and its count small at
        // district scale. ResidentSearch writes the flag as a constant so the query matches the index condition.
        b.HasIndex(r => new { r.CommunityId, r.Name, r.GridId, r.StreetId, r.DistrictId }, "IX_residents_LivingAlone")
            .HasFilter("(\"Labels\" & 1) <> 0 AND \"RoomId\" IS NOT NULL");
        // The same list for a whole district: SQLite only takes a partial index through an equality on its first column.
        b.HasIndex(r => new { r.DistrictId, r.Name, r.StreetId, r.CommunityId, r.GridId }, "IX_residents_LivingAlone_District")
            .HasFilter("(\"Labels\" & 1) <> 0 AND \"RoomId\" IS NOT NULL");
        // Age-band lists (elderly 80+) across a district: the birth-date range with the scope keys, answerable from the index.
        b.HasIndex(r => new { r.BirthDate, r.RoomId, r.DistrictId, r.StreetId, r.CommunityId, r.GridId });
    }
}

sealed class FacilityConfiguration : IEntityTypeConfiguration<Facility>
{
    public void Configure(EntityTypeBuilder<Facility> b)
    {
        b.ToTable("facilities");
        b.Property(f => f.Category).HasConversion<string>().HasMaxLength(30);
        b.Property(f => f.Name).HasMaxLength(Facility.NameMaxLength);
        b.Property(f => f.Address).HasMaxLength(Facility.AddressMaxLength);
        b.Property(f => f.Phone).HasMaxLength(30);
        ScopeColumns.Configure(b);
    }
}

sealed class OrganizationConfiguration : IEntityTypeConfiguration<Organization>
{
    public void Configure(EntityTypeBuilder<Organization> b)
    {
        b.ToTable("organizations");
        b.Property(o => o.Kind).HasConversion<string>().HasMaxLength(30);
        b.Property(o => o.Name).HasMaxLength(Organization.NameMaxLength);
        b.Property(o => o.ContactName).HasMaxLength(40);
        b.Property(o => o.Phone).HasMaxLength(30);
        ScopeColumns.Configure(b);
    }
}

sealed class ImportJobConfiguration : IEntityTypeConfiguration<ImportJob>
{
    static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);

    public void Configure(EntityTypeBuilder<ImportJob> b)
    {
        b.ToTable("import_jobs");
        b.HasKey(j => j.Id);
        b.Property(j => j.Id).HasMaxLength(ImportJob.IdLength).ValueGeneratedNever();
        b.Property(j => j.Kind).HasConversion<string>().HasMaxLength(20);
        b.Property(j => j.FileName).HasMaxLength(ImportJob.FileNameMaxLength);
        b.Property(j => j.FileKey).HasMaxLength(ImportJob.FileKeyMaxLength);
        b.Property(j => j.UserName).HasMaxLength(UserAccount.UserNameMaxLength);
        b.Property(j => j.ScopeLevel).HasConversion<string>().HasMaxLength(20);
        b.Property(j => j.State).HasConversion<string>().HasMaxLength(20);
        b.Property(j => j.Message).HasMaxLength(ImportJob.MessageMaxLength);
        b.Property(j => j.ClaimedBy).HasMaxLength(ImportJob.NodeMaxLength);
        b.Ignore(j => j.Scope);
        // The full error list as JSON text: written once when a file is refused, read only for the error report.
        b.Property(j => j.Errors).HasConversion(
            v => ToJson(v),
            v => FromJson(v),
            new Microsoft.EntityFrameworkCore.ChangeTracking.ValueComparer<IReadOnlyList<ImportError>>(
                (x, y) => ReferenceEquals(x, y) || (x != null && y != null && x.SequenceEqual(y)),
                v => v.Count,
                v => v.ToList()));
        // The workers look for open jobs; the clean-up for finished ones past their hour.
        b.HasIndex(j => new { j.State, j.ClaimedUntil });
        b.HasIndex(j => j.FinishedAt);
    }

    static string ToJson(IReadOnlyList<ImportError> errors) => System.Text.Json.JsonSerializer.Serialize(errors, Json);

    static IReadOnlyList<ImportError> FromJson(string json) =>
        System.Text.Json.JsonSerializer.Deserialize<List<ImportError>>(json, Json) ?? [];
}

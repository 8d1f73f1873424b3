using Linli.Domain.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Linli.Infrastructure.Persistence.Configurations;

sealed class CaseCategoryConfiguration : IEntityTypeConfiguration<CaseCategory>
{
    public void Configure(EntityTypeBuilder<CaseCategory> b)
    {
        b.ToTable("case_categories");
        b.Property(c => c.Code).HasMaxLength(CaseCategory.CodeMaxLength);
        b.Property(c => c.Name).HasMaxLength(CaseCategory.NameMaxLength);
        b.Property(c => c.Group).HasMaxLength(CaseCategory.GroupMaxLength);
        b.Property(c => c.Description).HasMaxLength(CaseCategory.DescriptionMaxLength);
        b.Property(c => c.NameEn).HasMaxLength(CaseCategory.NameMaxLength);
        b.Property(c => c.GroupEn).HasMaxLength(CaseCategory.GroupMaxLength);
        b.Property(c => c.DescriptionEn).HasMaxLength(CaseCategory.DescriptionMaxLength);
        b.Property(c => c.DefaultKind).HasConversion<string>().HasMaxLength(20);
        b.Property(c => c.Level).HasConversion<string>().HasMaxLength(20);
        b.Property(c => c.Mode).HasConversion<string>().HasMaxLength(20);
        b.HasIndex(c => c.Code).IsUnique();
    }
}

sealed class CaseConfiguration : IEntityTypeConfiguration<Case>
{
    public void Configure(EntityTypeBuilder<Case> b)
    {
        b.ToTable("cases");
        b.Property(c => c.Kind).HasConversion<string>().HasMaxLength(20);
        b.Property(c => c.Source).HasConversion<string>().HasMaxLength(20);
        b.Property(c => c.Status).HasConversion<string>().HasMaxLength(20);
        b.Property(c => c.Level).HasConversion<string>().HasMaxLength(20);
        b.Property(c => c.Mode).HasConversion<string>().HasMaxLength(20);
        b.Property(c => c.Title).HasMaxLength(Case.TitleMaxLength);
        b.Property(c => c.Description).HasMaxLength(Case.DescriptionMaxLength);
        b.Property(c => c.Address).HasMaxLength(Case.AddressMaxLength);
        b.Property(c => c.AssigneeName).HasMaxLength(Case.NameMaxLength);
        b.Property(c => c.ReporterName).HasMaxLength(Case.NameMaxLength);
        b.Property(c => c.ReporterPhoneMasked).HasMaxLength(20);
        b.Property(c => c.ReporterPhoneProtected).HasMaxLength(200);
        b.Property(c => c.ExternalClient).HasMaxLength(60);
        b.Property(c => c.Resolution).HasMaxLength(Case.NoteMaxLength);
        b.Property(c => c.RejectReason).HasMaxLength(Case.NoteMaxLength);
        b.Property(c => c.RatingComment).HasMaxLength(Case.NoteMaxLength);
        b.Property(c => c.Version).IsConcurrencyToken();
        b.HasOne<CaseCategory>().WithMany().HasForeignKey(c => c.CategoryId).OnDelete(DeleteBehavior.Restrict);
        b.HasMany(c => c.Events).WithOne(e => e.Case).HasForeignKey(e => e.CaseId).OnDelete(DeleteBehavior.Cascade);
        b.Navigation(c => c.Events).UsePropertyAccessMode(PropertyAccessMode.Field);
        b.HasMany(c => c.Timers).WithOne(t => t.Case).HasForeignKey(t => t.CaseId).OnDelete(DeleteBehavior.Cascade);
        b.Navigation(c => c.Timers).UsePropertyAccessMode(PropertyAccessMode.Field);
        b.HasMany<CaseFollower>().WithOne().HasForeignKey(f => f.CaseId).OnDelete(DeleteBehavior.Cascade);

        // Staff queues: scope key, then finished or not, then the deadline the queue sorts by (overdue first).
        b.HasIndex(c => new { c.CommunityId, c.Finished, c.ResolutionDueAt });
        b.HasIndex(c => new { c.StreetId, c.Finished, c.ResolutionDueAt });
        b.HasIndex(c => new { c.DistrictId, c.Finished, c.ResolutionDueAt });
        b.HasIndex(c => new { c.GridId, c.Finished, c.ResolutionDueAt });
        // Migration 0009, measured on a million cases. A queue filtered by category: without these both databases went
        // through the category index (170,000 rows for the commonest one) to count a street's open cases of that category.
        // A grid's few hundred open cases are filtered quickly enough without one (and every index costs each new case).
        b.HasIndex(c => new { c.CommunityId, c.Finished, c.CategoryId, c.ResolutionDueAt });
        b.HasIndex(c => new { c.StreetId, c.Finished, c.CategoryId, c.ResolutionDueAt });
        b.HasIndex(c => new { c.DistrictId, c.Finished, c.CategoryId, c.ResolutionDueAt });
        // Finished cases, newest first: without these every closed case of the area was read and sorted (over a second for
        // a street).
        b.HasIndex(c => new { c.CommunityId, c.Finished, c.ReportedAt });
        b.HasIndex(c => new { c.StreetId, c.Finished, c.ReportedAt });
        b.HasIndex(c => new { c.DistrictId, c.Finished, c.ReportedAt });
        b.HasIndex(c => new { c.GridId, c.Finished, c.ReportedAt });
        // "My cases" and the daily limit per account.
        b.HasIndex(c => new { c.ReporterRoomId, c.ReportedAt });
        b.HasIndex(c => new { c.ReporterUserId, c.ReportedAt });
        b.HasIndex(c => new { c.AssigneeUserId, c.Status });
        // Similar open reports in the same building.
        b.HasIndex(c => new { c.BuildingId, c.CategoryId, c.ReportedAt });
        // Statistics: the cases reported in a period, within the caller's scope (a district reads the plain ReportedAt index).
        b.HasIndex(c => new { c.CommunityId, c.ReportedAt });
        b.HasIndex(c => new { c.StreetId, c.ReportedAt });
    }
}

sealed class CaseEventConfiguration : IEntityTypeConfiguration<CaseEvent>
{
    public void Configure(EntityTypeBuilder<CaseEvent> b)
    {
        b.ToTable("case_events");
        b.Property(e => e.Kind).HasConversion<string>().HasMaxLength(30);
        b.Property(e => e.FromStatus).HasConversion<string>().HasMaxLength(20);
        b.Property(e => e.ToStatus).HasConversion<string>().HasMaxLength(20);
        b.Property(e => e.ActorName).HasMaxLength(Case.NameMaxLength);
        b.Property(e => e.Note).HasMaxLength(Case.NoteMaxLength + 60);
        b.Property(e => e.Subject).HasMaxLength(Case.NameMaxLength);
        b.HasIndex(e => new { e.CaseId, e.At });
    }
}

sealed class CaseTimerConfiguration : IEntityTypeConfiguration<CaseTimer>
{
    public void Configure(EntityTypeBuilder<CaseTimer> b)
    {
        b.ToTable("case_timers");
        b.Property(t => t.Kind).HasConversion<string>().HasMaxLength(20);
        b.HasIndex(t => t.DueAt);
    }
}

sealed class CaseFollowerConfiguration : IEntityTypeConfiguration<CaseFollower>
{
    public void Configure(EntityTypeBuilder<CaseFollower> b)
    {
        b.ToTable("case_followers");
        b.HasIndex(f => new { f.CaseId, f.UserId }).IsUnique();
        b.HasIndex(f => f.RoomId);
    }
}

sealed class CaseAttachmentConfiguration : IEntityTypeConfiguration<CaseAttachment>
{
    public void Configure(EntityTypeBuilder<CaseAttachment> b)
    {
        b.ToTable("case_attachments");
        b.Property(a => a.Stage).HasConversion<string>().HasMaxLength(20);
        b.Property(a => a.StoragePath).HasMaxLength(CaseAttachment.PathMaxLength);
        b.Property(a => a.ContentType).HasMaxLength(40);
        b.HasOne<Case>().WithMany().HasForeignKey(a => a.CaseId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(a => a.CaseId);
    }
}

using Linli.Domain.Cases;
using Linli.Domain.Exchange;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Linli.Infrastructure.Persistence.Configurations;

sealed class Open311ClientConfiguration : IEntityTypeConfiguration<Open311Client>
{
    public void Configure(EntityTypeBuilder<Open311Client> b)
    {
        b.ToTable("open311_clients");
        b.Property(c => c.Name).HasMaxLength(Open311Client.NameMaxLength);
        b.Property(c => c.KeyHash).HasMaxLength(64);
        b.Property(c => c.KeyPrefix).HasMaxLength(Open311Client.KeyPrefixLength);
        // Every POST looks its key up by hash.
        b.HasIndex(c => c.KeyHash).IsUnique();
    }
}

sealed class Open311SubmissionConfiguration : IEntityTypeConfiguration<Open311Submission>
{
    public void Configure(EntityTypeBuilder<Open311Submission> b)
    {
        b.ToTable("open311_submissions");
        b.HasKey(s => s.CaseId);
        b.Property(s => s.CaseId).ValueGeneratedNever();
        b.Property(s => s.AccountId).HasMaxLength(Open311Submission.AccountIdMaxLength);
        b.Property(s => s.MediaUrl).HasMaxLength(Open311Submission.MediaUrlMaxLength);
        b.HasOne<Case>().WithOne().HasForeignKey<Open311Submission>(s => s.CaseId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Open311Client>().WithMany().HasForeignKey(s => s.ClientId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(s => s.ClientId);
    }
}

/// <summary>
/// Open311's public list reads cases of the whole installation by requested_datetime, newest first: without this index a
/// district's years of cases would be scanned and sorted for every anonymous request.
/// </summary>
sealed class CaseOpen311Configuration : IEntityTypeConfiguration<Case>
{
    public void Configure(EntityTypeBuilder<Case> b) => b.HasIndex(c => c.ReportedAt).HasDatabaseName("IX_cases_ReportedAt");
}

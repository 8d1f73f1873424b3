using Linli.Domain.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Linli.Infrastructure.Persistence.Configurations;

sealed class UserAccountConfiguration : IEntityTypeConfiguration<UserAccount>
{
    public void Configure(EntityTypeBuilder<UserAccount> b)
    {
        b.ToTable("users");
        b.Property(u => u.UserName).HasMaxLength(UserAccount.UserNameMaxLength);
        b.Property(u => u.DisplayName).HasMaxLength(60);
        b.Property(u => u.PasswordHash).HasMaxLength(200);
        b.Property(u => u.Role).HasConversion<string>().HasMaxLength(30);
        b.Property(u => u.PhoneIndex).HasMaxLength(64);
        b.Property(u => u.PhoneProtected).HasMaxLength(200);
        b.HasIndex(u => u.UserName).IsUnique();
        b.HasIndex(u => u.PhoneIndex);
    }
}

sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> b)
    {
        b.ToTable("audit_entries");
        b.Property(a => a.UserName).HasMaxLength(UserAccount.UserNameMaxLength);
        b.Property(a => a.Action).HasMaxLength(40);
        b.Property(a => a.SubjectType).HasMaxLength(40);
        b.Property(a => a.Detail).HasMaxLength(400);
        b.HasIndex(a => a.At);
        b.HasIndex(a => new { a.SubjectType, a.SubjectId });
        b.HasIndex(a => a.CommunityId);
        b.HasIndex(a => a.StreetId);
    }
}

sealed class OneTimeCodeConfiguration : IEntityTypeConfiguration<OneTimeCode>
{
    public void Configure(EntityTypeBuilder<OneTimeCode> b)
    {
        b.ToTable("one_time_codes");
        b.Property(c => c.PhoneIndex).HasMaxLength(64);
        b.Property(c => c.CodeHash).HasMaxLength(64);
        b.HasIndex(c => c.PhoneIndex);
    }
}

sealed class DataProtectionKeyConfiguration : IEntityTypeConfiguration<DataProtectionKey>
{
    public void Configure(EntityTypeBuilder<DataProtectionKey> b)
    {
        b.ToTable("data_protection_keys");
        b.Property(k => k.FriendlyName).HasMaxLength(100);
    }
}

sealed class SignInWindowConfiguration : IEntityTypeConfiguration<SignInWindow>
{
    public void Configure(EntityTypeBuilder<SignInWindow> b)
    {
        b.ToTable("sign_in_windows");
        b.HasKey(w => new { w.Client, w.WindowStart });
        b.Property(w => w.Client).HasMaxLength(Linli.Application.Identity.SignInLimits.ClientMaxLength);
        b.HasIndex(w => w.WindowStart);
    }
}

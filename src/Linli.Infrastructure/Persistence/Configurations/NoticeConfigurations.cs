using Linli.Domain.Identity;
using Linli.Domain.Notices;
using Linli.Domain.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Linli.Infrastructure.Persistence.Configurations;

sealed class NoticeConfiguration : IEntityTypeConfiguration<Notice>
{
    public void Configure(EntityTypeBuilder<Notice> b)
    {
        b.ToTable("notices");
        b.Property(n => n.Title).HasMaxLength(Notice.TitleMaxLength);
        b.Property(n => n.Body).HasMaxLength(Notice.BodyMaxLength);
        b.Property(n => n.FromName).HasMaxLength(Notice.NameMaxLength);
        b.Property(n => n.AuthorName).HasMaxLength(Notice.NameMaxLength);
        // Flags stay numbers: the filters test them with bitwise AND.
        b.Property(n => n.Groups).HasConversion<int>();
        b.HasOne<HierarchyNode>().WithMany().HasForeignKey(n => n.NodeId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<UserAccount>().WithMany().HasForeignKey(n => n.AuthorId).OnDelete(DeleteBehavior.Restrict);
        b.OwnsMany(n => n.Buildings, o =>
        {
            o.ToTable("notice_buildings");
            o.WithOwner().HasForeignKey("NoticeId");
            o.HasKey("NoticeId", nameof(NoticeBuilding.BuildingId));
            o.HasOne<Building>().WithMany().HasForeignKey(x => x.BuildingId).OnDelete(DeleteBehavior.Restrict);
            o.HasIndex(x => x.BuildingId);
        });
        b.Navigation(n => n.Buildings).UsePropertyAccessMode(PropertyAccessMode.Field);
        // "Sent to me" asks for one district and a time range; the scope keys serve the area lists.
        b.HasIndex(n => new { n.DistrictId, n.PublishAt });
        ScopeColumns.Configure(b);
    }
}

sealed class NoticeReadConfiguration : IEntityTypeConfiguration<NoticeRead>
{
    public void Configure(EntityTypeBuilder<NoticeRead> b)
    {
        b.ToTable("notice_reads");
        b.HasOne<Notice>().WithMany().HasForeignKey(r => r.NoticeId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<UserAccount>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Restrict);
        // One receipt per account and notice: a second open of the notice is not a second read.
        b.HasIndex(r => new { r.NoticeId, r.UserId }).IsUnique();
        // "Has anyone in this room read it?" for every targeted room of a receipt or a door-knocking list.
        b.HasIndex(r => new { r.NoticeId, r.RoomId });
    }
}

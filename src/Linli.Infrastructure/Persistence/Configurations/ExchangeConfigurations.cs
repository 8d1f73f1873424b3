using Linli.Domain.Exchange;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Linli.Infrastructure.Persistence.Configurations;

sealed class HierarchyLinkConfiguration : IEntityTypeConfiguration<HierarchyLink>
{
    public void Configure(EntityTypeBuilder<HierarchyLink> b)
    {
        b.ToTable("hierarchy_links");
        b.HasKey(l => l.Name);
        b.Property(l => l.Name).HasMaxLength(HierarchyLink.NameMaxLength);
        b.Property(l => l.PushingBy).HasMaxLength(HierarchyLink.NodeMaxLength);
    }
}

sealed class UpstreamPushConfiguration : IEntityTypeConfiguration<UpstreamPush>
{
    public void Configure(EntityTypeBuilder<UpstreamPush> b)
    {
        b.ToTable("upstream_pushes");
        b.Property(p => p.MessageId).HasMaxLength(UpstreamPush.MessageIdMaxLength);
        b.Property(p => p.Type).HasMaxLength(UpstreamPush.TypeMaxLength);
        b.Property(p => p.Subject).HasMaxLength(UpstreamPush.SubjectMaxLength);
        b.Property(p => p.LastError).HasMaxLength(UpstreamPush.ErrorMaxLength);
        // Each message once: a redelivered event finds its row by the id derived from it.
        b.HasIndex(p => p.MessageId).IsUnique();
        // The dispatcher reads what is not delivered yet, in the order it was written.
        b.HasIndex(p => new { p.DeliveredAt, p.Id });
        b.HasIndex(p => new { p.DistrictId, p.StreetId, p.CommunityId });
    }
}

sealed class InboundMessageConfiguration : IEntityTypeConfiguration<InboundMessage>
{
    public void Configure(EntityTypeBuilder<InboundMessage> b)
    {
        b.ToTable("inbound_messages");
        b.HasKey(m => m.MessageId);
        b.Property(m => m.MessageId).HasMaxLength(InboundMessage.MessageIdMaxLength);
        b.Property(m => m.Type).HasMaxLength(20);
        b.Property(m => m.Reference).HasMaxLength(InboundMessage.ReferenceMaxLength);
        b.Property(m => m.BodyHash).HasMaxLength(64);
        // A case's change asks whether the case is a task from above, to send its reference back with the outcome.
        b.HasIndex(m => m.CaseId);
        b.HasIndex(m => new { m.DistrictId, m.StreetId, m.CommunityId });
    }
}

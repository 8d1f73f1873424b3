using Linli.Domain.Alarms;
using Linli.Domain.Devices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Linli.Infrastructure.Persistence.Configurations;

sealed class DeviceConfiguration : IEntityTypeConfiguration<Device>
{
    public void Configure(EntityTypeBuilder<Device> b)
    {
        b.ToTable("devices");
        b.Property(d => d.Code).HasMaxLength(Device.CodeMaxLength);
        b.Property(d => d.Name).HasMaxLength(Device.NameMaxLength);
        b.Property(d => d.Type).HasConversion<string>().HasMaxLength(30);
        b.Property(d => d.Health).HasConversion<string>().HasMaxLength(20);
        b.Property(d => d.SecretHash).HasMaxLength(64);
        b.Property(d => d.LastRejectReason).HasMaxLength(Device.ReasonMaxLength);
        b.Property(d => d.OwnerNode).HasMaxLength(Device.NodeMaxLength);
        b.HasIndex(d => d.Code).IsUnique();
        b.HasIndex(d => new { d.CommunityId, d.Type });
        b.HasIndex(d => new { d.GridId, d.Type });
        b.HasIndex(d => d.RoomId);
        b.HasIndex(d => new { d.StreetId, d.Health });
        b.HasIndex(d => new { d.DistrictId, d.Health });
    }
}

sealed class StoredReadingConfiguration : IEntityTypeConfiguration<StoredReading>
{
    public void Configure(EntityTypeBuilder<StoredReading> b)
    {
        b.ToTable("device_readings");
        b.Property(r => r.Metric).HasMaxLength(DeviceMessage.MetricMaxLength);
        b.Property(r => r.Text).HasMaxLength(DeviceMessage.TextMaxLength);
        // One index only: every index is paid for on each of tens of thousands of inserts a second. It serves the charts
        // (a device's metric over time), the welfare check (a room's devices' latest activity) and the hourly roll-up.
        b.HasIndex(r => new { r.DeviceId, r.Metric, r.At });
        // No foreign key to devices for the same reason; readings of a removed device are dropped by retention.
    }
}

sealed class ReadingHourConfiguration : IEntityTypeConfiguration<ReadingHour>
{
    public void Configure(EntityTypeBuilder<ReadingHour> b)
    {
        b.ToTable("device_reading_hours");
        b.HasKey(h => new { h.DeviceId, h.Metric, h.Hour });
        b.Property(h => h.Metric).HasMaxLength(DeviceMessage.MetricMaxLength);
        b.Ignore(h => h.Average);
        b.HasIndex(h => h.Hour);
    }
}

sealed class AlarmRuleConfiguration : IEntityTypeConfiguration<AlarmRule>
{
    public void Configure(EntityTypeBuilder<AlarmRule> b)
    {
        b.ToTable("alarm_rules");
        b.Property(r => r.Name).HasMaxLength(AlarmRule.NameMaxLength);
        b.Property(r => r.Kind).HasConversion<string>().HasMaxLength(20);
        b.Property(r => r.Severity).HasConversion<string>().HasMaxLength(20);
        b.Property(r => r.DeviceType).HasConversion<string>().HasMaxLength(30);
        b.Property(r => r.ConditionJson).HasMaxLength(AlarmRule.ConditionMaxLength);
        b.Property(r => r.Version).IsConcurrencyToken();
        b.Ignore(r => r.Condition);
        b.HasIndex(r => new { r.DistrictId, r.StreetId, r.CommunityId });
    }
}

sealed class AlarmConfiguration : IEntityTypeConfiguration<Alarm>
{
    public void Configure(EntityTypeBuilder<Alarm> b)
    {
        b.ToTable("alarms");
        b.Property(a => a.Kind).HasConversion<string>().HasMaxLength(20);
        b.Property(a => a.Severity).HasConversion<string>().HasMaxLength(20);
        b.Property(a => a.Status).HasConversion<string>().HasMaxLength(20);
        b.Property(a => a.Level).HasConversion<string>().HasMaxLength(20);
        b.Property(a => a.Title).HasMaxLength(Alarm.TitleMaxLength);
        b.Property(a => a.Detail).HasMaxLength(Alarm.DetailMaxLength);
        b.Property(a => a.PlaceLabel).HasMaxLength(Alarm.PlaceMaxLength);
        b.Property(a => a.AcknowledgedBy).HasMaxLength(60);
        b.Property(a => a.AssignedName).HasMaxLength(60);
        b.Property(a => a.ClosedBy).HasMaxLength(60);
        b.Property(a => a.Version).IsConcurrencyToken();
        b.Ignore(a => a.ConcernsAPerson);
        b.Ignore(a => a.NeedsAcknowledgement);
        b.HasMany(a => a.Events).WithOne().HasForeignKey(e => e.AlarmId).OnDelete(DeleteBehavior.Cascade);
        b.Navigation(a => a.Events).UsePropertyAccessMode(PropertyAccessMode.Field);
        b.HasMany(a => a.Timers).WithOne().HasForeignKey(t => t.AlarmId).OnDelete(DeleteBehavior.Cascade);
        b.Navigation(a => a.Timers).UsePropertyAccessMode(PropertyAccessMode.Field);
        // One open alarm per rule and device, enforced by the database so two nodes cannot both open one.
        b.HasIndex(a => new { a.RuleId, a.DeviceId }).IsUnique().HasFilter("\"Open\"");
        b.HasIndex(a => new { a.CommunityId, a.Open, a.RaisedAt });
        b.HasIndex(a => new { a.StreetId, a.Open, a.RaisedAt });
        b.HasIndex(a => new { a.DistrictId, a.Open, a.RaisedAt });
        b.HasIndex(a => new { a.GridId, a.Open, a.RaisedAt });
        b.HasIndex(a => new { a.RoomId, a.RaisedAt });
        b.HasIndex(a => new { a.DeviceId, a.RaisedAt });
    }
}

sealed class AlarmEventConfiguration : IEntityTypeConfiguration<AlarmEvent>
{
    public void Configure(EntityTypeBuilder<AlarmEvent> b)
    {
        b.ToTable("alarm_events");
        b.Property(e => e.Kind).HasConversion<string>().HasMaxLength(20);
        b.Property(e => e.ActorName).HasMaxLength(60);
        b.Property(e => e.Note).HasMaxLength(Alarm.NoteMaxLength);
        b.HasIndex(e => new { e.AlarmId, e.At });
    }
}

sealed class AlarmTimerConfiguration : IEntityTypeConfiguration<AlarmTimer>
{
    public void Configure(EntityTypeBuilder<AlarmTimer> b)
    {
        b.ToTable("alarm_timers");
        b.HasIndex(t => t.DueAt);
    }
}

sealed class NotificationPreferenceConfiguration : IEntityTypeConfiguration<NotificationPreference>
{
    public void Configure(EntityTypeBuilder<NotificationPreference> b)
    {
        b.ToTable("notification_preferences");
        b.HasKey(p => p.UserId);
        b.Property(p => p.UserId).ValueGeneratedNever();
        b.Property(p => p.LiveMinSeverity).HasConversion<string>().HasMaxLength(20);
        b.Property(p => p.SmsMinSeverity).HasConversion<string>().HasMaxLength(20);
        b.Property(p => p.MutedKinds).HasMaxLength(NotificationPreference.MutedKindsMaxLength);
        b.Ignore(p => p.Muted);
    }
}

sealed class WebhookConfiguration : IEntityTypeConfiguration<Webhook>
{
    public void Configure(EntityTypeBuilder<Webhook> b)
    {
        b.ToTable("webhooks");
        b.Property(w => w.Name).HasMaxLength(Webhook.NameMaxLength);
        b.Property(w => w.Url).HasMaxLength(Webhook.UrlMaxLength);
        b.Property(w => w.SecretProtected).HasMaxLength(400);
        b.Property(w => w.MinSeverity).HasConversion<string>().HasMaxLength(20);
        b.Property(w => w.LastError).HasMaxLength(200);
        b.Property(w => w.DeliveringBy).HasMaxLength(Webhook.NodeMaxLength);
        b.HasIndex(w => new { w.DistrictId, w.StreetId, w.CommunityId });
    }
}

sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> b)
    {
        b.ToTable("webhook_deliveries");
        b.Property(d => d.EventType).HasMaxLength(40);
        b.Property(d => d.LastError).HasMaxLength(200);
        b.Ignore(d => d.GaveUp);
        b.HasOne<Webhook>().WithMany().HasForeignKey(d => d.WebhookId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(d => new { d.DeliveredAt, d.NextAttemptAt });
        b.HasIndex(d => new { d.WebhookId, d.CreatedAt });
    }
}

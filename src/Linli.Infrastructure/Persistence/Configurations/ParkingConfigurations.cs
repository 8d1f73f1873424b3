using System.Globalization;
using System.Text.Json;
using Linli.Domain.Parking;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Linli.Infrastructure.Persistence.Configurations;

sealed class ParkingLotConfiguration : IEntityTypeConfiguration<ParkingLot>
{
    public void Configure(EntityTypeBuilder<ParkingLot> b)
    {
        b.ToTable("parking_lots");
        b.Property(l => l.Code).HasMaxLength(ParkingLot.CodeMaxLength);
        b.Property(l => l.Name).HasMaxLength(ParkingLot.NameMaxLength);
        b.Property(l => l.UnpaidExit).HasConversion<string>().HasMaxLength(10);
        b.Property<List<TariffVersion>>("_tariffs").HasColumnName("Tariffs").HasConversion(TariffsJson.Converter, TariffsJson.Comparer).IsRequired();
        b.Ignore(l => l.Schedule);
        // A barrier names its lot by code within its own community.
        b.HasIndex(l => new { l.CommunityId, l.Code }).IsUnique();
    }
}

sealed class ParkingSpaceConfiguration : IEntityTypeConfiguration<ParkingSpace>
{
    public void Configure(EntityTypeBuilder<ParkingSpace> b)
    {
        b.ToTable("parking_spaces");
        b.Property(s => s.Number).HasMaxLength(ParkingSpace.NumberMaxLength);
        b.Property(s => s.Kind).HasConversion<string>().HasMaxLength(10);
        // A primitive collection (a JSON array on SQLite, an array on PostgreSQL): the barrier and the household's filter ask
        // "is this plate on a space" in SQL.
        b.PrimitiveCollection(s => s.Plates).HasField("_plates").UsePropertyAccessMode(PropertyAccessMode.Field)
            .ElementType(e => e.HasMaxLength(ParkingSession.PlateMaxLength)).IsRequired();
        b.HasIndex(s => new { s.LotId, s.Number }).IsUnique();
        b.HasIndex(s => s.ResidentId);
    }
}

sealed class MonthlyPassConfiguration : IEntityTypeConfiguration<MonthlyPass>
{
    public void Configure(EntityTypeBuilder<MonthlyPass> b)
    {
        b.ToTable("monthly_passes");
        b.Property(p => p.Plate).HasMaxLength(ParkingSession.PlateMaxLength);
        b.Property(p => p.Price).HasPrecision(18, 2);
        b.HasIndex(p => new { p.LotId, p.Plate });
        b.HasIndex(p => p.ResidentId);
    }
}

sealed class PlateListEntryConfiguration : IEntityTypeConfiguration<PlateListEntry>
{
    public void Configure(EntityTypeBuilder<PlateListEntry> b)
    {
        b.ToTable("parking_plate_lists");
        b.Property(e => e.Plate).HasMaxLength(ParkingSession.PlateMaxLength);
        b.Property(e => e.List).HasConversion<string>().HasMaxLength(10);
        b.Property(e => e.Reason).HasMaxLength(PlateListEntry.ReasonMaxLength);
        b.HasIndex(e => new { e.LotId, e.Plate });
    }
}

sealed class ParkingSessionConfiguration : IEntityTypeConfiguration<ParkingSession>
{
    /// <summary>The index that keeps one stay inside per plate and lot, whatever two barrier requests race.</summary>
    public const string OneInsidePerPlate = "IX_parking_sessions_inside_LotId_Plate";

    public void Configure(EntityTypeBuilder<ParkingSession> b)
    {
        b.ToTable("parking_sessions");
        b.Property(s => s.Plate).HasMaxLength(ParkingSession.PlateMaxLength);
        b.Property(s => s.Kind).HasConversion<string>().HasMaxLength(12);
        b.Property(s => s.State).HasConversion<string>().HasMaxLength(6);
        b.Property(s => s.Charged).HasPrecision(18, 2);
        b.Property(s => s.Due).HasPrecision(18, 2);
        b.Property<List<ParkingPayment>>("_payments").HasColumnName("Payments").HasConversion(PaymentsJson.Converter, PaymentsJson.Comparer).IsRequired();
        b.Ignore(s => s.Payments);
        b.Ignore(s => s.Paid);
        b.Ignore(s => s.HasPendingEvents);
        b.HasIndex(s => new { s.LotId, s.Plate }, OneInsidePerPlate).IsUnique().HasFilter("\"State\" <> 'Closed'");
        // Occupancy counts the stays inside of a lot by kind; the lists read a lot's, a plate's or an area's stays by time.
        b.HasIndex(s => new { s.LotId, s.State, s.Kind });
        b.HasIndex(s => new { s.LotId, s.EntryAt });
        b.HasIndex(s => new { s.Plate, s.EntryAt });
        b.HasIndex(s => new { s.CommunityId, s.EntryAt });
    }
}

/// <summary>
/// A lot's tariff versions as one JSON column, read with the lot and never queried into. The shape is ours, not the
/// domain's records serialized as they are, so renaming a property does not change what is stored.
/// </summary>
static class TariffsJson
{
    sealed record StoredNight(string From, string Until, decimal Price, bool Flat);

    sealed record Stored(string From, int FreeMinutes, decimal DayPricePerHour, StoredNight? Night, decimal? DailyCap, int GraceMinutes);

    static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public static readonly ValueConverter<List<TariffVersion>, string> Converter = new(v => Write(v), s => Read(s));

    public static readonly ValueComparer<List<TariffVersion>> Comparer = new(
        (a, b) => a != null && b != null && a.SequenceEqual(b),
        v => v.Aggregate(0, (h, x) => HashCode.Combine(h, x.GetHashCode())),
        v => v.ToList());

    static string Write(List<TariffVersion> versions) => JsonSerializer.Serialize(versions.Select(v => new Stored(
        Instants.Write(v.EffectiveFrom), v.Tariff.FreeMinutes, v.Tariff.DayPricePerHour,
        v.Tariff.Night is { } n ? new StoredNight(n.From.ToString("HH:mm", CultureInfo.InvariantCulture), n.Until.ToString("HH:mm", CultureInfo.InvariantCulture), n.Price, n.IsFlat) : null,
        v.Tariff.DailyCap, v.Tariff.GraceMinutes)).ToList(), Options);

    static List<TariffVersion> Read(string json) => (JsonSerializer.Deserialize<List<Stored>>(json, Options) ?? []).Select(s => new TariffVersion(
        Instants.Read(s.From),
        new ParkingTariff(s.FreeMinutes, s.DayPricePerHour, s.Night is not { } n ? null : n.Flat
            ? NightRate.Flat(Time(n.From), Time(n.Until), n.Price)
            : NightRate.PerHour(Time(n.From), Time(n.Until), n.Price), s.DailyCap, s.GraceMinutes))).ToList();

    static TimeOnly Time(string text) => TimeOnly.ParseExact(text, "HH:mm", CultureInfo.InvariantCulture);
}

/// <summary>A stay's payments as one JSON column: when, and how much.</summary>
static class PaymentsJson
{
    sealed record Stored(string At, decimal Amount);

    public static readonly ValueConverter<List<ParkingPayment>, string> Converter = new(p => Write(p), s => Read(s));

    public static readonly ValueComparer<List<ParkingPayment>> Comparer = new(
        (a, b) => a != null && b != null && a.SequenceEqual(b),
        p => p.Aggregate(0, (h, x) => HashCode.Combine(h, x.GetHashCode())),
        p => p.ToList());

    static string Write(List<ParkingPayment> payments) =>
        JsonSerializer.Serialize(payments.Select(p => new Stored(Instants.Write(p.At), p.Amount)).ToList(), JsonSerializerOptions.Web);

    static List<ParkingPayment> Read(string json) =>
        (JsonSerializer.Deserialize<List<Stored>>(json, JsonSerializerOptions.Web) ?? []).Select(s => new ParkingPayment(Instants.Read(s.At), s.Amount)).ToList();
}

/// <summary>Instants inside JSON columns: UTC, to the tick, so what is read back equals what was written.</summary>
static class Instants
{
    public static string Write(DateTimeOffset at) => at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset Read(string text) => DateTimeOffset.ParseExact(text, "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}

using System.Globalization;
using Linli.Domain.Registry;

namespace Linli.Application.Registry;

/// <summary>
/// Valid resident import files of any size, for tests, benchmarks and demos. Same arguments, same file. ID card numbers
/// use a region code derived from the seed that the demo seeder never uses, so files with different seeds do not
/// collide with each other or with the seeded people.
/// </summary>
public static class ImportSamples
{
    /// <summary>An existing room, written the way an import file names it.</summary>
    public sealed record RoomAddress(string Building, int Unit, string Room);

    static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "郑"];
    const string GivenChars = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍建国志强红梅";
    static readonly string[] Labels = ["独居", "党员", "退役军人", "低保", "残疾"];

    /// <summary>
    /// Rooms every building of the seeded districts has (unit 1, floors 1–6, doors 01–02): enough addresses for a sample
    /// without asking the database.
    /// </summary>
    public static IReadOnlyList<RoomAddress> StandardRooms(IEnumerable<string> buildingNames)
    {
        ArgumentNullException.ThrowIfNull(buildingNames);
        return buildingNames.SelectMany(b => Enumerable.Range(1, 6).SelectMany(f => new[] { 1, 2 }.Select(d => new RoomAddress(b, 1, $"{f}{d:00}")))).ToList();
    }

    /// <summary>Writes <paramref name="count"/> valid resident rows, spread over <paramref name="rooms"/>, with the template's headers.</summary>
    public static void WriteResidents(Stream output, TableFormat format, int count, IReadOnlyList<RoomAddress> rooms, int seed)
    {
        ArgumentNullException.ThrowIfNull(rooms);
        if (rooms.Count == 0) throw new ArgumentException("At least one room is needed.", nameof(rooms));
        using var writer = TableWriter.Create(format, output, "居民 residents", ImportColumns.Residents.Select(c => c.TemplateHeader).ToList(), textColumns: true);
        foreach (var row in ResidentRows(count, rooms, seed)) writer.WriteRow(row);
    }

    public static byte[] Residents(TableFormat format, int count, IReadOnlyList<RoomAddress> rooms, int seed)
    {
        using var buffer = new MemoryStream();
        WriteResidents(buffer, format, count, rooms, seed);
        return buffer.ToArray();
    }

    /// <summary>The rows in template column order: name, ID, phone, building, unit, room, relation, moved in, lease end, labels, contact, contact phone.</summary>
    public static IEnumerable<object?[]> ResidentRows(int count, IReadOnlyList<RoomAddress> rooms, int seed)
    {
        ArgumentNullException.ThrowIfNull(rooms);
        var rng = new Random(seed);
        var region = "44" + (Math.Abs(seed) % 10_000).ToString("0000", CultureInfo.InvariantCulture);
        var usedIds = new HashSet<string>(StringComparer.Ordinal);
        var inv = CultureInfo.InvariantCulture;
        for (var i = 0; i < count; i++)
        {
            var room = rooms[i % rooms.Count];
            string id;
            do
            {
                var born = new DateOnly(1940, 1, 1).AddDays(rng.Next(0, 365 * 68));
                var first17 = $"{region}{born:yyyyMMdd}{rng.Next(0, 1000):000}";
                id = first17 + IdCardNumber.CheckCharacter(first17);
            }
            while (!usedIds.Add(id));
            var name = Surnames[rng.Next(Surnames.Length)] + GivenChars[rng.Next(GivenChars.Length)] + (rng.Next(2) == 0 ? "" : GivenChars[rng.Next(GivenChars.Length)].ToString());
            var phone = $"13{rng.Next(0, 10)}{rng.Next(0, 100_000_000):00000000}";
            // The first pass over the rooms brings owners, later passes their families; every tenth person rents.
            var tenant = i % 10 == 9;
            var relation = tenant ? "租户" : i < rooms.Count ? "业主" : "家属";
            var movedIn = new DateOnly(2015, 1, 1).AddDays(rng.Next(0, 365 * 10));
            var leaseEnd = tenant ? movedIn.AddYears(2) : (DateOnly?)null;
            var labels = rng.NextDouble() < 0.1 ? Labels[rng.Next(Labels.Length)] : null;
            var contact = rng.NextDouble() < 0.3;
            yield return
            [
                name, id, phone, room.Building, room.Unit.ToString(inv), room.Room, relation, movedIn.ToString("yyyy-MM-dd", inv),
                leaseEnd?.ToString("yyyy-MM-dd", inv), labels,
                contact ? Surnames[rng.Next(Surnames.Length)] + GivenChars[rng.Next(GivenChars.Length)] : null,
                contact ? $"15{rng.Next(0, 10)}{rng.Next(0, 100_000_000):00000000}" : null,
            ];
        }
    }
}

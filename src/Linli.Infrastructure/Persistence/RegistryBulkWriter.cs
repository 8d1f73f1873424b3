using Linli.Application.Common;
using System.Data.Common;
using System.Globalization;
using Linli.Domain.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Linli.Infrastructure.Persistence;

/// <summary>
/// Writes rooms, their residents and occupancy history in bulk (binary COPY on PostgreSQL, one prepared statement per
/// table in one transaction on SQLite). Used by the seeders and the importer, where EF change tracking would dominate.
/// Ids are assigned here (see <see cref="IdsAsync"/>); the entities' own Id properties stay untouched.
/// When the context already has a transaction (an import writing more than these tables) the writer joins it.
/// </summary>
public static class RegistryBulkWriter
{
    sealed record Column<T>(string Name, Func<T, object?> Value);

    public sealed record Written(IReadOnlyDictionary<Room, int> RoomIds, IReadOnlyDictionary<Resident, int> ResidentIds);

    /// <summary>Writes new rooms (with their occupancies and the residents in them) and returns the ids given to them.</summary>
    public static async Task<Written> WriteAsync(ILinliDb db, IReadOnlyList<Room> newRooms, IReadOnlyList<Resident> residents,
        IReadOnlyList<(RoomOccupancy Occupancy, Room Room)> occupancies, DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        var ambient = db.Database.CurrentTransaction?.GetDbTransaction();
        try
        {
            var roomIds = new Dictionary<Room, int>(ReferenceEqualityComparer.Instance);
            var residentIds = new Dictionary<Resident, int>(ReferenceEqualityComparer.Instance);
            var roomIdList = await IdsAsync(db, connection, ambient, "rooms", newRooms.Count, ct);
            for (var i = 0; i < newRooms.Count; i++) roomIds[newRooms[i]] = roomIdList[i];
            var residentIdList = await IdsAsync(db, connection, ambient, "residents", residents.Count, ct);
            for (var i = 0; i < residents.Count; i++) residentIds[residents[i]] = residentIdList[i];
            var occupancyIds = await IdsAsync(db, connection, ambient, "room_occupancies", occupancies.Count, ct);
            var occupancyRows = occupancies.Select((o, i) => (o.Occupancy, o.Room, Id: occupancyIds[i])).ToList();
            // A resident's current room is the room of their open occupancy.
            var currentRoom = new Dictionary<Resident, int>(ReferenceEqualityComparer.Instance);
            foreach (var (o, room, _) in occupancyRows)
                if (o.MovedOutOn is null && o.Resident is not null) currentRoom[o.Resident] = RoomId(room);

            int RoomId(Room r) => r.Id != 0 ? r.Id : roomIds[r];

            Column<Room>[] roomColumns =
            [
                new("Id", r => roomIds[r]), new("BuildingId", r => r.BuildingId), new("UnitNo", r => r.UnitNo), new("Floor", r => r.Floor),
                new("Number", r => r.Number), new("AreaM2", r => r.AreaM2), new("Occupancy", r => r.Occupancy.ToString()),
                .. ScopeColumns<Room>(),
            ];
            Column<Resident>[] residentColumns =
            [
                new("Id", p => residentIds[p]), new("Name", p => p.Name), new("Gender", p => p.Gender.ToString()), new("BirthDate", p => p.BirthDate),
                new("RoomId", p => currentRoom.TryGetValue(p, out var id) ? id : null), new("Relation", p => p.Relation?.ToString()),
                new("Labels", p => (int)p.Labels),
                new("IdNumberProtected", p => p.IdNumberProtected), new("IdNumberMasked", p => p.IdNumberMasked),
                new("IdNumberIndex", p => p.IdNumberIndex), new("IdNumberLast4", p => p.IdNumberLast4),
                new("PhoneProtected", p => p.PhoneProtected), new("PhoneMasked", p => p.PhoneMasked),
                new("PhoneIndex", p => p.PhoneIndex), new("PhoneLast4", p => p.PhoneLast4),
                new("EmergencyContactName", p => p.EmergencyContactName),
                new("EmergencyContactPhoneProtected", p => p.EmergencyContactPhoneProtected),
                new("EmergencyContactPhoneMasked", p => p.EmergencyContactPhoneMasked),
                new("CreatedAt", _ => now), new("UpdatedAt", _ => now),
                .. ScopeColumns<Resident>(),
            ];
            Column<(RoomOccupancy O, Room R, int Id)>[] occupancyColumns =
            [
                new("Id", x => x.Id), new("RoomId", x => RoomId(x.R)), new("ResidentId", x => x.O.ResidentId != 0 ? x.O.ResidentId : residentIds[x.O.Resident!]),
                new("Relation", x => x.O.Relation.ToString()), new("MovedInOn", x => x.O.MovedInOn),
                new("MovedOutOn", x => x.O.MovedOutOn), new("LeaseEnd", x => x.O.LeaseEnd),
            ];

            if (db.IsPostgres)
            {
                var npgsql = (NpgsqlConnection)connection;
                await CopyAsync(npgsql, "rooms", roomColumns, newRooms, ct);
                await CopyAsync(npgsql, "residents", residentColumns, residents, ct);
                await CopyAsync(npgsql, "room_occupancies", occupancyColumns, occupancyRows, ct);
            }
            else
            {
                await using var own = ambient is null ? await connection.BeginTransactionAsync(ct) : null;
                var tx = ambient ?? own!;
                await InsertAsync(connection, tx, "rooms", roomColumns, newRooms, ct);
                await InsertAsync(connection, tx, "residents", residentColumns, residents, ct);
                await InsertAsync(connection, tx, "room_occupancies", occupancyColumns, occupancyRows, ct);
                if (own is not null) await own.CommitAsync(ct);
            }
            return new Written(roomIds, residentIds);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    static Column<T>[] ScopeColumns<T>() where T : Domain.Common.ScopedEntity =>
    [
        new("DistrictId", e => e.DistrictId), new("StreetId", e => e.StreetId),
        new("CommunityId", e => e.CommunityId), new("GridId", e => e.GridId),
    ];

    /// <summary>
    /// Ids for <paramref name="count"/> new rows. PostgreSQL: taken from the table's sequence, so writers on several web nodes
    /// (two imports at once) and the app's own inserts never hand out the same id. SQLite: after the current maximum, which
    /// is safe there because the caller's transaction holds the database's one write lock.
    /// </summary>
    static async Task<int[]> IdsAsync(ILinliDb db, DbConnection connection, DbTransaction? tx, string table, int count, CancellationToken ct)
    {
        if (count == 0) return [];
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        if (db.IsPostgres)
        {
            command.CommandText = $"SELECT nextval(pg_get_serial_sequence('{table}', 'Id'))::integer FROM generate_series(1, {count.ToString(CultureInfo.InvariantCulture)})";
            var ids = new int[count];
            await using var reader = await command.ExecuteReaderAsync(ct);
            for (var i = 0; await reader.ReadAsync(ct); i++) ids[i] = reader.GetInt32(0);
            return ids;
        }
        command.CommandText = $"SELECT COALESCE(MAX(\"Id\"), 0) FROM {table}";
        var first = Convert.ToInt32(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) + 1;
        return Enumerable.Range(first, count).ToArray();
    }

    static async Task InsertAsync<T>(DbConnection connection, DbTransaction tx, string table, Column<T>[] columns, IEnumerable<T> rows, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns.Select(c => $"\"{c.Name}\""))}) VALUES ({string.Join(", ", columns.Select((_, i) => $"$p{i}"))})";
        var parameters = columns.Select((_, i) =>
        {
            var p = command.CreateParameter();
            p.ParameterName = $"$p{i}";
            command.Parameters.Add(p);
            return p;
        }).ToArray();
        await command.PrepareAsync(ct);
        foreach (var row in rows)
        {
            for (var i = 0; i < columns.Length; i++) parameters[i].Value = ToSqlite(columns[i].Value(row));
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>The same representations EF Core's SQLite provider uses (and our UTC-ticks convention for instants).</summary>
    static object ToSqlite(object? value) => value switch
    {
        null => DBNull.Value,
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.UtcTicks,
        decimal m => m.ToString("0.0###########################", CultureInfo.InvariantCulture),
        _ => value,
    };

    static async Task CopyAsync<T>(NpgsqlConnection connection, string table, Column<T>[] columns, IEnumerable<T> rows, CancellationToken ct)
    {
        var copy = $"COPY {table} ({string.Join(", ", columns.Select(c => $"\"{c.Name}\""))}) FROM STDIN (FORMAT BINARY)";
        await using var writer = await connection.BeginBinaryImportAsync(copy, ct);
        foreach (var row in rows)
        {
            await writer.StartRowAsync(ct);
            foreach (var column in columns)
            {
                switch (column.Value(row))
                {
                    case null: await writer.WriteNullAsync(ct); break;
                    case int i: await writer.WriteAsync(i, NpgsqlTypes.NpgsqlDbType.Integer, ct); break;
                    case string s: await writer.WriteAsync(s, NpgsqlTypes.NpgsqlDbType.Text, ct); break;
                    case decimal m: await writer.WriteAsync(m, NpgsqlTypes.NpgsqlDbType.Numeric, ct); break;
                    case DateOnly d: await writer.WriteAsync(d, NpgsqlTypes.NpgsqlDbType.Date, ct); break;
                    case DateTimeOffset t: await writer.WriteAsync(t.ToUniversalTime(), NpgsqlTypes.NpgsqlDbType.TimestampTz, ct); break;
                    case var other: throw new InvalidOperationException($"No COPY mapping for {other.GetType()} in {table}.{column.Name}.");
                }
            }
        }
        await writer.CompleteAsync(ct);
    }
}

/// <summary>The import's way into <see cref="RegistryBulkWriter"/>.</summary>
public sealed class RegistryBulkWriterPort : IRegistryBulkWriter
{
    public Task WriteAsync(ILinliDb db, IReadOnlyList<Room> newRooms, IReadOnlyList<Resident> residents,
        IReadOnlyList<(RoomOccupancy Occupancy, Room Room)> occupancies, DateTimeOffset now, CancellationToken ct) =>
        RegistryBulkWriter.WriteAsync(db, newRooms, residents, occupancies, now, ct);
}

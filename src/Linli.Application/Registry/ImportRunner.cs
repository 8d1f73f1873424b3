using System.Globalization;
using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Domain.Registry;
using Linli.Application.Common;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Registry;

/// <summary>
/// Validates every row of an import against the domain rules and the uploader's part of the registry, collecting all
/// problems; only a file without any is written, in one transaction, so a file is imported whole or not at all.
/// </summary>
public sealed partial class ImportRunner(IServiceScopeFactory scopes, IRegistryBulkWriter bulk, IPersonalDataProtector protector, ImportJobClaims claims,
    TimeProvider time, ILogger<ImportRunner> logger)
{
    const int LookupChunk = 500;
    /// <summary>How often the row loops look whether the run was called off (its node stopping, its claim lost).</summary>
    const int CancelCheckRows = 1000;

    /// <summary>
    /// Runs a claimed job to its outcome: refused with its errors, or written with the job marked done in the same
    /// transaction. Throws <see cref="ImportClaimLostException"/> when another node took the job over meanwhile: then this
    /// run wrote nothing.
    /// </summary>
    public async Task RunAsync(ImportRun run, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(run);
        var job = run.Job;
        // The worker has no HTTP request: the context gets the uploader's scope, so every read and write stays inside it.
        await using var scope = scopes.CreateDeclaredScope(job.Scope, "import a file under its uploader's scope");
        var db = scope.ServiceProvider.GetRequiredService<ILinliDb>();
        run.Enter(ImportState.Validating);
        var started = time.GetTimestamp();
        var community = await db.UnscopedNodes().AsNoTracking().SingleAsync(n => n.Id == job.CommunityId, ct);
        var context = new RowContext(run, community, db, ct);
        if (job.Kind == ImportKind.Residents)
        {
            var plan = await ValidateResidentsAsync(context, ct);
            if (context.Errors.Count > 0) { await RejectAsync(db, run, context.SortedErrors(), ct); return; }
            run.Enter(ImportState.Writing);
            var validated = time.GetElapsedTime(started);
            await WriteAsync(db, run, community, [], plan.Residents, plan.Occupancies, plan.Rooms, new ImportCounts(0, plan.Residents.Count), ct);
            Log.Imported(logger, job.Id, plan.Residents.Count, "residents", (long)validated.TotalMilliseconds, (long)time.GetElapsedTime(started).TotalMilliseconds);
        }
        else
        {
            var rooms = await ValidateRoomsAsync(context, ct);
            if (context.Errors.Count > 0) { await RejectAsync(db, run, context.SortedErrors(), ct); return; }
            run.Enter(ImportState.Writing);
            var validated = time.GetElapsedTime(started);
            await WriteAsync(db, run, community, rooms, [], [], [], new ImportCounts(rooms.Count, 0), ct);
            Log.Imported(logger, job.Id, rooms.Count, "rooms", (long)validated.TotalMilliseconds, (long)time.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    async Task RejectAsync(ILinliDb db, ImportRun run, IReadOnlyList<ImportError> errors, CancellationToken ct)
    {
        if (!await claims.RejectAsync(db, run.Job.Id, run.ProcessedRows, errors, ct)) throw new ImportClaimLostException(run.Job.Id);
    }

    sealed class RowContext(ImportRun run, HierarchyNode community, ILinliDb db, CancellationToken ct)
    {
        public ImportRun Run { get; } = run;
        public ImportTable Table { get; } = run.Table;
        public HierarchyNode Community { get; } = community;
        public ILinliDb Db { get; } = db;
        public List<ImportError> Errors { get; } = [];

        public string Cell(ImportRow row, string key) => Table.Cell(row, key);

        public void Progress(int processed)
        {
            Run.Progress(processed);
            if (processed % CancelCheckRows == 0) ct.ThrowIfCancellationRequested();
        }

        public void Error(ImportRow row, string key, string message) =>
            Errors.Add(new ImportError(row.Number, Table.HeaderOf(key), Cell(row, key), message));

        public IReadOnlyList<ImportError> SortedErrors()
        {
            var order = Table.Headers.Select((h, i) => (h, i)).ToDictionary(x => x.h, x => x.i);
            return Errors.OrderBy(e => e.Row).ThenBy(e => order.GetValueOrDefault(e.Column, int.MaxValue)).ToList();
        }

        /// <summary>Buildings of the chosen community that the uploader may see, by name.</summary>
        public async Task<ILookup<string, Building>> BuildingsAsync(CancellationToken ct) =>
            (await Db.Buildings.AsNoTracking().Where(b => b.CommunityId == Community.Id).ToListAsync(ct)).ToLookup(b => b.Name, StringComparer.Ordinal);

        /// <summary>The building a cell names: "3号楼", or just "3" for the usual naming.</summary>
        public static Building? FindBuilding(ILookup<string, Building> buildings, string text)
        {
            if (text.Length == 0) return null;
            var match = buildings[text].FirstOrDefault();
            if (match is null)
            {
                var digits = text.TrimEnd('栋', '幢', '座');
                if (digits.Length > 0 && digits.All(char.IsAsciiDigit)) match = buildings[digits + "号楼"].FirstOrDefault();
            }
            return match;
        }

        public Building? Building(ILookup<string, Building> buildings, ImportRow row)
        {
            var text = Cell(row, ImportColumns.Building);
            if (text.Length == 0) { Error(row, ImportColumns.Building, "Building is required."); return null; }
            var building = FindBuilding(buildings, text);
            if (building is null) Error(row, ImportColumns.Building, $"No building '{text}' in {Community.Name} within your area.");
            return building;
        }

        public int? Number(ImportRow row, string key, string suffix, string what, int min, int max)
        {
            var text = Cell(row, key);
            if (suffix.Length > 0 && text.EndsWith(suffix, StringComparison.Ordinal)) text = text[..^suffix.Length];
            if (text.Length == 0) { Error(row, key, $"{what} is required."); return null; }
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
            {
                Error(row, key, $"{what} must be a whole number from {min} to {max}.");
                return null;
            }
            return n;
        }

        public static string RoomNumber(string text) => text.EndsWith('室') ? text[..^1] : text;
    }

    sealed record ResidentPlan(List<Resident> Residents, List<(RoomOccupancy, Room)> Occupancies, List<Room> Rooms);

    async Task<ResidentPlan> ValidateResidentsAsync(RowContext x, CancellationToken ct)
    {
        var today = time.Today();
        var now = time.GetUtcNow();
        var buildings = await x.BuildingsAsync(ct);
        var used = x.Table.Rows.Select(r => RowContext.FindBuilding(buildings, x.Cell(r, ImportColumns.Building))?.Id).OfType<int>().Distinct().ToList();
        var rooms = new Dictionary<(int, int, string), Room>();
        foreach (var chunk in used.Chunk(LookupChunk))
            foreach (var room in await x.Db.Rooms.AsNoTracking().Include(r => r.Occupancies).Where(r => chunk.Contains(r.BuildingId)).ToListAsync(ct))
                rooms[(room.BuildingId, room.UnitNo, room.Number)] = room;

        var residents = new List<Resident>();
        var occupancies = new List<(RoomOccupancy, Room)>();
        var touched = new HashSet<Room>(ReferenceEqualityComparer.Instance);
        var firstWithId = new Dictionary<string, ImportRow>(StringComparer.Ordinal);
        var processed = 0;
        foreach (var row in x.Table.Rows)
        {
            var before = x.Errors.Count;
            var name = x.Cell(row, ImportColumns.Name);
            if (name.Length == 0) x.Error(row, ImportColumns.Name, "Name is required.");
            else if (name.Length > Resident.NameMaxLength) x.Error(row, ImportColumns.Name, $"Name must be at most {Resident.NameMaxLength} characters.");

            var idText = x.Cell(row, ImportColumns.IdNumber);
            IdCardNumber? id = null;
            if (idText.Length == 0) x.Error(row, ImportColumns.IdNumber, "ID card number is required.");
            else if (!IdCardNumber.TryParse(idText, out id, out var idError))
                x.Error(row, ImportColumns.IdNumber, idText.Contains("E+", StringComparison.OrdinalIgnoreCase)
                    ? "Excel stored the ID card number as a number and lost digits: format the column as text and type it again."
                    : idError!);
            else
            {
                var index = protector.BlindIndex(id!.Value);
                if (firstWithId.TryGetValue(index, out var first))
                    x.Error(row, ImportColumns.IdNumber, $"The same ID card number is already in row {first.Number} of this file.");
                else firstWithId[index] = row;
            }

            var phone = OptionalPhone(x, row, ImportColumns.Phone);
            var contactPhone = OptionalPhone(x, row, ImportColumns.EmergencyContactPhone);
            var building = x.Building(buildings, row);
            var unit = x.Number(row, ImportColumns.Unit, "单元", "Unit", 1, 20);
            var roomText = RowContext.RoomNumber(x.Cell(row, ImportColumns.Room));
            if (roomText.Length == 0) x.Error(row, ImportColumns.Room, "Room number is required.");
            Room? room = null;
            if (building is not null && unit is not null && roomText.Length > 0 && !rooms.TryGetValue((building.Id, unit.Value, roomText), out room))
                x.Error(row, ImportColumns.Room, $"No room {unit}单元{roomText} in {building.Name}.");

            var relationText = x.Cell(row, ImportColumns.Relation);
            Relation? relation = null;
            if (relationText.Length == 0) x.Error(row, ImportColumns.Relation, "Relation is required: 业主/家属/租户 (Owner/Family/Tenant).");
            else if (ImportColumns.TryParseRelation(relationText, out var r)) relation = r;
            else x.Error(row, ImportColumns.Relation, "Relation must be 业主, 家属 or 租户 (Owner, Family or Tenant).");

            var movedIn = OptionalDate(x, row, ImportColumns.MovedInOn) ?? today;
            if (movedIn > today) x.Error(row, ImportColumns.MovedInOn, "Move-in date cannot be in the future.");
            var leaseEnd = OptionalDate(x, row, ImportColumns.LeaseEnd);
            var labels = ImportColumns.ParseLabels(x.Cell(row, ImportColumns.Labels), out var unknown);
            if (unknown.Count > 0)
                x.Error(row, ImportColumns.Labels, $"Unknown label(s) {string.Join("、", unknown)}: use 独居、残疾、低保、退役军人、党员 (or LivingAlone, Disabled, LowIncome, Veteran, PartyMember).");

            if (x.Errors.Count == before)
            {
                // The domain has the last word (tenants need a lease end, contact needs a phone …), exactly as for one resident.
                try
                {
                    var resident = new Resident(name, id!, phone, labels, protector);
                    resident.SetEmergencyContact(x.Cell(row, ImportColumns.EmergencyContactName), contactPhone, protector);
                    resident.Touch(now);
                    occupancies.Add((room!.MoveIn(resident, relation!.Value, movedIn, leaseEnd), room));
                    residents.Add(resident);
                    touched.Add(room);
                }
                catch (DomainException e)
                {
                    x.Error(row, e.Field switch { "number" => ImportColumns.Room, null or "residentId" => ImportColumns.Name, var f => f }, e.Message);
                }
            }
            x.Progress(++processed);
        }

        // One person, one registration across the whole installation, as for a single new resident; the answer says no more.
        foreach (var chunk in firstWithId.Keys.Chunk(LookupChunk))
        {
            var taken = await x.Db.UnscopedResidentsForChecks().Where(r => chunk.Contains(r.IdNumberIndex)).Select(r => r.IdNumberIndex).ToListAsync(ct);
            foreach (var index in taken)
                x.Error(firstWithId[index], ImportColumns.IdNumber, "A person with this ID card number is already registered.");
        }
        return new ResidentPlan(residents, occupancies, [.. touched]);
    }

    static PhoneNumber? OptionalPhone(RowContext x, ImportRow row, string key)
    {
        var text = x.Cell(row, key);
        if (text.Length == 0) return null;
        if (PhoneNumber.TryParse(text, out var phone)) return phone;
        x.Error(row, key, "Phone number must be an 11-digit mainland mobile number, e.g. 13812345678.");
        return null;
    }

    static DateOnly? OptionalDate(RowContext x, ImportRow row, string key)
    {
        var text = x.Cell(row, key);
        if (text.Length == 0) return null;
        if (ImportColumns.TryParseDate(text, out var date)) return date;
        x.Error(row, key, "Date must be written yyyy-MM-dd, e.g. 2024-03-01.");
        return null;
    }

    async Task<List<Room>> ValidateRoomsAsync(RowContext x, CancellationToken ct)
    {
        var buildings = await x.BuildingsAsync(ct);
        var used = x.Table.Rows.Select(r => RowContext.FindBuilding(buildings, x.Cell(r, ImportColumns.Building))?.Id).OfType<int>().Distinct().ToList();
        var existing = new HashSet<(int, int, string)>();
        foreach (var chunk in used.Chunk(LookupChunk))
            foreach (var r in await x.Db.Rooms.AsNoTracking().Where(r => chunk.Contains(r.BuildingId)).Select(r => new { r.BuildingId, r.UnitNo, r.Number }).ToListAsync(ct))
                existing.Add((r.BuildingId, r.UnitNo, r.Number));

        var rooms = new List<Room>();
        var firstAt = new Dictionary<(int, int, string), ImportRow>();
        var processed = 0;
        foreach (var row in x.Table.Rows)
        {
            var before = x.Errors.Count;
            var building = x.Building(buildings, row);
            var unit = x.Number(row, ImportColumns.Unit, "单元", "Unit", 1, building?.Units ?? 20);
            var floor = x.Number(row, ImportColumns.Floor, "层", "Floor", 1, building?.Floors ?? 100);
            var number = RowContext.RoomNumber(x.Cell(row, ImportColumns.Room));
            if (number.Length == 0) x.Error(row, ImportColumns.Room, "Room number is required.");
            else if (number.Length > Room.NumberMaxLength) x.Error(row, ImportColumns.Room, $"Room number must be at most {Room.NumberMaxLength} characters.");
            var areaText = x.Cell(row, ImportColumns.AreaM2).TrimEnd('㎡', '²', 'm', ' ');
            decimal? area = null;
            if (decimal.TryParse(areaText, NumberStyles.Number, CultureInfo.InvariantCulture, out var a)) area = a;
            else x.Error(row, ImportColumns.AreaM2, "Area must be a number of square metres, e.g. 89.5.");

            if (building is not null && unit is not null && number.Length > 0)
            {
                var key = (building.Id, unit.Value, number);
                if (existing.Contains(key)) x.Error(row, ImportColumns.Room, $"{Room.LabelFor(building.Name, unit, number)} already exists.");
                else if (firstAt.TryGetValue(key, out var first)) x.Error(row, ImportColumns.Room, $"The same room is already in row {first.Number} of this file.");
                else firstAt[key] = row;
            }
            if (x.Errors.Count == before)
            {
                try
                {
                    rooms.Add(new Room(building!, unit!.Value, floor!.Value, number, area!.Value));
                }
                catch (DomainException e)
                {
                    x.Error(row, e.Field == "number" ? ImportColumns.Room : e.Field ?? ImportColumns.Room, e.Message);
                }
            }
            x.Progress(++processed);
        }
        return rooms;
    }

    /// <summary>
    /// Everything in one transaction: rows, the rooms' new occupancy, the audit entry and the job's "done" commit together or
    /// not at all; and not at all when the job is no longer this node's.
    /// </summary>
    async Task WriteAsync(ILinliDb db, ImportRun run, HierarchyNode community, List<Room> newRooms, List<Resident> residents,
        List<(RoomOccupancy, Room)> occupancies, List<Room> changedRooms, ImportCounts counts, CancellationToken ct)
    {
        var job = run.Job;
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await bulk.WriteAsync(db, newRooms, residents, occupancies, now, ct);
        foreach (var group in changedRooms.GroupBy(r => r.Occupancy))
        {
            var occupancy = group.Key;
            foreach (var chunk in group.Select(r => r.Id).Chunk(LookupChunk))
                await db.Rooms.Where(r => chunk.Contains(r.Id)).ExecuteUpdateAsync(s => s.SetProperty(r => r.Occupancy, occupancy), ct);
        }
        var what = job.Kind == ImportKind.Rooms ? $"{newRooms.Count} rooms" : $"{residents.Count} residents";
        db.Audit.Add(new AuditEntry(now, job.UserId, job.UserName, "Import", community, nameof(HierarchyNode), community.Id, $"{what} from {job.FileName}"));
        await db.SaveChangesAsync(ct);
        // Last before the commit: the job's row is locked from here on, so no node can take it over between this and the commit.
        if (!await claims.SucceedAsync(db, job.Id, job.TotalRows, counts, ct)) throw new ImportClaimLostException(job.Id);
        await tx.CommitAsync(ct);
    }

    static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Import {JobId}: {Count} {What} validated in {ValidatedMs} ms, written in {TotalMs} ms in all.")]
        public static partial void Imported(ILogger logger, string jobId, int count, string what, long validatedMs, long totalMs);
    }
}

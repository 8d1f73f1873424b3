using Linli.Domain.Common;
using Linli.Domain.Registry;
using Linli.Application.Common;
using Linli.Application.Identity;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Registry;

/// <summary>Registering, editing and moving out residents; unmasking with an audit entry. All within the caller's scope.</summary>
public sealed class ResidentCommands(ILinliDb db, IPersonalDataProtector protector, AuditLog audit, TimeProvider time, HouseholdCheck households)
{
    public async Task<int> CreateAsync(CreateResidentRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var id = IdCardNumber.Parse(request.IdNumber ?? "", "idNumber");
        var phone = OptionalPhone(request.Phone, "phone");
        var contactPhone = OptionalPhone(request.EmergencyContactPhone, "emergencyContactPhone");
        var labels = ParseLabels(request.Labels);
        if (request.RoomId is null) throw new DomainException("Room is required.", "roomId");
        if (request.Relation is null) throw new DomainException("Relation to the room is required (Owner, Family or Tenant).", "relation");
        var room = await db.Rooms.Include(r => r.Occupancies).FirstOrDefaultAsync(r => r.Id == request.RoomId, ct)
            ?? throw new DomainException("No such room in your area.", "roomId");
        await EnsureNotRegisteredAsync(id, null, ct);

        var resident = new Resident(request.Name ?? "", id, phone, labels, protector);
        resident.SetEmergencyContact(request.EmergencyContactName, contactPhone, protector);
        resident.Touch(time.GetUtcNow());
        db.Residents.Add(resident);
        room.MoveIn(resident, request.Relation.Value, request.MovedInOn ?? time.Today(), request.LeaseEnd);
        await db.SaveChangesAsync(ct);
        return resident.Id;
    }

    /// <summary>
    /// Edits a resident. Numbers and labels left out (null) keep their value, so a form that never shows the full
    /// numbers does not wipe them; an empty string clears a phone, an empty contact name clears the emergency contact.
    /// </summary>
    public async Task UpdateAsync(int residentId, UpdateResidentRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var resident = await db.Residents.FirstOrDefaultAsync(r => r.Id == residentId, ct) ?? throw new NotFoundException("Resident");
        resident.Rename(request.Name ?? "");
        if (!string.IsNullOrWhiteSpace(request.IdNumber))
        {
            var id = IdCardNumber.Parse(request.IdNumber, "idNumber");
            await EnsureNotRegisteredAsync(id, residentId, ct);
            resident.SetIdNumber(id, protector);
        }
        if (request.Phone is not null) resident.SetPhone(OptionalPhone(request.Phone, "phone"), protector);
        if (request.EmergencyContactName is not null)
        {
            var contactPhone = request.EmergencyContactPhone is not null
                ? OptionalPhone(request.EmergencyContactPhone, "emergencyContactPhone")
                : resident.EmergencyContactPhoneProtected is { } kept ? PhoneNumber.Parse(protector.Unprotect(kept)) : null;
            resident.SetEmergencyContact(request.EmergencyContactName, contactPhone, protector);
        }
        if (request.Labels is not null) resident.SetLabels(ParseLabels(request.Labels));
        if (request.MedicalNotes is not null) resident.SetMedicalNotes(request.MedicalNotes, protector);
        resident.Touch(time.GetUtcNow());
        audit.Record("Edit", resident, nameof(Resident), resident.Id);
        await db.SaveChangesAsync(ct);
    }

    public async Task MoveOutAsync(int residentId, DateOnly? on, CancellationToken ct)
    {
        var resident = await db.Residents.FirstOrDefaultAsync(r => r.Id == residentId, ct) ?? throw new NotFoundException("Resident");
        if (resident.RoomId is null) throw new DomainException("This person has already moved out.", "residentId");
        var room = await db.Rooms.Include(r => r.Occupancies).FirstAsync(r => r.Id == resident.RoomId, ct);
        var day = on ?? time.Today();
        if (day > time.Today()) throw new DomainException("Move-out date cannot be in the future.", "on");
        // Checked here as well as in the domain so that the error names the request's field, not the entity's.
        if (room.CurrentOccupancies().FirstOrDefault(o => o.ResidentId == resident.Id) is { } stay && day < stay.MovedInOn)
            throw new DomainException($"Move-out date cannot be before the move-in date ({stay.MovedInOn:yyyy-MM-dd}).", "on");
        room.MoveOut(resident, day);
        resident.Touch(time.GetUtcNow());
        audit.Record("MoveOut", resident, nameof(Resident), resident.Id, $"room {room.Id}");
        await db.SaveChangesAsync(ct);
        // Their account stops reading the household at once on this node (see HouseholdCheck for the others).
        households.Forget(resident.Id);
    }

    /// <summary>Shows the full ID card and phone numbers and records who saw them.</summary>
    public async Task<UnmaskedDto> UnmaskAsync(int residentId, CancellationToken ct)
    {
        var resident = await db.Residents.FirstOrDefaultAsync(r => r.Id == residentId, ct) ?? throw new NotFoundException("Resident");
        audit.Record("Unmask", resident, nameof(Resident), resident.Id, "ID card number, phone, emergency contact phone, medical notes");
        await db.SaveChangesAsync(ct);
        return new UnmaskedDto(resident.Id, protector.Unprotect(resident.IdNumberProtected),
            resident.PhoneProtected is null ? null : protector.Unprotect(resident.PhoneProtected),
            resident.EmergencyContactPhoneProtected is null ? null : protector.Unprotect(resident.EmergencyContactPhoneProtected),
            resident.MedicalNotesProtected is null ? null : protector.Unprotect(resident.MedicalNotesProtected));
    }

    async Task EnsureNotRegisteredAsync(IdCardNumber id, int? except, CancellationToken ct)
    {
        var index = protector.BlindIndex(id.Value);
        // Checked across the whole installation: one person, one registration. The answer says no more than that.
        if (await db.UnscopedResidentsForChecks().AnyAsync(r => r.IdNumberIndex == index && r.Id != except, ct))
            throw new DomainException("A person with this ID card number is already registered.", "idNumber");
    }

    public static PhoneNumber? OptionalPhone(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? null : PhoneNumber.Parse(value, field);

    public static ResidentLabels ParseLabels(IEnumerable<string>? names)
    {
        var labels = ResidentLabels.None;
        foreach (var name in names ?? [])
        {
            if (!Enum.TryParse<ResidentLabels>(name, ignoreCase: true, out var flag) || flag == ResidentLabels.None || !Enum.IsDefined(flag))
                throw new DomainException($"Unknown label '{name}'. Use LivingAlone, Disabled, LowIncome, Veteran or PartyMember.", "labels");
            labels |= flag;
        }
        return labels;
    }
}

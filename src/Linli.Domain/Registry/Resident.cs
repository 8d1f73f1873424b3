using Linli.Domain.Common;

namespace Linli.Domain.Registry;

/// <summary>
/// A person registered in the community. ID card and phone numbers are held only protected (encrypted), masked and as a
/// keyed blind index for exact search; the plain values never sit on the entity.
/// </summary>
public sealed class Resident : ScopedEntity, IHasDomainEvents
{
    public const int NameMaxLength = 40;
    public const int ContactNameMaxLength = 40;

    public int Id { get; private set; }
    public string Name { get; private set; } = "";
    public Gender Gender { get; private set; }
    public DateOnly BirthDate { get; private set; }
    public int? RoomId { get; private set; }
    public Relation? Relation { get; private set; }
    public ResidentLabels Labels { get; private set; }

    public string IdNumberProtected { get; private set; } = "";
    public string IdNumberMasked { get; private set; } = "";
    public string IdNumberIndex { get; private set; } = "";
    public string IdNumberLast4 { get; private set; } = "";

    public string? PhoneProtected { get; private set; }
    public string? PhoneMasked { get; private set; }
    public string? PhoneIndex { get; private set; }
    public string? PhoneLast4 { get; private set; }

    public string? EmergencyContactName { get; private set; }
    public string? EmergencyContactPhoneProtected { get; private set; }
    public string? EmergencyContactPhoneMasked { get; private set; }

    /// <summary>What a responder to an SOS call should know (allergies, conditions, medicines); encrypted, shown only to responders.</summary>
    public string? MedicalNotesProtected { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    public const int MedicalNotesMaxLength = 300;

    Resident() { }

    /// <summary>Registers a person; gender and birth date come from the ID card number, so they cannot disagree with it.</summary>
    public Resident(string name, IdCardNumber idNumber, PhoneNumber? phone, ResidentLabels labels, IPersonalDataProtector protector)
    {
        Rename(name);
        SetIdNumber(idNumber, protector);
        SetPhone(phone, protector);
        Labels = labels;
    }

    public void Rename(string name)
    {
        var trimmed = (name ?? "").Trim();
        if (trimmed.Length == 0) throw new DomainException("Name is required.", "name");
        if (trimmed.Length > NameMaxLength) throw new DomainException($"Name must be at most {NameMaxLength} characters.", "name");
        Name = trimmed;
    }

    public void SetIdNumber(IdCardNumber idNumber, IPersonalDataProtector protector)
    {
        ArgumentNullException.ThrowIfNull(idNumber);
        ArgumentNullException.ThrowIfNull(protector);
        IdNumberProtected = protector.Protect(idNumber.Value);
        IdNumberMasked = idNumber.Masked;
        IdNumberIndex = protector.BlindIndex(idNumber.Value);
        IdNumberLast4 = idNumber.Value[14..];
        BirthDate = idNumber.BirthDate;
        Gender = idNumber.Gender;
    }

    public void SetPhone(PhoneNumber? phone, IPersonalDataProtector protector)
    {
        ArgumentNullException.ThrowIfNull(protector);
        PhoneProtected = phone is null ? null : protector.Protect(phone.Value);
        PhoneMasked = phone?.Masked;
        PhoneIndex = phone is null ? null : protector.BlindIndex(phone.Value);
        PhoneLast4 = phone?.LastFour;
    }

    public void SetEmergencyContact(string? name, PhoneNumber? phone, IPersonalDataProtector protector)
    {
        ArgumentNullException.ThrowIfNull(protector);
        var trimmed = string.IsNullOrWhiteSpace(name) ? null : name.Trim();
        if (trimmed?.Length > ContactNameMaxLength) throw new DomainException($"Contact name must be at most {ContactNameMaxLength} characters.", "emergencyContactName");
        if (trimmed is not null && phone is null) throw new DomainException("An emergency contact needs a phone number.", "emergencyContactPhone");
        EmergencyContactName = trimmed;
        EmergencyContactPhoneProtected = phone is null ? null : protector.Protect(phone.Value);
        EmergencyContactPhoneMasked = phone?.Masked;
    }

    public void SetLabels(ResidentLabels labels) => Labels = labels;

    public void SetMedicalNotes(string? notes, IPersonalDataProtector protector)
    {
        ArgumentNullException.ThrowIfNull(protector);
        var trimmed = string.IsNullOrWhiteSpace(notes) ? null : notes.Trim();
        if (trimmed?.Length > MedicalNotesMaxLength) throw new DomainException($"Medical notes are at most {MedicalNotesMaxLength} characters.", "medicalNotes");
        MedicalNotesProtected = trimmed is null ? null : protector.Protect(trimmed);
    }

    public void Touch(DateTimeOffset now)
    {
        if (CreatedAt == default) CreatedAt = now;
        UpdatedAt = now;
    }

    internal void LiveIn(Room room, Relation relation)
    {
        PlaceIn(room);
        RoomId = room.Id == 0 ? null : room.Id;
        Relation = relation;
    }

    /// <summary>Keeps the scope keys of the last room so the community can still see the person's history.</summary>
    internal void LeaveRoom(DateOnly on)
    {
        if (RoomId is { } room && Id != 0) _events.Add(new ResidentMovedOut(Id, room, CommunityId, on, ChinaTime.StartOf(on)));
        RoomId = null;
        Relation = null;
    }

    readonly List<IDomainEvent> _events = [];

    public bool HasPendingEvents => _events.Count > 0;

    public IReadOnlyList<IDomainEvent> TakeEvents()
    {
        var taken = _events.ToList();
        _events.Clear();
        return taken;
    }

    /// <summary>Sets the room id after the room got its id from the database (seeding builds rooms and people together).</summary>
    public void BindRoomId(int roomId)
    {
        if (Relation is not null) RoomId = roomId;
    }

    public int AgeOn(DateOnly day) => Ages.On(BirthDate, day);
}

/// <summary>Age arithmetic in one place: statistics, labels and filters must agree.</summary>
public static class Ages
{
    public static int On(DateOnly born, DateOnly day)
    {
        var age = day.Year - born.Year;
        if (day < born.AddYears(age)) age--;
        return age;
    }

    public static AgeBand Band(int age) => age switch
    {
        < 18 => AgeBand.Child0To17,
        < 35 => AgeBand.Adult18To34,
        < 60 => AgeBand.Adult35To59,
        < 80 => AgeBand.Elderly60To79,
        _ => AgeBand.Elderly80Plus,
    };

    /// <summary>Birth dates of people aged [minAge, maxAge] on the day, as an inclusive range (for indexed queries).</summary>
    public static (DateOnly BornFrom, DateOnly BornTo) BirthRange(DateOnly day, int minAge, int? maxAge) =>
        (maxAge is null ? DateOnly.MinValue : day.AddYears(-(maxAge.Value + 1)).AddDays(1), day.AddYears(-minAge));

    public static (int Min, int? Max) Bounds(AgeBand band) => band switch
    {
        AgeBand.Child0To17 => (0, 17),
        AgeBand.Adult18To34 => (18, 34),
        AgeBand.Adult35To59 => (35, 59),
        AgeBand.Elderly60To79 => (60, 79),
        _ => (80, null),
    };
}

/// <summary>A resident left their room: what was tied to living there (door rights, the household's view) ends.</summary>
public sealed record ResidentMovedOut(int ResidentId, int RoomId, int CommunityId, DateOnly On, DateTimeOffset At) : IDomainEvent;

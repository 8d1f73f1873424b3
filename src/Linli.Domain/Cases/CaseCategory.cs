using Linli.Domain.Common;

namespace Linli.Domain.Cases;

/// <summary>
/// A kind of problem and how it is handled: the default level, the dispatch mode and the SLA. The code doubles as the
/// Open311 service code, so it never changes once cases use it.
/// </summary>
public sealed class CaseCategory
{
    public const int CodeMaxLength = 40;
    public const int NameMaxLength = 40;
    public const int DescriptionMaxLength = 200;
    public const int GroupMaxLength = 40;

    public int Id { get; private set; }
    public string Code { get; private set; } = "";
    public string Name { get; private set; } = "";
    public string Group { get; private set; } = "";
    public string? Description { get; private set; }
    /// <summary>The name in English, for those who read the pages in English; none: they read <see cref="Name"/>.</summary>
    public string? NameEn { get; private set; }
    public string? GroupEn { get; private set; }
    public string? DescriptionEn { get; private set; }
    public CaseKind DefaultKind { get; private set; }
    public HandlingLevel Level { get; private set; }
    public DispatchMode Mode { get; private set; }
    /// <summary>Minutes from report to acceptance.</summary>
    public int ResponseMinutes { get; private set; }
    /// <summary>Minutes from report (or from escalation, transfer, reopening) to handled.</summary>
    public int ResolutionMinutes { get; private set; }
    /// <summary>In-home matters: the place must be a room and only its household sees the case.</summary>
    public bool InHome { get; private set; }
    public bool Active { get; private set; } = true;

    CaseCategory() { }

    public CaseCategory(string code, string name, string group, CaseKind defaultKind, HandlingLevel level, DispatchMode mode,
        int responseMinutes, int resolutionMinutes, bool inHome = false, string? description = null)
    {
        if (string.IsNullOrWhiteSpace(code) || code.Length > CodeMaxLength || !code.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new DomainException("A code is 1–40 letters, digits, '-' or '_'.", "code");
        Code = code;
        Update(name, group, defaultKind, level, mode, responseMinutes, resolutionMinutes, inHome, description);
    }

    public void Update(string name, string group, CaseKind defaultKind, HandlingLevel level, DispatchMode mode,
        int responseMinutes, int resolutionMinutes, bool inHome, string? description)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > NameMaxLength) throw new DomainException("Name is required (at most 40 characters).", "name");
        if (string.IsNullOrWhiteSpace(group) || group.Length > GroupMaxLength) throw new DomainException("Group is required (at most 40 characters).", "group");
        if (description?.Length > DescriptionMaxLength) throw new DomainException("Description is at most 200 characters.", "description");
        if (responseMinutes is < 1 or > 60 * 24 * 30) throw new DomainException("Response time is 1 minute to 30 days.", "responseMinutes");
        if (resolutionMinutes < responseMinutes || resolutionMinutes > 60 * 24 * 90)
            throw new DomainException("Resolution time is at least the response time and at most 90 days.", "resolutionMinutes");
        Name = name.Trim();
        Group = group.Trim();
        DefaultKind = defaultKind;
        Level = level;
        Mode = mode;
        ResponseMinutes = responseMinutes;
        ResolutionMinutes = resolutionMinutes;
        InHome = inHome;
        Description = string.IsNullOrWhiteSpace(description) ? null : description.Trim();
    }

    /// <summary>Gives the category its English words; an empty one leaves that part to be read in Chinese.</summary>
    public void Translate(string? nameEn, string? groupEn, string? descriptionEn)
    {
        if (nameEn?.Trim().Length > NameMaxLength) throw new DomainException("The English name is at most 40 characters.", "nameEn");
        if (groupEn?.Trim().Length > GroupMaxLength) throw new DomainException("The English group is at most 40 characters.", "groupEn");
        if (descriptionEn?.Trim().Length > DescriptionMaxLength) throw new DomainException("The English description is at most 200 characters.", "descriptionEn");
        NameEn = string.IsNullOrWhiteSpace(nameEn) ? null : nameEn.Trim();
        GroupEn = string.IsNullOrWhiteSpace(groupEn) ? null : groupEn.Trim();
        DescriptionEn = string.IsNullOrWhiteSpace(descriptionEn) ? null : descriptionEn.Trim();
    }

    /// <summary>The name to show: the English one to an English reader when there is one.</summary>
    public string NameIn(bool english) => english && NameEn is { } en ? en : Name;

    public void Deactivate() => Active = false;
    public void Activate() => Active = true;
}

using System.Globalization;
using Linli.Domain.Registry;

namespace Linli.Application.Registry;

/// <summary>What a file holds: one resident or one room per row.</summary>
public enum ImportKind { Residents, Rooms }

/// <summary>A column people fill in. <see cref="Key"/> is the English header and the field name in error reports.</summary>
public sealed record ImportColumn(string Key, string Chinese, bool Required, bool IsDate = false)
{
    /// <summary>The header the templates use, so either language reads it: 姓名 (name).</summary>
    public string TemplateHeader => $"{Chinese} ({Key})";
}

/// <summary>The columns of the import files and the words accepted in them, in Chinese and English.</summary>
public static class ImportColumns
{
    public const string Name = "name", IdNumber = "idNumber", Phone = "phone", Building = "building", Unit = "unit", Room = "room",
        Relation = "relation", MovedInOn = "movedInOn", LeaseEnd = "leaseEnd", Labels = "labels",
        EmergencyContactName = "emergencyContactName", EmergencyContactPhone = "emergencyContactPhone", Floor = "floor", AreaM2 = "areaM2";

    public static readonly IReadOnlyList<ImportColumn> Residents =
    [
        new(Name, "姓名", true), new(IdNumber, "身份证号", true), new(Phone, "手机号", false),
        new(Building, "楼栋", true), new(Unit, "单元", true), new(Room, "房号", true), new(Relation, "关系", true),
        new(MovedInOn, "入住日期", false, IsDate: true), new(LeaseEnd, "租约到期", false, IsDate: true), new(Labels, "标签", false),
        new(EmergencyContactName, "紧急联系人", false), new(EmergencyContactPhone, "紧急联系电话", false),
    ];

    public static readonly IReadOnlyList<ImportColumn> Rooms =
    [
        new(Building, "楼栋", true), new(Unit, "单元", true), new(Floor, "楼层", true), new(Room, "房号", true), new(AreaM2, "面积", true),
    ];

    public static IReadOnlyList<ImportColumn> For(ImportKind kind) => kind == ImportKind.Rooms ? Rooms : Residents;

    public static bool TryParseKind(string? value, out ImportKind kind)
    {
        kind = ImportKind.Residents;
        switch (value?.ToLowerInvariant())
        {
            case "residents": return true;
            case "rooms": kind = ImportKind.Rooms; return true;
            default: return false;
        }
    }

    /// <summary>Finds the column a header means: 姓名, name, or the template's "姓名 (name)".</summary>
    public static ImportColumn? Match(ImportKind kind, string header)
    {
        var h = header.Trim();
        var paren = h.IndexOfAny(['(', '（']);
        var candidates = paren > 0 ? new[] { h, h[..paren].Trim(), h[(paren + 1)..].TrimEnd(')', '）').Trim() } : [h];
        foreach (var c in candidates)
            foreach (var column in For(kind))
                if (c == column.Chinese || string.Equals(c, column.Key, StringComparison.OrdinalIgnoreCase)) return column;
        return null;
    }

    static readonly Dictionary<string, Relation> RelationWords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["业主"] = Domain.Registry.Relation.Owner, ["户主"] = Domain.Registry.Relation.Owner, ["Owner"] = Domain.Registry.Relation.Owner,
        ["家属"] = Domain.Registry.Relation.Family, ["家庭成员"] = Domain.Registry.Relation.Family, ["Family"] = Domain.Registry.Relation.Family,
        ["租户"] = Domain.Registry.Relation.Tenant, ["租客"] = Domain.Registry.Relation.Tenant, ["Tenant"] = Domain.Registry.Relation.Tenant,
    };

    public static bool TryParseRelation(string value, out Relation relation) => RelationWords.TryGetValue(value.Trim(), out relation);

    public static string Chinese(Relation relation) => relation switch
    {
        Domain.Registry.Relation.Owner => "业主",
        Domain.Registry.Relation.Family => "家属",
        _ => "租户",
    };

    static readonly Dictionary<string, ResidentLabels> LabelWords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["独居"] = ResidentLabels.LivingAlone, ["残疾"] = ResidentLabels.Disabled, ["残疾人"] = ResidentLabels.Disabled,
        ["低保"] = ResidentLabels.LowIncome, ["退役军人"] = ResidentLabels.Veteran, ["党员"] = ResidentLabels.PartyMember,
    };

    static readonly string[] LabelSeparators = ["、", ",", "，", ";", "；", "|"];

    /// <summary>Labels written "独居、党员" or "LivingAlone,PartyMember"; returns the words it did not know.</summary>
    public static ResidentLabels ParseLabels(string value, out IReadOnlyList<string> unknown)
    {
        var labels = ResidentLabels.None;
        var bad = new List<string>();
        foreach (var word in value.Split(LabelSeparators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (LabelWords.TryGetValue(word, out var flag)
                || (Enum.TryParse(word, ignoreCase: true, out flag) && flag != ResidentLabels.None && Enum.IsDefined(flag) && !char.IsAsciiDigit(word[0])))
                labels |= flag;
            else bad.Add(word);
        }
        unknown = bad;
        return labels;
    }

    public static string Chinese(ResidentLabels flag) => flag switch
    {
        ResidentLabels.LivingAlone => "独居",
        ResidentLabels.Disabled => "残疾",
        ResidentLabels.LowIncome => "低保",
        ResidentLabels.Veteran => "退役军人",
        ResidentLabels.PartyMember => "党员",
        _ => flag.ToString(),
    };

    static readonly string[] DateFormats = ["yyyy-MM-dd", "yyyy-M-d", "yyyy/M/d", "yyyy/MM/dd", "yyyy.M.d", "yyyyMMdd", "yyyy年M月d日"];

    /// <summary>A date as people type it; the xlsx reader has already turned Excel date cells into yyyy-MM-dd.</summary>
    public static bool TryParseDate(string value, out DateOnly date) =>
        DateOnly.TryParseExact(value.Trim(), DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
}

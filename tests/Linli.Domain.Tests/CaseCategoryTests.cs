using Linli.Domain.Cases;
using Linli.Domain.Common;

namespace Linli.Domain.Tests;

public sealed class CaseCategoryTests
{
    static CaseCategory Lighting() => new("lighting", "公共照明", "报修", CaseKind.Repair, HandlingLevel.Property, DispatchMode.Grab, 60, 600);

    [Fact]
    public void An_English_reader_gets_the_English_name_once_it_has_one_and_the_Chinese_until_then()
    {
        var c = Lighting();
        Assert.Equal("公共照明", c.NameIn(english: true));
        c.Translate("  Public lighting ", "Repairs", " ");
        Assert.Equal("Public lighting", c.NameIn(english: true));
        Assert.Equal("公共照明", c.NameIn(english: false));
        Assert.Null(c.DescriptionEn);
    }

    [Fact]
    public void English_words_are_held_to_the_same_lengths_as_the_Chinese()
    {
        var c = Lighting();
        Assert.Equal("nameEn", Assert.Throws<DomainException>(() => c.Translate(new string('x', CaseCategory.NameMaxLength + 1), null, null)).Field);
        Assert.Equal("descriptionEn", Assert.Throws<DomainException>(() => c.Translate("Lights", null, new string('x', CaseCategory.DescriptionMaxLength + 1))).Field);
        Assert.Null(c.NameEn);
    }
}

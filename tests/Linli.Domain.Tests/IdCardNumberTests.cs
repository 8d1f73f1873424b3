using Linli.Domain.Common;
using Linli.Domain.Registry;

namespace Linli.Domain.Tests;

public sealed class IdCardNumberTests
{
    // A published GB 11643 sample: born 1949-12-31, sequence 002 (even: female), check character X.
    const string Sample = "11010519491231002X";

    [Fact]
    public void Accepts_a_number_whose_check_character_is_right()
    {
        Assert.True(IdCardNumber.TryParse(Sample, out var id, out var error));
        Assert.Null(error);
        Assert.Equal(Sample, id!.Value);
        Assert.Equal('X', IdCardNumber.CheckCharacter(Sample.AsSpan(0, 17)));
    }

    [Fact]
    public void Computes_a_digit_check_character_too()
    {
        // 11010519800101001 → weighted sum 116, 116 mod 11 = 6 → '6'.
        Assert.Equal('6', IdCardNumber.CheckCharacter("11010519800101001"));
        Assert.True(IdCardNumber.TryParse("110105198001010016", out _, out _));
    }

    [Theory]
    [InlineData("110105194912310021")]
    [InlineData("110105194912310020")]
    [InlineData("110105194912310029")]
    public void Rejects_a_wrong_check_character(string input)
    {
        Assert.False(IdCardNumber.TryParse(input, out var id, out var error));
        Assert.Null(id);
        Assert.Contains("check digit", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("11010519491331002X")] // month 13
    [InlineData("11010519490230002X")] // 30 February
    [InlineData("11010518991231002X")] // before 1900
    public void Rejects_an_impossible_birth_date(string input)
    {
        Assert.False(IdCardNumber.TryParse(input, out _, out var error));
        Assert.Contains("birth date", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("11010519491231002")]
    [InlineData("11010519491231002XX")]
    [InlineData("")]
    [InlineData(null)]
    public void Rejects_a_number_of_the_wrong_length(string? input)
    {
        Assert.False(IdCardNumber.TryParse(input, out _, out var error));
        Assert.Contains("18 characters", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1101051949123100AX")]
    [InlineData("11010519491231002Y")]
    public void Rejects_letters_other_than_a_final_X(string input) =>
        Assert.False(IdCardNumber.TryParse(input, out _, out _));

    [Fact]
    public void Accepts_a_lowercase_x_and_stores_it_uppercase()
    {
        Assert.True(IdCardNumber.TryParse(" 11010519491231002x ", out var id, out _));
        Assert.Equal(Sample, id!.Value);
    }

    [Fact]
    public void Parse_names_the_field_when_it_refuses()
    {
        var e = Assert.Throws<DomainException>(() => IdCardNumber.Parse("110105194912310021", "idNumber"));
        Assert.Equal("idNumber", e.Field);
    }

    [Fact]
    public void Masks_birth_date_and_sequence_but_keeps_region_and_last_four()
    {
        var id = IdCardNumber.Parse(Sample);
        Assert.Equal("110105********002X", id.Masked);
        Assert.Equal(id.Masked, id.ToString());
        Assert.DoesNotContain("19491231", id.Masked, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_birth_date_and_gender_from_the_number()
    {
        var female = IdCardNumber.Parse(Sample);
        Assert.Equal(new DateOnly(1949, 12, 31), female.BirthDate);
        Assert.Equal(Gender.Female, female.Gender);

        var male = IdCardNumber.Parse("110105198001010016");
        Assert.Equal(new DateOnly(1980, 1, 1), male.BirthDate);
        Assert.Equal(Gender.Male, male.Gender);
    }
}

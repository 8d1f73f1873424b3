using Linli.Domain.Common;
using Linli.Domain.Registry;

namespace Linli.Domain.Tests;

public sealed class PhoneNumberTests
{
    [Theory]
    [InlineData("13812345678")]
    [InlineData("138 1234 5678")]
    [InlineData("138-1234-5678")]
    [InlineData("+86 138 1234 5678")]
    [InlineData("+8613812345678")]
    [InlineData("8613812345678")]
    public void Accepts_the_ways_people_write_a_mobile_number(string input)
    {
        Assert.True(PhoneNumber.TryParse(input, out var phone));
        Assert.Equal("13812345678", phone!.Value);
    }

    [Theory]
    [InlineData("1381234567")]     // 10 digits
    [InlineData("138123456789")]   // 12 digits
    [InlineData("23812345678")]    // does not start with 1
    [InlineData("12812345678")]    // 12x is not a mobile range
    [InlineData("138a2345678")]
    [InlineData("0571-86001201")]  // a landline
    [InlineData("+1 138 1234 5678 9")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData("138 1234 5678 0000 0000")] // longer than the field allows
    public void Rejects_what_is_not_a_mainland_mobile_number(string? input)
    {
        Assert.False(PhoneNumber.TryParse(input, out var phone));
        Assert.Null(phone);
    }

    [Fact]
    public void Parse_names_the_field_when_it_refuses()
    {
        var e = Assert.Throws<DomainException>(() => PhoneNumber.Parse("12345", "emergencyContactPhone"));
        Assert.Equal("emergencyContactPhone", e.Field);
    }

    [Fact]
    public void Masks_the_middle_four_digits()
    {
        var phone = PhoneNumber.Parse("+86 139 8765 4321");
        Assert.Equal("139****4321", phone.Masked);
        Assert.Equal("139****4321", phone.ToString());
        Assert.Equal("4321", phone.LastFour);
    }
}

using Linli.Domain.Registry;

namespace Linli.Domain.Tests;

public sealed class AgesTests
{
    static readonly DateOnly Born = new(1966, 5, 10);

    [Fact]
    public void A_birthday_adds_a_year_on_the_day_not_before()
    {
        Assert.Equal(59, Ages.On(Born, new DateOnly(2026, 5, 9)));
        Assert.Equal(60, Ages.On(Born, new DateOnly(2026, 5, 10)));
        Assert.Equal(60, Ages.On(Born, new DateOnly(2026, 5, 11)));
    }

    [Fact]
    public void A_baby_is_zero_until_the_first_birthday()
    {
        Assert.Equal(0, Ages.On(new DateOnly(2025, 6, 1), new DateOnly(2026, 5, 31)));
        Assert.Equal(1, Ages.On(new DateOnly(2025, 6, 1), new DateOnly(2026, 6, 1)));
    }

    [Theory]
    [InlineData(0, AgeBand.Child0To17)]
    [InlineData(17, AgeBand.Child0To17)]
    [InlineData(18, AgeBand.Adult18To34)]
    [InlineData(34, AgeBand.Adult18To34)]
    [InlineData(35, AgeBand.Adult35To59)]
    [InlineData(59, AgeBand.Adult35To59)]
    [InlineData(60, AgeBand.Elderly60To79)]
    [InlineData(79, AgeBand.Elderly60To79)]
    [InlineData(80, AgeBand.Elderly80Plus)]
    [InlineData(105, AgeBand.Elderly80Plus)]
    public void Bands_split_at_18_35_60_and_80(int age, AgeBand band) => Assert.Equal(band, Ages.Band(age));

    [Theory]
    [InlineData(AgeBand.Child0To17)]
    [InlineData(AgeBand.Adult18To34)]
    [InlineData(AgeBand.Adult35To59)]
    [InlineData(AgeBand.Elderly60To79)]
    [InlineData(AgeBand.Elderly80Plus)]
    public void A_bands_birth_range_holds_exactly_the_people_of_that_band(AgeBand band)
    {
        var today = new DateOnly(2026, 5, 10);
        var (min, max) = Ages.Bounds(band);
        var (from, to) = Ages.BirthRange(today, min, max);
        // Both ends of the range are in the band; the day just outside each end is not (no one is born tomorrow).
        Assert.Equal(band, Ages.Band(Ages.On(to, today)));
        Assert.Equal(band, Ages.Band(Ages.On(from == DateOnly.MinValue ? new DateOnly(1920, 1, 1) : from, today)));
        if (min > 0) Assert.NotEqual(band, Ages.Band(Ages.On(to.AddDays(1), today)));
        if (from != DateOnly.MinValue) Assert.NotEqual(band, Ages.Band(Ages.On(from.AddDays(-1), today)));
    }

    [Fact]
    public void A_resident_is_as_old_as_their_ID_card_says()
    {
        var person = Places.Person("王芳");
        Assert.Equal(new DateOnly(1980, 1, 1), person.BirthDate);
        Assert.Equal(46, person.AgeOn(new DateOnly(2026, 1, 1)));
        Assert.Equal(45, person.AgeOn(new DateOnly(2025, 12, 31)));
    }
}

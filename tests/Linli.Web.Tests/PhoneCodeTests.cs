using Linli.Application.Access;
using Linli.Domain.Access;

namespace Linli.Web.Tests;

/// <summary>The phone's rotating code (issue 12): good for its step and the one before, once, and useless as a screenshot.</summary>
public sealed class PhoneCodeTests
{
    static readonly DateTimeOffset Start = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero); // a step boundary

    [Fact]
    public void A_code_opens_once_within_its_step_and_the_next_and_is_refused_as_replayed_or_expired_after()
    {
        var secret = PhoneCodes.NewSecret();
        var (text, until) = PhoneCodes.Show(42, secret, Start.AddSeconds(5));
        Assert.Equal(Start.AddSeconds(30), until);
        var (id, code) = PhoneCodes.Parse(text)!.Value;
        Assert.Equal(42, id);

        var (step, refused) = PhoneCodes.Verify(code, secret, Start.AddSeconds(6), lastAcceptedStep: null);
        Assert.Null(refused);
        Assert.Equal(PhoneCodes.StepOf(Start), step);
        // Read a second time (a photo of the screen held to the reader): refused.
        Assert.Equal((null, DenyReason.CodeReplayed), PhoneCodes.Verify(code, secret, Start.AddSeconds(8), lastAcceptedStep: step));
        // Shown just as the step turned and read in the next one: accepted once.
        Assert.Equal((PhoneCodes.StepOf(Start), (DenyReason?)null), PhoneCodes.Verify(code, secret, Start.AddSeconds(45), lastAcceptedStep: null));
        // A minute later it is a screenshot.
        Assert.Equal((null, DenyReason.CodeExpired), PhoneCodes.Verify(code, secret, Start.AddSeconds(65), lastAcceptedStep: null));
    }

    [Fact]
    public void A_code_of_another_secret_or_a_made_up_text_is_not_ours()
    {
        var (text, _) = PhoneCodes.Show(42, PhoneCodes.NewSecret(), Start);
        var code = PhoneCodes.Parse(text)!.Value.Code;
        Assert.Equal((null, DenyReason.Forged), PhoneCodes.Verify(code, PhoneCodes.NewSecret(), Start, lastAcceptedStep: null));
        Assert.Null(PhoneCodes.Parse("LQ1.42.1234567"));
        Assert.Null(PhoneCodes.Parse("LQ2.42.12345678"));
        Assert.Null(PhoneCodes.Parse("LQ1.-4.12345678"));
        Assert.Null(PhoneCodes.Parse(null));
        Assert.Null(PhoneCodes.Parse("http://example.org/?LQ1.42.12345678"));
    }

    [Fact]
    public void Two_credentials_never_share_codes_by_accident_of_their_ids()
    {
        var a = PhoneCodes.NewSecret();
        var b = PhoneCodes.NewSecret();
        Assert.NotEqual(a, b);
        Assert.NotEqual(PhoneCodes.Parse(PhoneCodes.Show(1, a, Start).Text)!.Value.Code, PhoneCodes.Parse(PhoneCodes.Show(1, b, Start).Text)!.Value.Code);
    }
}

/// <summary>Card numbers as readers and the printed cards give them (issue 12).</summary>
public sealed class CardUidTests
{
    [Theory]
    [InlineData("04a2b3c4", "04A2B3C4")]
    [InlineData("04:A2:B3:C4", "04A2B3C4")]
    [InlineData("04 a2 b3 c4 d5 e6 f7", "04A2B3C4D5E6F7")]
    [InlineData("0077771716", "04A2B3C4")]
    public void A_uid_reads_the_same_however_it_is_written(string input, string expected) => Assert.Equal(expected, CardUids.Normalize(input));

    [Theory]
    [InlineData("")]
    [InlineData("04A2B3")]
    [InlineData("04A2B3C4D5")]
    [InlineData("ZZA2B3C4")]
    [InlineData("9999999999")]
    public void Anything_else_is_no_uid(string input) => Assert.Null(CardUids.Normalize(input));

    [Fact]
    public void The_same_card_written_two_ways_hashes_alike_and_the_hash_is_not_the_uid()
    {
        var protector = new KeyedIndex();
        Assert.Equal(CardUids.HashOf("04:A2:B3:C4", protector), CardUids.HashOf("0077771716", protector));
        Assert.DoesNotContain("04A2B3C4", CardUids.HashOf("04A2B3C4", protector), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("cardUid", Assert.Throws<Linli.Domain.Common.DomainException>(() => CardUids.HashOf("nonsense", protector)).Field);
    }
}

/// <summary>A keyed hash as the real protector's blind index is (HMAC-SHA256 under a key of its own); nothing encrypted here.</summary>
sealed class KeyedIndex : Linli.Domain.Common.IPersonalDataProtector
{
    static readonly byte[] Key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);

    public string Protect(string plain) => throw new NotSupportedException();

    public string Unprotect(string protectedValue) => throw new NotSupportedException();

    public string BlindIndex(string plain) => Convert.ToHexString(System.Security.Cryptography.HMACSHA256.HashData(Key, System.Text.Encoding.UTF8.GetBytes(plain)));
}

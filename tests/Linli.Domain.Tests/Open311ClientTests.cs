using Linli.Domain.Common;
using Linli.Domain.Exchange;

namespace Linli.Domain.Tests;

public sealed class Open311ClientTests
{
    static readonly DateTimeOffset Now = new(2026, 5, 1, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_issued_key_is_kept_only_as_its_hash_and_each_key_is_new()
    {
        var (client, key) = Open311Client.Issue(" 城市随手拍 ", 500, 7, Now);
        var (_, other) = Open311Client.Issue("another app", 500, 7, Now);

        Assert.Equal("城市随手拍", client.Name);
        Assert.NotEqual(key, other);
        Assert.Equal(Open311Client.Hash(key), client.KeyHash);
        Assert.Equal(64, client.KeyHash.Length);
        Assert.DoesNotContain(key, client.KeyHash, StringComparison.Ordinal);
        Assert.Equal(key[..Open311Client.KeyPrefixLength], client.KeyPrefix);
        Assert.True(key.Length > 40, "a key long enough not to be guessed");
        Assert.True(client.Active);
    }

    [Fact]
    public void A_revoked_client_stays_revoked_from_the_first_time()
    {
        var (client, _) = Open311Client.Issue("app", 10, 7, Now);
        client.Revoke(Now);
        client.Revoke(Now.AddDays(1));
        Assert.False(client.Active);
        Assert.Equal(Now, client.RevokedAt);
    }

    [Theory]
    [InlineData("", 10, "name")]
    [InlineData("app", 0, "dailyLimit")]
    [InlineData("app", 100_001, "dailyLimit")]
    public void Bad_input_names_the_field(string name, int limit, string field)
    {
        var e = Assert.Throws<DomainException>(() => Open311Client.Issue(name, limit, 7, Now));
        Assert.Equal(field, e.Field);
    }
}

using System.Globalization;
using Linli.Domain.Registry;
using Linli.Web.Features.Registry;
using Linli.Web.Features.Shared;

namespace Linli.Web.Tests;

/// <summary>New people for write tests, with numbers the demo seed never produces (region 440305, mobile prefix 166).</summary>
static class TestPeople
{
    static int _sequence;

    public static string NewIdNumber(DateOnly born)
    {
        var n = Interlocked.Increment(ref _sequence);
        var first17 = $"440305{born.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}{n % 1000:000}";
        return first17 + IdCardNumber.CheckCharacter(first17);
    }

    public static string NewPhone() => $"166{Random.Shared.Next(10_000_000, 99_999_999)}";

    /// <summary>The same number with a wrong check character.</summary>
    public static string WithWrongCheckCharacter(string id) => id[..17] + (id[17] == '1' ? '2' : '1');

    public static CreateResidentRequest Family(int roomId, string name = "测试居民", string? idNumber = null, string? phone = null) =>
        new(name, idNumber ?? NewIdNumber(new DateOnly(1985, 6, 15)), phone ?? NewPhone(), roomId, Relation.Family,
            null, null, ["PartyMember"], null, null);

    /// <summary>Every resident the district officer can see, moved-out ones included: what a rejected write must not change.</summary>
    public static async Task<int> HeadCountAsync(TestApp app)
    {
        var district = await app.ClientAsAsync("district");
        return (await district.GetOkAsync<Page<ResidentSummaryDto>>("/api/v1/residents?includeMovedOut=true&pageSize=1")).Total;
    }
}

using System.Net;
using Linli.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Linli.Web.Tests.CaseKit;

namespace Linli.Web.Tests;

/// <summary>
/// An enum sent as a number it does not have ("kind": 99) is refused where it comes in, with a 400 naming the field,
/// instead of being stored and shown later as "type 99".
/// </summary>
public sealed class UndefinedEnumTests
{
    [Fact]
    public async Task A_case_report_of_an_undefined_kind_is_refused_naming_the_kind_and_nothing_is_stored()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var resident1 = await app.ClientAsAsync("resident1");
        var lighting = await CategoryAsync(resident1, "lighting");
        var before = await CountAllAsync(app);

        using (var number = await resident1.PostJsonAsync("/api/v1/cases", new { categoryId = lighting.Id, title = "楼道灯不亮", kind = 99 }))
            Assert.Contains("99", Assert.Single(await number.ExpectFieldErrorAsync("kind")), StringComparison.Ordinal);
        // A number in a string is parsed the same way, and refused the same way.
        using (var text = await resident1.PostJsonAsync("/api/v1/cases", new { categoryId = lighting.Id, title = "楼道灯不亮", kind = "99" }))
            await text.ExpectFieldErrorAsync("kind");
        Assert.Equal(before, await CountAllAsync(app));

        // A defined kind, by name or by number, is taken as before.
        await ReportAsync(resident1, new { categoryId = lighting.Id, title = "楼道灯不亮", kind = "Complaint" });
        await ReportAsync(resident1, new { categoryId = lighting.Id, title = "楼道灯还是不亮", kind = 0 });
        Assert.Equal(before + 2, await CountAllAsync(app));
    }

    [Fact]
    public async Task A_device_of_an_undefined_type_is_refused_naming_the_type_and_not_registered()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var places = await DemoPlaces.LoadAsync(app);
        var admin = await app.ClientAsAsync("admin1");
        var before = await CountAsync(app, db => db.Devices.IgnoreQueryFilters().CountAsync());

        using var response = await admin.PostJsonAsync("/api/v1/devices",
            new { code = "odd-type-1", name = "未知设备", type = 99, buildingId = places.C1.BuildingIds[0], unit = 1 });
        await response.ExpectFieldErrorAsync("type");
        Assert.Equal(before, await CountAsync(app, db => db.Devices.IgnoreQueryFilters().CountAsync()));
        Assert.Equal(0, await CountAsync(app, db => db.Devices.IgnoreQueryFilters().CountAsync(d => d.Code == "odd-type-1")));
    }

    [Fact]
    public async Task An_alarm_rule_of_an_undefined_severity_is_refused_naming_the_severity_and_not_kept()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin = await app.ClientAsAsync("admin1");
        var before = await CountAsync(app, db => db.AlarmRules.IgnoreQueryFilters().CountAsync());

        using var response = await admin.PostJsonAsync("/api/v1/alarm-rules", new
        {
            name = "地下室漏水", kind = "WaterLeak", severity = 99, deviceType = "WaterLeakDetector",
            condition = new { type = "threshold", metric = "leak", op = "Above", value = 0.5 },
        });
        await response.ExpectFieldErrorAsync("severity");
        Assert.Equal(before, await CountAsync(app, db => db.AlarmRules.IgnoreQueryFilters().CountAsync()));
    }

    [Fact]
    public async Task An_undefined_enum_in_the_query_string_is_refused_naming_the_parameter()
    {
        await using var app = await LinliAppFactory.StartAsync();
        var admin = await app.ClientAsAsync("admin1");

        using (var response = await admin.GetAsync("/api/v1/alarms?severity=99"))
            await response.ExpectFieldErrorAsync("severity");
        using (var response = await admin.GetAsync("/api/v1/devices?type=99"))
            await response.ExpectFieldErrorAsync("type");
        // Defined values, by name or number, still filter.
        using (var response = await admin.GetAsync("/api/v1/alarms?severity=Critical"))
            await response.ExpectAsync(HttpStatusCode.OK);
        using (var response = await admin.GetAsync("/api/v1/devices?type=0"))
            await response.ExpectAsync(HttpStatusCode.OK);
    }

    static async Task<int> CountAsync(TestApp app, Func<LinliDbContext, Task<int>> count)
    {
        using var scope = app.Factory.Services.CreateScope();
        return await count(scope.ServiceProvider.GetRequiredService<LinliDbContext>());
    }
}

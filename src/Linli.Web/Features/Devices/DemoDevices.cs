using System.Text.Json;
using Linli.Infrastructure.Seeding;

namespace Linli.Web.Features.Devices;

/// <summary>
/// Seeds the demo district's devices and writes their codes and secrets to <c>demo-devices.json</c> in the data directory,
/// next to the demo database and outside version control, in the device simulator's format: the database holds only hashes.
/// </summary>
public static class DemoDevices
{
    public const string FileName = "demo-devices.json";

    public static async Task SeedAsync(WebApplication app, MonitoringSeeder seeder)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(seeder);
        var devices = await seeder.SeedAsync();
        if (devices.Count == 0) return;
        var dataDir = Path.Combine(app.Environment.ContentRootPath, app.Configuration["Linli:DataDirectory"] ?? "data");
        Directory.CreateDirectory(dataDir);
        var path = Path.Combine(dataDir, FileName);
        var json = JsonSerializer.Serialize(devices.Select(d => new { code = d.Code, secret = d.Secret, type = d.Type.ToString() }),
            new JsonSerializerOptions { WriteIndented = true });
        await File.WriteAllTextAsync(path, json);
        Console.WriteLine($"Demo devices ({devices.Count}, with their secrets) for the device simulator: {path}");
    }
}

using Linli.Domain.Alarms;
using Linli.Domain.Devices;

namespace Linli.Web.Features.Alarms;

/// <summary>How alarms and devices read on the pages: a class per severity and health, local times.</summary>
public static class AlarmText
{
    public static string SeverityClass(AlarmSeverity s) => $"sev-{s.ToString().ToLowerInvariant()}";

    public static string HealthClass(DeviceHealth h) => h switch
    {
        DeviceHealth.Online => "dev-online",
        DeviceHealth.Offline => "dev-offline",
        DeviceHealth.Disabled => "dev-disabled",
        _ => "dev-never",
    };

    /// <summary>Time of day for today's alarms, the date too for older ones (China time).</summary>
    public static string When(DateTimeOffset at, DateTimeOffset now)
    {
        var local = Clock.Local(at);
        return local.Date == Clock.Local(now).Date
            ? local.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)
            : local.ToString("MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
    }
}

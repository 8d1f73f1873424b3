using Linli.Domain.Alarms;
using Linli.Domain.Devices;
using Microsoft.Extensions.Localization;

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

    /// <summary>
    /// A timeline note in the page's language. The alarm records who was called at which level and on which channel with
    /// the level's and channel's own names ("PropertyDutyRoom", "张丽 · live", "张丽 · SMS failed"); people read words.
    /// Notes people wrote are shown as written.
    /// </summary>
    public static string? Note(IStringLocalizer t, AlarmEventKind kind, string? note)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (note is null) return null;
        switch (kind)
        {
            case AlarmEventKind.Escalated when Enum.TryParse<EscalationLevel>(note, out var level) && Enum.IsDefined(level):
                return t[level.ToString()];
            case AlarmEventKind.Notified:
                var dot = note.LastIndexOf(" · ", StringComparison.Ordinal);
                if (dot < 0) return note;
                var channel = note[(dot + 3)..] switch
                {
                    "live" => "in the app",
                    "SMS" => "by SMS",
                    "live failed" => "in the app (failed)",
                    "SMS failed" => "by SMS (failed)",
                    _ => null,
                };
                return channel is null ? note : $"{note[..dot]} · {t[channel]}";
            default:
                return note;
        }
    }

    /// <summary>Time of day for today's alarms, the date too for older ones (China time).</summary>
    public static string When(DateTimeOffset at, DateTimeOffset now)
    {
        var local = Clock.Local(at);
        return local.Date == Clock.Local(now).Date
            ? local.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)
            : local.ToString("MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
    }
}

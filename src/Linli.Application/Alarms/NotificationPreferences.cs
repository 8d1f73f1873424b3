using Linli.Application.Common;
using Linli.Application.Identity;
using Linli.Domain.Alarms;
using Linli.Domain.Common;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Alarms;

/// <summary>
/// How a staff member hears about alarms escalated to them. A severity is a name (Warning, Minor, Major, Critical) or
/// "Off"; <see cref="MutedKinds"/> are alarm kinds they do not want to hear about.
/// </summary>
public sealed record NotificationPreferencesDto(string LiveMinSeverity, string SmsMinSeverity, IReadOnlyList<AlarmKind> MutedKinds, bool IsDefault);

public sealed record NotificationPreferencesRequest(string? LiveMinSeverity, string? SmsMinSeverity, IReadOnlyList<string>? MutedKinds);

/// <summary>Reads and saves the signed-in user's notification choices (API and page share it).</summary>
public sealed class NotificationPreferences(ILinliDb db, CurrentUser user, TimeProvider time)
{
    public const string Off = "Off";

    public async Task<NotificationPreferencesDto> GetAsync(CancellationToken ct)
    {
        var row = await db.NotificationPreferences.AsNoTracking().SingleOrDefaultAsync(p => p.UserId == user.Id, ct);
        var p = row ?? NotificationPreference.Default(user.Id);
        return new(Name(p.LiveMinSeverity), Name(p.SmsMinSeverity), p.Muted.Order().ToList(), row is null);
    }

    public async Task<NotificationPreferencesDto> SaveAsync(NotificationPreferencesRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var live = Parse(request.LiveMinSeverity, "liveMinSeverity");
        var sms = Parse(request.SmsMinSeverity, "smsMinSeverity");
        var muted = new List<AlarmKind>();
        foreach (var k in request.MutedKinds ?? [])
        {
            if (!Enum.TryParse<AlarmKind>(k, ignoreCase: true, out var kind) || !Enum.IsDefined(kind) || int.TryParse(k, out _))
                throw new DomainException($"Unknown alarm kind \"{k}\".", "mutedKinds");
            muted.Add(kind);
        }
        var row = await db.NotificationPreferences.SingleOrDefaultAsync(p => p.UserId == user.Id, ct);
        if (row is null)
        {
            row = new NotificationPreference(user.Id);
            db.NotificationPreferences.Add(row);
        }
        row.Set(live, sms, muted, time.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return await GetAsync(ct);
    }

    static string Name(AlarmSeverity? s) => s?.ToString() ?? Off;

    static AlarmSeverity? Parse(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new DomainException("Choose a severity or Off.", field);
        if (string.Equals(value.Trim(), Off, StringComparison.OrdinalIgnoreCase)) return null;
        if (Enum.TryParse<AlarmSeverity>(value.Trim(), ignoreCase: true, out var s) && Enum.IsDefined(s) && !int.TryParse(value, out _)) return s;
        throw new DomainException("Choose Warning, Minor, Major, Critical or Off.", field);
    }
}


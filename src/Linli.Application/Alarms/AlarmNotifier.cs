using System.Globalization;
using System.Threading.Channels;
using Linli.Domain.Alarms;
using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Application.Common;
using Linli.Application.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Linli.Application.Live;
using Linli.Application.Exchange;

namespace Linli.Application.Alarms;

public sealed class NotificationOptions
{
    /// <summary>How long one SMS or live push may take before the notifier gives up on it and goes on.</summary>
    public double ChannelTimeoutSeconds { get; set; } = 10;
}

/// <summary>What a user's browser hears when an alarm is escalated to them (method "alarmNotice" on the ops hub).</summary>
public sealed record AlarmNotice(long AlarmId, string Change, AlarmKind Kind, AlarmSeverity Severity, string Title, string PlaceLabel,
    EscalationLevel Level, bool Reminder, DateTimeOffset RaisedAt);

/// <summary>
/// After a committed alarm change that calls people (raised, escalated, reminded): opens the case the rule asks for and
/// calls the people of the alarm's escalation chain (live push and SMS by each user's preferences; the family by SMS).
/// Each channel is cut off after <see cref="NotificationOptions.ChannelTimeoutSeconds"/>, so a slow gateway delays the
/// deliveries behind it by that much at most; the change itself was committed before any of this.
/// </summary>
public sealed class AlarmCalls(AlarmCases cases, AlarmCallList calls) : IDomainEventHandler<AlarmChanged>
{
    public async Task HandleAsync(AlarmChanged e, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (!e.CallsPeople) return;
        if (e.Kind == AlarmEventKind.Raised && e.RuleId is not null && e.CaseId is null) await cases.OpenForRuleAsync(e.AlarmId, ct);
        await calls.CallAsync(e.AlarmId, e.Change, ct);
    }
}

/// <summary>Resolves who is called for an alarm and tells each of them on their channels, recording it on the timeline.</summary>
public sealed partial class AlarmCallList(ILinliDb db, OpsFeed feed, ISmsSender sms, IPersonalDataProtector protector, TimeProvider time,
    IOptions<NotificationOptions> options, ILogger<AlarmCallList> logger)
{
    sealed record Callee(int? UserId, string Name, string? PhoneProtected, EscalationLevel Level);

    public async Task CallAsync(long alarmId, string change, CancellationToken ct)
    {
        var alarm = await db.Alarms.SingleOrDefaultAsync(a => a.Id == alarmId, ct);
        if (alarm is null || !alarm.NeedsAcknowledgement) return;
        // Raised calls the levels reached at once (for an SOS: family, grid worker and property duty room together); an
        // escalation calls the new level and reminds the earlier ones; a reminder calls all.
        var callees = new List<Callee>();
        foreach (var level in alarm.CalledLevels()) callees.AddRange(await PeopleAsync(alarm, level, ct));
        callees = callees.DistinctBy(c => c.UserId is { } id ? $"u{id}" : $"p{c.PhoneProtected}").ToList();
        if (callees.Count == 0)
        {
            // Nobody to call (no account, no number on file): the next level now, not after a minute of silence. Its
            // "escalated" change comes back here through the outbox as soon as it is committed.
            if (!alarm.NobodyToCall(time.GetUtcNow())) return;
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateConcurrencyException)
            {
                // Someone acted on the alarm meanwhile (acknowledged it): they are the help.
            }
            return;
        }

        var userIds = callees.Where(c => c.UserId is not null).Select(c => c.UserId!.Value).ToList();
        var prefs = await db.NotificationPreferences.AsNoTracking().Where(p => userIds.Contains(p.UserId)).ToDictionaryAsync(p => p.UserId, ct);
        var text = SmsText(alarm, change);
        var sends = new List<Task<(Callee Callee, string Channel, bool Ok)>>();
        foreach (var c in callees)
        {
            var reminder = change != "raised" && c.Level != alarm.Level;
            if (c.UserId is not { } userId)
            {
                if (c.PhoneProtected is not null) sends.Add(SendSmsAsync(c, text, ct));
                continue;
            }
            var pref = prefs.GetValueOrDefault(userId) ?? NotificationPreference.Default(userId);
            if (pref.WantsLive(alarm.Severity, alarm.Kind, escalatedToMe: true))
            {
                var notice = new AlarmNotice(alarm.Id, change, alarm.Kind, alarm.Severity, alarm.Title, alarm.PlaceLabel, c.Level, reminder, alarm.RaisedAt);
                sends.Add(Bounded(c, "live", t => feed.ToUserAsync(userId, "alarmNotice", notice, t), ct));
            }
            if (c.PhoneProtected is not null && pref.WantsSms(alarm.Severity, alarm.Kind)) sends.Add(SendSmsAsync(c, text, ct));
        }
        var results = await Task.WhenAll(sends);
        var now = time.GetUtcNow();
        foreach (var (callee, channel, ok) in results)
            alarm.Notified(callee.Name, ok ? channel : $"{channel} failed", now);
        if (results.Length == 0) return;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Someone acted on the alarm meanwhile; write the notifications onto the fresh copy.
            db.ChangeTracker.Clear();
            var fresh = await db.Alarms.SingleAsync(a => a.Id == alarmId, ct);
            foreach (var (callee, channel, ok) in results) fresh.Notified(callee.Name, ok ? channel : $"{channel} failed", now);
            await db.SaveChangesAsync(ct);
        }
    }

    Task<(Callee, string, bool)> SendSmsAsync(Callee c, string text, CancellationToken ct) =>
        Bounded(c, "SMS", t => sms.SendAsync(protector.Unprotect(c.PhoneProtected!), text, t), ct);

    /// <summary>One channel to one person, cut off after the configured time so one slow gateway does not hold the rest.</summary>
    async Task<(Callee, string, bool)> Bounded(Callee c, string channel, Func<CancellationToken, Task> send, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(TimeSpan.FromSeconds(options.Value.ChannelTimeoutSeconds));
        try
        {
            await send(cts.Token).WaitAsync(cts.Token);
            return (c, channel, true);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            LogChannelFailed(logger, channel, c.UserId, e);
            return (c, channel, false);
        }
    }

    async Task<IReadOnlyList<Callee>> PeopleAsync(Alarm alarm, EscalationLevel level, CancellationToken ct)
    {
        if (level == EscalationLevel.FamilyContact)
        {
            var residents = db.Residents.AsNoTracking()
                .Where(r => r.EmergencyContactPhoneProtected != null
                    && ((alarm.ResidentId != null && r.Id == alarm.ResidentId) || (alarm.RoomId != null && r.RoomId == alarm.RoomId)));
            var contacts = await residents.Select(r => new { r.Name, r.EmergencyContactName, r.EmergencyContactPhoneProtected, r.EmergencyContactPhoneMasked })
                .ToListAsync(ct);
            // The timeline names the contact and the masked number, never the number itself.
            return contacts.Select(r => new Callee(null, $"{r.EmergencyContactName ?? "紧急联系人"} ({r.Name}) {r.EmergencyContactPhoneMasked}",
                r.EmergencyContactPhoneProtected, level)).ToList();
        }
        var (role, node) = level switch
        {
            EscalationLevel.GridWorker => (Role.GridWorker, alarm.GridId),
            EscalationLevel.PropertyDutyRoom => (Role.PropertyStaff, alarm.CommunityId),
            _ => (Role.CommunityAdmin, alarm.CommunityId),
        };
        var users = await db.Users.AsNoTracking().Where(u => u.Role == role && u.NodeId == node)
            .OrderBy(u => u.Id).Select(u => new { u.Id, u.DisplayName, u.PhoneProtected }).ToListAsync(ct);
        return users.Select(u => new Callee(u.Id, u.DisplayName, u.PhoneProtected, level)).ToList();
    }

    static string SmsText(Alarm a, string change)
    {
        var what = change switch { "escalated" => "【告警升级】", "reminded" => "【告警提醒】", _ => "【告警】" };
        var at = Clock.Local(a.RaisedAt).ToString("MM-dd HH:mm", CultureInfo.InvariantCulture);
        return $"{what}{a.Title}，{a.PlaceLabel}，{at}。请尽快确认处理。邻里";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notifying by {Channel} (user {UserId}) failed or timed out.")]
    static partial void LogChannelFailed(ILogger logger, string channel, int? userId, Exception e);
}

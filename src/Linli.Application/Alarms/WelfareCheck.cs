using Linli.Domain.Alarms;
using Linli.Domain.Devices;
using Linli.Domain.Registry;
using Linli.Application.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Linli.Application.Live;

namespace Linli.Application.Alarms;

public sealed class WelfareOptions
{
    /// <summary>Hours without any sign of life at home before someone is asked to look in.</summary>
    public double WelfareHours { get; set; } = 24;
    /// <summary>How often the check runs.</summary>
    public double WelfareCheckSeconds { get; set; } = 300;
    public int WelfareMinAge { get; set; } = 60;
}

/// <summary>
/// 独居老人关怀: an elderly resident living alone whose home shows no activity (no water or electricity use, no door
/// opened: readings of the meters and door sensor in their room; no door or gate passed with their own card or phone code,
/// from the access log) for <see cref="WelfareOptions.WelfareHours"/> gets a welfare
/// alarm at their home, one at a time; it clears itself when activity returns. Homes with no device at all are not
/// judged: silence there says nothing.
/// </summary>
public sealed partial class WelfareCheck(IServiceScopeFactory scopes, TimeProvider time, IOptions<WelfareOptions> options, ILogger<WelfareCheck> logger)
    : PeriodicJob(logger)
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(Math.Max(0.05, options.Value.WelfareCheckSeconds));

    protected override async Task<bool> PassAsync(CancellationToken ct)
    {
        await RunAsync(ct);
        return false;
    }

    /// <summary>"Quiet for 24 hours" is measured on the platform's clock, so the wait is too.</summary>
    protected override Task WaitAsync(TimeSpan interval, CancellationToken ct) => Task.Delay(interval, time, ct);

    sealed record Home(int ResidentId, string Name, int RoomId, int BuildingId, int UnitNo, string RoomNumber, string BuildingName, int PlanX, int PlanY,
        int DistrictId, int StreetId, int CommunityId, int GridId);

    /// <summary>One pass: raises alarms for homes gone quiet, clears those where life showed again. Returns (raised, cleared).</summary>
    public async Task<(int Raised, int Cleared)> RunAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateSystemScope("look for quiet homes of elderly people living alone everywhere");
        var db = scope.ServiceProvider.GetRequiredService<ILinliDb>();
        var now = time.GetUtcNow();
        var since = now.AddHours(-options.Value.WelfareHours);
        var bornBy = time.Today().AddYears(-options.Value.WelfareMinAge);

        var homes = await (from r in db.Residents.AsNoTracking()
                           where (r.Labels & ResidentLabels.LivingAlone) != 0 && r.RoomId != null && r.BirthDate <= bornBy
                           join room in db.Rooms on r.RoomId equals room.Id
                           join b in db.Buildings on room.BuildingId equals b.Id
                           select new Home(r.Id, r.Name, room.Id, b.Id, room.UnitNo, room.Number, b.Name, b.PlanX + b.PlanWidth / 2, b.PlanY + b.PlanHeight / 2,
                               room.DistrictId, room.StreetId, room.CommunityId, room.GridId)).ToListAsync(ct);
        var open = await db.Alarms
            .Where(a => a.Kind == AlarmKind.Welfare && a.RuleId == null && a.ResidentId != null && a.Open).ToListAsync(ct);

        // The devices that can vouch for a home: the meters and the door sensor in the room, whose readings only the household
        // makes. A unit's door controller cannot: until cards name the household that opened it, a neighbour's comings and
        // goings would hide a silent home. An SOS button's or a smoke detector's heartbeat is the device's life, not the person's.
        var roomIds = homes.Select(h => h.RoomId).Distinct().ToList();
        var openRooms = open.Where(a => a.RoomId != null).Select(a => a.RoomId!.Value).ToList();
        var devices = await db.Devices.AsNoTracking()
            .Where(d => !d.Disabled && d.RoomId != null && (roomIds.Contains(d.RoomId.Value) || openRooms.Contains(d.RoomId.Value))
                && (d.Type == DeviceType.WaterMeter || d.Type == DeviceType.ElectricityMeter || d.Type == DeviceType.DoorController))
            .Select(d => new { d.Id, d.RoomId, d.BuildingId, d.Unit, d.Type, d.CreatedAt }).ToListAsync(ct);
        var deviceIds = devices.Select(d => d.Id).ToList();
        var earliest = open.Count == 0 ? since : open.Min(a => a.RaisedAt) < since ? open.Min(a => a.RaisedAt) : since;
        var lastSeen = await db.Readings.AsNoTracking()
            .Where(r => deviceIds.Contains(r.DeviceId) && r.At >= earliest)
            .GroupBy(r => r.DeviceId).Select(g => new { DeviceId = g.Key, Last = g.Max(r => r.At) }).ToDictionaryAsync(x => x.DeviceId, x => x.Last, ct);

        // The resident's own passages vouch for them too: a card names its holder, as a shared door controller cannot.
        var people = homes.Select(h => h.ResidentId).Concat(open.Select(a => a.ResidentId!.Value)).Distinct().ToList();
        var passages = await scope.ServiceProvider.GetRequiredService<Access.ResidentPassages>().SinceAsync(people, earliest, ct);

        static bool Vouches(int roomId, int deviceRoom) => deviceRoom == roomId;

        (bool Watched, DateTimeOffset? Last, DateTimeOffset WatchedSince) Activity(int residentId, int roomId)
        {
            var mine = devices.Where(d => Vouches(roomId, d.RoomId ?? -1)).ToList();
            var sign = passages.GetValueOrDefault(residentId);
            if (mine.Count == 0 && sign is null) return (false, null, now);
            DateTimeOffset? last = sign?.LastPassage;
            foreach (var d in mine)
                if (lastSeen.TryGetValue(d.Id, out var at) && (last is null || at > last)) last = at;
            var since = mine.Select(d => d.CreatedAt).Concat(sign is null ? [] : [sign.HoldsSince]).Min();
            return (true, last, since);
        }

        var cleared = new List<Alarm>();
        foreach (var alarm in open)
        {
            if (alarm.RoomId is not { } roomId) continue;
            var (_, last, _) = Activity(alarm.ResidentId!.Value, roomId);
            if (last is { } l && l > alarm.RaisedAt)
            {
                alarm.Clear(AlarmActor.Platform, "activity at home again", now);
                cleared.Add(alarm);
            }
        }

        var alarmed = open.Where(a => !cleared.Contains(a)).Select(a => a.ResidentId!.Value).ToHashSet();
        var raised = new List<Alarm>();
        foreach (var h in homes)
        {
            if (alarmed.Contains(h.ResidentId)) continue;
            var (watched, last, watchedSince) = Activity(h.ResidentId, h.RoomId);
            // Quiet since the last sign of life, or since the first device was put in if there was none yet.
            if (!watched || (last ?? watchedSince) > since) continue;
            var subject = new AlarmSubject(h.DistrictId, h.StreetId, h.CommunityId, h.GridId, null, h.ResidentId, h.RoomId, h.BuildingId, null,
                h.PlanX, h.PlanY, Room.LabelFor(h.BuildingName, h.UnitNo, h.RoomNumber));
            var hours = options.Value.WelfareHours.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);
            var alarm = Alarm.Raise(AlarmKind.Welfare, AlarmSeverity.Warning, $"独居老人{hours}小时无活动 · {h.Name}",
                last is null ? "no activity since the devices were installed" : $"last activity {Clock.Local(last.Value):MM-dd HH:mm}", null, subject,
                AlarmRule.DefaultAckSeconds(AlarmSeverity.Warning), now);
            db.Alarms.Add(alarm);
            raised.Add(alarm);
        }
        if (raised.Count == 0 && cleared.Count == 0) return (0, 0);
        // The alarms record their events; the outbox delivers them (live view, calls, webhooks) after the commit.
        await db.SaveChangesAsync(ct);
        if (raised.Count > 0) LogRaised(logger, raised.Count);
        return (raised.Count, cleared.Count);
    }


    [LoggerMessage(Level = LogLevel.Information, Message = "Welfare check: {Count} homes gone quiet.")]
    static partial void LogRaised(ILogger logger, int count);
}

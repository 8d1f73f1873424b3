using Linli.Application.Common;
using Linli.Application.Identity;
using Linli.Domain.Access;
using Linli.Domain.Common;
using Linli.Domain.Devices;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Access;

public sealed record AccessLogFilter(int? GateId, long? CredentialId, bool? Allowed, DateTimeOffset? From, DateTimeOffset? Until);

public sealed record AccessLogDto(long Id, DateTimeOffset At, int GateId, string Gate, long? CredentialId, string? Holder, long? PassId, ShownKind Kind,
    bool Allowed, DenyReason? Reason, PassageDirection Direction, bool Offline);

/// <summary>Passages in one hour of a day (Beijing time): allowed entries and exits, and refusals.</summary>
public sealed record HourCount(int Hour, int Entries, int Exits, int Refused);

/// <summary>Someone whose last passage at a building's doors was inward.</summary>
public sealed record InsideDto(long CredentialId, string Holder, HolderKind HolderKind, DateTimeOffset Since, string Gate);

public sealed record ControllerDto(long DeviceId, string Code, string Name, DeviceType Type, DeviceHealth Health, DateTimeOffset? LastSeenAt,
    IReadOnlyList<string> Gates, long AckedVersion, long CurrentVersion, DateTimeOffset? LastSyncAt, DateTimeOffset? LastUploadAt, long UploadedEvents);

/// <summary>The access log and the controllers as staff read them; all through the caller's scope.</summary>
public sealed class AccessQueries(ILinliDb db, AccessSnapshot snapshot, AccessLogWriter writer, Devices.DeviceDirectory directory, AuditLog audit, TimeProvider time)
{
    /// <summary>How far back "who is inside" looks: someone who came in two days ago and left by a door without a reader is not inside.</summary>
    public static readonly TimeSpan InsideWindow = TimeSpan.FromDays(1);

    public async Task<Page<AccessLogDto>> LogAsync(AccessLogFilter filter, PageRequest paging, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        // What was decided a moment ago is shown: the batch writer is asked to finish first.
        await writer.FlushAsync(ct);
        var q = db.AccessLog.AsNoTracking();
        if (filter.GateId is { } g) q = q.Where(e => e.GateId == g);
        if (filter.CredentialId is { } c) q = q.Where(e => e.CredentialId == c);
        if (filter.Allowed is { } a) q = q.Where(e => e.Allowed == a);
        if (filter.From is { } from) q = q.Where(e => e.At >= from);
        if (filter.Until is { } until) q = q.Where(e => e.At < until);
        var total = await q.CountAsync(ct);
        var rows = await (from e in q.OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Skip(paging.Offset).Take(paging.PageSize)
                          join cr in db.Credentials on e.CredentialId equals cr.Id into crs
                          from cr in crs.DefaultIfEmpty()
                          select new { Entry = e, Holder = cr == null ? null : cr.HolderName }).ToListAsync(ct);
        return new Page<AccessLogDto>(rows.Select(r => new AccessLogDto(r.Entry.Id, r.Entry.At, r.Entry.GateId, snapshot.Gate(r.Entry.GateId)?.Name ?? $"#{r.Entry.GateId}",
            r.Entry.CredentialId, r.Holder, r.Entry.PassId, r.Entry.Kind, r.Entry.Allowed, r.Entry.Reason, r.Entry.Direction, r.Entry.Offline)).ToList(),
            paging.Page, paging.PageSize, total);
    }

    public async Task<IReadOnlyList<HourCount>> HourlyAsync(DateOnly? day, int? gateId, CancellationToken ct)
    {
        await writer.FlushAsync(ct);
        var date = day ?? DateOnly.FromDateTime(ChinaTime.Local(time.GetUtcNow()));
        DateWindow.Check(ChinaTime.StartOf(date), "day");
        var (start, end) = (ChinaTime.StartOf(date), ChinaTime.StartOf(date.AddDays(1)));
        var q = db.AccessLog.AsNoTracking().Where(e => e.At >= start && e.At < end);
        if (gateId is { } g) q = q.Where(e => e.GateId == g);
        var rows = await q.Select(e => new { e.At, e.Allowed, e.Direction }).ToListAsync(ct);
        var hours = Enumerable.Range(0, 24).Select(h => new int[3]).ToArray();
        foreach (var r in rows)
        {
            var counts = hours[ChinaTime.Local(r.At).Hour];
            counts[!r.Allowed ? 2 : r.Direction == PassageDirection.In ? 0 : 1]++;
        }
        return hours.Select((c, h) => new HourCount(h, c[0], c[1], c[2])).ToList();
    }

    public async Task<IReadOnlyList<InsideDto>> InsideAsync(int buildingId, CancellationToken ct)
    {
        await writer.FlushAsync(ct);
        var since = time.GetUtcNow() - InsideWindow;
        var rows = await (from e in db.AccessLog.AsNoTracking()
                          where e.BuildingId == buildingId && e.At >= since && e.Allowed && e.CredentialId != null
                          join c in db.Credentials on e.CredentialId equals c.Id
                          select new { CredentialId = e.CredentialId!.Value, e.At, e.Id, e.Direction, e.GateId, c.HolderName, c.Holder }).ToListAsync(ct);
        return rows.GroupBy(r => r.CredentialId)
            .Select(g => g.OrderByDescending(r => r.At).ThenByDescending(r => r.Id).First())
            .Where(r => r.Direction == PassageDirection.In)
            .OrderBy(r => r.HolderName, StringComparer.Ordinal)
            .Select(r => new InsideDto(r.CredentialId, r.HolderName, r.Holder, r.At, snapshot.Gate(r.GateId)?.Name ?? $"#{r.GateId}"))
            .ToList();
    }

    public async Task<IReadOnlyList<ControllerDto>> ControllersAsync(CancellationToken ct)
    {
        var devices = await db.Devices.AsNoTracking().Where(d => d.Type == DeviceType.DoorController || d.Type == DeviceType.ParkingBarrier)
            .OrderBy(d => d.Code).Take(500).ToListAsync(ct);
        var ids = devices.Select(d => d.Id).ToList();
        var states = await db.AccessControllers.AsNoTracking().Where(c => ids.Contains(c.DeviceId)).ToDictionaryAsync(c => c.DeviceId, ct);
        var gates = snapshot.Gates.Where(g => g.ControllerId is not null).ToLookup(g => g.ControllerId!.Value, g => g.Name);
        return devices.Select(d =>
        {
            var s = states.GetValueOrDefault(d.Id);
            // The directory's view is this moment's (the device clock saves it every few seconds).
            var live = directory.Find(d.Id);
            return new ControllerDto(d.Id, d.Code, d.Name, d.Type, live?.Health ?? d.Health, live?.SeenAt ?? d.LastSeenAt, gates[d.Id].Order(StringComparer.Ordinal).ToList(),
                s?.AckedVersion ?? 0, snapshot.Version, s?.LastSyncAt, s?.LastUploadAt, s?.UploadedEvents ?? 0);
        }).ToList();
    }

    /// <summary>A controller's whitelist from the start: deliberate and audited (a replaced controller, or one whose memory was wiped).</summary>
    public async Task ResyncAsync(long deviceId, CancellationToken ct)
    {
        var device = await db.Devices.FirstOrDefaultAsync(d => d.Id == deviceId, ct) ?? throw new NotFoundException("Controller");
        var state = await db.AccessControllers.FirstOrDefaultAsync(c => c.DeviceId == deviceId, ct);
        if (state is null) return;
        state.Reset(time.GetUtcNow());
        audit.Record("ResyncController", device, nameof(Device), checked((int)device.Id), device.Code);
        await db.SaveChangesAsync(ct);
    }
}

using Linli.Application.Common;
using Linli.Domain.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Linli.Application.Exchange.Hierarchy;

/// <summary>One message for the higher platform as the push log shows it: what, about what, how many attempts, how it ended.</summary>
public sealed record PushLogEntryDto(string MessageId, string Type, string Subject, DateTimeOffset CreatedAt, int Attempts, DateTimeOffset? NextAttemptAt,
    int? LastStatus, string? LastError, DateTimeOffset? DeliveredAt);

/// <summary>The link at a glance: whether it is on, where it pushes, and what is still waiting in the caller's area.</summary>
public sealed record ExchangeStatusDto(bool Enabled, bool Pushing, string? Url, string KeyId, int Waiting, int Failing, DateTimeOffset? OldestWaitingSince,
    DateTimeOffset? LastDeliveredAt);

/// <summary>The push log: the messages that went (or are going) up, in the caller's area, newest first.</summary>
public sealed class PushLog(ILinliDb db, IOptions<ExchangeOptions> options)
{
    public async Task<Page<PushLogEntryDto>> ListAsync(string? type, bool? delivered, PageRequest page, CancellationToken ct)
    {
        if (type?.Length > Domain.Exchange.UpstreamPush.TypeMaxLength) throw new DomainException("No such message type.", "type");
        var q = db.UpstreamPushes.AsNoTracking();
        if (!string.IsNullOrEmpty(type)) q = q.Where(p => p.Type == type);
        if (delivered is { } d) q = d ? q.Where(p => p.DeliveredAt != null) : q.Where(p => p.DeliveredAt == null);
        var total = await q.Take(10_001).CountAsync(ct);
        var rows = await q.OrderByDescending(p => p.Id).Skip(page.Offset).Take(page.PageSize).ToListAsync(ct);
        var items = rows.Select(p => new PushLogEntryDto(p.MessageId, p.Type, p.Subject, p.CreatedAt, p.Attempts,
            p.DeliveredAt is null ? p.NextAttemptAt : null, p.LastStatus, p.LastError, p.DeliveredAt)).ToList();
        return new Page<PushLogEntryDto>(items, page.Page, page.PageSize, Math.Min(total, 10_000), total > 10_000);
    }

    public async Task<ExchangeStatusDto> StatusAsync(CancellationToken ct)
    {
        var o = options.Value;
        var waiting = db.UpstreamPushes.AsNoTracking().Where(p => p.DeliveredAt == null);
        var count = await waiting.CountAsync(ct);
        var failing = await waiting.CountAsync(p => p.Attempts > 0, ct);
        var oldest = count == 0 ? null : await waiting.OrderBy(p => p.Id).Select(p => (DateTimeOffset?)p.CreatedAt).FirstOrDefaultAsync(ct);
        var last = await db.UpstreamPushes.AsNoTracking().Where(p => p.DeliveredAt != null).OrderByDescending(p => p.DeliveredAt)
            .Select(p => p.DeliveredAt).FirstOrDefaultAsync(ct);
        return new ExchangeStatusDto(o.Enabled, o.Pushes, o.Pushes ? o.Url : null, o.KeyId, count, failing, oldest, last);
    }
}

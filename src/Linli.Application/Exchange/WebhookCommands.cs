using System.Security.Cryptography;
using Linli.Application.Common;
using Linli.Application.Identity;
using Linli.Domain.Alarms;
using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Domain.Registry;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Exchange;

public sealed record WebhookDto(int Id, string Name, string Url, AlarmSeverity MinSeverity, bool Active, int DistrictId, int StreetId, int CommunityId,
    DateTimeOffset CreatedAt, DateTimeOffset? LastDeliveredAt, int ConsecutiveFailures, string? LastError);

/// <summary>The answer to creating a webhook: the only time the signing secret is shown.</summary>
public sealed record WebhookCreatedDto(WebhookDto Webhook, string Secret);

/// <summary>A webhook kept at the caller's node, or at a community inside it.</summary>
public sealed record WebhookRequest(string? Name, string? Url, AlarmSeverity? MinSeverity, int? CommunityId);

public sealed record WebhookDeliveryDto(long Id, string EventType, DateTimeOffset CreatedAt, int Attempts, DateTimeOffset NextAttemptAt,
    DateTimeOffset? DeliveredAt, int? LastStatus, string? LastError, bool GaveUp);

/// <summary>Managing the signed webhooks for alarms: kept at a node, deactivated only by the node that keeps them.</summary>
public sealed class WebhookCommands(ILinliDb db, CurrentUser user, IPersonalDataProtector protector, TimeProvider time)
{
    public async Task<IReadOnlyList<WebhookDto>> ListAsync(CancellationToken ct)
    {
        var hooks = await db.Webhooks.AsNoTracking().OrderBy(w => w.CommunityId).ThenBy(w => w.Name).ToListAsync(ct);
        return hooks.Select(ToDto).ToList();
    }

    public async Task<WebhookCreatedDto> CreateAsync(WebhookRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var node = await NodeAsync(request.CommunityId, ct);
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var hook = new Webhook(node.DistrictId, node.StreetId, node.CommunityId, request.Name ?? "", request.Url ?? "",
            request.MinSeverity ?? throw new DomainException("Choose the lowest severity to send.", "minSeverity"), secret, protector, time.GetUtcNow());
        db.Webhooks.Add(hook);
        await db.SaveChangesAsync(ct);
        return new WebhookCreatedDto(ToDto(hook), secret);
    }

    public async Task<WebhookDto> DeactivateAsync(int id, CancellationToken ct)
    {
        var hook = await db.Webhooks.SingleOrDefaultAsync(w => w.Id == id, ct) ?? throw new NotFoundException("Webhook");
        if (!user.Scope.Covers(hook.Keys)) throw new ForbiddenException("This webhook is kept by a node above yours.");
        hook.Deactivate();
        await db.SaveChangesAsync(ct);
        return ToDto(hook);
    }

    public async Task<IReadOnlyList<WebhookDeliveryDto>> DeliveriesAsync(int id, CancellationToken ct)
    {
        // The webhook is read through the caller's scope first: its deliveries are shown only to those who see it.
        if (!await db.Webhooks.AnyAsync(w => w.Id == id, ct)) throw new NotFoundException("Webhook");
        var rows = await db.WebhookDeliveries.AsNoTracking().Where(d => d.WebhookId == id).OrderByDescending(d => d.Id).Take(100).ToListAsync(ct);
        return rows.Select(d => new WebhookDeliveryDto(d.Id, d.EventType, d.CreatedAt, d.Attempts,
            d.NextAttemptAt, d.DeliveredAt, d.LastStatus, d.LastError, d.GaveUp)).ToList();
    }

    static WebhookDto ToDto(Webhook w) => new(w.Id, w.Name, w.Url, w.MinSeverity, w.Active, w.DistrictId, w.StreetId, w.CommunityId, w.CreatedAt,
        w.LastDeliveredAt, w.ConsecutiveFailures, w.LastError);

    async Task<(int DistrictId, int StreetId, int CommunityId)> NodeAsync(int? communityId, CancellationToken ct)
    {
        var scopeNode = await db.Nodes.AsNoTracking().SingleOrDefaultAsync(n => n.Id == user.Scope.Id, ct);
        if (scopeNode is null || scopeNode.Kind == NodeKind.Grid) throw new ForbiddenException("Webhooks are kept at a community, street or district.");
        if (communityId is { } c && c != scopeNode.CommunityId)
        {
            var community = await db.Nodes.AsNoTracking().SingleOrDefaultAsync(n => n.Id == c && n.Kind == NodeKind.Community, ct)
                ?? throw new DomainException("No such community here.", "communityId");
            return (community.DistrictId, community.StreetId, community.CommunityId);
        }
        return (scopeNode.DistrictId, scopeNode.StreetId, scopeNode.CommunityId);
    }
}

using Linli.Application.Common;
using Linli.Application.Identity;
using Linli.Domain.Common;
using Linli.Domain.Exchange;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Linli.Application.Exchange.Open311;

public sealed record Open311ClientRequest(string? Name, int? DailyLimit);

/// <summary>A client as listed: never its key, only the key's first characters.</summary>
public sealed record Open311ClientDto(int Id, string Name, string KeyPrefix, bool Active, int DailyLimit, int UsedToday,
    DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);

/// <summary>A newly issued client with its api_key: the only time the key is shown.</summary>
public sealed record IssuedOpen311ClientDto(int Id, string Name, string ApiKey, string KeyPrefix, int DailyLimit, DateTimeOffset CreatedAt);

/// <summary>Issuing, listing and revoking the api_keys of outside apps.</summary>
public sealed class Open311Clients(ILinliDb db, CurrentUser user, TimeProvider time, IOptions<Open311Options> options)
{
    public async Task<IReadOnlyList<Open311ClientDto>> ListAsync(CancellationToken ct)
    {
        var today = time.Today();
        var clients = await db.Open311Clients.AsNoTracking().OrderBy(c => c.Id).ToListAsync(ct);
        return clients.Select(c => Dto(c, today)).ToList();
    }

    public async Task<IssuedOpen311ClientDto> IssueAsync(Open311ClientRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (client, key) = Open311Client.Issue(request.Name, request.DailyLimit ?? options.Value.DefaultDailyLimit, user.Id, time.GetUtcNow());
        if (await db.Open311Clients.AnyAsync(c => c.Name == client.Name && c.Active, ct))
            throw new DomainException("An active client has this name already; revoke it first or choose another name.", "name");
        db.Open311Clients.Add(client);
        await db.SaveChangesAsync(ct);
        return new IssuedOpen311ClientDto(client.Id, client.Name, key, client.KeyPrefix, client.DailyLimit, client.CreatedAt);
    }

    public async Task<Open311ClientDto> RevokeAsync(int id, CancellationToken ct)
    {
        var client = await db.Open311Clients.FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw new NotFoundException("Open311 client");
        client.Revoke(time.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return Dto(client, time.Today());
    }

    static Open311ClientDto Dto(Open311Client c, DateOnly today) =>
        new(c.Id, c.Name, c.KeyPrefix, c.Active, c.DailyLimit, c.UsedOn == today ? c.UsedToday : 0, c.CreatedAt, c.RevokedAt, c.LastUsedAt);
}

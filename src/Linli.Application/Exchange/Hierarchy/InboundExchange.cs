using System.Security.Cryptography;
using System.Text.Json;
using Linli.Application.Cases;
using Linli.Application.Common;
using Linli.Application.Notices;
using Linli.Domain.Common;
using Linli.Domain.Exchange;
using Linli.Domain.Identity;
using Linli.Domain.Notices;
using Linli.Domain.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Linli.Application.Exchange.Hierarchy;

/// <summary>A signed request from the higher platform as it arrived: the signing headers and the body's bytes.</summary>
public sealed record SignedRequest(string? KeyId, string? Timestamp, string? Nonce, string? Signature, byte[] Body);

/// <summary>The request's signature is missing, stale or wrong (HTTP 401): nothing was read from it.</summary>
public sealed class UntrustedMessageException(string message) : Exception(message);

/// <summary>
/// Tasks and notices the higher platform sends down. The signature is checked on the body's bytes before anything is read;
/// then the message is read and checked field by field; then, under the system's scope, its id is looked up (a repeat is
/// answered as the first time) and the place its code names is found; the work itself runs under that place's declared
/// scope, the record of the message and the case or notice it became in one transaction.
/// </summary>
public sealed class InboundExchange(IServiceScopeFactory scopes, TimeProvider time, IOptions<ExchangeOptions> options)
{
    public const int MaxBodyBytes = 256 * 1024;
    public const int IdMaxLength = InboundMessage.MessageIdMaxLength;

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip };

    sealed record Envelope(string? Version, string? Id, string? Type, string? Subject, string? Source, DateTimeOffset? OccurredAt, JsonElement? Data);

    public async Task<InboundAnswer> ReceiveAsync(SignedRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!options.Value.Enabled) throw new NotFoundException("A link with a higher platform");
        if (ExchangeSigning.Problem(options.Value, request.KeyId, request.Timestamp, request.Nonce, request.Signature, request.Body, time.GetUtcNow())
            is { } untrusted) throw new UntrustedMessageException(untrusted);

        var envelope = Read<Envelope>(request.Body, "") ?? throw new DomainException("The body must be a JSON object.", "request");
        if (envelope.Version != ExchangeTypes.Version) throw new DomainException($"This installation speaks exchange version {ExchangeTypes.Version}.", "version");
        var id = Text(envelope.Id, "id", IdMaxLength, required: true)!;
        if (!id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':')) throw new DomainException("A message id is letters, digits, '-', '_', '.' or ':'.", "id");
        Text(envelope.Subject, "subject", 120);
        Text(envelope.Source, "source", 60);
        if (envelope.Data is not { ValueKind: JsonValueKind.Object } data) throw new DomainException("The message needs its data as an object.", "data");
        var hash = Convert.ToHexStringLower(SHA256.HashData(request.Body));
        return envelope.Type switch
        {
            ExchangeTypes.Task => await TaskAsync(id, hash, Check(Read<TaskData>(data)!), ct),
            ExchangeTypes.Notice => await NoticeAsync(id, hash, Check(Read<NoticeData>(data)!), ct),
            _ => throw new DomainException($"A message sent down is a \"{ExchangeTypes.Task}\" or a \"{ExchangeTypes.Notice}\".", "type"),
        };
    }

    async Task<InboundAnswer> TaskAsync(string id, string hash, TaskData task, CancellationToken ct)
    {
        var (known, community) = await LookUpAsync(id, hash, task.CommunityCode!, "data.communityCode", ct);
        if (known is not null) return known;
        if (community.Kind != NodeKind.Community) throw new DomainException("A task is for a community: give its code.", "data.communityCode");
        var o = options.Value;
        return await WithinAsync(community, id, ExchangeTypes.Task, task.Reference!, hash, async (services, record) =>
        {
            var created = await services.GetRequiredService<SubmitCase>().FromHigherPlatformAsync(new HigherPlatformTask(community.Id,
                task.CategoryCode ?? o.DefaultTaskCategory, task.Title!, task.Description, task.Address, task.Latitude, task.Longitude, o.Name,
                task.Reference!), ct);
            record.BecameCase(created.Id);
        }, ct);
    }

    async Task<InboundAnswer> NoticeAsync(string id, string hash, NoticeData notice, CancellationToken ct)
    {
        var (known, node) = await LookUpAsync(id, hash, notice.PlaceCode!, "data.placeCode", ct);
        if (known is not null) return known;
        if (node.Kind == NodeKind.Grid) throw new DomainException("A notice is for a district, street or community: give its code.", "data.placeCode");
        var groups = ResidentGroups.None;
        foreach (var g in notice.Groups ?? [])
        {
            if (!Enum.TryParse<ResidentGroups>(g, ignoreCase: false, out var one) || !ResidentGroupsOf.All.Contains(one))
                throw new DomainException($"Unknown resident group; one of {string.Join(", ", ResidentGroupsOf.All)}.", "data.groups");
            groups |= one;
        }
        var draft = new NoticeDraft(notice.Title, notice.Body, notice.PublishAt, notice.ExpiresAt, notice.Pinned ?? false, notice.Urgent ?? false,
            new NoticeAudience(null, groups, null));
        return await WithinAsync(node, id, ExchangeTypes.Notice, notice.Reference!, hash, async (services, record) =>
        {
            var author = await LinkAccountAsync(services.GetRequiredService<ILinliDb>(), node, ct);
            record.BecameNotice(await services.GetRequiredService<NoticeCommands>().FromHigherPlatformAsync(node.Id, author, options.Value.Name, draft, ct));
        }, ct);
    }

    /// <summary>
    /// The account that stands for the link, as the author of the notices it sends down (a notice's author is an account).
    /// Nobody signs in as it: it has no password and no phone. Least privilege: a service provider's role, which notices
    /// are not sent to unless they name it.
    /// </summary>
    /// <remarks>Created in the transaction of the first notice, so a notice refused leaves no account behind.</remarks>
    async Task<int> LinkAccountAsync(ILinliDb db, HierarchyNode place, CancellationToken ct)
    {
        if (await db.Users.AsNoTracking().Where(u => u.UserName == LinkAccount).Select(u => (int?)u.Id).FirstOrDefaultAsync(ct) is { } id) return id;
        var community = await db.UnscopedNodes().AsNoTracking().Where(n => n.Kind == NodeKind.Community && n.DistrictId == place.DistrictId)
            .OrderBy(n => n.Code).FirstAsync(ct);
        var account = new UserAccount(LinkAccount, options.Value.Name, Role.ServiceProvider, community);
        db.Users.Add(account);
        await db.SaveChangesAsync(ct);
        return account.Id;
    }

    /// <summary>The user name of the account that stands for the higher platform.</summary>
    public const string LinkAccount = "link:upstream";

    /// <summary>The answer already given to this id (a repeat), or the place the code names; under the system's scope.</summary>
    async Task<(InboundAnswer? Known, HierarchyNode Place)> LookUpAsync(string id, string hash, string code, string field, CancellationToken ct)
    {
        await using var scope = scopes.CreateSystemScope("the higher platform names any place of the installation by its code; a repeat is found by its id");
        var db = scope.ServiceProvider.GetRequiredService<ILinliDb>();
        if (await KnownAsync(db, id, hash, ct) is { } known) return (known, null!);
        var place = await scope.ServiceProvider.GetRequiredService<ExchangePlaces>().ByCodeAsync(code, ct)
            ?? throw new DomainException($"No place with the code {code} is served by this installation.", field);
        return (null, place);
    }

    static async Task<InboundAnswer?> KnownAsync(ILinliDb db, string id, string hash, CancellationToken ct)
    {
        var known = await db.InboundMessages.AsNoTracking().FirstOrDefaultAsync(m => m.MessageId == id, ct);
        if (known is null) return null;
        if (known.BodyHash != hash) throw new ConflictException("A different message was received with this id before; a new message needs a new id.", "id");
        return Answer(known);
    }

    static InboundAnswer Answer(InboundMessage m) => new(m.MessageId, m.Type, m.Reference, "accepted", m.CaseId, m.NoticeId);

    /// <summary>The record of the message and the work it asks for, in one transaction under the place's declared scope.</summary>
    async Task<InboundAnswer> WithinAsync(HierarchyNode place, string id, string type, string reference, string hash,
        Func<IServiceProvider, InboundMessage, Task> work, CancellationToken ct)
    {
        var level = place.Kind switch
        {
            NodeKind.District => ScopeLevel.District,
            NodeKind.Street => ScopeLevel.Street,
            _ => ScopeLevel.Community,
        };
        var keys = place.Kind == NodeKind.Grid ? place.Keys with { GridId = 0 } : place.Keys;
        await using (var scope = scopes.CreateDeclaredScope(new Scope(level, place.Id), $"a {type} the higher platform sent down for {place.Code}"))
        {
            var db = scope.ServiceProvider.GetRequiredService<ILinliDb>();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var record = new InboundMessage(keys, id, type, reference, hash, time.GetUtcNow());
            db.InboundMessages.Add(record);
            if (await RecordedFirstAsync(db, ct))
            {
                try
                {
                    await work(scope.ServiceProvider, record);
                }
                catch (DomainException e) when (e is not ConflictException && e is not NotFoundException && e is not ForbiddenException)
                {
                    // The rules of cases and notices name their own fields; the sender wrote them inside data.
                    throw new DomainException(e.Message, "data." + (e.Field ?? "request"));
                }
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                return Answer(record);
            }
        }
        // The same message arrived twice at once and the other one was recorded first: answer as it was answered.
        await using var again = scopes.CreateSystemScope("the same message arrived twice at once: answer as the first");
        return await KnownAsync(again.ServiceProvider.GetRequiredService<ILinliDb>(), id, hash, ct)
            ?? throw new ConflictException("The message could not be recorded; send it again.", "id");
    }

    /// <summary>
    /// Writes the record of the message first, so that the same message arriving twice at once waits here for the first
    /// and then fails on the key; false for that second one.
    /// </summary>
    static async Task<bool> RecordedFirstAsync(ILinliDb db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            return false;
        }
    }

    static TaskData Check(TaskData t)
    {
        Text(t.Reference, "data.reference", InboundMessage.ReferenceMaxLength, required: true);
        Text(t.CommunityCode, "data.communityCode", HierarchyNode.CodeMaxLength, required: true);
        Text(t.CategoryCode, "data.categoryCode", 40);
        Text(t.Title, "data.title", Domain.Cases.Case.TitleMaxLength, required: true);
        Text(t.Description, "data.description", Domain.Cases.Case.DescriptionMaxLength);
        Text(t.Address, "data.address", 80);
        return t;
    }

    static NoticeData Check(NoticeData n)
    {
        Text(n.Reference, "data.reference", InboundMessage.ReferenceMaxLength, required: true);
        Text(n.PlaceCode, "data.placeCode", HierarchyNode.CodeMaxLength, required: true);
        Text(n.Title, "data.title", Notice.TitleMaxLength, required: true);
        Text(n.Body, "data.body", Notice.BodyMaxLength, required: true);
        if (n.Groups?.Count > ResidentGroupsOf.All.Count) throw new DomainException($"At most {ResidentGroupsOf.All.Count} resident groups.", "data.groups");
        foreach (var g in n.Groups ?? []) Text(g, "data.groups", 40, required: true);
        if (n.PublishAt is { } p && !DateWindow.Contains(p)) throw new DomainException(DateWindow.Refusal, "data.publishAt");
        if (n.ExpiresAt is { } x && !DateWindow.Contains(x)) throw new DomainException(DateWindow.Refusal, "data.expiresAt");
        return n;
    }

    static string? Text(string? value, string field, int max, bool required = false)
    {
        if (string.IsNullOrWhiteSpace(value))
            return required ? throw new DomainException("This field is required.", field) : null;
        if (value.Length > max) throw new DomainException($"At most {max} characters.", field);
        return StorableText.Check(value, field);
    }

    static T? Read<T>(JsonElement element) where T : class
    {
        try
        {
            return element.Deserialize<T>(Json);
        }
        catch (JsonException e)
        {
            throw new DomainException("The value is not valid here.", Field("data", e.Path));
        }
    }

    static T? Read<T>(byte[] body, string prefix) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(body, Json);
        }
        catch (JsonException e)
        {
            throw new DomainException("The body is not a valid message: " + e.Message.Split('\n')[0], Field(prefix, e.Path));
        }
    }

    /// <summary>"$.data.title" → "data.title"; the envelope itself when the path says nothing.</summary>
    static string Field(string prefix, string? path)
    {
        var p = (path ?? "$").TrimStart('$').TrimStart('.');
        return prefix.Length == 0 ? (p.Length == 0 ? "request" : p) : p.Length == 0 ? prefix : $"{prefix}.{p}";
    }
}

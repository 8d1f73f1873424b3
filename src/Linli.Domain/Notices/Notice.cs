using Linli.Domain.Common;
using Linli.Domain.Registry;

namespace Linli.Domain.Notices;

/// <summary>Where a notice stands at a moment; derived from its times, never stored.</summary>
public enum NoticeStatus { Scheduled, Published, Expired, Withdrawn }

/// <summary>What a publisher fills in; <see cref="PublishAt"/> empty means now.</summary>
public sealed record NoticeDraft(string? Title, string? Body, DateTimeOffset? PublishAt = null, DateTimeOffset? ExpiresAt = null,
    bool Pinned = false, bool Urgent = false, NoticeAudience? Audience = null);

/// <summary>
/// A notice (信息发布) published at a node of the hierarchy. Its scope keys are the node's, so it reaches every place at or
/// below that node (a street's notice has community and grid 0); its <see cref="Audience"/> narrows who there is sent it.
/// Readers see it from <see cref="PublishAt"/> until <see cref="ExpiresAt"/>, unless it was withdrawn.
/// </summary>
public sealed class Notice : ScopedEntity
{
    public const int TitleMaxLength = 80;
    public const int BodyMaxLength = 20_000;
    public const int NameMaxLength = 60;

    /// <summary>A form filled in a few minutes ago still means "now", not "in the past".</summary>
    public static readonly TimeSpan Leeway = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MaxScheduleAhead = TimeSpan.FromDays(366);

    public int Id { get; private set; }
    public int NodeId { get; private set; }
    /// <summary>The publishing node's name at the time (e.g. 春晖街道): readers below it may not see that node itself.</summary>
    public string FromName { get; private set; } = "";
    public int AuthorId { get; private set; }
    public string AuthorName { get; private set; } = "";
    public string Title { get; private set; } = "";
    /// <summary>Markdown; rendered with raw HTML disabled and unsafe links removed.</summary>
    public string Body { get; private set; } = "";
    public DateTimeOffset PublishAt { get; private set; }
    public DateTimeOffset? ExpiresAt { get; private set; }
    public bool Pinned { get; private set; }
    public bool Urgent { get; private set; }
    public ResidentGroups Groups { get; private set; }
    public int RoleMask { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public DateTimeOffset? WithdrawnAt { get; private set; }
    public int? WithdrawnById { get; private set; }

    readonly List<NoticeBuilding> _buildings = [];
    public IReadOnlyList<NoticeBuilding> Buildings => _buildings;

    Notice() { }

    public Notice(HierarchyNode node, int authorId, string authorName, NoticeDraft draft, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(draft);
        PlaceIn(node);
        NodeId = node.Id;
        FromName = Truncate(node.Name);
        AuthorId = authorId;
        AuthorName = Truncate(authorName);
        CreatedAt = now;
        Apply(draft, now);
    }

    public NoticeAudience Audience => new(_buildings.Select(b => b.BuildingId), Groups, NoticeAudience.RolesOf(RoleMask));

    public NoticeStatus StatusAt(DateTimeOffset now) =>
        WithdrawnAt is not null ? NoticeStatus.Withdrawn
        : PublishAt > now ? NoticeStatus.Scheduled
        : ExpiresAt <= now ? NoticeStatus.Expired
        : NoticeStatus.Published;

    /// <summary>Whether the notice is published at or above the place, i.e. the place lies in its subtree.</summary>
    public bool Reaches(ScopedEntity place)
    {
        ArgumentNullException.ThrowIfNull(place);
        return Keys.Covers(place.Keys);
    }

    /// <summary>Changes a notice that readers have not seen yet. Once published, a correction is a new notice.</summary>
    public void Edit(NoticeDraft draft, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(draft);
        if (StatusAt(now) != NoticeStatus.Scheduled)
            throw new DomainException("Only a notice that is not published yet can be edited; withdraw this one and publish a corrected notice.", "status");
        Apply(draft, now);
    }

    /// <summary>Publishes a scheduled notice at once.</summary>
    public void PublishNow(DateTimeOffset now)
    {
        if (StatusAt(now) != NoticeStatus.Scheduled) throw new DomainException("Only a scheduled notice can be published now.", "status");
        if (ExpiresAt <= now) throw new DomainException("The expiry must be after the publishing time.", "expiresAt");
        PublishAt = now;
        UpdatedAt = now;
    }

    /// <summary>Takes the notice away from readers; it stays on record with who withdrew it and when.</summary>
    public void Withdraw(int userId, DateTimeOffset now)
    {
        switch (StatusAt(now))
        {
            case NoticeStatus.Withdrawn: throw new DomainException("This notice was withdrawn already.", "status");
            case NoticeStatus.Expired: throw new DomainException("This notice has expired already.", "status");
        }
        WithdrawnAt = now;
        WithdrawnById = userId;
        UpdatedAt = now;
    }

    /// <summary>Pins or unpins a notice that readers still see (or will see).</summary>
    public void SetPinned(bool pinned, DateTimeOffset now)
    {
        if (StatusAt(now) is NoticeStatus.Withdrawn or NoticeStatus.Expired) throw new DomainException("Only a current notice can be pinned.", "status");
        Pinned = pinned;
        UpdatedAt = now;
    }

    void Apply(NoticeDraft draft, DateTimeOffset now)
    {
        var title = (draft.Title ?? "").Trim();
        if (title.Length == 0) throw new DomainException("Title is required.", "title");
        if (title.Length > TitleMaxLength) throw new DomainException($"Title must be at most {TitleMaxLength} characters.", "title");
        var body = (draft.Body ?? "").Trim();
        if (body.Length == 0) throw new DomainException("The notice needs some text.", "body");
        if (body.Length > BodyMaxLength) throw new DomainException($"The text must be at most {BodyMaxLength:N0} characters.", "body");

        var publishAt = (draft.PublishAt ?? now).ToUniversalTime();
        if (publishAt < now - Leeway) throw new DomainException("The publishing time is in the past.", "publishAt");
        if (publishAt > now + MaxScheduleAhead) throw new DomainException("A notice can be scheduled at most a year ahead.", "publishAt");
        if (publishAt < now) publishAt = now;
        var expiresAt = draft.ExpiresAt?.ToUniversalTime();
        if (expiresAt <= publishAt) throw new DomainException("The expiry must be after the publishing time.", "expiresAt");

        var audience = draft.Audience ?? NoticeAudience.Everyone;
        Title = title;
        Body = body;
        PublishAt = publishAt;
        ExpiresAt = expiresAt;
        Pinned = draft.Pinned;
        Urgent = draft.Urgent;
        Groups = audience.Groups;
        RoleMask = audience.RoleMask;
        // Only the difference: removing and re-adding a building would be two changes to one row.
        _buildings.RemoveAll(b => !audience.BuildingIds.Contains(b.BuildingId));
        foreach (var id in audience.BuildingIds.Where(id => _buildings.TrueForAll(b => b.BuildingId != id))) _buildings.Add(new NoticeBuilding(id));
        UpdatedAt = now;
    }

    static string Truncate(string? name) => (name ?? "").Length > NameMaxLength ? name![..NameMaxLength] : name ?? "";
}

/// <summary>One building a notice is sent to (none: the whole area).</summary>
public sealed class NoticeBuilding
{
    public int BuildingId { get; private set; }

    NoticeBuilding() { }

    internal NoticeBuilding(int buildingId) => BuildingId = buildingId;
}

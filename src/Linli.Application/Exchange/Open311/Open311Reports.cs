using System.Text.RegularExpressions;
using Linli.Application.Cases;
using Linli.Application.Common;
using Linli.Domain.Cases;
using Linli.Domain.Exchange;
using Linli.Domain.Registry;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Exchange.Open311;

/// <summary>What an outside app sends with its report besides the case: who it is, its own reference, a link to its media.</summary>
/// <param name="MediaNote">The timeline note that shows staff the media link; required with <paramref name="MediaUrl"/>.</param>
public sealed record Open311Filing(Open311Client Client, string? AccountId, string? MediaUrl, string? MediaNote);

/// <summary>A client's api_key, used once more: <see cref="Counted"/> false when its day's reports are filed already.</summary>
public sealed record Open311KeyUse(Open311Client Client, bool Counted);

/// <summary>The building a person's address names; <see cref="CommunityNamed"/> false when it names no community of this platform.</summary>
public sealed record Open311Address(bool CommunityNamed, int? BuildingId);

/// <summary>
/// Reports from outside apps: the api_key counted against its day, the building an address written by a person names,
/// and the case written with the app's submission in one transaction. The Open311 endpoint turns the answers into the
/// spec's fields and errors.
/// </summary>
public sealed partial class Open311Reports(ILinliDb db, SubmitCase submit, TimeProvider time)
{
    /// <summary>
    /// The active client behind the key, with one more report counted against its day; null for an unknown or revoked key.
    /// The count is one conditional UPDATE, so parallel requests cannot slip past the limit together.
    /// </summary>
    public async Task<Open311KeyUse?> UseKeyAsync(string key, CancellationToken ct)
    {
        var hash = Open311Client.Hash(key);
        var client = await db.Open311Clients.AsNoTracking().FirstOrDefaultAsync(c => c.KeyHash == hash, ct);
        if (client is null || !client.Active) return null;
        var today = time.Today();
        var now = time.GetUtcNow();
        var counted = await db.Open311Clients
            .Where(c => c.Id == client.Id && c.Active && (c.UsedOn != today || c.UsedToday < c.DailyLimit))
            .ExecuteUpdateAsync(s => s
                .SetProperty(c => c.UsedToday, c => c.UsedOn == today ? c.UsedToday + 1 : 1)
                .SetProperty(c => c.UsedOn, today)
                .SetProperty(c => c.LastUsedAt, now), ct);
        return new Open311KeyUse(client, counted != 0);
    }

    /// <summary>
    /// An address written by a person: it must name a community of this platform (with or without 社区/小区) and one of its
    /// buildings ("3号楼", also written "3栋" or "3幢").
    /// </summary>
    public async Task<Open311Address> BuildingNamedInAsync(string address, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(address);
        var text = BuildingWord().Replace(address.Replace(" ", "", StringComparison.Ordinal), "$1号楼");
        var communities = await db.UnscopedNodes().AsNoTracking().Where(n => n.Kind == NodeKind.Community)
            .Select(n => new { n.Id, n.Name }).ToListAsync(ct);
        var community = communities
            .Select(c => (c.Id, Short: c.Name.EndsWith("社区", StringComparison.Ordinal) || c.Name.EndsWith("小区", StringComparison.Ordinal) ? c.Name[..^2] : c.Name))
            .Where(c => c.Short.Length > 0 && text.Contains(c.Short, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(c => c.Short.Length).FirstOrDefault();
        if (community.Id == 0) return new Open311Address(false, null);
        var buildings = await db.UnscopedBuildings().AsNoTracking().Where(b => b.CommunityId == community.Id)
            .Select(b => new { b.Id, b.Name }).ToListAsync(ct);
        var building = buildings.Where(b => NamedIn(text, b.Name)).OrderByDescending(b => b.Name.Length).FirstOrDefault();
        return new Open311Address(true, building?.Id);
    }

    /// <summary>"3号楼" is in "桂花苑13号楼" only if no digit runs into it.</summary>
    static bool NamedIn(string text, string name)
    {
        for (var i = text.IndexOf(name, StringComparison.OrdinalIgnoreCase); i >= 0; i = text.IndexOf(name, i + 1, StringComparison.OrdinalIgnoreCase))
            if (i == 0 || !char.IsAsciiDigit(text[i - 1]) || !char.IsAsciiDigit(name[0])) return true;
        return false;
    }

    [GeneratedRegex(@"(\d+)(栋|幢|号楼|号樓)")]
    private static partial Regex BuildingWord();

    /// <summary>Creates the case and records the app's submission, all or nothing; a media link goes on the case's timeline.</summary>
    public async Task<Case> FileAsync(CaseCategory category, SubmitCaseRequest request, CasePlace place, CaseReporter reporter, Open311Filing filing,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(reporter);
        ArgumentNullException.ThrowIfNull(filing);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var created = await submit.FromOutsideAsync(category, request, place, reporter, filing.Client.Name, ct);
        var now = time.GetUtcNow();
        db.Open311Submissions.Add(new Open311Submission(created.Id, filing.Client.Id, filing.AccountId, filing.MediaUrl, now));
        if (filing.MediaUrl is not null)
        {
            // Staff read the case, not this table: the link goes on the timeline where they will see it.
            var tracked = await db.UnscopedCases().SingleAsync(c => c.Id == created.Id, ct);
            tracked.Comment(new CaseActor(0, reporter.Name, CaseRelation.Reporter), filing.MediaNote ?? filing.MediaUrl, now);
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return created;
    }
}

namespace Linli.Application.Notices;

/// <summary>Opens a notice the way a reader does (API and page alike): recording the read receipt if it was sent to them.</summary>
public sealed class NoticeOpener(NoticeQueries queries, NoticeCommands commands)
{
    public async Task<NoticeDto> OpenAsync(int id, CancellationToken ct)
    {
        var (notice, forMe, canManage, canFollowUp) = await queries.AccessAsync(id, ct);
        if (forMe) await commands.RecordReadAsync(notice, ct);
        return await queries.NoticeAsync(notice, canManage, canFollowUp, ct);
    }
}

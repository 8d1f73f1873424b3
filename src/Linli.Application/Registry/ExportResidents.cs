using System.Text.Json;
using Linli.Domain.Common;
using Linli.Domain.Registry;
using Linli.Application.Common;
using Linli.Application.Identity;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Registry;

/// <summary>
/// Writes a filtered resident list to CSV or Excel. The rows come from <see cref="ResidentSearch.Query"/>, the same query
/// as the list page, in batches by (name, id) so a district-wide export never holds all residents at once. Only masked
/// numbers leave the system, and every export that sent rows is written to the audit log with its filter and row count. The rows are
/// stale-tolerant reads (<see cref="ILinliReadDb"/>: the replica while it is healthy); the audit entry is written on the
/// primary.
/// </summary>
public sealed class ResidentExport(ILinliReadDb reads, IPersonalDataProtector protector, ILinliDb db, AuditLog audit, CurrentUser user, TimeProvider time)
{
    const int Batch = 1000;

    readonly ResidentSearch search = ResidentSearch.Over(reads, protector, time);

    public static readonly IReadOnlyList<string> Headers = ["姓名", "性别", "年龄", "手机号", "身份证号", "房间", "关系", "标签"];

    static readonly JsonSerializerOptions FilterJson = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The query of the export; building it validates the filter.</summary>
    public IQueryable<Resident> Prepare(ResidentFilter filter) => search.Query(filter);

    public async Task WriteAsync(IQueryable<Resident> query, ResidentFilter filter, TableFormat format, Stream output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(output);
        var count = 0;
        var completed = false;
        try
        {
            if (format == TableFormat.Csv)
            {
                // Kestrel allows only asynchronous writes: each batch is written to a buffer, then copied out.
                using var buffer = new MemoryStream();
                using var writer = TableWriter.Create(format, buffer, "", Headers);
                await foreach (var batch in BatchesAsync(query, ct))
                {
                    foreach (var row in batch) writer.WriteRow(row);
                    count += batch.Count;
                    writer.Flush();
                    await output.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), ct);
                    buffer.SetLength(0);
                }
                writer.Flush();
                await output.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), ct);
            }
            else
            {
                // A workbook is a zip whose directory comes last: it is built in a temporary file and then sent.
                var path = Path.GetTempFileName();
                await using var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose);
                using (var writer = TableWriter.Create(format, file, "居民 residents", Headers))
                {
                    await foreach (var batch in BatchesAsync(query, ct))
                    {
                        foreach (var row in batch) writer.WriteRow(row);
                        count += batch.Count;
                    }
                }
                file.Position = 0;
                await file.CopyToAsync(output, ct);
            }
            completed = true;
        }
        finally
        {
            // What left the system is audited, finished or not; an attempt that sent nothing (a replica found gone before
            // the first row, answered again from the primary) is not, or one export would be recorded twice.
            if (completed || count > 0) await RecordAsync(filter, format, count, completed);
        }
    }

    async IAsyncEnumerable<List<object?[]>> BatchesAsync(IQueryable<Resident> query, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var today = time.Today();
        string? lastName = null;
        var lastId = 0;
        while (true)
        {
            var q = query;
            if (lastName is not null)
            {
                var (name, id) = (lastName, lastId);
                q = q.Where(r => string.Compare(r.Name, name) > 0 || (r.Name == name && r.Id > id));
            }
            var rows = await q.OrderBy(r => r.Name).ThenBy(r => r.Id).Take(Batch).ToListAsync(ct);
            if (rows.Count == 0) yield break;
            var rooms = await ResidentSearch.RoomLabelsAsync(reads, rows.Where(r => r.RoomId != null).Select(r => r.RoomId!.Value), ct);
            yield return rows.Select(r => Row(r, r.RoomId is { } roomId ? rooms.GetValueOrDefault(roomId) : null, today)).ToList();
            (lastName, lastId) = (rows[^1].Name, rows[^1].Id);
            if (rows.Count < Batch) yield break;
        }
    }

    static object?[] Row(Resident r, string? room, DateOnly today) =>
    [
        r.Name, r.Gender == Gender.Male ? "男" : "女", r.AgeOn(today), r.PhoneMasked, r.IdNumberMasked, room,
        r.Relation is { } relation ? ImportColumns.Chinese(relation) : null,
        string.Join("、", ResidentSearch.LabelNames(r, today).Select(ChineseLabel)),
    ];

    static string ChineseLabel(string name) => name switch
    {
        nameof(LabelFilter.Elderly80) => "80岁以上",
        nameof(LabelFilter.Elderly60) => "60岁以上",
        nameof(LabelFilter.Child) => "未成年",
        _ => Enum.TryParse<ResidentLabels>(name, out var flag) ? ImportColumns.Chinese(flag) : name,
    };

    /// <summary>Who exported how many residents with which filter; the entry sits at the exporting user's own node.</summary>
    async Task RecordAsync(ResidentFilter filter, TableFormat format, int count, bool completed)
    {
        var node = await db.Nodes.AsNoTracking().FirstOrDefaultAsync(n => n.Id == user.NodeId, CancellationToken.None);
        if (node is null) return;
        var detail = $"{count} residents, {TableWriter.Extension(format)}{(completed ? "" : ", interrupted")}, filter {JsonSerializer.Serialize(filter, FilterJson)}";
        audit.Record("Export", node, nameof(HierarchyNode), node.Id, detail.Length > 500 ? detail[..500] : detail);
        await db.SaveChangesAsync(CancellationToken.None);
    }
}

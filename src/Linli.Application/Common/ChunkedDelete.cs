namespace Linli.Application.Common;

/// <summary>Retention jobs delete in short statements: never a long lock on a table that is written all day.</summary>
public static class ChunkedDelete
{
    /// <summary>Runs a delete of at most <paramref name="chunk"/> rows until one deletes fewer; returns the rows deleted.</summary>
    public static async Task<long> RunAsync(Func<Task<int>> deleteChunk, int chunk)
    {
        ArgumentNullException.ThrowIfNull(deleteChunk);
        long total = 0;
        int deleted;
        do
        {
            deleted = await deleteChunk();
            total += deleted;
        }
        while (deleted == chunk);
        return total;
    }
}

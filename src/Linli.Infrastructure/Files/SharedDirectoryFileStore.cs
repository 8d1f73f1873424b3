using Linli.Application.Common;

namespace Linli.Infrastructure.Files;

/// <summary>
/// The file store on a directory, which in district mode every web node mounts (NFS or similar): <c>Linli:Files:Path</c>,
/// else <c>Linli:Attachments:Path</c> (its name before there were other files), else <c>attachments</c> in the data
/// directory. A file is written under a hidden temporary name in its final directory, flushed to disk and then renamed
/// into place: a rename within one directory is atomic, so a reader on any node finds the whole file or none.
/// </summary>
public sealed class SharedDirectoryFileStore : IFileStore
{
    const int BufferSize = 81920;

    public SharedDirectoryFileStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    /// <summary>The full path of a key; the key rule keeps it under <see cref="Root"/>, and this checks it again.</summary>
    string PathOf(string key)
    {
        var full = Path.GetFullPath(Path.Combine(Root, FileKeys.Check(key)));
        if (!full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"'{key}' leads outside the file store.", nameof(key));
        return full;
    }

    public async Task PutAsync(string key, Stream content, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(content);
        var full = PathOf(key);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        // Starts with a dot, which no key may: never mistaken for a stored file, whatever name it carries.
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
            {
                await content.CopyToAsync(output, ct);
                // fsync before the rename: after a crash the name never points at a file whose bytes were not yet on disk.
                output.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    public Task<Stream?> OpenReadAsync(string key, CancellationToken ct)
    {
        var full = PathOf(key);
        try
        {
            return Task.FromResult<Stream?>(new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, BufferSize, useAsync: true));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    public Task<bool> ExistsAsync(string key, CancellationToken ct) => Task.FromResult(File.Exists(PathOf(key)));

    public Task DeleteAsync(string key, CancellationToken ct)
    {
        try { File.Delete(PathOf(key)); }
        catch (DirectoryNotFoundException) { }
        return Task.CompletedTask;
    }

    /// <summary>The store's directory as a deployment configures it (see the class summary).</summary>
    public static string Configured(Microsoft.Extensions.Configuration.IConfiguration configuration, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var configured = configuration["Linli:Files:Path"] ?? configuration["Linli:Attachments:Path"];
        return Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? Path.Combine(dataDirectory, "attachments") : configured);
    }
}

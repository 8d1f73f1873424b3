namespace Linli.Application.Common;

/// <summary>
/// Files kept outside the database (case photos, uploaded import files), under relative keys such as
/// <c>2025/03/4f1c….jpg</c>. Every web node reads and writes the same store, so a file put by one node is read by another;
/// a reader sees a file whole or not at all, never half written.
/// </summary>
public interface IFileStore
{
    /// <summary>Stores <paramref name="content"/> under <paramref name="key"/>, replacing what was there; visible once complete.</summary>
    Task PutAsync(string key, Stream content, CancellationToken ct);

    /// <summary>The file for reading, or null when there is none under the key.</summary>
    Task<Stream?> OpenReadAsync(string key, CancellationToken ct);

    Task<bool> ExistsAsync(string key, CancellationToken ct);

    /// <summary>Removes the file; a key without a file is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken ct);
}

/// <summary>
/// The rule for file keys, the same for every store: relative, segments separated by <c>/</c>, each segment made of
/// letters, digits, <c>-</c>, <c>_</c> and <c>.</c> and not starting with a dot. So no <c>..</c>, no absolute path, no
/// drive or backslash, and no name that could be a store's own hidden temporary file.
/// </summary>
public static class FileKeys
{
    public const int MaxLength = 200;

    public static bool IsValid(string? key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > MaxLength) return false;
        foreach (var segment in key.Split('/'))
        {
            if (segment.Length == 0 || segment[0] == '.') return false;
            foreach (var c in segment)
                if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) return false;
        }
        return true;
    }

    /// <summary>The key itself when valid; otherwise an <see cref="ArgumentException"/> (keys are made by code, never typed by users).</summary>
    public static string Check(string? key) =>
        IsValid(key) ? key! : throw new ArgumentException($"'{key}' is not a valid file key: relative, segments of letters, digits, '-', '_' and '.', none starting with a dot.", nameof(key));
}

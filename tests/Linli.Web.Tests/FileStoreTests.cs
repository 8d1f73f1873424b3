using Linli.Infrastructure.Files;

namespace Linli.Web.Tests;

/// <summary>
/// The shared-directory file store keeps its two promises: no key leads outside its directory, and a reader (on any node)
/// sees a file whole or not at all, also while it is being written or replaced, and after a write that failed half-way.
/// </summary>
public sealed class FileStoreTests : IDisposable
{
    readonly string _outer = Path.Combine(Path.GetTempPath(), "linli-tests", "store-" + Guid.NewGuid().ToString("N"));
    readonly SharedDirectoryFileStore _store;

    public FileStoreTests()
    {
        Directory.CreateDirectory(_outer);
        _store = new SharedDirectoryFileStore(Path.Combine(_outer, "store"));
    }

    public void Dispose() => Directory.Delete(_outer, recursive: true);

    public static TheoryData<string> KeysThatCouldLeave() =>
    [
        "../escaped.txt", "a/../../escaped.txt", "..", ".", "", "/tmp/escaped.txt", "//server/share/escaped.txt",
        @"a\..\..\escaped.txt", @"C:\escaped.txt", "C:escaped.txt", "a//b", "a/", "~/escaped.txt", ".hidden", "a/.escaped.txt.tmp",
        "a/b c.txt", "a/\0.txt",
    ];

    [Theory]
    [MemberData(nameof(KeysThatCouldLeave))]
    public async Task A_key_that_is_not_a_plain_relative_name_is_refused_and_nothing_is_written(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _store.PutAsync(key, new MemoryStream([1, 2, 3]), default));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.OpenReadAsync(key, default));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.ExistsAsync(key, default));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.DeleteAsync(key, default));
        Assert.Empty(Directory.GetFiles(_outer, "*", SearchOption.AllDirectories));
        Assert.False(File.Exists("/tmp/escaped.txt") && File.GetLastWriteTimeUtc("/tmp/escaped.txt") > DateTime.UtcNow.AddMinutes(-1));
    }

    [Fact]
    public async Task A_plain_key_round_trips_and_deleting_twice_is_fine()
    {
        var bytes = Bytes(1000, 7);
        await _store.PutAsync("2025/03/0f3a.jpg", new MemoryStream(bytes), default);
        Assert.True(await _store.ExistsAsync("2025/03/0f3a.jpg", default));
        Assert.Equal(bytes, await ReadAsync("2025/03/0f3a.jpg"));
        await _store.DeleteAsync("2025/03/0f3a.jpg", default);
        await _store.DeleteAsync("2025/03/0f3a.jpg", default);
        await _store.DeleteAsync("never/written.bin", default);
        Assert.False(await _store.ExistsAsync("2025/03/0f3a.jpg", default));
        Assert.Null(await _store.OpenReadAsync("2025/03/0f3a.jpg", default));
    }

    [Fact]
    public async Task A_reader_never_sees_a_half_written_file()
    {
        const string key = "imports/job.upload";
        var first = Bytes(512 * 1024, 1);
        var second = Bytes(3 * 1024 * 1024, 2);
        await _store.PutAsync(key, new MemoryStream(first), default);

        // A new file, held half-way through its writing: not there yet under its key.
        var fresh = new HeldStream(Bytes(2 * 1024 * 1024, 3), holdAt: 1024 * 1024);
        var writingFresh = _store.PutAsync("2025/04/new.jpg", fresh, default);
        await fresh.Held;
        Assert.False(await _store.ExistsAsync("2025/04/new.jpg", default));
        Assert.Null(await _store.OpenReadAsync("2025/04/new.jpg", default));

        // A replacement, held half-way: readers still get the old file, whole.
        var replacement = new HeldStream(second, holdAt: second.Length / 2);
        var replacing = _store.PutAsync(key, replacement, default);
        await replacement.Held;
        Assert.True(new FileInfo(Directory.GetFiles(Path.Combine(_store.Root, "imports"), ".*.tmp").Single()).Length >= second.Length / 4,
            "the replacement is partly on disk under its temporary name");
        Assert.Equal(first, await ReadAsync(key));

        replacement.Release();
        fresh.Release();
        await Task.WhenAll(replacing, writingFresh);
        Assert.Equal(second, await ReadAsync(key));
        Assert.Equal(2 * 1024 * 1024, (await ReadAsync("2025/04/new.jpg")).Length);
        Assert.Empty(Directory.GetFiles(_store.Root, ".*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_write_that_fails_half_way_leaves_the_old_file_and_no_trace()
    {
        const string key = "2025/05/photo.png";
        var old = Bytes(100_000, 4);
        await _store.PutAsync(key, new MemoryStream(old), default);

        var broken = new HeldStream(Bytes(1_000_000, 5), holdAt: 500_000, failAtHold: true);
        await Assert.ThrowsAsync<IOException>(() => _store.PutAsync(key, broken, default));
        await Assert.ThrowsAsync<IOException>(() => _store.PutAsync("2025/05/other.png", new HeldStream(Bytes(1_000_000, 6), 500_000, failAtHold: true), default));

        Assert.Equal(old, await ReadAsync(key));
        Assert.False(await _store.ExistsAsync("2025/05/other.png", default));
        Assert.Equal([Path.Combine(_store.Root, "2025", "05", "photo.png")], Directory.GetFiles(_store.Root, "*", SearchOption.AllDirectories));
    }

    async Task<byte[]> ReadAsync(string key)
    {
        await using var stream = await _store.OpenReadAsync(key, default) ?? throw new FileNotFoundException(key);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>An upload arriving slowly: it stops at <c>holdAt</c> bytes until released, or fails there like a dropped connection.</summary>
    sealed class HeldStream(byte[] content, int holdAt, bool failAtHold = false) : Stream
    {
        readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        int _position;

        public Task Held => _held.Task;
        public void Release() => _release.TrySetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position == holdAt && !_release.Task.IsCompleted)
            {
                _held.TrySetResult();
                if (failAtHold) throw new IOException("The client went away.");
                await _release.Task.WaitAsync(cancellationToken);
            }
            var end = _position < holdAt ? holdAt : content.Length;
            var n = Math.Min(Math.Min(buffer.Length, 64 * 1024), end - _position);
            content.AsMemory(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => content.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

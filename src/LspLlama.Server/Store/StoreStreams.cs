using System.IO.Hashing;

namespace LspLlama.Store;

/// <summary>Creates the temporary files the store writes; replaced in tests to simulate a full disk.</summary>
public interface IStoreStreams
{
    /// <summary>Creates a new file, readable and writable by the user only, that must not exist yet.</summary>
    Stream CreateNew(string path);
}

/// <summary>Real files: mode 0600 on Unix, no sharing while written.</summary>
public sealed class FileStoreStreams : IStoreStreams
{
    public static FileStoreStreams Instance { get; } = new();

    public Stream CreateNew(string path)
    {
        FileStreamOptions options = new()
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = StoreStreams.FileBufferBytes,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(path, options);
    }
}

public static class StoreStreams
{
    /// <summary>Copy granularity: large enough for disk throughput, small next to a GB-sized state.</summary>
    public const int ChunkBytes = 1 << 20;

    public const int FileBufferBytes = 1 << 16;
}

/// <summary>
/// What a <see cref="BlobSource"/> writes into: forwards to the file while hashing and counting,
/// and refuses more bytes than were declared (a longer blob would shift everything after it).
/// </summary>
public sealed class BlobWriteStream(Stream inner, long length, CancellationToken cancellationToken) : Stream
{
    private readonly XxHash64 _hash = new();

    public long Written { get; private set; }

    public ulong Checksum => _hash.GetCurrentHashAsUInt64();

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => length;

    public override long Position
    {
        get => Written;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (buffer.Length > length - Written)
        {
            throw new InvalidDataException($"The blob source wrote more than its declared {length} bytes.");
        }

        _hash.Append(buffer);
        inner.Write(buffer);
        Written += buffer.Length;
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}

/// <summary>
/// The window of the file that holds one blob, handed to the caller to read from; hashes what
/// passes through so the checksum is verified without a second pass over the bytes.
/// </summary>
public sealed class BlobReadStream(Stream inner, long length) : Stream
{
    private readonly XxHash64 _hash = new();

    public long Consumed { get; private set; }

    public ulong Checksum => _hash.GetCurrentHashAsUInt64();

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => Consumed;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int wanted = (int)Math.Min(buffer.Length, length - Consumed);
        if (wanted == 0)
        {
            return 0;
        }

        int read = inner.Read(buffer[..wanted]);
        if (read == 0)
        {
            throw new EndOfStreamException("The session file ended inside a blob.");
        }

        _hash.Append(buffer[..read]);
        Consumed += read;
        return read;
    }

    /// <summary>Reads what the caller left unread, so the checksum covers the whole blob.</summary>
    public void Drain()
    {
        byte[] buffer = new byte[(int)Math.Min(StoreStreams.ChunkBytes, Math.Max(1, length - Consumed))];
        while (Read(buffer, 0, buffer.Length) > 0)
        {
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

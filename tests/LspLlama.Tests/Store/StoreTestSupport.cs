using System.Collections.Concurrent;
using LspLlama.Store;
using Microsoft.Extensions.Logging;

namespace LspLlama.Tests.Store;

/// <summary>A private folder for one test, removed afterwards.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "lspllama-store-tests", Guid.NewGuid().ToString("N"));
    }

    public string Path { get; }

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}

/// <summary>Records every log entry so tests can assert on warnings.</summary>
internal sealed class RecordingLogger : ILogger
{
    public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

    public IEnumerable<string> Warnings => Entries.Where(e => e.Level >= LogLevel.Warning).Select(e => e.Message);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, formatter(state, exception)));
}

/// <summary>Deterministic keys and snapshots.</summary>
internal static class StoreData
{
    public static StateSettings Settings { get; } = new(4096, "f16", "f16", 0, FlashAttention: false, SwaFull: false, "llama.cpp test");

    public static SessionKey Key(string workspace = "/work/space", string model = "/models/tiny.gguf", long size = 1234, ulong hash = 42) =>
        new(workspace, new ModelFingerprint(model, size, 638_000_000_000_000_000, hash), Settings);

    public static byte[] Bytes(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A snapshot whose parts are all derived from <paramref name="seed"/>.</summary>
    public static Expected Snapshot(int seed, int stateBytes = 3 * 1024 * 1024 + 17, int checkpoints = 3)
    {
        int[] tokens = [.. Enumerable.Range(0, 1000 + seed).Select(i => (i * 7919 + seed) % 50_000)];
        byte[] state = Bytes(stateBytes, seed);
        byte[][] blobs = [.. Enumerable.Range(0, checkpoints).Select(i => Bytes(10_000 + i * 333, seed * 100 + i))];
        CheckpointSource[] sources = [.. blobs.Select((b, i) => new CheckpointSource((i + 1) * 100, (i + 1) * 100 - 1, (i + 1) * 100 - 1, BlobSource.FromBytes(b)))];
        return new Expected(tokens, state, blobs, new SessionSnapshot(tokens, BlobSource.FromBytes(state), sources));
    }

    /// <summary>Reads the state the way the adapter will: in fixed chunks into a buffer of the announced size.</summary>
    public static byte[]? ReadState(StoredSession session, int chunk = 4096)
    {
        byte[] state = new byte[session.StateLength];
        bool ok = session.TryReadState(stream =>
        {
            for (int offset = 0; offset < state.Length;)
            {
                offset += stream.Read(state, offset, Math.Min(chunk, state.Length - offset));
            }
        });
        return ok ? state : null;
    }

    public static string[] SessionFiles(string folder) =>
        Directory.Exists(folder) ? Directory.GetFiles(folder) : [];
}

internal sealed record Expected(int[] Tokens, byte[] State, byte[][] Checkpoints, SessionSnapshot Snapshot);

/// <summary>Fails like a full disk after a number of bytes have reached the real file.</summary>
internal sealed class FullDiskStreams(long capacity) : IStoreStreams
{
    public Stream CreateNew(string path) => new FullDiskStream(FileStoreStreams.Instance.CreateNew(path), capacity);

    private sealed class FullDiskStream(Stream inner, long capacity) : Stream
    {
        private long _written;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _written;

        public override long Position
        {
            get => _written;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_written + buffer.Length > capacity)
            {
                int fits = (int)(capacity - _written);
                inner.Write(buffer[..fits]);
                _written = capacity;
                throw new IOException("No space left on device");
            }

            inner.Write(buffer);
            _written += buffer.Length;
        }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

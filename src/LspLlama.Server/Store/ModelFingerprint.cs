using System.IO.Hashing;

namespace LspLlama.Store;

/// <summary>
/// Identifies a model file cheaply: path, size, modification time, and a hash of its first and
/// last MiB. GGUF puts all metadata (architecture, sizes, tokenizer) at the front and tensor data
/// after it, so the head hash changes with any metadata change and the tail hash catches most
/// re-quantizations; hashing the whole file (GBs) on every start would cost seconds.
/// </summary>
public sealed record ModelFingerprint(string Path, long Size, long LastWriteUtcTicks, ulong ContentHash)
{
    public const int SampleBytes = 1 << 20;

    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ModelFingerprint Compute(string modelPath)
    {
        string full = System.IO.Path.GetFullPath(modelPath);
        using FileStream file = new(full, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        long size = file.Length;
        XxHash64 hash = new();
        byte[] buffer = new byte[SampleBytes];

        HashRange(file, 0, (int)Math.Min(SampleBytes, size), buffer, hash);
        long tailStart = Math.Max(SampleBytes, size - SampleBytes);
        HashRange(file, tailStart, (int)(size - tailStart), buffer, hash);
        hash.Append(BitConverter.GetBytes(size));

        long ticks = File.GetLastWriteTimeUtc(file.SafeFileHandle).Ticks;
        return new ModelFingerprint(full, size, ticks, hash.GetCurrentHashAsUInt64());
    }

    private static void HashRange(FileStream file, long offset, int count, byte[] buffer, XxHash64 hash)
    {
        if (count <= 0)
        {
            return;
        }

        file.Position = offset;
        file.ReadExactly(buffer, 0, count);
        hash.Append(buffer.AsSpan(0, count));
    }
}

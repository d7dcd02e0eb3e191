using System.Diagnostics;

namespace LspLlama.Bench;

/// <summary>
/// This machine's plain memory-copy bandwidth, measured in the same run as the replay, so that the
/// checkpoints' save and restore throughput can be read as a share of the physical limit. One
/// thread, as llama.cpp copies a state: the best of several copies of a buffer far larger than any
/// cache.
/// </summary>
public static class CopyBandwidth
{
    public const int DefaultBytes = 128 * 1024 * 1024;

    /// <summary>Bytes per second of the fastest of <paramref name="rounds"/> copies of <paramref name="bytes"/> bytes.</summary>
    public static double Measure(int bytes = DefaultBytes, int rounds = 5)
    {
        byte[] source = GC.AllocateUninitializedArray<byte>(bytes);
        byte[] destination = GC.AllocateUninitializedArray<byte>(bytes);

        // Touch every page first: the first copy would otherwise measure page faults.
        source.AsSpan().Fill(1);
        destination.AsSpan().Clear();
        double best = double.MaxValue;
        for (int i = 0; i < rounds; i++)
        {
            long start = Stopwatch.GetTimestamp();
            source.AsSpan().CopyTo(destination);
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        return bytes / best;
    }

    /// <summary>Measures, then collects the buffers so they do not count in the replay's peak memory.</summary>
    public static double MeasureAndRelease()
    {
        double bandwidth = Measure();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return bandwidth;
    }
}

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

    /// <summary>
    /// Bytes per second of the fastest of <paramref name="rounds"/> copies into new memory, each page
    /// faulted in by the copy itself: what a save into a new checkpoint buffer meets while the
    /// budget fills up. Each round's buffer is handed back to the system before the next.
    /// </summary>
    public static double MeasureFirstTouch(int bytes = DefaultBytes, int rounds = 3)
    {
        byte[] source = GC.AllocateUninitializedArray<byte>(bytes);
        source.AsSpan().Fill(1);
        double best = double.MaxValue;
        for (int i = 0; i < rounds; i++)
        {
            byte[] fresh = GC.AllocateUninitializedArray<byte>(bytes);
            long start = Stopwatch.GetTimestamp();
            source.AsSpan().CopyTo(fresh);
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
            GC.KeepAlive(fresh);
            ProcessMemory.ReleaseGarbage();
        }

        GC.KeepAlive(source);
        return bytes / best;
    }

    /// <summary>Measures both, then hands the buffers back so they do not count in the replay's peak memory.</summary>
    public static (double Copy, double FirstTouch) MeasureAndRelease()
    {
        double firstTouch = MeasureFirstTouch();
        double bandwidth = Measure();
        ProcessMemory.ReleaseGarbage();
        return (bandwidth, firstTouch);
    }
}

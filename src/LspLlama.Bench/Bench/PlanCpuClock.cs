using System.Runtime.InteropServices;

namespace LspLlama.Bench;

/// <summary>
/// CPU time of the calling thread (Linux clock_gettime(CLOCK_THREAD_CPUTIME_ID)). On a busy machine
/// wall-clock percentiles include time spent waiting for a core; CPU time shows the work itself.
/// </summary>
public static partial class PlanCpuClock
{
    private const int ClockThreadCpuTime = 3;

    /// <summary>Microseconds of CPU time of this thread, or -1 where the clock is not available.</summary>
    public static long ThreadMicros()
    {
        if (!OperatingSystem.IsLinux())
        {
            return -1;
        }

        return ClockGetTime(ClockThreadCpuTime, out TimeSpec t) == 0 ? (t.Seconds * 1_000_000) + (t.Nanoseconds / 1000) : -1;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}

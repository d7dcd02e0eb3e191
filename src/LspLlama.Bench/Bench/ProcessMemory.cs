using System.Globalization;

namespace LspLlama.Bench;

/// <summary>
/// The process's peak resident memory (Linux: <c>VmHWM</c> in <c>/proc/self/status</c>), reset
/// between policies so each replay reports its own peak. Elsewhere the figures read 0 (unknown).
/// </summary>
public static class ProcessMemory
{
    /// <summary>Resets the peak to the current resident size (writing 5 to <c>/proc/self/clear_refs</c>); false where that is not possible.</summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }

    /// <summary>The peak resident bytes since start or the last reset; 0 when unknown.</summary>
    public static long PeakResidentBytes()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    string kib = line["VmHWM:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kib, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            // Unknown: reported as 0.
        }

        return 0;
    }
}

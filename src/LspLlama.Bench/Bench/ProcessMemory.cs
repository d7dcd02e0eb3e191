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
    public static long PeakResidentBytes() => StatusKib("VmHWM:") * 1024;

    /// <summary>The resident bytes now; 0 when unknown.</summary>
    public static long ResidentBytes() => StatusKib("VmRSS:") * 1024;

    /// <summary>
    /// Hands the previous replay's garbage back to the system: a policy's checkpoints are gigabytes
    /// of large arrays, and only an aggressive collection decommits the heap they leave.
    /// </summary>
    public static void ReleaseGarbage()
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
    }

    /// <summary>Resident bytes of the mappings of the file at <paramref name="path"/> (<c>/proc/self/smaps</c>); 0 when unknown.</summary>
    public static long ResidentBytesOf(string path)
    {
        string full = Path.GetFullPath(path);
        long kib = 0;
        try
        {
            bool inFile = false;
            foreach (string line in File.ReadLines("/proc/self/smaps"))
            {
                if (line.Length > 0 && char.IsAsciiHexDigit(line[0]) && line.Contains('-'))
                {
                    // A mapping's header: "start-end perms offset dev inode   path".
                    inFile = line.EndsWith(" " + full, StringComparison.Ordinal);
                }
                else if (inFile && line.StartsWith("Rss:", StringComparison.Ordinal))
                {
                    kib += ParseKib(line["Rss:".Length..]);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return 0;
        }

        return kib * 1024;
    }

    private static long StatusKib(string key)
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    return ParseKib(line[key.Length..]);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            // Unknown: reported as 0.
        }

        return 0;
    }

    private static long ParseKib(string rest) => long.Parse(rest.Trim().Split(' ')[0], CultureInfo.InvariantCulture);
}

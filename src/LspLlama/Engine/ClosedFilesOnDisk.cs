using LspLlama.Core.Context;
using Microsoft.Extensions.Logging;

namespace LspLlama.Engine;

/// <summary>
/// Keeps the closed files a plan holds as context (closed in this run, or remembered from a stored
/// session) in step with the disk: a branch checkout, a code generator or changes discarded on
/// close would otherwise leave the model reading files as they no longer are. Looked at before a
/// plan is built: a file closed since the last look is read then; the others get one stat each at
/// most once per interval, and a read only when their size or write time changed. A changed file
/// takes the new text in place (one edit); a file gone from disk leaves the plan. Inference thread only.
/// </summary>
internal sealed class ClosedFilesOnDisk(ILogger logger, TimeSpan interval)
{
    /// <summary>How often the disk is looked at: a stat per closed file, microseconds each.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, (long Length, DateTime Written)> _seen = new(StringComparer.Ordinal);
    private long _lastCheck;
    private bool _checked;

    /// <summary>A file was closed or reopened: what was seen of it on disk no longer tells what the plan holds.</summary>
    public void Forget(string uri) => _seen.Remove(uri);

    /// <summary>
    /// Reads the files closed since the last look; once the interval has passed, also looks at the
    /// others again. Returns how many closed files changed or went away.
    /// </summary>
    public int Refresh(ContextPlan plan)
    {
        if (plan.KeptClosedCount == 0)
        {
            return 0;
        }

        bool all = !_checked || TimeProvider.System.GetElapsedTime(_lastCheck) >= interval;
        if (all)
        {
            _checked = true;
            _lastCheck = TimeProvider.System.GetTimestamp();
        }

        int changed = 0;
        foreach (string uri in plan.KeptClosedUris.ToArray())
        {
            if (all || !_seen.ContainsKey(uri))
            {
                changed += RefreshOne(plan, uri) ? 1 : 0;
            }
        }

        // Only closed files are followed; a reopened one is the editor's again.
        foreach (string uri in _seen.Keys.Where(u => !plan.KeptClosedUris.Contains(u)).ToArray())
        {
            _seen.Remove(uri);
        }

        return changed;
    }

    private bool RefreshOne(ContextPlan plan, string uri)
    {
        if (!plan.KeptClosedUris.Contains(uri))
        {
            return false; // Given way to a file refreshed before it.
        }

        if (!Uri.TryCreate(uri, UriKind.Absolute, out Uri? parsed) || !parsed.IsFile)
        {
            return false; // Not a file: only the editor knows its text.
        }

        try
        {
            FileInfo info = new(parsed.LocalPath);
            if (!info.Exists || info.Length > RememberedFiles.MaxFileBytes)
            {
                logger.LogDebug("Closed file {Uri} is gone from disk (or too large now); leaving it out of the context", uri);
                plan.RefreshClosed(uri, null);
                _seen.Remove(uri);
                return true;
            }

            (long, DateTime) stamp = (info.Length, info.LastWriteTimeUtc);
            if (_seen.TryGetValue(uri, out var seen) && seen == stamp)
            {
                return false;
            }

            _seen[uri] = stamp;
            string held = plan.GetClosedText(uri);
            string disk = AsHeld(held, File.ReadAllText(info.FullName));
            if (disk == held)
            {
                return false;
            }

            logger.LogDebug("Closed file {Uri} changed on disk; the context follows", uri);
            plan.RefreshClosed(uri, disk);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // Unreadable for now (being written, locked): the next look tries again.
        }
    }

    /// <summary>
    /// Editors that keep line ends as "\n" whatever the file has (Emacs) send CRLF files without the
    /// CR: a text held without CR compares, and is updated, without CR too, so reopening stays free.
    /// </summary>
    internal static string AsHeld(string held, string disk) =>
        !held.Contains('\r', StringComparison.Ordinal) && disk.Contains("\r\n", StringComparison.Ordinal)
            ? disk.Replace("\r\n", "\n", StringComparison.Ordinal)
            : disk;
}

using System.Text;
using LspLlama.Core.Context;
using LspLlama.Store;
using Microsoft.Extensions.Logging;

namespace LspLlama.Engine;

/// <summary>
/// Closed files a plan keeps as context follow the disk. (1) After a load it lays out again the
/// files a stored session was planned from: an editor reopens only some files after a restart
/// (VS Code: the visible editors; the others when their tab is clicked), or all of them in another
/// order, and the stored tokens would match only up to the first file out of place. So the stored
/// files still on disk enter the new plan first, in the stored order, as closed files with their
/// text as it is on disk now. (2) Before each build it looks at the closed files: a branch checkout,
/// a code generator or changes discarded on close would otherwise leave the model reading files as
/// they no longer are. A file closed since the last look is read then; the others get one stat each
/// at most once per interval, and a read only when their size or write time changed. A changed file
/// takes the new text in place (one edit); a file gone from disk leaves. Inference thread only.
/// </summary>
public sealed class ClosedFilesOnDisk(ILogger logger, TimeSpan interval)
{
    /// <summary>How often closed files already read are looked at again: a stat each, microseconds.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(2);

    /// <summary>Larger files are never read: it would slow the build, and the budget would refuse them.</summary>
    public const long MaxFileBytes = 4L << 20;

    /// <summary>Strict: a file that is not UTF-8 is left as the editor had it, not turned into U+FFFD.</summary>
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Dictionary<string, (long Length, DateTime Written)> _seen = new(StringComparer.Ordinal);
    private long _lastLook;
    private bool _looked;

    /// <summary>
    /// Adds the stored files that can still be read to a plan no document was opened in yet, oldest
    /// first; returns how many the plan took (it refuses files once the budget is full).
    /// </summary>
    public int LayOut(ContextPlan plan, IReadOnlyList<StoredDocument> documents)
    {
        if (documents.Count == 0 || !plan.KeepsClosedFiles)
        {
            return 0;
        }

        int added = 0;
        foreach ((string uri, bool withoutCr) in documents)
        {
            if (LocalFile(uri) is { } file && TryRead(uri, file, MaxBytes(plan), out string? text)
                && plan.Remember(uri, PlanFeed.DisplayPath(uri), withoutCr ? WithoutCarriageReturns(text) : text))
            {
                added++;
            }
            else
            {
                _seen.Remove(uri);
            }
        }

        logger.LogInformation(
            "Laid out {Added} of the {Stored} files the stored session was planned from (the others are gone, unreadable or over the budget)",
            added, documents.Count);
        return added;
    }

    /// <summary>A file was closed or reopened: what was seen of it on disk no longer tells what the plan holds.</summary>
    public void Forget(string uri) => _seen.Remove(uri);

    /// <summary>
    /// Reads the files closed since the last look; once the interval has passed, also looks at the
    /// others again. Returns the closed files that changed or went away.
    /// </summary>
    public IReadOnlyList<string> Refresh(ContextPlan plan)
    {
        if (plan.KeptClosedCount == 0)
        {
            return [];
        }

        bool all = !_looked || TimeProvider.System.GetElapsedTime(_lastLook) >= interval;
        if (all)
        {
            _looked = true;
            _lastLook = TimeProvider.System.GetTimestamp();
        }

        List<string> changed = [];
        foreach (string uri in plan.KeptClosedUris.ToArray())
        {
            if ((all || !_seen.ContainsKey(uri)) && RefreshOne(plan, uri))
            {
                changed.Add(uri);
            }
        }

        // Only closed files are followed: forget the ones the budget dropped (a reopened one was
        // forgotten when the feed reopened it).
        if (all)
        {
            foreach (string uri in _seen.Keys.Where(u => !plan.KeptClosedUris.Contains(u)).ToArray())
            {
                _seen.Remove(uri);
            }
        }

        return changed;
    }

    private bool RefreshOne(ContextPlan plan, string uri)
    {
        if (!plan.KeptClosedUris.Contains(uri) || LocalFile(uri) is not { } file)
        {
            return false; // Given way to a file refreshed before it, or not a file: only the editor knows its text.
        }

        bool exists;
        try
        {
            exists = file.Exists && file.Length <= MaxBytes(plan); // A new FileInfo: one stat, now.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        if (!exists)
        {
            logger.LogDebug("Closed file {Uri} is gone from disk (or too large now); leaving it out of the context", uri);
            plan.RefreshClosed(uri, null);
            _seen.Remove(uri);
            return true;
        }

        if (_seen.TryGetValue(uri, out var seen) && seen == (file.Length, file.LastWriteTimeUtc))
        {
            return false;
        }

        if (!TryRead(uri, file, MaxBytes(plan), out string? disk))
        {
            return false;
        }

        string held = plan.GetClosedText(uri);
        disk = AsHeld(held, disk);
        if (disk == held)
        {
            return false;
        }

        logger.LogDebug("Closed file {Uri} changed on disk; the context follows", uri);
        plan.RefreshClosed(uri, disk);
        return true;
    }

    /// <summary>Far more bytes than the budget has tokens cannot fit: not worth reading.</summary>
    private static long MaxBytes(ContextPlan plan) => Math.Min(MaxFileBytes, plan.Budget * 8L);

    private static FileInfo? LocalFile(string uri)
    {
        try
        {
            return Uri.TryCreate(uri, UriKind.Absolute, out Uri? parsed) && parsed.IsFile ? new FileInfo(parsed.LocalPath) : null;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException or UnauthorizedAccessException)
        {
            return null; // A path the file system cannot have (a NUL, say): nothing on disk to follow.
        }
    }

    /// <summary>Reads a file as UTF-8 and records what the stat said; false, recording nothing, when it cannot.</summary>
    private bool TryRead(string uri, FileInfo file, long maxBytes, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? text)
    {
        text = null;
        try
        {
            if (!file.Exists || file.Length > maxBytes)
            {
                return false;
            }

            (long, DateTime) stamp = (file.Length, file.LastWriteTimeUtc);
            try
            {
                text = File.ReadAllText(file.FullName, s_utf8);
            }
            catch (DecoderFallbackException)
            {
                // Not UTF-8: the editor's text stays, and the file is read again only once it changes.
                _seen[uri] = stamp;
                return false;
            }

            _seen[uri] = stamp;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // Locked or being written: the next look tries again.
        }
    }

    /// <summary>
    /// Editors that keep line ends as "\n" whatever the file has (Emacs) send CRLF files without the
    /// CR: a text held without CR compares, and is updated, without CR too, so reopening stays free.
    /// </summary>
    public static string AsHeld(string held, string disk) =>
        held.Contains('\r', StringComparison.Ordinal) ? disk : WithoutCarriageReturns(disk);

    private static string WithoutCarriageReturns(string text) =>
        text.Contains("\r\n", StringComparison.Ordinal) ? text.Replace("\r\n", "\n", StringComparison.Ordinal) : text;
}

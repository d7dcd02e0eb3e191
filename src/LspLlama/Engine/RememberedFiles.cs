using LspLlama.Core.Context;
using Microsoft.Extensions.Logging;

namespace LspLlama.Engine;

/// <summary>
/// Lays out again the files a stored session was planned from. After a restart an editor reopens
/// only some files (VS Code: the visible editors; the others when their tab is clicked), or all of
/// them in another order, and the stored tokens would then match only up to the first file out of
/// place. So the files of the stored plan that are still on disk enter the new plan first, in the
/// stored order, as closed files with their text as it is on disk now: a file the editor opens
/// again is taken back in its place, the others stay as context as closed files do.
/// </summary>
internal static class RememberedFiles
{
    /// <summary>Larger files are left out: reading them would slow the load, and the budget would evict them.</summary>
    internal const long MaxFileBytes = 4L << 20;

    /// <summary>Adds what can still be read; returns how many files the plan took.</summary>
    public static int AddTo(ContextPlan plan, IReadOnlyList<string> uris, ILogger logger)
    {
        if (uris.Count == 0 || !plan.KeepsClosedFiles)
        {
            return 0;
        }

        int added = 0;
        foreach (string uri in uris)
        {
            if (TryRead(uri) is { } file && plan.Remember(uri, PlanFeed.DisplayPath(uri), file))
            {
                added++;
            }
        }

        logger.LogInformation(
            "Laid out {Added} of the {Stored} files the stored session was planned from (the others are not files on disk any more, too large, or over the budget)",
            added, uris.Count);
        return added;
    }

    /// <summary>The text of a file URI as it is on disk now, or null: the model never sees a file as it no longer is.</summary>
    private static string? TryRead(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out Uri? parsed) || !parsed.IsFile)
        {
            return null; // untitled: and other schemes have no text outside the editor
        }

        try
        {
            FileInfo info = new(parsed.LocalPath);
            return info.Exists && info.Length <= MaxFileBytes ? File.ReadAllText(info.FullName) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }
}

using LspLlama.Core.Session;

namespace LspLlama.Store;

/// <summary>
/// How much of the planned sequence a stored session spares from decoding, so the first sync
/// after a start can decide whether loading the (possibly large) state is worth it.
/// </summary>
public static class RestoreGain
{
    /// <summary>Below this, reading the file costs about as much as decoding the tokens.</summary>
    public const int DefaultMinUsefulTokens = 64;

    public static int CommonPrefix(IReadOnlyList<int> stored, IReadOnlyList<int> planned)
    {
        int n = Math.Min(stored.Count, planned.Count);
        int i = 0;
        while (i < n && stored[i] == planned[i])
        {
            i++;
        }

        return i;
    }

    /// <summary>
    /// Tokens of <paramref name="planned"/> that need no decoding after loading the stored session:
    /// after the load the memory holds all stored tokens, and the sync rolls back from there by
    /// <see cref="Rollback"/>'s rule (a sliding window holds the last <paramref name="slidingWindow"/> of them).
    /// </summary>
    public static int ReusableTokens(IReadOnlyList<int> stored, IReadOnlyList<StoredCheckpoint> checkpoints, IReadOnlyList<int> planned, MemoryKind kind, int slidingWindow = 0)
    {
        int common = CommonPrefix(stored, planned);
        bool canCut = Rollback.CanCut(kind, common, Math.Max(0, stored.Count - slidingWindow), slidingWindow);
        return Rollback.Kept(common, stored.Count, canCut, checkpoints.Select(c => c.Position));
    }
}

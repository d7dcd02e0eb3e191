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
    /// Tokens of <paramref name="planned"/> that need no decoding after loading the stored session.
    /// After the load the memory holds all stored tokens. If it can be cut (attention only), the
    /// session keeps the common prefix. Otherwise it keeps everything when the stored tokens are a
    /// prefix of the plan, and else rolls back to the last stored checkpoint within the prefix.
    /// </summary>
    public static int ReusableTokens(IReadOnlyList<int> stored, IReadOnlyList<StoredCheckpoint> checkpoints, IReadOnlyList<int> planned, bool memoryCanBeCut)
    {
        int common = CommonPrefix(stored, planned);
        if (memoryCanBeCut || common == stored.Count)
        {
            return common;
        }

        int best = 0;
        foreach (StoredCheckpoint checkpoint in checkpoints)
        {
            if (checkpoint.Position <= common && checkpoint.Position > best)
            {
                best = checkpoint.Position;
            }
        }

        return best;
    }
}

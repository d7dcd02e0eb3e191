namespace LspLlama.Core.Session;

/// <summary>
/// The one rule for what a rollback keeps, for every memory kind: the session follows it when it
/// rolls back, and the session store asks it how much a stored session would spare.
/// </summary>
public static class Rollback
{
    /// <summary>
    /// Whether the memory can be cut back to <paramref name="target"/> tokens without a checkpoint.
    /// Attention cuts anywhere; a sliding window only while the tokens the target needs are still
    /// in it (<paramref name="minPosition"/> is the oldest position the cache still holds); recurrent
    /// and hybrid state cannot be cut (llama.cpp's bounded recurrent rollback, where a model has it,
    /// is tried by the session and counted only when it worked).
    /// </summary>
    public static bool CanCut(MemoryKind kind, int target, int minPosition, int slidingWindow) => kind switch
    {
        MemoryKind.Attention => true,
        MemoryKind.SlidingWindow => minPosition <= Math.Max(0, target - slidingWindow),
        _ => false,
    };

    /// <summary>
    /// Tokens kept when a memory holding <paramref name="held"/> tokens must change after the first
    /// <paramref name="target"/>: all of them when nothing held lies after the target or the
    /// memory can be cut there, else the newest checkpoint at or before the target, else none.
    /// </summary>
    public static int Kept(int target, int held, bool canCut, IEnumerable<int> checkpointPositions)
    {
        if (target >= held || canCut)
        {
            return Math.Min(target, held);
        }

        return Survivor(checkpointPositions, target) ?? 0;
    }

    /// <summary>The checkpoint a rollback to <paramref name="target"/> restores: the newest at or before it.</summary>
    public static int? Survivor(IEnumerable<int> checkpointPositions, int target)
    {
        int? best = null;
        foreach (int position in checkpointPositions)
        {
            if (position <= target && (best is null || position > best))
            {
                best = position;
            }
        }

        return best;
    }
}

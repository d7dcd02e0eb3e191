using System.Diagnostics;

namespace LspLlama.Core.Session;

/// <summary>The rollback half of <see cref="ModelSession"/>: cut, or restore a checkpoint from memory or from disk.</summary>
public sealed partial class ModelSession
{
    /// <summary>
    /// Rolls the memory back to at most <paramref name="target"/> tokens and returns how many it
    /// holds. Cuts directly where the memory allows; otherwise restores the newest checkpoint at or
    /// before the target, falling back to older ones and finally to an empty memory.
    /// </summary>
    private int RollBack(int target, ref Tally figures)
    {
        if (target == _heldCount)
        {
            return target;
        }

        _logitsValid = false;
        if (CanCutDirectly(target) && _backend.TryRemoveTail(target))
        {
            _heldCount = target;
            _store.DropAfter(target);
            return target;
        }

        IReadOnlyList<Checkpoint> memory = _store.Memory;
        int newest = memory.Count - 1;
        while (newest >= 0 && memory[newest].Position > target)
        {
            newest--;
        }

        if (TryRestoreFromDisk(target, newest < 0 ? 0 : memory[newest].Position, ref figures) is int fromDisk)
        {
            return fromDisk;
        }

        for (int i = newest; i >= 0; i--)
        {
            Checkpoint c = memory[i];
            if (Restore(c.Position, c.Data.AsSpan(0, c.Length), ref figures))
            {
                return c.Position;
            }

            // A checkpoint the backend rejects is useless from now on.
            _store.Discard(i);
        }

        Reset();
        return 0;
    }

    /// <summary>
    /// Restores the newest spilled checkpoint at or before the target when it lies past the best one
    /// in memory (at <paramref name="inMemory"/>) by more tokens than reading it back costs.
    /// </summary>
    private int? TryRestoreFromDisk(int target, int inMemory, ref Tally figures)
    {
        if (SpilledWorthReading(target, inMemory) is not { } c)
        {
            return null;
        }

        int spared = c.Position - inMemory;
        byte[] buffer = _store.Rent(c.Length);
        try
        {
            long start = Stopwatch.GetTimestamp();
            bool read = _store.TryRead(c, buffer.AsSpan(0, c.Length));
            figures.DiskReading += Stopwatch.GetTimestamp() - start;
            if (read && Restore(c.Position, buffer.AsSpan(0, c.Length), ref figures))
            {
                figures.DiskRestores++;
                figures.DiskBytesRead += c.Length;
                figures.DiskTokensSpared += spared;
                return c.Position;
            }

            _store.DiscardSpilled(c);
            return null;
        }
        finally
        {
            _store.ReturnBuffer(buffer);
        }
    }

    /// <summary>
    /// The spilled checkpoint a rollback to <paramref name="target"/> reads back: the newest at or
    /// before it, when it lies past the best one in memory by more tokens than reading it costs.
    /// <see cref="KeptAt"/> counts with the same rule, so a bound checked there holds in the sync.
    /// </summary>
    private SpilledCheckpoint? SpilledWorthReading(int target, int inMemory) =>
        _store.NewestSpilledAtOrBefore(target) is { } c && c.Position > inMemory
            && (c.Position - inMemory) * _costs.MarginalSecondsPerToken > _store.SpillReadSeconds(c.Length)
            ? c
            : null;

    private bool Restore(int position, ReadOnlySpan<byte> state, ref Tally figures)
    {
        long start = Stopwatch.GetTimestamp();

        // The restore puts the partial state at the checkpoint's position; the cut then trims the
        // attention part after it (for recurrent state the range lies past its end, a no-op that succeeds).
        bool restored = _backend.RestorePartialState(state) && _backend.TryRemoveTail(position);
        figures.Restoring += Stopwatch.GetTimestamp() - start;
        if (!restored)
        {
            return false;
        }

        _heldCount = position;
        figures.RestoredFrom = position;
        figures.Restored++;
        figures.BytesRestored += state.Length;
        _store.DropAfter(position);
        return true;
    }
}

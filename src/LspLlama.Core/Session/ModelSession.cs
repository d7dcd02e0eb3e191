using System.Diagnostics;

namespace LspLlama.Core.Session;

/// <summary>
/// Holds one model context and the token sequence in it, and brings it to a desired sequence with
/// the least decoding its memory allows: keep the longest common prefix, roll back to the cut point
/// or to the newest checkpoint before it, then decode the rest, saving checkpoints on the way.
/// Not thread-safe: one inference thread owns it.
/// </summary>
public sealed class ModelSession
{
    // Free snapshot buffers are kept up to this much when the policy has no memory budget.
    private const long UnbudgetedPoolBytes = 256L * 1024 * 1024;

    private readonly ISessionBackend _backend;
    private readonly ICheckpointPolicy _policy;
    private readonly int[] _held;
    private readonly List<Checkpoint> _checkpoints = [];
    private readonly SnapshotPool _pool = new();
    private readonly List<int> _plan = [];
    private int _heldCount;
    private bool _logitsValid;
    private long _created;
    private long _checkpointBytes;

    public ModelSession(ISessionBackend backend, ICheckpointPolicy policy)
    {
        _backend = backend;
        _policy = policy;
        _held = new int[backend.ContextSize];
    }

    public MemoryKind MemoryKind => _backend.MemoryKind;

    public string PolicyName => _policy.Name;

    /// <summary>The tokens the memory holds, in order (positions 0..n-1).</summary>
    public ReadOnlySpan<int> Held => _held.AsSpan(0, _heldCount);

    /// <summary>True when the backend's logits belong to the last held token.</summary>
    public bool HasLogits => _logitsValid;

    public IReadOnlyList<Checkpoint> Checkpoints => _checkpoints;

    public long CheckpointBytes => _checkpointBytes;

    /// <summary>Checkpoint memory plus the free pooled buffers kept for reuse.</summary>
    public long RetainedBytes => _checkpointBytes + _pool.FreeBytes;

    /// <summary>Figures of the last sync, also of one that was cancelled.</summary>
    public SyncFigures LastFigures { get; private set; }

    /// <summary>
    /// Brings the memory to <paramref name="desired"/> and leaves logits for its last token.
    /// Throws <see cref="OperationCanceledException"/> when cancelled between batches; the session
    /// then holds the prefix decoded so far (see <see cref="Held"/> and <see cref="LastFigures"/>).
    /// </summary>
    public SyncFigures Sync(ReadOnlySpan<int> desired, SyncHints hints, CancellationToken cancellationToken)
    {
        if (desired.IsEmpty)
        {
            throw new ArgumentException("the desired sequence is empty: there is nothing to take logits from", nameof(desired));
        }

        if (desired.Length > _backend.ContextSize)
        {
            throw new ArgumentException(
                $"the desired sequence has {desired.Length} tokens, more than the context size {_backend.ContextSize}", nameof(desired));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var figures = new Tally { Desired = desired.Length, Held = _heldCount, RestoredFrom = -1 };
        int common = Held.CommonPrefixLength(desired);
        figures.CommonPrefix = common;
        figures.Ideal = desired.Length - common;

        if (common == desired.Length && _heldCount == desired.Length && _logitsValid)
        {
            // Already there, logits included: nothing to decode.
            figures.Kept = common;
            return Finish(ref figures, cancelled: false);
        }

        // Logits come from decoding, so at least the last token is decoded again: no rollback can
        // do with less (the previous completion's tokens are held after it, or the logits are stale).
        figures.Ideal = Math.Max(figures.Ideal, 1);
        int from = RollBack(Math.Min(common, desired.Length - 1), ref figures);
        figures.Kept = from;
        return DecodeFrom(desired, from, hints, ref figures, cancellationToken);
    }

    /// <summary>
    /// Decodes one generated token after the held sequence. It then belongs to the sequence, so the
    /// next sync's common prefix accounts for it.
    /// </summary>
    public void AppendGenerated(int token)
    {
        if (_heldCount >= _held.Length)
        {
            throw new InvalidOperationException($"the context is full ({_held.Length} tokens)");
        }

        DecodeOrClear([token], _heldCount);
        _held[_heldCount++] = token;
        _logitsValid = true;
    }

    /// <summary>
    /// Takes over a memory that was filled outside the session (a stored session loaded into the
    /// context): the session now holds <paramref name="held"/> and the given checkpoints, and the
    /// backend is not touched. The logits are treated as stale, so the next sync decodes at least
    /// one token. Checkpoints beyond the held tokens, at position 0 or repeated are dropped;
    /// attention memory keeps none, since it cuts anywhere.
    /// </summary>
    public void Adopt(ReadOnlySpan<int> held, IEnumerable<(int Position, byte[] Data)> checkpoints)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        if (held.Length > _held.Length)
        {
            throw new ArgumentException($"{held.Length} held tokens do not fit the context size {_held.Length}", nameof(held));
        }

        FreeCheckpointsAfter(-1);
        held.CopyTo(_held);
        _heldCount = held.Length;
        _logitsValid = false;
        if (_backend.MemoryKind == MemoryKind.Attention)
        {
            return;
        }

        int previous = 0;
        foreach ((int position, byte[] data) in checkpoints.OrderBy(c => c.Position))
        {
            if (position <= previous || position > held.Length || data.Length == 0)
            {
                continue;
            }

            byte[] buffer = _pool.Rent(data.Length);
            data.CopyTo(buffer, 0);
            _checkpoints.Add(new Checkpoint(position, buffer, data.Length, _created++));
            _checkpointBytes += buffer.Length;
            previous = position;
        }
    }

    /// <summary>Empties the memory and frees every checkpoint.</summary>
    public void Reset()
    {
        _backend.Clear();
        _heldCount = 0;
        _logitsValid = false;
        FreeCheckpointsAfter(-1);
    }

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
            FreeCheckpointsAfter(target);
            return target;
        }

        for (int i = _checkpoints.Count - 1; i >= 0; i--)
        {
            Checkpoint c = _checkpoints[i];
            if (c.Position > target)
            {
                continue;
            }

            long start = Stopwatch.GetTimestamp();

            // The restore puts the partial state at c.Position; the cut then trims the attention
            // part after it (for recurrent state the range lies past its end, a no-op that succeeds).
            bool restored = _backend.RestorePartialState(c.Data.AsSpan(0, c.Length)) && _backend.TryRemoveTail(c.Position);
            figures.Restoring += Stopwatch.GetTimestamp() - start;
            if (restored)
            {
                _heldCount = c.Position;
                figures.RestoredFrom = c.Position;
                FreeCheckpointsAfter(c.Position);
                return c.Position;
            }

            // A checkpoint the backend rejects is useless from now on.
            FreeAt(i);
        }

        Reset();
        return 0;
    }

    /// <summary>
    /// Whether a plain tail cut at <paramref name="target"/> is worth trying. Recurrent memory
    /// refuses (memory unchanged) unless it supports bounded rollback, so trying is harmless; a
    /// sliding window would accept a cut whose window was already evicted, so it is checked first.
    /// </summary>
    private bool CanCutDirectly(int target)
    {
        if (_backend.MemoryKind != MemoryKind.SlidingWindow)
        {
            return true;
        }

        int min = _backend.SequenceMinPosition();
        return min <= Math.Max(0, target - _backend.SlidingWindow);
    }

    private SyncFigures DecodeFrom(ReadOnlySpan<int> desired, int from, SyncHints hints, ref Tally figures, CancellationToken cancellationToken)
    {
        var plan = new SavePlan(from, desired.Length, _backend.BatchSize, _backend.MicroBatchSize, hints);
        PlanSaves(plan);
        int next = 0;
        int pos = from;
        while (pos < desired.Length)
        {
            while (next < _plan.Count && _plan[next] <= pos)
            {
                next++;
            }

            // Batches end exactly where a checkpoint is due, so the state there can be saved.
            int end = Math.Min(desired.Length, pos + _backend.BatchSize);
            if (next < _plan.Count && _plan[next] < end)
            {
                end = _plan[next];
            }

            long start = Stopwatch.GetTimestamp();
            DecodeOrClear(desired[pos..end], pos);
            figures.Decoding += Stopwatch.GetTimestamp() - start;
            desired[pos..end].CopyTo(_held.AsSpan(pos));
            _heldCount = end;
            _logitsValid = true;
            figures.Decoded += end - pos;
            pos = end;

            if (next < _plan.Count && _plan[next] == pos)
            {
                SaveCheckpoint(plan, pos, ref figures);
            }

            if (pos < desired.Length && cancellationToken.IsCancellationRequested)
            {
                Finish(ref figures, cancelled: true);
                throw new OperationCanceledException(cancellationToken);
            }
        }

        return Finish(ref figures, cancelled: false);
    }

    private void PlanSaves(in SavePlan plan)
    {
        _plan.Clear();
        if (_backend.MemoryKind == MemoryKind.Attention)
        {
            // A KV cache cuts anywhere: checkpoints would only cost time and memory.
            return;
        }

        _policy.PlanSaves(plan, _checkpoints, _plan);
        _plan.Sort();
        int kept = 0;
        for (int i = 0; i < _plan.Count; i++)
        {
            int p = _plan[i];
            if (p > plan.From && p < plan.To && (kept == 0 || _plan[kept - 1] != p))
            {
                _plan[kept++] = p;
            }
        }

        _plan.RemoveRange(kept, _plan.Count - kept);
    }

    private void SaveCheckpoint(in SavePlan plan, int position, ref Tally figures)
    {
        long start = Stopwatch.GetTimestamp();
        int size = _backend.PartialStateSize();
        if (size <= 0)
        {
            return;
        }

        while (true)
        {
            Admission admission = _policy.Admit(plan, _checkpoints, position, _pool.CapacityFor(size));
            if (admission.Kind == AdmissionKind.Save)
            {
                break;
            }

            if (admission.Kind == AdmissionKind.Skip || (uint)admission.EvictIndex >= (uint)_checkpoints.Count)
            {
                return;
            }

            FreeAt(admission.EvictIndex);
        }

        byte[] buffer = _pool.Rent(size);
        int written = _backend.SavePartialState(buffer.AsSpan(0, size));
        figures.Saving += Stopwatch.GetTimestamp() - start;
        if (written <= 0)
        {
            _pool.Return(buffer);
            return;
        }

        // Saves happen in increasing positions after every kept checkpoint, so the list stays sorted.
        _checkpoints.Add(new Checkpoint(position, buffer, written, _created++));
        _checkpointBytes += buffer.Length;
        figures.CheckpointsSaved++;
    }

    private void DecodeOrClear(ReadOnlySpan<int> tokens, int position)
    {
        try
        {
            _backend.Decode(tokens, position);
        }
        catch
        {
            // A failed decode leaves the memory unknown: start over rather than trust it.
            Reset();
            throw;
        }
    }

    private void FreeCheckpointsAfter(int position)
    {
        for (int i = _checkpoints.Count - 1; i >= 0 && _checkpoints[i].Position > position; i--)
        {
            FreeAt(i);
        }
    }

    private void FreeAt(int index)
    {
        Checkpoint c = _checkpoints[index];
        _checkpoints.RemoveAt(index);
        _checkpointBytes -= c.Bytes;
        _pool.Return(c.Data);
    }

    private SyncFigures Finish(ref Tally figures, bool cancelled)
    {
        long budget = _policy.MemoryBudgetBytes == long.MaxValue ? UnbudgetedPoolBytes : _policy.MemoryBudgetBytes;
        _pool.Trim(Math.Max(0, budget - _checkpointBytes));
        SyncFigures result = new(
            figures.Desired,
            figures.Held,
            figures.CommonPrefix,
            figures.Kept,
            figures.RestoredFrom,
            figures.Decoded,
            figures.Ideal,
            Stopwatch.GetElapsedTime(0, figures.Decoding),
            Stopwatch.GetElapsedTime(0, figures.Saving),
            Stopwatch.GetElapsedTime(0, figures.Restoring),
            figures.CheckpointsSaved,
            _checkpoints.Count,
            _checkpointBytes,
            cancelled);
        LastFigures = result;
        return result;
    }

    /// <summary>Running figures of one sync; times in stopwatch ticks.</summary>
    private struct Tally
    {
        public int Desired;
        public int Held;
        public int CommonPrefix;
        public int Kept;
        public int RestoredFrom;
        public int Decoded;
        public int Ideal;
        public long Decoding;
        public long Saving;
        public long Restoring;
        public int CheckpointsSaved;
    }
}

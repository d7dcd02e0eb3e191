using System.Diagnostics;

namespace LspLlama.Core.Session;

/// <summary>
/// Holds one model context and the token sequence in it, and brings it to a desired sequence with
/// the least decoding its memory allows: keep the longest common prefix, roll back to the cut point
/// or to the newest checkpoint before it, then decode the rest, saving checkpoints on the way.
/// Not thread-safe: one inference thread owns it.
/// </summary>
public sealed partial class ModelSession : IDisposable
{
    // Free snapshot buffers are kept up to this much when the policy has no memory budget.
    private const long UnbudgetedPoolBytes = 256L * 1024 * 1024;

    // The longest a save waits for the spill tier to finish a write and give its room back
    // (a 150 MiB write through the page cache takes 50–150 ms here).
    private static readonly TimeSpan SpillWriteWait = TimeSpan.FromMilliseconds(500);

    private readonly ISessionBackend _backend;
    private readonly ICheckpointPolicy _policy;
    private readonly int[] _held;
    private readonly CheckpointStore _store;
    private readonly List<int> _plan = [];
    private int _heldCount;
    private bool _logitsValid;

    // What tokens and copies cost here: a disk restore and a keystroke save compete with re-decoding.
    private readonly CopyCosts _costs = new();
    private int _lastStateBytes;

    /// <param name="spill">Where checkpoints the memory budget evicts go instead of being lost (the disk tier); null: nowhere.</param>
    public ModelSession(ISessionBackend backend, ICheckpointPolicy policy, ICheckpointSpill? spill = null)
    {
        _backend = backend;
        _policy = policy;
        _held = new int[backend.ContextSize];
        _store = new CheckpointStore(spill);
    }

    public MemoryKind MemoryKind => _backend.MemoryKind;

    public string PolicyName => _policy.Name;

    /// <summary>The tokens the memory holds, in order (positions 0..n-1).</summary>
    public ReadOnlySpan<int> Held => _held.AsSpan(0, _heldCount);

    /// <summary>True when the backend's logits belong to the last held token.</summary>
    public bool HasLogits => _logitsValid;

    /// <summary>The checkpoints in memory, sorted by position.</summary>
    public IReadOnlyList<Checkpoint> Checkpoints => _store.Memory;

    /// <summary>The checkpoints in the disk tier, sorted by position.</summary>
    public IReadOnlyList<SpilledCheckpoint> SpilledCheckpoints => _store.Spilled;

    public long CheckpointBytes => _store.Bytes;

    /// <summary>The most memory checkpoints ever held at once in this session.</summary>
    public long PeakCheckpointBytes => _store.PeakBytes;

    /// <summary>Bytes the disk tier holds.</summary>
    public long SpilledBytes => _store.SpilledBytes;

    /// <summary>Checkpoint memory plus the free pooled buffers kept for reuse and those still being written to disk.</summary>
    public long RetainedBytes => _store.RetainedBytes;

    /// <summary>What a token and a checkpoint save have cost in this session.</summary>
    public CopyCosts Costs => _costs;

    /// <summary>Figures of the last sync, also of one that was cancelled.</summary>
    public SyncFigures LastFigures { get; private set; }

    /// <summary>
    /// Brings the memory to <paramref name="desired"/> and leaves logits for its last token.
    /// Throws <see cref="OperationCanceledException"/> when cancelled between batches; the session
    /// then holds the prefix decoded so far (see <see cref="Held"/> and <see cref="LastFigures"/>).
    /// </summary>
    /// <param name="stopIfKeptLess">
    /// When the rollback keeps less than <see cref="KeptAt"/> counted (a spilled checkpoint failed to
    /// read back, a checkpoint was refused), stop after it, holding a prefix shorter than
    /// <paramref name="desired"/>, so a caller bounding what it decodes can choose again from what
    /// the memory holds now.
    /// </param>
    public SyncFigures Sync(ReadOnlySpan<int> desired, SyncHints hints, CancellationToken cancellationToken, bool stopIfKeptLess = false)
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
        int target = Math.Min(common, desired.Length - 1);
        int counted = stopIfKeptLess ? KeptAt(target) : 0;
        int from = RollBack(target, ref figures);
        figures.Kept = from;
        if (from < counted)
        {
            return Finish(ref figures, cancelled: false);
        }

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

        _store.DropAfter(-1);
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

            byte[] buffer = _store.Rent(data.Length);
            data.CopyTo(buffer, 0);
            _store.Add(position, buffer, data.Length);
            previous = position;
        }
    }

    /// <summary>Empties the memory and frees every checkpoint.</summary>
    public void Reset()
    {
        _backend.Clear();
        _heldCount = 0;
        _logitsValid = false;
        _store.DropAfter(-1);
    }

    /// <summary>Frees every checkpoint and deletes what the disk tier holds for this session.</summary>
    public void Dispose() => _store.Dispose();

    /// <summary>
    /// Whether a plain tail cut at <paramref name="target"/> is worth trying. Recurrent memory
    /// refuses (memory unchanged) unless it supports bounded rollback, so trying is harmless; a
    /// sliding window would accept a cut whose window was already evicted, so it is checked first.
    /// </summary>
    private bool CanCutDirectly(int target) =>
        _backend.MemoryKind is MemoryKind.Recurrent or MemoryKind.Hybrid
        || Rollback.CanCut(_backend.MemoryKind, target, _backend.SequenceMinPosition(), _backend.SlidingWindow);

    /// <summary>
    /// Tokens of <paramref name="desired"/> a sync would keep without decoding them again (the
    /// session store compares it with what a stored session would spare), by <see cref="Rollback"/>'s rule.
    /// </summary>
    public int KeptFor(ReadOnlySpan<int> desired) => KeptAt(Held.CommonPrefixLength(desired));

    /// <summary>
    /// Tokens a rollback to <paramref name="target"/> keeps (the memory departs from the desired
    /// sequence after that many): all of them where the memory cuts there, else the newest checkpoint
    /// at or before it that the rollback restores, in memory or (when reading it back pays) on disk.
    /// What a sync will decode is the desired length minus this.
    /// </summary>
    /// <remarks>
    /// At real sizes most checkpoints live on disk (a 1 GiB budget holds three of 295 MiB): counting
    /// only those in memory made a bounded request (completion.maxSyncTokens) take an edit the disk
    /// tier makes cheap for one past the bound, and answer from a lagging prompt that threw away
    /// the context after the memory's checkpoint, for the refresh to decode again.
    /// </remarks>
    public int KeptAt(int target)
    {
        bool canCut = _backend.MemoryKind is not (MemoryKind.Recurrent or MemoryKind.Hybrid) && CanCutDirectly(target);
        int kept = Rollback.Kept(target, _heldCount, canCut, _store.Memory.Select(c => c.Position));
        return target < _heldCount && !canCut && SpilledWorthReading(target, kept) is { } spilled ? spilled.Position : kept;
    }

    private SyncFigures DecodeFrom(ReadOnlySpan<int> desired, int from, SyncHints hints, ref Tally figures, CancellationToken cancellationToken)
    {
        // The state's size now stands for the next ones (recurrent states do not grow).
        double saveCost = _costs.SaveCostTokens(_lastStateBytes);
        var plan = new SavePlan(from, desired.Length, _backend.BatchSize, _backend.MicroBatchSize, hints, saveCost);
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
            long ticks = Stopwatch.GetTimestamp() - start;
            figures.Decoding += ticks;
            _costs.Decoded(end - pos, ticks);
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

        _policy.PlanSaves(plan, _store.Memory, _plan);
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
        int size = _backend.PartialStateSize();
        if (size <= 0)
        {
            return;
        }

        bool waited = false;
        while (true)
        {
            // A checkpoint on its way to disk still holds its buffer: the budget counts it as if it
            // were the new one's, so checkpoint memory never exceeds the budget while writes run.
            Admission admission = _policy.Admit(plan, _store.Memory, position, _store.CapacityFor(size) + _store.InFlightBytes);
            if (admission.Kind == AdmissionKind.Save)
            {
                break;
            }

            // Waiting for a write (tens of milliseconds) beats losing one more checkpoint, which
            // can cost thousands of tokens later; and the buffer it gives back is warm, where a
            // fresh one costs a page fault every 4 KiB.
            if (!waited && _store.InFlightBytes > 0)
            {
                waited = true;
                if (_store.ReclaimWritten(SpillWriteWait))
                {
                    continue;
                }
            }

            if (admission.Kind == AdmissionKind.Skip || (uint)admission.EvictIndex >= (uint)_store.Memory.Count)
            {
                figures.SkippedSaves++;
                return;
            }

            // One write in flight at a time: spilling moves a checkpoint's bytes out of memory only
            // once written, so a second spill now would make no room and cost one more eviction.
            bool spill = _store.InFlightBytes == 0 && WorthSpilling(admission.EvictIndex);
            figures.Evictions++;
            figures.Spilled += _store.Evict(admission.EvictIndex, spill) ? 1 : 0;
        }

        byte[] buffer = _store.Rent(size, out bool fresh);
        long copyStart = Stopwatch.GetTimestamp();
        int written = _backend.SavePartialState(buffer.AsSpan(0, size));
        long end = Stopwatch.GetTimestamp();
        // The copy alone: its throughput is a figure; a wait for the spill tier shows in the sync's time.
        figures.Saving += end - copyStart;
        if (written <= 0)
        {
            _store.ReturnBuffer(buffer);
            return;
        }

        _costs.Saved(written, end - copyStart);
        _lastStateBytes = written;

        // Saves happen in increasing positions after every kept checkpoint, so the list stays sorted.
        _store.Add(position, buffer, written);
        figures.CheckpointsSaved++;
        figures.BytesSaved += written;
        if (fresh)
        {
            figures.FreshBytesSaved += written;
            figures.FreshSaving += end - copyStart;
        }
    }

    /// <summary>
    /// Whether an evicted checkpoint is worth writing to the disk tier: reading it back must cost
    /// less than re-decoding the tokens it spares over its neighbour before it (a keystroke's
    /// checkpoint a token after the previous one is not; a segment start far from any other is).
    /// </summary>
    private bool WorthSpilling(int index)
    {
        if (!_store.CanSpill)
        {
            return false;
        }

        Checkpoint c = _store.Memory[index];
        int previous = index > 0 ? _store.Memory[index - 1].Position : 0;
        if (_store.NewestSpilledAtOrBefore(c.Position - 1) is { } spilled)
        {
            previous = Math.Max(previous, spilled.Position);
        }

        // A checkpoint closer to its neighbour than the policy's spacing is a keystroke's leftover,
        // not coverage: writing it would cost a background hash and write of a whole state (and a
        // fresh buffer while it is in flight) for a handful of tokens, measured to slow the very
        // keystrokes it was meant to spare.
        int spared = c.Position - previous;
        return spared >= _policy.MinSpillSpacing && spared * _costs.MarginalSecondsPerToken > _store.SpillReadSeconds(c.Length);
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

    private SyncFigures Finish(ref Tally figures, bool cancelled)
    {
        long budget = _policy.MemoryBudgetBytes == long.MaxValue ? UnbudgetedPoolBytes : _policy.MemoryBudgetBytes;
        _store.Trim(Math.Max(0, budget - _store.Bytes - _store.InFlightBytes));
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
            _store.Memory.Count,
            _store.Bytes,
            cancelled,
            new CheckpointTraffic(
                figures.Restored,
                figures.BytesSaved,
                figures.BytesRestored,
                figures.Evictions,
                figures.Spilled,
                figures.DiskRestores,
                figures.DiskBytesRead,
                Stopwatch.GetElapsedTime(0, figures.DiskReading),
                figures.DiskTokensSpared,
                figures.SkippedSaves,
                figures.FreshBytesSaved,
                Stopwatch.GetElapsedTime(0, figures.FreshSaving)));
        LastFigures = result;
        return result;
    }
}

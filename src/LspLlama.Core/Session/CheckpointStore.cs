namespace LspLlama.Core.Session;

/// <summary>
/// The checkpoints of one session: those in memory (sorted by position, in pooled buffers) and those
/// the memory budget evicted into the optional spill tier. Keeps the accounting the budget and the
/// figures rest on: bytes held, their peak, and the free buffers kept for reuse.
/// Not thread-safe: the session's thread owns it.
/// </summary>
public sealed class CheckpointStore(ICheckpointSpill? spill = null) : IDisposable
{
    private readonly List<Checkpoint> _memory = [];
    private readonly List<SpilledCheckpoint> _spilled = [];
    private readonly SnapshotPool _pool = new();
    private readonly List<byte[]> _written = [];
    private long _created;
    private long _inFlightBytes;

    /// <summary>Checkpoints in memory, sorted by position.</summary>
    public IReadOnlyList<Checkpoint> Memory => _memory;

    /// <summary>Checkpoints in the spill tier, sorted by position.</summary>
    public IReadOnlyList<SpilledCheckpoint> Spilled => _spilled;

    public bool CanSpill => spill is not null;

    /// <summary>Memory the checkpoints in memory hold (what the budget counts).</summary>
    public long Bytes { get; private set; }

    /// <summary>The most <see cref="Bytes"/> ever held.</summary>
    public long PeakBytes { get; private set; }

    /// <summary>Checkpoint memory, free pooled buffers and buffers still being written to the spill tier.</summary>
    public long RetainedBytes => Bytes + _pool.FreeBytes + _inFlightBytes;

    /// <summary>
    /// Buffers of evicted checkpoints still being written to the spill tier: memory like any
    /// checkpoint's until the write ends, so the budget counts them.
    /// </summary>
    public long InFlightBytes => _inFlightBytes;

    public long SpilledBytes => spill?.Bytes ?? 0;

    public int CapacityFor(int size) => _pool.CapacityFor(size);

    public byte[] Rent(int size) => _pool.Rent(size, out _);

    /// <param name="fresh">True when the buffer is new memory (<see cref="SnapshotPool.Rent"/>).</param>
    public byte[] Rent(int size, out bool fresh) => _pool.Rent(size, out fresh);

    public void ReturnBuffer(byte[] buffer) => _pool.Return(buffer);

    /// <summary>Adds a checkpoint past every one in memory (saves happen in increasing positions).</summary>
    public void Add(int position, byte[] buffer, int length)
    {
        _memory.Add(new Checkpoint(position, buffer, length, _created++));
        Bytes += buffer.Length;
        PeakBytes = Math.Max(PeakBytes, Bytes + _inFlightBytes);
    }

    /// <summary>
    /// Takes the checkpoint at <paramref name="index"/> out of memory because the budget needs its
    /// room; with <paramref name="toSpill"/> it moves to the spill tier, when there is one that
    /// accepts it. True when it was spilled.
    /// </summary>
    public bool Evict(int index, bool toSpill)
    {
        Checkpoint c = _memory[index];
        _memory.RemoveAt(index);
        Bytes -= c.Bytes;
        if (toSpill && spill?.Spill(c.Position, c.Data, c.Length) is { } spilled)
        {
            _inFlightBytes += c.Bytes;
            InsertSpilled(spilled);
            return true;
        }

        _pool.Return(c.Data);
        return false;
    }

    /// <summary>Frees a checkpoint in memory for good (the backend rejected it).</summary>
    public void Discard(int index)
    {
        Checkpoint c = _memory[index];
        _memory.RemoveAt(index);
        Bytes -= c.Bytes;
        _pool.Return(c.Data);
    }

    /// <summary>Forgets a spilled checkpoint (it could not be read or restored).</summary>
    public void DiscardSpilled(SpilledCheckpoint c)
    {
        _spilled.Remove(c);
        spill?.Drop(c);
    }

    /// <summary>Drops every checkpoint, in memory or spilled, past <paramref name="position"/>: their tokens are gone.</summary>
    public void DropAfter(int position)
    {
        for (int i = _memory.Count - 1; i >= 0 && _memory[i].Position > position; i--)
        {
            Discard(i);
        }

        for (int i = _spilled.Count - 1; i >= 0 && _spilled[i].Position > position; i--)
        {
            SpilledCheckpoint c = _spilled[i];
            _spilled.RemoveAt(i);
            spill?.Drop(c);
        }
    }

    /// <summary>The newest spilled checkpoint at or before <paramref name="target"/>, if any.</summary>
    public SpilledCheckpoint? NewestSpilledAtOrBefore(int target)
    {
        for (int i = _spilled.Count - 1; i >= 0; i--)
        {
            if (_spilled[i].Position <= target)
            {
                return _spilled[i];
            }
        }

        return null;
    }

    /// <summary>Reads a spilled checkpoint into <paramref name="destination"/>; false when it is gone or damaged.</summary>
    public bool TryRead(SpilledCheckpoint c, Span<byte> destination) => spill is not null && spill.TryRead(c, destination);

    /// <summary>Expected seconds to read <paramref name="bytes"/> back from the spill tier.</summary>
    public double SpillReadSeconds(long bytes) => spill?.ReadSeconds(bytes) ?? double.PositiveInfinity;

    /// <summary>
    /// Takes back into the pool the buffers the spill tier finished writing, waiting up to
    /// <paramref name="wait"/> for one when none has finished. True when some came back.
    /// </summary>
    public bool ReclaimWritten(TimeSpan wait = default)
    {
        if (spill is null || _inFlightBytes == 0)
        {
            return false;
        }

        _written.Clear();
        spill.TakeWritten(_written, wait);
        foreach (byte[] buffer in _written)
        {
            _inFlightBytes -= buffer.Length;
            _pool.Return(buffer);
        }

        bool any = _written.Count > 0;
        _written.Clear();
        return any;
    }

    /// <summary>
    /// Takes back the buffers the spill tier finished writing, then frees pooled buffers beyond
    /// <paramref name="maxFreeBytes"/>.
    /// </summary>
    public void Trim(long maxFreeBytes)
    {
        ReclaimWritten();

        // A real model's state is 50–230 MiB: a dropped buffer is that much garbage on the large
        // object heap, resident until a full collection, which nothing else may trigger for long;
        // and only an aggressive one gives the memory back (measured: a forced one leaves 3 GiB of
        // freed arrays resident). The heap is small beside the buffers, so it takes milliseconds.
        if (_pool.Trim(maxFreeBytes) >= LargeDrop)
        {
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
    }

    private const long LargeDrop = 32L * 1024 * 1024;

    public void Dispose()
    {
        DropAfter(-1);
        spill?.Dispose();
    }

    private void InsertSpilled(SpilledCheckpoint c)
    {
        int i = _spilled.Count;
        while (i > 0 && _spilled[i - 1].Position > c.Position)
        {
            i--;
        }

        _spilled.Insert(i, c);
    }
}

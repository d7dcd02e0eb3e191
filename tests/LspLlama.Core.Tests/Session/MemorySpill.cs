using LspLlama.Core.Session;

namespace LspLlama.Core.Tests.Session;

/// <summary>
/// An <see cref="ICheckpointSpill"/> in memory that writes at once (copying the data) and hands the
/// buffer back, with switches to damage what it holds and to make reads look slow or free.
/// </summary>
internal sealed class MemorySpill : ICheckpointSpill
{
    private readonly Dictionary<long, (int Position, byte[] Data)> _held = [];
    private readonly List<byte[]> _written = [];
    private long _next;

    /// <summary>The seconds <see cref="ReadSeconds"/> says any read costs.</summary>
    public double SecondsPerRead { get; set; }

    public bool DamageReads { get; set; }

    public int Reads { get; private set; }

    public int Drops { get; private set; }

    public IReadOnlyCollection<int> Positions => [.. _held.Values.Select(v => v.Position)];

    public long Bytes => _held.Values.Sum(v => (long)v.Data.Length);

    /// <summary>What the tier holds for a checkpoint (null when dropped).</summary>
    public byte[]? Data(SpilledCheckpoint c) => _held.TryGetValue(c.Id, out var held) ? held.Data : null;

    public SpilledCheckpoint? Spill(int position, byte[] buffer, int length)
    {
        long id = _next++;
        _held[id] = (position, buffer.AsSpan(0, length).ToArray());
        _written.Add(buffer);
        return new SpilledCheckpoint(id, position, length);
    }

    public bool TryRead(SpilledCheckpoint checkpoint, Span<byte> destination)
    {
        Reads++;
        if (!_held.TryGetValue(checkpoint.Id, out var held) || DamageReads)
        {
            return false;
        }

        held.Data.CopyTo(destination);
        return true;
    }

    public void Drop(SpilledCheckpoint checkpoint)
    {
        Drops++;
        _held.Remove(checkpoint.Id);
    }

    /// <summary>Writes still "in flight": their buffers come back only once this is false again.</summary>
    public bool HoldWrites { get; set; }

    /// <summary>Calls to <see cref="TakeWritten"/> that asked to wait.</summary>
    public int Waits { get; private set; }

    public void TakeWritten(List<byte[]> buffers, TimeSpan wait = default)
    {
        Waits += wait > TimeSpan.Zero ? 1 : 0;
        if (HoldWrites)
        {
            return;
        }

        buffers.AddRange(_written);
        _written.Clear();
    }

    public double ReadSeconds(long bytes) => SecondsPerRead;

    public void Dispose() => _held.Clear();
}

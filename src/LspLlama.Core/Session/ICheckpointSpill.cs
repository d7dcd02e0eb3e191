namespace LspLlama.Core.Session;

/// <summary>
/// A second, slower tier for checkpoints the memory budget evicts (a folder on disk in the server).
/// A spilled checkpoint stays valid as long as the tokens before it are held, like one in memory;
/// the session drops it with them. Implementations write in the background: <see cref="Spill"/>
/// takes the buffer and hands it back through <see cref="TakeWritten"/> once it is on disk.
/// Called from the inference thread only, except for what the implementation does in its own thread.
/// </summary>
public interface ICheckpointSpill : IDisposable
{
    /// <summary>
    /// Takes over <paramref name="buffer"/> (of which <paramref name="length"/> bytes are the state at
    /// <paramref name="position"/>) to write it. Null when refused (the tier is off, full of newer
    /// checkpoints, or its writer is behind): the buffer stays the caller's and the checkpoint is lost.
    /// </summary>
    SpilledCheckpoint? Spill(int position, byte[] buffer, int length);

    /// <summary>
    /// Reads a spilled checkpoint into <paramref name="destination"/> (at least its length); false
    /// when it is gone or damaged (it is then dropped). A checkpoint still being written is read
    /// from its buffer.
    /// </summary>
    bool TryRead(SpilledCheckpoint checkpoint, Span<byte> destination);

    /// <summary>Forgets a spilled checkpoint and deletes what it wrote.</summary>
    void Drop(SpilledCheckpoint checkpoint);

    /// <summary>
    /// Buffers whose writes finished since the last call, to reuse or free. When none has finished,
    /// waits up to <paramref name="wait"/> for one (the session waits when the budget needs the room
    /// a write in flight still holds).
    /// </summary>
    void TakeWritten(List<byte[]> buffers, TimeSpan wait = default);

    /// <summary>The expected seconds to read <paramref name="bytes"/> back (measured reads; an estimate before the first).</summary>
    double ReadSeconds(long bytes);

    /// <summary>Bytes the spilled checkpoints take on disk.</summary>
    long Bytes { get; }
}

/// <summary>A checkpoint in the spill tier.</summary>
/// <param name="Id">The tier's name for it (unique while the tier lives).</param>
public sealed record SpilledCheckpoint(long Id, int Position, int Length);

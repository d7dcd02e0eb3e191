namespace LspLlama.Core.Session;

/// <summary>
/// The one llama context a <see cref="ModelSession"/> drives, reduced to what a sync needs.
/// Everything works on a single sequence. Implemented over LLamaSharp in the executable and by a
/// fake in tests; nothing here knows native types.
/// </summary>
public interface ISessionBackend
{
    MemoryKind MemoryKind { get; }

    /// <summary>Sliding-window size in tokens (n_swa), 0 when the model has none.</summary>
    int SlidingWindow { get; }

    /// <summary>Most tokens the sequence may hold (n_ctx).</summary>
    int ContextSize { get; }

    /// <summary>Most tokens one <see cref="Decode"/> call may take (n_batch).</summary>
    int BatchSize { get; }

    /// <summary>Physical batch size (n_ubatch); llama-server's checkpoint policy depends on it.</summary>
    int MicroBatchSize { get; }

    /// <summary>
    /// Decodes <paramref name="tokens"/> at positions <paramref name="startPosition"/> onwards, with
    /// logits for the last token only. The start must be one past the last position held.
    /// Throws when the backend fails; the memory is then unknown and the caller clears it.
    /// </summary>
    void Decode(ReadOnlySpan<int> tokens, int startPosition);

    /// <summary>
    /// Removes positions from <paramref name="fromPosition"/> to the end. False when the memory
    /// cannot cut there (recurrent state); the memory is then unchanged.
    /// </summary>
    bool TryRemoveTail(int fromPosition);

    /// <summary>Empties the sequence. Never fails.</summary>
    void Clear();

    /// <summary>Smallest position still in memory (llama_memory_seq_pos_min), -1 when empty.</summary>
    int SequenceMinPosition();

    /// <summary>Bytes the partial state (recurrent state or sliding-window KV) needs right now.</summary>
    int PartialStateSize();

    /// <summary>Writes the partial state into <paramref name="destination"/>; returns the bytes written, 0 on failure.</summary>
    int SavePartialState(Span<byte> destination);

    /// <summary>Replaces the partial state with a saved one; false when it was rejected.</summary>
    bool RestorePartialState(ReadOnlySpan<byte> source);
}

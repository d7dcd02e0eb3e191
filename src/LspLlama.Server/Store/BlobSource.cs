namespace LspLlama.Store;

/// <summary>
/// Bytes to save whose length is known before writing (llama.cpp reports the state size first).
/// <paramref name="WriteTo"/> must write exactly <paramref name="Length"/> bytes into the stream it
/// is given, in as many calls as it likes: the store hashes and forwards them to disk as they come,
/// so a multi-GB state held in native memory is never copied into a managed buffer.
/// </summary>
public sealed record BlobSource(long Length, Action<Stream> WriteTo)
{
    public static BlobSource FromBytes(ReadOnlyMemory<byte> bytes) => new(bytes.Length, s => s.Write(bytes.Span));
}

/// <summary>A checkpoint to save: a partial-state blob taken when the sequence held <see cref="Position"/> tokens.</summary>
/// <param name="Position">Number of tokens of the sequence the checkpoint covers.</param>
/// <param name="PosMin">llama_memory_seq_pos_min when the checkpoint was taken.</param>
/// <param name="PosMax">llama_memory_seq_pos_max when the checkpoint was taken.</param>
public sealed record CheckpointSource(int Position, int PosMin, int PosMax, BlobSource Data);

/// <summary>
/// Everything a model session needs to come back after a restart: the tokens its context holds,
/// the full sequence state (llama_state_seq_get_data_ext, flags 0) and its checkpoints
/// (flags PARTIAL_ONLY), in ascending position order; and the URIs of the documents the tokens were
/// planned from, in plan order (the active one last), so the next start can lay them out again.
/// </summary>
public sealed record SessionSnapshot(ReadOnlyMemory<int> Tokens, BlobSource State, IReadOnlyList<CheckpointSource> Checkpoints)
{
    public IReadOnlyList<StoredDocument> Documents { get; init; } = [];
}

/// <summary>A checkpoint as described by a stored file; its bytes are read with <see cref="StoredSession.TryReadCheckpoint"/>.</summary>
public sealed record StoredCheckpoint(int Position, int PosMin, int PosMax, long Length);

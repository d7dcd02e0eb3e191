namespace LspLlama.Core.Session;

/// <summary>
/// How the model's memory for one sequence can be rolled back. The backend finds out on load by
/// trying a cut, as llama.cpp's own server does, because the architecture name alone does not say
/// (bounded rollback, sliding windows and context settings change the answer).
/// </summary>
public enum MemoryKind
{
    /// <summary>KV cache only: the tail can be cut at any position; no checkpoints are needed.</summary>
    Attention,

    /// <summary>
    /// Sliding-window attention: a cut is valid only while the window before the cut point is
    /// still cached. Partial checkpoints hold the window's KV.
    /// </summary>
    SlidingWindow,

    /// <summary>Recurrent state only (Mamba, RWKV): a tail can never be cut; checkpoints hold the whole state.</summary>
    Recurrent,

    /// <summary>
    /// Recurrent and attention layers: restore the recurrent state from a checkpoint, then cut the
    /// attention KV after it. A checkpoint is only valid while the attention KV holds its positions.
    /// </summary>
    Hybrid,
}
